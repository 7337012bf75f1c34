/// A setting a service reads through ``ConfigurationSource``: `bootstrap-servers`, `http-port`, `log-level`, ...
///
/// Each key can be given as a flag `--<name>`, an environment variable `SCMS_<NAME>` (upper case, `-` and `.`
/// become `_`), or a line `<name> = value` in the config file; see ``ConfigurationSource`` for the precedence.
public struct ConfigurationKey: Sendable, Hashable {
    /// The key in flag/file spelling: lower case, words joined by `-`.
    public var name: String
    /// One sentence for `--help`.
    public var help: String
    /// The value used when no source sets the key.
    public var defaultValue: String?
    /// The placeholder in help (`--http-port <port>`).
    public var valueName: String
    /// Secret values (passwords, key material) are shown as `[REDACTED]` in ``ConfigurationSource/describe()``.
    public var isSecret: Bool

    /// Creates a key.
    public init(_ name: String, help: String, default defaultValue: String? = nil, valueName: String = "value",
                secret: Bool = false) {
        self.name = name
        self.help = help
        self.defaultValue = defaultValue
        self.valueName = valueName
        self.isSecret = secret
    }

    /// The environment variable for this key with `prefix` (`SCMS_` by default): `SCMS_BOOTSTRAP_SERVERS`.
    public func environmentName(prefix: String = ConfigurationSchema.defaultEnvironmentPrefix) -> String {
        prefix + String(name.uppercased().map { $0 == "-" || $0 == "." ? "_" : $0 })
    }
}

extension ConfigurationKey {
    /// `log-level` (trace, debug, info, notice, warning, error, critical; default info).
    public static let logLevel = ConfigurationKey("log-level", help: "Least severe log level written to stderr.",
                                                  default: "info", valueName: "level")
    /// `http-host` (default 0.0.0.0): where `/metrics` and `/healthz` listen.
    public static let httpHost = ConfigurationKey("http-host", help: "Address the metrics and health server binds.",
                                                  default: "0.0.0.0", valueName: "host")
    /// `http-port` (default 9090; 0 picks a free port).
    public static let httpPort = ConfigurationKey("http-port", help: "Port of the metrics and health server (0 = any free port).",
                                                  default: "9090", valueName: "port")
    /// `bootstrap-servers`: Kafka brokers, `host:port[,host:port...]`.
    public static let bootstrapServers = ConfigurationKey("bootstrap-servers", help: "Kafka brokers, host:port[,host:port...].",
                                                          default: "localhost:9092", valueName: "servers")
    /// `leap-seconds` (default 5): leap seconds since 2004 used for Time32.
    public static let leapSeconds = ConfigurationKey("leap-seconds", help: "Leap seconds between 2004 and now, for Time32.",
                                                     default: "\(Time32Conversion.defaultLeapSeconds)", valueName: "n")
}

/// The keys a service accepts; produces the matching command-line options.
public struct ConfigurationSchema: Sendable {
    /// `SCMS_`.
    public static let defaultEnvironmentPrefix = "SCMS_"
    /// The option that names the config file: `--config FILE` (or `SCMS_CONFIG`).
    public static let configFileKey = "config"

    /// The declared keys.
    public var keys: [ConfigurationKey]
    /// The environment variable prefix.
    public var environmentPrefix: String
    /// File keys starting with one of these prefixes are accepted without declaration and handed over verbatim by
    /// ``ConfigurationSource/passthrough(prefix:)`` (e.g. `kafka.` for librdkafka settings such as
    /// `kafka.security.protocol`). They are only read from the file.
    public var passthroughPrefixes: [String]

    /// Creates a schema.
    public init(_ keys: [ConfigurationKey], environmentPrefix: String = defaultEnvironmentPrefix,
                passthroughPrefixes: [String] = []) {
        self.keys = keys
        self.environmentPrefix = environmentPrefix
        self.passthroughPrefixes = passthroughPrefixes
    }

    /// The schema every service starts from: log level, HTTP host/port, bootstrap servers, leap seconds.
    public static func service(_ extra: [ConfigurationKey] = [], passthroughPrefixes: [String] = ["kafka."]) -> ConfigurationSchema {
        ConfigurationSchema([.logLevel, .httpHost, .httpPort, .bootstrapServers, .leapSeconds] + extra,
                            passthroughPrefixes: passthroughPrefixes)
    }

    /// The key named `name`.
    public func key(_ name: String) -> ConfigurationKey? { keys.first { $0.name == name } }

    /// `--config <file>` plus one `--<key> <value>` option per key, for ``ParsableCommand/arguments``.
    public var argumentSpecs: [ArgumentSpec] {
        var specs = [ArgumentSpec.option(Self.configFileKey, valueName: "file",
                                         help: "Config file of 'key = value' lines (env: \(environmentPrefix)CONFIG).")]
        for key in keys {
            var help = key.help
            var notes: [String] = []
            if let d = key.defaultValue, !key.isSecret { notes.append("default: \(d.isEmpty ? "\"\"" : d)") }
            notes.append("env: \(key.environmentName(prefix: environmentPrefix))")
            help += " (\(notes.joined(separator: "; ")))"
            specs.append(.option(key.name, valueName: key.valueName, help: help))
        }
        return specs
    }
}
