import ServiceKit

await ExpiryWatcherCommand.main()
