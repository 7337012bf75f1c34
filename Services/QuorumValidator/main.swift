import ServiceKit

await QuorumValidatorCommand.main()
