import Foundation

extension ConfigurationKey {
    /// `port-file` (no default): where a service writes the HTTP port it bound (for `--http-port 0`).
    public static let portFile = ConfigurationKey(
        "port-file", help: "Write the bound HTTP port to this file once listening.", valueName: "file")
    /// `group-session-timeout` (default 10s): how long a crashed group member keeps its partitions.
    public static let groupSessionTimeout = ConfigurationKey(
        "group-session-timeout", help: "Consumer group session timeout (a crashed instance's partitions move after it).",
        default: "10s", valueName: "duration")
}

/// Keys every pipeline service shares on top of ``ConfigurationSchema/service(_:passthroughPrefixes:)``.
public enum PipelineConfiguration {
    /// `topic-prefix`, the Kafka reconnect backoffs, `port-file`, `group-session-timeout`.
    public static let keys: [ConfigurationKey] = KafkaSettings.configurationKeys + [.portFile, .groupSessionTimeout]
}

/// Writes the HTTP server's bound port to a file (atomically, followed by a newline) once it listens, then waits for
/// shutdown; removes nothing. Add it to ``ServiceRuntime/run(_:maximumGracefulShutdownDuration:)`` after nothing
/// else: it only watches the server.
public struct PortFileService: Service {
    public let server: HTTPServer
    public let path: String
    public let logger: Logger

    public init(server: HTTPServer, path: String, logger: Logger) {
        self.server = server
        self.path = path
        self.logger = logger
    }

    public func run() async throws {
        while server.boundPort == nil {
            if Task.isShuttingDownGracefully { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        if let port = server.boundPort {
            do {
                try FileIO.writeAtomically(text: "\(port)\n", to: path)
            } catch {
                logger.error("cannot write the port file", metadata: ["path": .string(path), "error": .string("\(error)")])
            }
        }
        try? await gracefulShutdown()
    }
}

extension ConfigurationSource {
    /// A duration that may also be given in milliseconds (`250ms`), else as ``DurationText`` (`30s`, `15m`, `1d`).
    public func fineDuration(_ name: String) throws(ConfigurationError) -> Duration {
        try requiredValue(name, expected: "a duration like 250ms, 30s, 15m or 12h") { text in
            let trimmed = text.trimmingCharacters(" \t")
            if trimmed.hasSuffix("ms"), let n = Int64(trimmed.dropLast(2)), n >= 0 { return .milliseconds(n) }
            return try? DurationText.duration(trimmed)
        }
    }
}
