import Foundation

/// Where a configuration value came from.
public enum ConfigurationOrigin: Sendable, Hashable, CustomStringConvertible {
    /// A command-line flag, e.g. `--http-port`.
    case flag(String)
    /// An environment variable, e.g. `SCMS_HTTP_PORT`.
    case environment(String)
    /// A config file line.
    case file(path: String, line: Int)
    /// The key's built-in default.
    case defaultValue

    public var description: String {
        switch self {
        case .flag(let name): return "flag \(name)"
        case .environment(let name): return "environment variable \(name)"
        case .file(let path, let line): return line > 0 ? "\(path) line \(line)" : path
        case .defaultValue: return "the default"
        }
    }
}

/// A resolved configuration value.
public struct ConfigurationValue: Sendable, Hashable {
    /// The text.
    public var value: String
    /// Its source.
    public var origin: ConfigurationOrigin

    /// Creates a value.
    public init(value: String, origin: ConfigurationOrigin) {
        self.value = value
        self.origin = origin
    }
}

/// Why the configuration is unusable. Messages name the key and where the bad value came from.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable reason codes.
    public enum Code: String, Sendable, Hashable {
        case unknownKey = "config.unknown-key"
        case duplicateKey = "config.duplicate-key"
        case malformedFile = "config.malformed-file"
        case unreadableFile = "config.unreadable-file"
        case invalidValue = "config.invalid-value"
        case missingValue = "config.missing-value"
    }

    /// Why.
    public var code: Code
    /// The key concerned, if any.
    public var key: String?
    /// Where the offending value or line came from.
    public var origin: ConfigurationOrigin?
    /// Details.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, key: String?, origin: ConfigurationOrigin?, _ message: String) {
        self.code = code
        self.key = key
        self.origin = origin
        self.message = message
    }

    public var description: String {
        switch (code, origin) {
        case (.invalidValue, let origin?), (.unknownKey, let origin?):
            return "configuration: \(message) (from \(origin))"
        case (_, .file(let path, let line)?):
            return "configuration: \(line > 0 ? "\(path) line \(line)" : path): \(message)"
        default:
            return "configuration: \(message)"
        }
    }
}

extension ConfigurationError: ExitCodeProviding {
    /// A bad flag is a usage error (64); anything from the environment or a file is a configuration error (78).
    public var exitCode: ExitCode {
        if case .flag? = origin { return .usage }
        return .config
    }
}

/// Resolves settings with the precedence **flag > `SCMS_*` environment > config file > default**.
///
/// ```swift
/// struct Validator: ParsableCommand {
///     static let schema = ConfigurationSchema.service([
///         ConfigurationKey("quorum-floor", help: "Lowest quorum any GPF may set.", default: "2", valueName: "n"),
///     ])
///     static let configuration = CommandConfiguration(commandName: "quorum-validator", abstract: "…")
///     static var arguments: [ArgumentSpec] { schema.argumentSpecs }
///     let config: ConfigurationSource
///     init(arguments: ParsedArguments) throws {
///         config = try ConfigurationSource(schema: Self.schema, arguments: arguments)
///     }
///     func run() async throws {
///         let port = try config.int("http-port", in: 0...65535)
///         let floor = try config.int("quorum-floor", in: 1...255)
///         …
///     }
/// }
/// ```
///
/// The file is named by `--config FILE` or `SCMS_CONFIG`; a key in it that the schema does not declare (and that
/// has no passthrough prefix) is an error, so typos never go unnoticed.
public struct ConfigurationSource: Sendable {
    /// The keys in force.
    public let schema: ConfigurationSchema
    /// Values given as flags, by key.
    public let flags: [String: String]
    /// The process environment (only `SCMS_*` variables are consulted).
    public let environment: [String: String]
    /// The loaded config file, if any.
    public let file: ConfigurationFile?

    /// Builds a source from explicit parts (tests, tools).
    public init(schema: ConfigurationSchema, flags: [String: String] = [:], environment: [String: String] = [:],
                file: ConfigurationFile? = nil) throws(ConfigurationError) {
        self.schema = schema
        self.flags = flags
        self.environment = environment
        self.file = file
        for name in flags.keys where schema.key(name) == nil {
            throw ConfigurationError(.unknownKey, key: name, origin: .flag("--\(name)"), "unknown key '\(name)'")
        }
        if let file {
            let known = schema.keys.map(\.name)
            for entry in file.entries where schema.key(entry.key) == nil {
                if schema.passthroughPrefixes.contains(where: { entry.key.hasPrefix($0) && entry.key.count > $0.count }) {
                    continue
                }
                var message = "unknown key '\(entry.key)'"
                if let guess = Suggestion.closest(to: entry.key, in: known) { message += "; did you mean '\(guess)'?" }
                throw ConfigurationError(.unknownKey, key: entry.key,
                                         origin: .file(path: file.path, line: entry.line), message)
            }
        }
    }

    /// Builds a source from a parsed command line (options from ``ConfigurationSchema/argumentSpecs``), the process
    /// environment (or `environment`, when given), and the file named by `--config` or `SCMS_CONFIG`.
    public init(schema: ConfigurationSchema, arguments: ParsedArguments,
                environment: [String: String]? = nil) throws(ConfigurationError) {
        let environment = environment ?? ProcessInfo.processInfo.environment
        var flags: [String: String] = [:]
        for key in schema.keys where arguments.isGiven(key.name) {
            flags[key.name] = arguments.string(key.name)
        }
        var file: ConfigurationFile?
        let envConfig = schema.environmentPrefix + "CONFIG"
        if let path = arguments.string(ConfigurationSchema.configFileKey) {
            file = try ConfigurationFile(contentsOf: path)
        } else if let path = environment[envConfig], !path.isEmpty {
            file = try ConfigurationFile(contentsOf: path)
        }
        try self.init(schema: schema, flags: flags, environment: environment, file: file)
    }

    private func declared(_ name: String) -> ConfigurationKey {
        guard let key = schema.key(name) else {
            preconditionFailure("ConfigurationSource: key '\(name)' is not in the schema")
        }
        return key
    }

    /// The winning value for `name` and its origin, or `nil` if no source (not even a default) sets it.
    public func lookup(_ name: String) -> ConfigurationValue? {
        let key = declared(name)
        if let v = flags[name] { return ConfigurationValue(value: v, origin: .flag("--\(name)")) }
        let env = key.environmentName(prefix: schema.environmentPrefix)
        if let v = environment[env] { return ConfigurationValue(value: v, origin: .environment(env)) }
        if let file, let entry = file.entry(name) {
            return ConfigurationValue(value: entry.value, origin: .file(path: file.path, line: entry.line))
        }
        if let d = key.defaultValue { return ConfigurationValue(value: d, origin: .defaultValue) }
        return nil
    }

    /// The string value, or `nil` if unset.
    public func string(_ name: String) -> String? { lookup(name)?.value }

    /// The string value; throws ``ConfigurationError/Code/missingValue`` naming every way to set it.
    public func requiredString(_ name: String) throws(ConfigurationError) -> String {
        guard let v = lookup(name) else {
            let key = declared(name)
            throw ConfigurationError(.missingValue, key: name, origin: nil,
                                     "'\(name)' is required: pass --\(name), set \(key.environmentName(prefix: schema.environmentPrefix)), or add '\(name) = …' to the config file")
        }
        return v.value
    }

    /// Converts the value; `nil` from `transform` becomes an error naming the key, the value, its origin and
    /// `expected`. Returns `nil` when the key is unset.
    public func value<T>(_ name: String, expected: String, _ transform: (String) -> T?) throws(ConfigurationError) -> T? {
        guard let v = lookup(name) else { return nil }
        guard let result = transform(v.value) else {
            let shown = declared(name).isSecret ? "[REDACTED]" : v.value
            throw ConfigurationError(.invalidValue, key: name, origin: v.origin,
                                     "invalid value '\(shown)' for '\(name)': expected \(expected)")
        }
        return result
    }

    /// Like ``value(_:expected:_:)`` but required.
    public func requiredValue<T>(_ name: String, expected: String, _ transform: (String) -> T?) throws(ConfigurationError) -> T {
        _ = try requiredString(name)
        guard let result = try value(name, expected: expected, transform) else {
            throw ConfigurationError(.missingValue, key: name, origin: nil, "'\(name)' is required")
        }
        return result
    }

    /// A decimal integer (required: the key must have a default or be set).
    public func int(_ name: String) throws(ConfigurationError) -> Int {
        try requiredValue(name, expected: "an integer") { Int($0.trimmingCharacters(" ")) }
    }

    /// A decimal integer within `range`.
    public func int(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        try requiredValue(name, expected: "an integer from \(range.lowerBound) to \(range.upperBound)") {
            Int($0.trimmingCharacters(" ")).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// `true/false`, `yes/no`, `on/off`, `1/0` (any case).
    public func bool(_ name: String) throws(ConfigurationError) -> Bool {
        try requiredValue(name, expected: "true or false") { text in
            switch text.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: return nil
            }
        }
    }

    /// A duration such as `30s`, `15m`, `90d` (see ``DurationText``).
    public func duration(_ name: String) throws(ConfigurationError) -> Duration {
        try requiredValue(name, expected: "a duration like 30s, 15m, 12h, 90d or 6y") { try? DurationText.duration($0) }
    }

    /// A comma-separated list; blanks around items are dropped and empty items ignored.
    public func strings(_ name: String) throws(ConfigurationError) -> [String] {
        guard let v = lookup(name) else { return [] }
        return v.value.split(separator: ",").map { $0.trimmingCharacters(" \t") }.filter { !$0.isEmpty }
    }

    /// The value as a ``Logger/Level``.
    public func logLevel(_ name: String = ConfigurationKey.logLevel.name) throws(ConfigurationError) -> Logger.Level {
        try requiredValue(name, expected: Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")) {
            Logger.Level(rawValue: $0.lowercased())
        }
    }

    /// File entries under a passthrough prefix, with the prefix removed: `kafka.security.protocol = SASL_SSL` →
    /// `["security.protocol": "SASL_SSL"]`.
    public func passthrough(prefix: String) -> [String: String] {
        var out: [String: String] = [:]
        for entry in file?.entries ?? [] where entry.key.hasPrefix(prefix) {
            out[String(entry.key.dropFirst(prefix.count))] = entry.value
        }
        return out
    }

    /// `SCMS_*` variables that match no key (except `SCMS_CONFIG`): worth a warning in the startup log, but not an
    /// error, since one environment often serves several services.
    public var unknownEnvironmentVariables: [String] {
        let known = Set(schema.keys.map { $0.environmentName(prefix: schema.environmentPrefix) } + [schema.environmentPrefix + "CONFIG"])
        return environment.keys.filter { $0.hasPrefix(schema.environmentPrefix) && !known.contains($0) }.sorted()
    }

    /// Every key with its value (secrets redacted) and origin, in schema order — for the startup log line.
    public func describe() -> [(key: String, value: String, origin: ConfigurationOrigin)] {
        schema.keys.compactMap { key in
            lookup(key.name).map { (key.name, key.isSecret ? "[REDACTED]" : $0.value, $0.origin) }
        }
    }
}
