import ServiceKit

await LagMonitorCommand.main()
