public import Foundation
import Synchronization

/// Where log lines go.
public struct LogOutput: Sendable {
    /// Writes one complete line (with its newline).
    public let write: @Sendable (String) -> Void

    /// Creates an output from a closure (tests capture lines this way).
    public init(_ write: @escaping @Sendable (String) -> Void) { self.write = write }

    /// Serializes writers process-wide so lines never interleave, whatever their length.
    private static let writeLock = Mutex<Int>(0)

    /// `write(2)` to a file descriptor, one call per line under a process-wide lock.
    public static func fileDescriptor(_ fd: Int32) -> LogOutput {
        LogOutput { line in
            writeLock.withLock { _ in _ = StandardStreams.write(line, to: fd) }
        }
    }

    /// Standard error (file descriptor 2).
    public static let standardError = fileDescriptor(2)
}

/// Writes each entry as one JSON object per line:
///
/// ```json
/// {"ts":"2025-03-01T12:00:00.123Z","level":"info","service":"quorum-validator","msg":"ballot accepted","digest":"ab12…"}
/// ```
///
/// `ts`, `level`, `service` and `msg` come first; then `logger` (only when the label differs from the service),
/// `source` (when given), and the merged metadata sorted by key (entry metadata overrides handler metadata). A
/// metadata key that collides with one of the fixed members is written as `meta.<key>`. Values under sensitive
/// keys are replaced by ``LogRedactor``.
public struct JSONLogHandler: LogHandler {
    /// The logger label.
    public let label: String
    /// The `service` member of every line.
    public let service: String
    /// Least severe level written.
    public var logLevel: Logger.Level
    /// Metadata on every line.
    public var metadata: Logger.Metadata
    /// Where lines go.
    public let output: LogOutput
    /// The redaction policy.
    public let redactor: LogRedactor
    /// The clock (tests pin it).
    public let now: @Sendable () -> Date

    static let reserved: Set<String> = ["ts", "level", "service", "msg", "logger", "source"]

    /// Creates a handler.
    public init(label: String, service: String? = nil, level: Logger.Level = .info, metadata: Logger.Metadata = [:],
                output: LogOutput = .standardError, redactor: LogRedactor = .default,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.label = label
        self.service = service ?? label
        self.logLevel = level
        self.metadata = metadata
        self.output = output
        self.redactor = redactor
        self.now = now
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata entry: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        output.write(render(level: level, message: message, metadata: entry, source: source) + "\n")
    }

    /// The JSON line (without newline) for an entry.
    public func render(level: Logger.Level, message: Logger.Message, metadata entry: Logger.Metadata?,
                       source: String = "") -> String {
        var members: [(String, String)] = [
            ("ts", JSONText.quote(ISO8601.format(now()))),
            ("level", JSONText.quote(level.rawValue)),
            ("service", JSONText.quote(service)),
            ("msg", JSONText.quote(message.value)),
        ]
        if label != service { members.append(("logger", JSONText.quote(label))) }
        if !source.isEmpty { members.append(("source", JSONText.quote(source))) }
        var merged = metadata
        if let entry { merged.merge(entry) { _, new in new } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            let name = Self.reserved.contains(key) ? "meta.\(key)" : key
            members.append((name, JSONText.render(redactor.redact(key, value))))
        }
        return JSONText.object(members)
    }
}
