public import Foundation

/// librdkafka's `statistics.interval.ms` report (librdkafka 2.0.2 `STATISTICS.md`) as Swift values.
///
/// Only the fields the project reads are modelled; every field is optional because librdkafka omits
/// some depending on the client type and state. Offsets of `-1` / `-1001` mean "unknown", as in the JSON.
public struct KafkaStatistics: Sendable, Hashable, Decodable {
    /// Client instance name, e.g. `rdkafka#consumer-2`.
    public var name: String?
    public var clientID: String?
    /// `"producer"` or `"consumer"`.
    public var type: String?
    /// librdkafka's monotonic clock, microseconds.
    public var timestampMicroseconds: Int64?
    /// Wall clock, seconds since the epoch.
    public var time: Int64?
    /// Operations waiting in the reply queue.
    public var replyQueue: Int64?
    /// Messages in the producer queues (current).
    public var messageCount: Int64?
    public var messageBytes: Int64?
    /// Requests sent / received over all brokers.
    public var requestsSent: Int64?
    public var requestsReceived: Int64?
    /// Messages transmitted (produced) / received (consumed) over all brokers.
    public var messagesSent: Int64?
    public var messagesReceived: Int64?
    public var brokers: [String: Broker]
    public var topics: [String: Topic]
    /// Consumer group state (consumers with a `group.id` only).
    public var consumerGroup: ConsumerGroup?

    /// One broker connection.
    public struct Broker: Sendable, Hashable, Decodable {
        public var name: String?
        public var nodeID: Int32?
        /// `"UP"`, `"DOWN"`, `"INIT"`, …
        public var state: String?
        public var outstandingRequests: Int64?
        public var requestTimeouts: Int64?
        public var connects: Int64?
        public var disconnects: Int64?
        /// Round-trip times in microseconds.
        public var roundTrip: Window?

        enum CodingKeys: String, CodingKey {
            case name, state, connects, disconnects
            case nodeID = "nodeid"
            case outstandingRequests = "waitresp_cnt"
            case requestTimeouts = "req_timeouts"
            case roundTrip = "rtt"
        }
    }

    /// A rolling window of latency samples (microseconds).
    public struct Window: Sendable, Hashable, Decodable {
        public var min: Int64?
        public var max: Int64?
        public var avg: Int64?
        public var p50: Int64?
        public var p99: Int64?
        public var count: Int64?

        enum CodingKeys: String, CodingKey {
            case min, max, avg, p50, p99
            case count = "cnt"
        }
    }

    /// One topic as this client sees it.
    public struct Topic: Sendable, Hashable, Decodable {
        public var topic: String?
        /// Keyed by partition number; includes librdkafka's internal unassigned partition `-1`.
        public var partitions: [Int32: Partition]

        enum CodingKeys: String, CodingKey { case topic, partitions }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            topic = try c.decodeIfPresent(String.self, forKey: .topic)
            let raw = try c.decodeIfPresent([String: Partition].self, forKey: .partitions) ?? [:]
            partitions = Dictionary(uniqueKeysWithValues: raw.compactMap { k, v in Int32(k).map { ($0, v) } })
        }
    }

    /// One partition as this client sees it.
    public struct Partition: Sendable, Hashable, Decodable {
        public var partition: Int32?
        public var leader: Int32?
        /// `"active"` when the consumer is fetching it; only then are the lag fields meaningful.
        public var fetchState: String?
        /// Messages waiting in the producer queue.
        public var queuedMessages: Int64?
        public var applicationOffset: Int64?
        public var storedOffset: Int64?
        public var committedOffset: Int64?
        public var lowWatermark: Int64?
        public var highWatermark: Int64?
        public var lastStableOffset: Int64?
        /// End offset minus committed offset, `-1` when either is unknown.
        public var consumerLag: Int64?
        /// End offset minus stored offset.
        public var consumerLagStored: Int64?
        public var messagesSent: Int64?
        public var messagesReceived: Int64?

        enum CodingKeys: String, CodingKey {
            case partition, leader
            case fetchState = "fetch_state"
            case queuedMessages = "msgq_cnt"
            case applicationOffset = "app_offset"
            case storedOffset = "stored_offset"
            case committedOffset = "committed_offset"
            case lowWatermark = "lo_offset"
            case highWatermark = "hi_offset"
            case lastStableOffset = "ls_offset"
            case consumerLag = "consumer_lag"
            case consumerLagStored = "consumer_lag_stored"
            case messagesSent = "txmsgs"
            case messagesReceived = "rxmsgs"
        }
    }

    /// Consumer group membership.
    public struct ConsumerGroup: Sendable, Hashable, Decodable {
        /// Coordinator state, e.g. `"up"`.
        public var state: String?
        /// Join state, e.g. `"steady"`, `"wait-join"`.
        public var joinState: String?
        public var rebalanceCount: Int64?
        public var rebalanceReason: String?
        public var assignmentSize: Int64?

        enum CodingKeys: String, CodingKey {
            case state
            case joinState = "join_state"
            case rebalanceCount = "rebalance_cnt"
            case rebalanceReason = "rebalance_reason"
            case assignmentSize = "assignment_size"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, type, time, brokers, topics
        case clientID = "client_id"
        case timestampMicroseconds = "ts"
        case replyQueue = "replyq"
        case messageCount = "msg_cnt"
        case messageBytes = "msg_size"
        case requestsSent = "tx"
        case requestsReceived = "rx"
        case messagesSent = "txmsgs"
        case messagesReceived = "rxmsgs"
        case consumerGroup = "cgrp"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        clientID = try c.decodeIfPresent(String.self, forKey: .clientID)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        timestampMicroseconds = try c.decodeIfPresent(Int64.self, forKey: .timestampMicroseconds)
        time = try c.decodeIfPresent(Int64.self, forKey: .time)
        replyQueue = try c.decodeIfPresent(Int64.self, forKey: .replyQueue)
        messageCount = try c.decodeIfPresent(Int64.self, forKey: .messageCount)
        messageBytes = try c.decodeIfPresent(Int64.self, forKey: .messageBytes)
        requestsSent = try c.decodeIfPresent(Int64.self, forKey: .requestsSent)
        requestsReceived = try c.decodeIfPresent(Int64.self, forKey: .requestsReceived)
        messagesSent = try c.decodeIfPresent(Int64.self, forKey: .messagesSent)
        messagesReceived = try c.decodeIfPresent(Int64.self, forKey: .messagesReceived)
        brokers = try c.decodeIfPresent([String: Broker].self, forKey: .brokers) ?? [:]
        topics = try c.decodeIfPresent([String: Topic].self, forKey: .topics) ?? [:]
        consumerGroup = try c.decodeIfPresent(ConsumerGroup.self, forKey: .consumerGroup)
    }

    /// Parses one statistics JSON document.
    public init(json: Data) throws {
        self = try JSONDecoder().decode(KafkaStatistics.self, from: json)
    }

    /// Parses one statistics JSON document from raw bytes.
    public init(json: UnsafeRawBufferPointer) throws {
        try self.init(json: Data(json))
    }

    /// The partition entry for `tp`, if the client reported it.
    public func partition(_ tp: TopicPartition) -> Partition? {
        topics[tp.topic]?.partitions[tp.partition]
    }
}
