import ServiceKit

await EndorsementIntakeCommand.main()
