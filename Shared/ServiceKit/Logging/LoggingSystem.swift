import Synchronization

/// The process-wide handler factory used by ``Logger/init(label:)``; mirrors swift-log's `LoggingSystem`.
///
/// Call ``bootstrap(_:)`` once at startup, before creating loggers. Until then loggers write JSON lines to stderr
/// at level `info` with the label as the service name.
public enum LoggingSystem {
    private static let state = Mutex<(@Sendable (String) -> any LogHandler)?>(nil)

    /// Installs the handler factory. A second call replaces the first (swift-log traps; replacing is friendlier to
    /// tests and tools that reconfigure after parsing flags).
    public static func bootstrap(_ factory: @escaping @Sendable (String) -> any LogHandler) {
        state.withLock { $0 = factory }
    }

    /// Bootstraps JSON lines on stderr for `service` at `level`, redacting with `redactor`.
    public static func bootstrapJSON(service: String, level: Logger.Level = .info,
                                     redactor: LogRedactor = .default) {
        bootstrap { label in JSONLogHandler(label: label, service: service, level: level, redactor: redactor) }
    }

    static func factory(_ label: String) -> any LogHandler {
        if let factory = state.withLock({ $0 }) { return factory(label) }
        return JSONLogHandler(label: label, service: label)
    }
}
