public import Foundation

/// A topic and one of its partitions.
public struct TopicPartition: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    /// `topic[partition]`, as librdkafka prints it.
    public var description: String { "\(topic)[\(partition)]" }
}

/// A position in a partition: an absolute offset or one of librdkafka's logical offsets.
public struct KafkaOffset: Hashable, Sendable, CustomStringConvertible {
    /// The raw librdkafka value (`>= 0` absolute, `-2` beginning, `-1` end, `-1000` stored, `-1001` invalid).
    public let rawValue: Int64

    /// The absolute offset `offset` (the offset of the next record to read).
    public static func exactly(_ offset: Int64) -> KafkaOffset { KafkaOffset(rawValue: offset) }
    /// The oldest retained record (`RD_KAFKA_OFFSET_BEGINNING`).
    public static let beginning = KafkaOffset(rawValue: -2)
    /// The log end: only records produced from now on (`RD_KAFKA_OFFSET_END`).
    public static let end = KafkaOffset(rawValue: -1)
    /// The group's committed offset, falling back to `auto.offset.reset` (`RD_KAFKA_OFFSET_STORED`).
    public static let committed = KafkaOffset(rawValue: -1000)

    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// The absolute offset, nil for logical offsets.
    public var absolute: Int64? { rawValue >= 0 ? rawValue : nil }

    public var description: String {
        switch rawValue {
        case -2: return "beginning"
        case -1: return "end"
        case -1000: return "committed"
        case -1001: return "invalid"
        default: return String(rawValue)
        }
    }
}

/// A partition together with a starting position, for manual assignment and seeking.
public struct TopicPartitionOffset: Hashable, Sendable, CustomStringConvertible {
    public var topicPartition: TopicPartition
    public var offset: KafkaOffset

    public init(_ topicPartition: TopicPartition, _ offset: KafkaOffset) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public init(_ topic: String, _ partition: Int32, _ offset: KafkaOffset) {
        self.init(TopicPartition(topic, partition), offset)
    }

    public var description: String { "\(topicPartition)@\(offset)" }
}

/// One record header. Kafka allows a header without a value (`value == nil`).
public struct KafkaHeader: Hashable, Sendable, CustomStringConvertible {
    public var key: String
    public var value: [UInt8]?

    public init(_ key: String, _ value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// A header whose value is the UTF-8 of `text`.
    public init(_ key: String, text: String) {
        self.init(key, Array(text.utf8))
    }

    public var description: String { "\(key)=\(value.map { "\($0.count) bytes" } ?? "null")" }
}

/// A record to produce.
public struct OutgoingMessage: Sendable, Hashable {
    public var topic: String
    /// An explicit partition, or nil to let the partitioner choose from the key.
    public var partition: Int32?
    public var key: [UInt8]?
    /// The value; nil produces a tombstone (a null value, the delete marker of compacted topics).
    public var value: [UInt8]?
    public var headers: [KafkaHeader]

    public init(topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?,
                headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// A record timestamp as the broker reported it.
public struct MessageTimestamp: Hashable, Sendable {
    /// Who set the timestamp.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The producer's create time.
        case createTime
        /// The broker's append time (`message.timestamp.type=LogAppendTime`).
        case logAppendTime
    }

    public var kind: Kind
    /// Milliseconds since the Unix epoch.
    public var milliseconds: Int64

    public init(kind: Kind, milliseconds: Int64) {
        self.kind = kind
        self.milliseconds = milliseconds
    }

    /// The timestamp as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}

/// A record read by a ``KafkaConsumer``.
public struct ConsumedMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: [UInt8]?
    /// The value; nil for a tombstone.
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    public var timestamp: MessageTimestamp?

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?,
                headers: [KafkaHeader], timestamp: MessageTimestamp?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }
    /// Whether this is a tombstone (null value).
    public var isTombstone: Bool { value == nil }
    /// The offset to commit once this record is processed: `offset + 1`.
    public var nextOffset: Int64 { offset + 1 }
    /// The first header with `key`, if any.
    public func header(_ key: String) -> KafkaHeader? { headers.first { $0.key == key } }
}

/// The broker's acknowledgement of one produced record.
public struct DeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The offset the broker assigned (nil if librdkafka did not learn it, e.g. `acks=0`).
    public var offset: Int64?
    public var timestamp: MessageTimestamp?

    public init(topic: String, partition: Int32, offset: Int64?, timestamp: MessageTimestamp?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
    }

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }
}
