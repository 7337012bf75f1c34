// ServiceKit — what every scms-electors executable shares.
//
// - Command line: `ParsableCommand`, `CommandConfiguration`, `ArgumentSpec`, `ParsedArguments`, `ExitCode`
//   (shapes of swift-argument-parser).
// - Configuration: `ConfigurationSchema`, `ConfigurationKey`, `ConfigurationSource` (flag > SCMS_* env > file >
//   default), `ConfigurationFile` (`key = value`).
// - Logging: `Logger`, `LogHandler`, `LoggingSystem`, `JSONLogHandler`, `LogRedactor` (shapes of swift-log).
// - Metrics: `Counter`, `FloatingPointCounter`, `Gauge`, `Histogram`, `Recorder`, `Timer`, `MetricsRegistry`,
//   `MetricsSystem` (shapes of swift-metrics), Prometheus text 0.0.4.
// - HTTP: `HTTPServer`, `HTTPRouter`, `HTTPRequest`, `HTTPResponse`, `HealthMonitor`.
// - Lifecycle: `Service`, `ServiceGroup`, `UnixSignal`, `UnixSignalsSequence`, `withGracefulShutdownHandler`,
//   `gracefulShutdown()` (shapes of swift-service-lifecycle); `ServiceRuntime` wires it all for a service.
// - Helpers: `FileIO`, `Hex`, `ISO8601`, `Time32Conversion`, `DurationText`, `StandardStreams`, `JSONText`.
