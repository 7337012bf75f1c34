/// Settings every librdkafka client shares: where the brokers are, how to identify and secure the
/// connection, timeouts, and the callbacks for statistics, logs and client-level errors.
///
/// Typed properties cover what the project sets routinely; ``subscript(property:)`` is the escape hatch
/// for any other librdkafka property (see librdkafka 2.0.2's `CONFIGURATION.md`). Raw properties win over
/// typed ones and are passed to librdkafka untouched — TLS (`ssl.*`) and SASL (`sasl.*`) settings go this
/// way. Nothing is validated here: librdkafka checks every property when a client is constructed, and the
/// constructor throws a ``KafkaError`` with librdkafka's message.
public struct KafkaConfiguration: Sendable {
    /// `bootstrap.servers`: comma-separated `host:port` pairs.
    public var bootstrapServers: String
    /// `client.id`.
    public var clientID: String?
    /// `security.protocol`.
    public var securityProtocol: SecurityProtocol?
    /// `reconnect.backoff.ms`: the first reconnect delay (librdkafka default 100 ms).
    public var reconnectBackoff: Duration?
    /// `reconnect.backoff.max.ms`: the reconnect delay cap (librdkafka default 10 s).
    public var reconnectBackoffMax: Duration?
    /// `socket.timeout.ms`: network request timeout (librdkafka default 60 s).
    public var socketTimeout: Duration?
    /// `statistics.interval.ms`; statistics go to ``onStatistics`` (whole seconds are librdkafka's granularity).
    public var statisticsInterval: Duration?
    /// `debug` contexts, e.g. `["broker", "protocol"]`.
    public var debug: [String]
    /// `log_level` (syslog levels 0–7, librdkafka default 6).
    public var logLevel: Int?
    /// How long closing a client may wait for its broker (default 10 s), so a process can always shut down.
    ///
    /// A consumer's ``KafkaConsumer/close()`` leaves its group gracefully (revoke handler, final commits, leave)
    /// for at most this long; past it, the handle is destroyed without further waiting on the group coordinator.
    /// A producer's ``KafkaProducer/close(timeout:)`` without a timeout flushes for at most this long, then purges
    /// what is undelivered (those records fail with ``KafkaError/Code/purgedFromQueue``). Either way every handle is
    /// released; with the broker reachable the graceful path normally finishes well within it.
    public var closeTimeout: Duration = .seconds(10)

    /// Receives parsed `statistics.interval.ms` statistics, on the client's poll thread.
    public var onStatistics: (@Sendable (KafkaStatistics) -> Void)?
    /// Receives librdkafka's log lines; nil keeps librdkafka's own stderr logging.
    public var onLog: (@Sendable (KafkaLogMessage) -> Void)?
    /// Receives client-level errors (broker connection failures, fatal errors); librdkafka recovers from
    /// non-fatal ones by itself. nil leaves them to librdkafka's log.
    public var onError: (@Sendable (KafkaError) -> Void)?

    private var raw: [String: String] = [:]

    /// A configuration for the brokers at `bootstrapServers` (comma-separated `host:port`).
    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
        self.debug = []
    }

    /// Any librdkafka property by its librdkafka name; a value set here overrides the typed properties.
    public subscript(property name: String) -> String? {
        get { raw[name] }
        set { raw[name] = newValue }
    }

    /// The raw properties set through ``subscript(property:)``.
    public var rawProperties: [String: String] { raw }

    /// The librdkafka properties this configuration sets, typed ones first, raw ones last (so they win).
    func properties() -> [(String, String)] {
        var out: [(String, String)] = [("bootstrap.servers", bootstrapServers)]
        if let clientID { out.append(("client.id", clientID)) }
        if let securityProtocol { out.append(("security.protocol", securityProtocol.rawValue)) }
        if let reconnectBackoff { out.append(("reconnect.backoff.ms", reconnectBackoff.millisecondsText)) }
        if let reconnectBackoffMax { out.append(("reconnect.backoff.max.ms", reconnectBackoffMax.millisecondsText)) }
        if let socketTimeout { out.append(("socket.timeout.ms", socketTimeout.millisecondsText)) }
        if let statisticsInterval { out.append(("statistics.interval.ms", statisticsInterval.millisecondsText)) }
        if !debug.isEmpty { out.append(("debug", debug.joined(separator: ","))) }
        if let logLevel { out.append(("log_level", String(logLevel))) }
        return out
    }

    /// Appends the raw properties, sorted by name for a deterministic order.
    func appendingRaw(to typed: [(String, String)]) -> [(String, String)] {
        typed + raw.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

/// `security.protocol` values. Open: any librdkafka spelling can be built with `init(rawValue:)`.
public struct SecurityProtocol: RawRepresentable, Hashable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let plaintext = SecurityProtocol(rawValue: "plaintext")
    public static let ssl = SecurityProtocol(rawValue: "ssl")
    public static let saslPlaintext = SecurityProtocol(rawValue: "sasl_plaintext")
    public static let saslSSL = SecurityProtocol(rawValue: "sasl_ssl")
}

/// One librdkafka log line.
public struct KafkaLogMessage: Sendable, Hashable {
    /// Syslog level: 0 emergency … 3 error, 4 warning, 6 info, 7 debug.
    public var level: Int
    /// librdkafka's facility, e.g. `"FAIL"`, `"CONFWARN"`.
    public var facility: String
    public var message: String
    /// The client instance name (`rd_kafka_name`).
    public var client: String
}

/// Settings of a ``KafkaProducer``.
public struct ProducerConfiguration: Sendable {
    /// `acks` values.
    public enum Acks: String, Sendable {
        /// Every in-sync replica (`acks=all`); idempotence requires it.
        case all = "all"
        /// The partition leader only (`acks=1`).
        case leader = "1"
        /// No acknowledgement (`acks=0`).
        case none = "0"
    }

    /// `compression.codec` values.
    public enum Compression: String, Sendable {
        case none, gzip, snappy, lz4, zstd
    }

    /// The shared client settings.
    public var client: KafkaConfiguration
    /// `enable.idempotence` (default true here; librdkafka's default is false): no duplicates or
    /// reordering from the producer's own retries.
    public var idempotence: Bool = true
    /// `acks`; nil keeps librdkafka's default (`all`).
    public var acks: Acks?
    /// `linger.ms`: how long to wait to fill a batch (librdkafka default 5 ms).
    public var linger: Duration?
    /// `message.max.bytes`: the largest request librdkafka builds (librdkafka default 1,000,000).
    public var messageMaxBytes: Int?
    /// `compression.codec`.
    public var compression: Compression?
    /// `message.timeout.ms`: how long librdkafka retries a message before failing its delivery.
    public var deliveryTimeout: Duration?
    /// The most records this wrapper keeps unacknowledged; `send`/`enqueue` suspend above it
    /// (back-pressure instead of unbounded memory). Also sets `queue.buffering.max.messages` (to twice this).
    public var maxInFlight: Int = 100_000
    /// How long the poll thread waits for delivery reports per poll.
    public var pollInterval: Duration = .milliseconds(50)
    /// Receives the delivery report of every record produced with ``KafkaProducer/enqueue(_:)`` (the variant
    /// without a per-record callback), on the poll thread or the producing thread. The cheapest way to
    /// produce at a high rate: no allocation per record for the report.
    public var onDelivery: (@Sendable (Result<DeliveryReport, KafkaError>) -> Void)?

    public init(client: KafkaConfiguration) {
        self.client = client
    }

    public init(bootstrapServers: String) {
        self.init(client: KafkaConfiguration(bootstrapServers: bootstrapServers))
    }

    /// Any librdkafka property (see ``KafkaConfiguration/subscript(property:)``).
    public subscript(property name: String) -> String? {
        get { client[property: name] }
        set { client[property: name] = newValue }
    }

    func properties() -> [(String, String)] {
        var out = client.properties()
        out.append(("enable.idempotence", idempotence ? "true" : "false"))
        if let acks { out.append(("acks", acks.rawValue)) }
        if let linger { out.append(("linger.ms", linger.millisecondsText)) }
        if let messageMaxBytes { out.append(("message.max.bytes", String(messageMaxBytes))) }
        if let compression { out.append(("compression.codec", compression.rawValue)) }
        if let deliveryTimeout { out.append(("message.timeout.ms", deliveryTimeout.millisecondsText)) }
        // librdkafka counts a record until its report callback has returned, a little after this wrapper
        // freed its slot; twice the bound keeps librdkafka's own limit out of the way.
        out.append(("queue.buffering.max.messages", String(max(2, min(maxInFlight * 2, 10_000_000)))))
        return client.appendingRaw(to: out)
    }
}

/// Settings of a ``KafkaConsumer``.
public struct ConsumerConfiguration: Sendable {
    /// `auto.offset.reset` values: where to start when there is no committed offset.
    public enum AutoOffsetReset: String, Sendable {
        case earliest, latest
        /// Fail with a consumer error instead.
        case error
    }

    /// `isolation.level` values.
    public enum IsolationLevel: String, Sendable {
        case readCommitted = "read_committed"
        case readUncommitted = "read_uncommitted"
    }

    /// `partition.assignment.strategy` values.
    public enum AssignmentStrategy: String, Sendable {
        case range
        case roundRobin = "roundrobin"
        /// Incremental (KIP-429) rebalancing: only moved partitions are revoked.
        case cooperativeSticky = "cooperative-sticky"
    }

    /// The shared client settings.
    public var client: KafkaConfiguration
    /// `group.id`: required for ``KafkaConsumer/subscribe(topics:rebalance:)`` and for commits.
    public var groupID: String?
    /// `auto.offset.reset` (default `earliest` here).
    public var autoOffsetReset: AutoOffsetReset = .earliest
    /// `isolation.level`; nil keeps librdkafka's default (`read_committed`).
    public var isolationLevel: IsolationLevel?
    /// `session.timeout.ms`.
    public var sessionTimeout: Duration?
    /// `heartbeat.interval.ms`.
    public var heartbeatInterval: Duration?
    /// `max.poll.interval.ms`.
    public var maxPollInterval: Duration?
    /// `partition.assignment.strategy`.
    public var assignmentStrategy: AssignmentStrategy?
    /// `enable.auto.commit` (default false here: the owner commits the next offset to process).
    public var enableAutoCommit: Bool = false
    /// How many records the poll thread buffers ahead of the reader before it stops polling for more.
    public var bufferCapacity: Int = 10_000
    /// How long one poll waits on the poll thread.
    public var pollInterval: Duration = .milliseconds(50)
    /// `queued.min.messages`: how many records librdkafka prefetches before it stops fetching. With the
    /// consumer's queue forwarded (as here) librdkafka 2.0.2 counts every partition's records against this
    /// one number, and once over it stops fetching *every* partition for most of a second. The poll thread
    /// pauses whenever ``bufferCapacity`` records wait for the reader, so librdkafka's queue can pass its
    /// default (100,000) while the reader is still fast, and reading stalls. The default here lets the
    /// byte bound (`queued.max.messages.kbytes`, 64 MiB by default) decide instead; nil keeps librdkafka's.
    public var prefetchMessages: Int? = 10_000_000

    public init(client: KafkaConfiguration, groupID: String? = nil) {
        self.client = client
        self.groupID = groupID
    }

    public init(bootstrapServers: String, groupID: String? = nil) {
        self.init(client: KafkaConfiguration(bootstrapServers: bootstrapServers), groupID: groupID)
    }

    /// Any librdkafka property (see ``KafkaConfiguration/subscript(property:)``).
    public subscript(property name: String) -> String? {
        get { client[property: name] }
        set { client[property: name] = newValue }
    }

    func properties() -> [(String, String)] {
        var out = client.properties()
        if let groupID { out.append(("group.id", groupID)) }
        out.append(("auto.offset.reset", autoOffsetReset.rawValue))
        if let isolationLevel { out.append(("isolation.level", isolationLevel.rawValue)) }
        if let sessionTimeout { out.append(("session.timeout.ms", sessionTimeout.millisecondsText)) }
        if let heartbeatInterval { out.append(("heartbeat.interval.ms", heartbeatInterval.millisecondsText)) }
        if let maxPollInterval { out.append(("max.poll.interval.ms", maxPollInterval.millisecondsText)) }
        if let assignmentStrategy { out.append(("partition.assignment.strategy", assignmentStrategy.rawValue)) }
        out.append(("enable.auto.commit", enableAutoCommit ? "true" : "false"))
        if let prefetchMessages { out.append(("queued.min.messages", String(prefetchMessages))) }
        // Offsets are committed explicitly ("next offset to process"), never stored behind the owner's back.
        out.append(("enable.auto.offset.store", "false"))
        return client.appendingRaw(to: out)
    }
}

/// Settings of a ``KafkaAdmin``.
public struct AdminConfiguration: Sendable {
    /// The shared client settings.
    public var client: KafkaConfiguration
    /// Which end offset watermark queries report: `readUncommitted` (the default here) gives the high
    /// watermark, the LOG-END-OFFSET of `kafka-consumer-groups.sh`; `readCommitted` gives the last stable offset.
    public var isolationLevel: ConsumerConfiguration.IsolationLevel = .readUncommitted
    /// How long one admin request may take.
    public var requestTimeout: Duration = .seconds(10)

    public init(client: KafkaConfiguration) {
        self.client = client
    }

    public init(bootstrapServers: String) {
        self.init(client: KafkaConfiguration(bootstrapServers: bootstrapServers))
    }

    /// Any librdkafka property (see ``KafkaConfiguration/subscript(property:)``).
    public subscript(property name: String) -> String? {
        get { client[property: name] }
        set { client[property: name] = newValue }
    }

    func properties() -> [(String, String)] {
        var out = client.properties()
        out.append(("isolation.level", isolationLevel.rawValue))
        return client.appendingRaw(to: out)
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so a positive duration never becomes 0.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let remainder = attoseconds % 1_000_000_000_000_000
        return remainder > 0 ? ms + 1 : ms
    }

    /// ``milliseconds`` clamped into librdkafka's `int` timeout range.
    var timeoutMilliseconds: Int32 {
        Int32(clamping: max(0, milliseconds))
    }

    var millisecondsText: String { String(milliseconds) }
}
