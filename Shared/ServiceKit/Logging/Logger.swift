/// A structured logger, mirroring swift-log's `Logger` so a later swap to the package is a change of import.
///
/// ```swift
/// LoggingSystem.bootstrap { label in JSONLogHandler(label: label, service: "quorum-validator", level: .info) }
/// var logger = Logger(label: "quorum-validator")
/// logger[metadataKey: "instance"] = "v-1"
/// logger.info("ballot accepted", metadata: ["digest": "\(hex)", "endorsements": "3"])
/// ```
///
/// Message and metadata are autoclosures: nothing is built for levels below ``logLevel``.
public struct Logger: Sendable {
    /// The logger's label (the subsystem; `service` in JSON lines when no service name was configured).
    public let label: String
    /// The handler that formats and writes entries.
    public var handler: any LogHandler

    /// A logger from the bootstrapped ``LoggingSystem`` factory.
    public init(label: String) {
        self.label = label
        self.handler = LoggingSystem.factory(label)
    }

    /// A logger with an explicit handler factory (tests, tools).
    public init(label: String, factory: (String) -> any LogHandler) {
        self.label = label
        self.handler = factory(label)
    }

    /// Entries below this level are discarded.
    public var logLevel: Level {
        get { handler.logLevel }
        set { handler.logLevel = newValue }
    }

    /// Metadata attached to every entry of this logger.
    public subscript(metadataKey key: String) -> MetadataValue? {
        get { handler[metadataKey: key] }
        set { handler[metadataKey: key] = newValue }
    }

    /// Logs at `level` if it is at least ``logLevel``.
    @inlinable
    public func log(level: Level, _ message: @autoclosure () -> Message, metadata: @autoclosure () -> Metadata? = nil,
                    source: @autoclosure () -> String? = nil, file: String = #fileID, function: String = #function,
                    line: UInt = #line) {
        guard level >= handler.logLevel else { return }
        handler.log(level: level, message: message(), metadata: metadata(), source: source() ?? "",
                    file: file, function: function, line: line)
    }

    /// Logs at ``Level/trace``.
    @inlinable
    public func trace(_ message: @autoclosure () -> Message, metadata: @autoclosure () -> Metadata? = nil,
                      source: @autoclosure () -> String? = nil, file: String = #fileID, function: String = #function,
                      line: UInt = #line) {
        log(level: .trace, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs at ``Level/debug``.
    @inlinable
    public func debug(_ message: @autoclosure () -> Message, metadata: @autoclosure () -> Metadata? = nil,
                      source: @autoclosure () -> String? = nil, file: String = #fileID, function: String = #function,
                      line: UInt = #line) {
        log(level: .debug, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs at ``Level/info``.
    @inlinable
    public func info(_ message: @autoclosure () -> Message, metadata: @autoclosure () -> Metadata? = nil,
                     source: @autoclosure () -> String? = nil, file: String = #fileID, function: String = #function,
                     line: UInt = #line) {
        log(level: .info, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs at ``Level/notice``.
    @inlinable
    public func notice(_ message: @autoclosure () -> Message, metadata: @autoclosure () -> Metadata? = nil,
                       source: @autoclosure () -> String? = nil, file: String = #fileID, function: String = #function,
                       line: UInt = #line) {
        log(level: .notice, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs at ``Level/warning``.
    @inlinable
    public func warning(_ message: @autoclosure () -> Message, metadata: @autoclosure () -> Metadata? = nil,
                        source: @autoclosure () -> String? = nil, file: String = #fileID, function: String = #function,
                        line: UInt = #line) {
        log(level: .warning, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs at ``Level/error``.
    @inlinable
    public func error(_ message: @autoclosure () -> Message, metadata: @autoclosure () -> Metadata? = nil,
                      source: @autoclosure () -> String? = nil, file: String = #fileID, function: String = #function,
                      line: UInt = #line) {
        log(level: .error, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }

    /// Logs at ``Level/critical``.
    @inlinable
    public func critical(_ message: @autoclosure () -> Message, metadata: @autoclosure () -> Metadata? = nil,
                         source: @autoclosure () -> String? = nil, file: String = #fileID, function: String = #function,
                         line: UInt = #line) {
        log(level: .critical, message(), metadata: metadata(), source: source(), file: file, function: function, line: line)
    }
}

extension Logger {
    /// Severity, least to most severe.
    public enum Level: String, Codable, CaseIterable, Sendable {
        case trace, debug, info, notice, warning, error, critical

        var severity: Int {
            switch self {
            case .trace: return 0
            case .debug: return 1
            case .info: return 2
            case .notice: return 3
            case .warning: return 4
            case .error: return 5
            case .critical: return 6
            }
        }
    }

    /// Structured metadata: string keys to values.
    public typealias Metadata = [String: MetadataValue]

    /// A metadata value: a string, something printable, or nested dictionaries and arrays.
    public enum MetadataValue: Sendable {
        case string(String)
        case stringConvertible(any CustomStringConvertible & Sendable)
        case dictionary(Metadata)
        case array([MetadataValue])
    }

    /// A log message; built from a string literal or interpolation.
    public struct Message: ExpressibleByStringLiteral, ExpressibleByStringInterpolation, Sendable, Equatable,
        CustomStringConvertible {
        let value: String

        public init(stringLiteral value: String) { self.value = value }

        public var description: String { value }
    }
}

extension Logger.Level: Comparable {
    public static func < (lhs: Logger.Level, rhs: Logger.Level) -> Bool { lhs.severity < rhs.severity }
}

extension Logger.MetadataValue: Equatable {
    public static func == (lhs: Logger.MetadataValue, rhs: Logger.MetadataValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a == b
        case (.stringConvertible(let a), .stringConvertible(let b)): return a.description == b.description
        case (.dictionary(let a), .dictionary(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        default: return false
        }
    }
}

extension Logger.MetadataValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension Logger.MetadataValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Logger.MetadataValue...) { self = .array(elements) }
}

extension Logger.MetadataValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Logger.MetadataValue)...) {
        self = .dictionary(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension Logger.MetadataValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .string(let s): return s
        case .stringConvertible(let c): return c.description
        case .dictionary(let d): return d.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.description
        case .array(let a): return a.map(\.description).description
        }
    }
}

/// Formats and writes log entries; mirrors swift-log's `LogHandler`.
public protocol LogHandler: Sendable {
    /// Writes one entry. Called only for levels at or above ``logLevel``.
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt)
    /// Metadata attached to every entry.
    subscript(metadataKey key: String) -> Logger.MetadataValue? { get set }
    /// All attached metadata.
    var metadata: Logger.Metadata { get set }
    /// Least severe level written.
    var logLevel: Logger.Level { get set }
}

extension LogHandler {
    public subscript(metadataKey key: String) -> Logger.MetadataValue? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
}

/// Discards everything (mirrors swift-log's `SwiftLogNoOpLogHandler`).
public struct NoOpLogHandler: LogHandler {
    public init() {}
    public func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {}
    public var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    public var logLevel: Logger.Level {
        get { .critical }
        set {}
    }
}
