import Kafka
import ServiceKit

/// How the online commands reach Kafka: `--bootstrap` servers, or `--dir` of a dev stack standing in for them
/// (and for the PG key), librdkafka properties for TLS/SASL, and a topic-name prefix.
struct KafkaOptions: Sendable {
    /// The options every online command takes.
    static let arguments: [ArgumentSpec] = [
        .option("bootstrap", valueName: "servers", help: "Kafka brokers, host:port[,host:port...]."),
        .option("dir", valueName: "dir",
                help: "A dev stack directory (electorctl dev up): its bootstrap servers stand in for --bootstrap (and its "
                    + "PG key and certificate for --pg-key/--pg-cert where taken)."),
        .repeatableOption("kafka", valueName: "key=value",
                          help: "A librdkafka property, e.g. security.protocol=ssl or ssl.ca.location=/etc/ca.pem "
                              + "(repeatable; for TLS and SASL)."),
        .option("topic-prefix", valueName: "prefix", help: "Prefix of every topic name (isolates runs on one broker).",
                default: ""),
    ]

    let bootstrapServers: String
    /// The dev stack given with `--dir`, if any.
    let devStack: DevStackLayout?
    let properties: [(String, String)]
    let topicPrefix: String

    init(_ arguments: ParsedArguments) throws {
        let stack = arguments.string("dir").map(DevStackLayout.init(directory:))
        devStack = stack
        if let bootstrap = arguments.string("bootstrap") {
            bootstrapServers = bootstrap
        } else if let stack {
            bootstrapServers = try stack.bootstrapServers()
        } else {
            throw CommandLineError(.missingRequired, "Missing expected argument '--bootstrap <servers>' (or '--dir <dir>' of a dev stack)",
                                   commandPath: arguments.commandPath)
        }
        var properties: [(String, String)] = []
        for entry in arguments.strings("kafka") {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw CommandLineError(.invalidValue, "Invalid value '\(entry)' for '--kafka': expected key=value",
                                       commandPath: arguments.commandPath)
            }
            properties.append((String(entry[..<equals]), String(entry[entry.index(after: equals)...])))
        }
        self.properties = properties
        topicPrefix = arguments.string("topic-prefix") ?? ""
    }

    /// The name of `spec` with the prefix.
    func topic(_ spec: TopicSpec) -> String { topicPrefix + spec.name }

    /// The pipeline's shared Kafka settings (ServiceKit's ``KafkaSettings``: short reconnect backoffs, the prefix,
    /// the `--kafka` properties), for client `electorctl-ID`.
    func settings(_ id: String) -> KafkaSettings {
        var settings = KafkaSettings(bootstrapServers: bootstrapServers, clientID: "electorctl-\(id)", topicPrefix: topicPrefix,
                                     properties: Dictionary(properties, uniquingKeysWith: { _, last in last }))
        settings.onError = { error in
            if error.isFatal || error.code == .allBrokersDown { Output.note("kafka: \(error.name): \(error.message)") }
        }
        return settings
    }

    /// The client settings with librdkafka's own logging limited to errors (shown as notes on stderr).
    private func quiet(_ client: KafkaConfiguration) -> KafkaConfiguration {
        var client = client
        client.logLevel = 3
        client.onLog = { message in
            if message.level <= 3 { Output.note("kafka: \(message.facility): \(message.message)") }
        }
        return client
    }

    func producer(_ id: String, maxMessageBytes: Int? = nil) -> ProducerConfiguration {
        var configuration = settings(id).producer(messageMaxBytes: maxMessageBytes, linger: .milliseconds(1))
        configuration.client = quiet(configuration.client)
        configuration.deliveryTimeout = .seconds(30)
        return configuration
    }

    func admin(_ id: String) -> AdminConfiguration {
        var configuration = settings(id).admin()
        configuration.client = quiet(configuration.client)
        return configuration
    }

    /// A logger for the pipeline helpers the commands use (``TopicFollower``): warnings and worse, on stderr.
    var logger: Logger {
        var logger = Logger(label: "electorctl")
        logger.logLevel = .warning
        return logger
    }
}

/// Runs a Kafka call and turns a ``KafkaError`` into an operator message with an exit status: broker trouble is
/// "unavailable" (69), a record the broker refuses for its size is the caller's data (65), a bad `--kafka` property
/// is a usage error (64).
@discardableResult
func kafkaCall<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as KafkaError {
        let status: ExitCode
        switch error.code {
        case .messageSizeTooLarge, .badMessage: status = .dataError
        case .invalidArgument: status = .usage
        default: status = .unavailable
        }
        throw CommandFailure(status, "\(what): \(error.name): \(error.message)")
    }
}
