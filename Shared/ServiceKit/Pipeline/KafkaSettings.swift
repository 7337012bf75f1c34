public import Kafka

extension ConfigurationKey {
    /// `topic-prefix` (default empty): prepended to every topic name and consumer group id, so several independent
    /// pipelines can share one broker (tests, staging).
    public static let topicPrefix = ConfigurationKey(
        "topic-prefix", help: "Prefix of every topic name and consumer group id (isolates pipelines on one broker).",
        default: "", valueName: "prefix")
    /// `kafka-reconnect-backoff` (default 50ms): first reconnect delay after a broker connection fails.
    public static let kafkaReconnectBackoff = ConfigurationKey(
        "kafka-reconnect-backoff", help: "First delay before reconnecting to a broker.", default: "50ms",
        valueName: "duration")
    /// `kafka-reconnect-backoff-max` (default 1s): cap of the reconnect delay.
    public static let kafkaReconnectBackoffMax = ConfigurationKey(
        "kafka-reconnect-backoff-max", help: "Largest delay between reconnect attempts.", default: "1s",
        valueName: "duration")
}

/// The topic names of one pipeline: ``Topics`` with the configured prefix.
public struct TopicNames: Sendable, Hashable {
    /// The prefix (empty in production).
    public let prefix: String

    public init(prefix: String = "") { self.prefix = prefix }

    /// `prefix + spec.name`.
    public func name(_ spec: TopicSpec) -> String { prefix + spec.name }

    public var ballotsSubmitted: String { name(Topics.ballotsSubmitted) }
    public var ballotsAccepted: String { name(Topics.ballotsAccepted) }
    public var ballotsValidated: String { name(Topics.ballotsValidated) }
    public var ballotsRejected: String { name(Topics.ballotsRejected) }
    public var policy: String { name(Topics.policy) }
    public var gccf: String { name(Topics.gccf) }
    public var expiry: String { name(Topics.expiry) }

    /// Every topic spec with its prefixed name (to create them, e.g. on the dev broker with `topic NAME PARTS`).
    public var specs: [TopicSpec] {
        Topics.all.map { spec in
            var copy = spec
            copy.name = prefix + spec.name
            return copy
        }
    }

    /// A consumer group id with the prefix: `prefix + base`.
    public func groupID(_ base: String) -> String { prefix + base }
}

/// The standard consumer group ids.
public enum ConsumerGroups {
    public static let endorsementIntake = "scms-endorsement-intake"
    public static let quorumValidator = "scms-quorum-validator"
    public static let gccfAssembler = "scms-gccf-assembler"
    public static let expiryWatcher = "scms-expiry-watcher"
}

/// How a service reaches Kafka, from its configuration: `bootstrap-servers`, `topic-prefix`, the reconnect backoffs
/// and every `kafka.*` line of the config file passed verbatim to librdkafka (TLS `ssl.*`, SASL `sasl.*`,
/// `security.protocol`, …).
///
/// ```swift
/// static let schema = ConfigurationSchema.service(KafkaSettings.configurationKeys + [...])
/// let kafka = try KafkaSettings(configuration: config, clientID: "quorum-validator")
/// let producer = try KafkaProducer(configuration: kafka.producer())
/// let consumer = try KafkaConsumer(configuration: kafka.consumer(group: ConsumerGroups.quorumValidator))
/// ```
public struct KafkaSettings: Sendable {
    /// The keys this type reads besides `bootstrap-servers` (which every service schema already has).
    public static let configurationKeys: [ConfigurationKey] = [.topicPrefix, .kafkaReconnectBackoff, .kafkaReconnectBackoffMax]

    /// `bootstrap.servers`.
    public var bootstrapServers: String
    /// `client.id`.
    public var clientID: String
    /// The topic names (with the prefix).
    public var topics: TopicNames
    /// `reconnect.backoff.ms`.
    public var reconnectBackoff: Duration
    /// `reconnect.backoff.max.ms`.
    public var reconnectBackoffMax: Duration
    /// Raw librdkafka properties (`kafka.` file lines without the prefix); they override everything else.
    public var properties: [String: String]
    /// Client-level errors (broker down, authentication failures), e.g. for logs and health.
    public var onError: (@Sendable (KafkaError) -> Void)?

    /// Settings from explicit values (tests, tools).
    public init(bootstrapServers: String, clientID: String, topicPrefix: String = "",
                reconnectBackoff: Duration = .milliseconds(50), reconnectBackoffMax: Duration = .seconds(1),
                properties: [String: String] = [:]) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.topics = TopicNames(prefix: topicPrefix)
        self.reconnectBackoff = reconnectBackoff
        self.reconnectBackoffMax = reconnectBackoffMax
        self.properties = properties
    }

    /// Settings from a service configuration whose schema includes ``configurationKeys`` (the backoffs fall back
    /// to their defaults when the schema lacks them).
    ///
    /// - Throws: ``ConfigurationError`` naming the key for an empty `bootstrap-servers` or a bad duration.
    public init(configuration: ConfigurationSource, clientID: String) throws(ConfigurationError) {
        let servers = try configuration.requiredString(ConfigurationKey.bootstrapServers.name)
            .trimmingCharacters(" \t")
        guard !servers.isEmpty else {
            throw ConfigurationError(.invalidValue, key: ConfigurationKey.bootstrapServers.name,
                                     origin: configuration.lookup(ConfigurationKey.bootstrapServers.name)?.origin,
                                     "'bootstrap-servers' is empty")
        }
        let schema = configuration.schema
        let prefix = schema.key(ConfigurationKey.topicPrefix.name) == nil
            ? "" : (configuration.string(ConfigurationKey.topicPrefix.name) ?? "")
        let backoff = schema.key(ConfigurationKey.kafkaReconnectBackoff.name) == nil
            ? Duration.milliseconds(50) : try configuration.fineDuration(ConfigurationKey.kafkaReconnectBackoff.name)
        let backoffMax = schema.key(ConfigurationKey.kafkaReconnectBackoffMax.name) == nil
            ? Duration.seconds(1) : try configuration.fineDuration(ConfigurationKey.kafkaReconnectBackoffMax.name)
        self.init(bootstrapServers: servers, clientID: clientID, topicPrefix: prefix, reconnectBackoff: backoff,
                  reconnectBackoffMax: max(backoff, backoffMax), properties: configuration.passthrough(prefix: "kafka."))
    }

    /// The shared client settings.
    public func client(suffix: String? = nil) -> KafkaConfiguration {
        var client = KafkaConfiguration(bootstrapServers: bootstrapServers)
        client.clientID = suffix.map { "\(clientID)-\($0)" } ?? clientID
        client.reconnectBackoff = reconnectBackoff
        client.reconnectBackoffMax = reconnectBackoffMax
        client.onError = onError
        for (name, value) in properties { client[property: name] = value }
        return client
    }

    /// An idempotent producer (`acks=all`), `linger.ms` 2 by default, `message.max.bytes` raised to
    /// `messageMaxBytes` when given (GCCF producers pass ``Topics/maxGCCFRecordBytes``).
    public func producer(messageMaxBytes: Int? = nil, linger: Duration = .milliseconds(2)) -> ProducerConfiguration {
        var configuration = ProducerConfiguration(client: client(suffix: "producer"))
        configuration.idempotence = true
        configuration.acks = .all
        configuration.linger = linger
        configuration.messageMaxBytes = messageMaxBytes
        return configuration
    }

    /// A consumer in the group `prefix + group` (nil: no group, for manual assignment), committing explicitly,
    /// reading from the earliest offset when the group has none. `fetch.wait.max.ms` is 25 ms unless a `kafka.` line
    /// sets it: a broker that does not answer a waiting fetch as soon as data arrives (the dev broker's mock cluster
    /// holds it for the full wait) would otherwise add up to librdkafka's 500 ms to every hop.
    public func consumer(group: String?, fetchMaxBytes: Int? = nil) -> ConsumerConfiguration {
        var configuration = ConsumerConfiguration(client: client(suffix: group == nil ? "reader" : "consumer"),
                                                  groupID: group.map(topics.groupID))
        configuration.autoOffsetReset = .earliest
        configuration.enableAutoCommit = false
        if configuration[property: "fetch.wait.max.ms"] == nil { configuration[property: "fetch.wait.max.ms"] = "25" }
        if let fetchMaxBytes {
            configuration[property: "fetch.message.max.bytes"] = configuration[property: "fetch.message.max.bytes"]
                ?? String(fetchMaxBytes)
            configuration[property: "receive.message.max.bytes"] = configuration[property: "receive.message.max.bytes"]
                ?? String(max(fetchMaxBytes + 1_048_576, 100_000_000))
        }
        return configuration
    }

    /// An admin client (metadata, watermarks).
    public func admin() -> AdminConfiguration {
        AdminConfiguration(client: client(suffix: "admin"))
    }
}
