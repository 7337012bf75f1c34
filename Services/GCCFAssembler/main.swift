import ServiceKit

await GCCFAssemblerCommand.main()
