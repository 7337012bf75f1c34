public import Foundation

/// Lag of one partition for one group: the columns of `kafka-consumer-groups.sh --describe`, plus lag in
/// seconds.
public struct PartitionLag: Sendable, Hashable, Codable {
    public var topic: String
    public var partition: Int32
    /// The group's committed offset (next offset to process); nil when the group committed nothing.
    public var committedOffset: Int64?
    /// The oldest retained offset.
    public var logStartOffset: Int64
    /// The log end offset (high watermark, or last stable offset with a `readCommitted` admin).
    public var logEndOffset: Int64
    /// `logEndOffset - committedOffset`, clamped at 0; nil ("unknown") without a commit.
    public var lag: Int64?
    /// How long ago the log end passed the committed offset, interpolated from ``LagHistory``; nil until the
    /// history has two points or without a commit.
    public var lagSeconds: Double?
    /// The owning member, when the broker can describe the group.
    public var consumerID: String?
    public var host: String?
    public var clientID: String?

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }

    public init(topic: String, partition: Int32, committedOffset: Int64?, logStartOffset: Int64, logEndOffset: Int64,
                lag: Int64?, lagSeconds: Double?, consumerID: String? = nil, host: String? = nil, clientID: String? = nil) {
        self.topic = topic
        self.partition = partition
        self.committedOffset = committedOffset
        self.logStartOffset = logStartOffset
        self.logEndOffset = logEndOffset
        self.lag = lag
        self.lagSeconds = lagSeconds
        self.consumerID = consumerID
        self.host = host
        self.clientID = clientID
    }

    enum CodingKeys: String, CodingKey {
        case topic, partition, committedOffset, logStartOffset, logEndOffset, lag, lagSeconds, consumerID, host, clientID
    }

    /// Encodes absent values as JSON `null` rather than leaving the key out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(topic, forKey: .topic)
        try c.encode(partition, forKey: .partition)
        try c.encode(committedOffset, forKey: .committedOffset)
        try c.encode(logStartOffset, forKey: .logStartOffset)
        try c.encode(logEndOffset, forKey: .logEndOffset)
        try c.encode(lag, forKey: .lag)
        try c.encode(lagSeconds, forKey: .lagSeconds)
        try c.encode(consumerID, forKey: .consumerID)
        try c.encode(host, forKey: .host)
        try c.encode(clientID, forKey: .clientID)
    }
}

/// Lag of a whole group over its topics: per-partition rows and the group's totals.
public struct GroupLag: Sendable, Hashable, Codable {
    public var group: String
    public var measuredAt: Date
    /// The group state, when the broker can describe groups.
    public var state: GroupState?
    /// Rows sorted by topic, then partition.
    public var partitions: [PartitionLag]
    /// Sum of the known lags.
    public var totalLag: Int64
    /// The largest known lag; nil when no partition has a commit.
    public var maxLag: Int64?
    /// The partition with ``maxLag`` (the first in order on ties).
    public var maxLagPartition: TopicPartition?
    /// The largest lag in seconds; nil while a lagging partition has none yet (fewer than two recorded
    /// end-offset points), since the maximum could be that one.
    public var maxLagSeconds: Double?
    /// Partitions without a committed offset (lag unknown).
    public var unknownLagPartitions: Int
    /// Sum of the known lags per topic.
    public var topicTotals: [String: Int64]

    /// Builds the totals from the rows.
    public init(group: String, measuredAt: Date, state: GroupState?, partitions: [PartitionLag]) {
        self.group = group
        self.measuredAt = measuredAt
        self.state = state
        self.partitions = partitions.sorted { $0.topicPartition < $1.topicPartition }
        var total: Int64 = 0
        var maxLag: Int64?
        var maxPartition: TopicPartition?
        var maxSeconds: Double?
        // A lagging partition whose lag in seconds is not known yet leaves the group's maximum unknown too.
        var lagSecondsUnknown = false
        var unknown = 0
        var perTopic: [String: Int64] = [:]
        for row in self.partitions {
            guard let lag = row.lag else { unknown += 1; continue }
            total += lag
            perTopic[row.topic, default: 0] += lag
            if maxLag.map({ lag > $0 }) ?? true {
                maxLag = lag
                maxPartition = row.topicPartition
            }
            if let seconds = row.lagSeconds {
                if maxSeconds.map({ seconds > $0 }) ?? true { maxSeconds = seconds }
            } else if lag > 0 {
                lagSecondsUnknown = true
            }
        }
        self.totalLag = total
        self.maxLag = maxLag
        self.maxLagPartition = maxPartition
        self.maxLagSeconds = lagSecondsUnknown ? nil : maxSeconds
        self.unknownLagPartitions = unknown
        self.topicTotals = perTopic
    }

    enum CodingKeys: String, CodingKey {
        case group, measuredAt, state, partitions, totalLag, maxLag, maxLagPartition, maxLagSeconds
        case unknownLagPartitions, topicTotals
    }

    /// Encodes absent values as JSON `null` rather than leaving the key out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(group, forKey: .group)
        try c.encode(measuredAt, forKey: .measuredAt)
        try c.encode(state, forKey: .state)
        try c.encode(partitions, forKey: .partitions)
        try c.encode(totalLag, forKey: .totalLag)
        try c.encode(maxLag, forKey: .maxLag)
        try c.encode(maxLagPartition, forKey: .maxLagPartition)
        try c.encode(maxLagSeconds, forKey: .maxLagSeconds)
        try c.encode(unknownLagPartitions, forKey: .unknownLagPartitions)
        try c.encode(topicTotals, forKey: .topicTotals)
    }
}

/// Recent (log end offset, time) points per partition, to turn an offset lag into seconds the way
/// kafka-lag-exporter does: the time at which the log end reached the committed offset is interpolated
/// linearly between the two recorded points around it (extrapolated from the oldest two when the commit
/// is older than the history), and lag in seconds is how long ago that was.
public struct LagHistory: Sendable, Hashable {
    /// One observation.
    public struct Point: Sendable, Hashable {
        public var offset: Int64
        public var time: Date
    }

    /// Points kept per partition (kafka-lag-exporter's default is 60).
    public let capacity: Int
    private var tables: [TopicPartition: [Point]] = [:]

    public init(capacity: Int = 60) {
        self.capacity = max(2, capacity)
    }

    /// The points recorded for `tp`, oldest first.
    public func points(_ tp: TopicPartition) -> [Point] { tables[tp] ?? [] }

    /// Records that the log end of `tp` was `endOffset` at `time`.
    ///
    /// A point older than the newest one, or with a smaller offset, is rejected. Runs of equal offsets keep
    /// only their first and last point.
    ///
    /// - Returns: whether the point was kept.
    @discardableResult
    public mutating func record(_ tp: TopicPartition, endOffset: Int64, at time: Date) -> Bool {
        var points = tables[tp] ?? []
        if let last = points.last, time <= last.time || endOffset < last.offset { return false }
        if points.count >= 2, points[points.count - 1].offset == endOffset, points[points.count - 2].offset == endOffset {
            points[points.count - 1].time = time
        } else {
            points.append(Point(offset: endOffset, time: time))
        }
        if points.count > capacity { points.removeFirst(points.count - capacity) }
        tables[tp] = points
        return true
    }

    /// Seconds since the log end of `tp` reached `committedOffset`, or nil with fewer than two points.
    /// 0 when the group is at (or past) the newest recorded end.
    public func lagSeconds(_ tp: TopicPartition, committedOffset: Int64, now: Date) -> Double? {
        let points = tables[tp] ?? []
        if let last = points.last, committedOffset >= last.offset { return 0 }
        guard points.count >= 2, let reached = Self.predictTime(points, offset: committedOffset) else { return nil }
        return max(0, now.timeIntervalSince(reached))
    }

    /// When the log end reached `offset`, by linear interpolation between the points around it.
    static func predictTime(_ points: [Point], offset: Int64) -> Date? {
        // Exactly on a recorded offset: the earliest time it was seen.
        if let exact = points.first(where: { $0.offset == offset }) { return exact.time }
        // Adjacent points with distinct offsets that bracket `offset`.
        for i in 1..<points.count {
            let a = points[i - 1], b = points[i]
            if a.offset < offset && offset < b.offset { return interpolate(a, b, offset) }
        }
        // Older than the history: extrapolate from the oldest two distinct offsets.
        guard let first = points.first, offset < first.offset,
              let second = points.first(where: { $0.offset > first.offset }) else { return nil }
        return interpolate(first, second, offset)
    }

    private static func interpolate(_ a: Point, _ b: Point, _ offset: Int64) -> Date {
        let slope = b.time.timeIntervalSince(a.time) / Double(b.offset - a.offset)
        return a.time.addingTimeInterval(slope * Double(offset - a.offset))
    }
}

/// Measures consumer-group lag from the broker's point of view, like `kafka-consumer-groups.sh --describe`.
public enum ConsumerLag {
    /// Measures `group` over every partition of `topics` and records the end offsets into `history`.
    ///
    /// Topic partitions come from metadata, committed offsets from `ListConsumerGroupOffsets` with those
    /// partitions named explicitly (the dev broker cannot list them itself), end offsets from one batched
    /// watermark query. Partition owners are filled in when the broker supports `DescribeConsumerGroups`.
    ///
    /// - Throws: ``KafkaError/Code/unknownTopicOrPartition`` when a topic does not exist, or the admin's errors.
    public static func measure(admin: KafkaAdmin, group: String, topics: [String], history: inout LagHistory,
                               now: Date = Date()) async throws -> GroupLag {
        let metadata = try await admin.metadata(topics: topics)
        var partitions: [TopicPartition] = []
        for name in topics {
            guard let topic = metadata.topic(name), topic.error == nil, !topic.partitions.isEmpty else {
                throw KafkaError(code: .unknownTopicOrPartition, message: "topic \(name) does not exist",
                                 operation: "lag")
            }
            partitions += topic.topicPartitions
        }
        let watermarks = try await admin.watermarks(for: partitions)
        let committed = try await admin.committedOffsets(group: group, partitions: partitions)
        var description: GroupDescription?
        do {
            description = try await admin.describeGroup(group)
        } catch let error as KafkaError where error.code == .unsupportedByBroker {
            description = nil
        }
        for (tp, marks) in watermarks { history.record(tp, endOffset: marks.high, at: now) }
        return compute(group: group, partitions: partitions, committed: committed, watermarks: watermarks,
                       description: description, history: history, now: now)
    }

    /// ``measure(admin:group:topics:history:now:)`` without a history (``PartitionLag/lagSeconds`` stays nil).
    public static func measure(admin: KafkaAdmin, group: String, topics: [String]) async throws -> GroupLag {
        var history = LagHistory()
        let lag = try await measure(admin: admin, group: group, topics: topics, history: &history)
        return withoutSeconds(lag)
    }

    /// The rows and totals from already fetched offsets (pure; used by ``measure(admin:group:topics:history:now:)``).
    public static func compute(group: String, partitions: [TopicPartition], committed: [TopicPartition: Int64?],
                               watermarks: [TopicPartition: Watermarks], description: GroupDescription?,
                               history: LagHistory?, now: Date) -> GroupLag {
        var rows: [PartitionLag] = []
        for tp in partitions {
            let marks = watermarks[tp] ?? Watermarks(low: 0, high: 0)
            let current = committed[tp] ?? nil
            let lag = current.map { max(0, marks.high - $0) }
            let seconds = current.flatMap { history?.lagSeconds(tp, committedOffset: $0, now: now) }
            let owner = description?.owner(of: tp)
            rows.append(PartitionLag(topic: tp.topic, partition: tp.partition, committedOffset: current,
                                     logStartOffset: marks.low, logEndOffset: marks.high, lag: lag, lagSeconds: seconds,
                                     consumerID: owner?.memberID, host: owner?.host, clientID: owner?.clientID))
        }
        return GroupLag(group: group, measuredAt: now, state: description?.state, partitions: rows)
    }

    private static func withoutSeconds(_ lag: GroupLag) -> GroupLag {
        var rows = lag.partitions
        for i in rows.indices { rows[i].lagSeconds = nil }
        return GroupLag(group: lag.group, measuredAt: lag.measuredAt, state: lag.state, partitions: rows)
    }
}

/// Renders ``GroupLag`` for people (a `kafka-consumer-groups.sh --describe` table) and for programs (JSON).
public enum LagTable {
    /// The column headers, in order.
    public static let columns = ["GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                                 "LAG-SECONDS", "CONSUMER-ID", "HOST", "CLIENT-ID"]

    /// The columns with a health verdict: ``columns`` with `HEALTH` after `LAG-SECONDS`.
    public static let healthColumns = Array(columns[..<7]) + ["HEALTH"] + Array(columns[7...])

    /// The aligned table, one row per partition (`-` for unknown values), then a summary line with the
    /// group's total and maximum lag. With `health`, a `HEALTH` column holds each partition's status and the summary
    /// the group's.
    public static func render(_ lag: GroupLag, health: GroupHealth? = nil) -> String {
        var verdicts: [TopicPartition: LagStatus] = [:]
        for p in health?.partitions ?? [] { verdicts[p.topicPartition] = p.status }
        var rows: [[String]] = [health == nil ? columns : healthColumns]
        for p in lag.partitions {
            var row = [lag.group, p.topic, String(p.partition), p.committedOffset.map(String.init) ?? "-",
                       String(p.logEndOffset), p.lag.map(String.init) ?? "-",
                       p.lagSeconds.map { String(format: "%.1f", $0) } ?? "-"]
            if health != nil { row.append((verdicts[p.topicPartition] ?? .notFound).name) }
            rows.append(row + [p.consumerID ?? "-", p.host ?? "-", p.clientID ?? "-"])
        }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in rows {
            let cells = row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            out += cells.joined(separator: " ") + "\n"
        }
        var summary = "\nTOTAL-LAG \(lag.totalLag)  MAX-LAG \(lag.maxLag.map(String.init) ?? "-")"
        if let partition = lag.maxLagPartition { summary += " (\(partition))" }
        summary += "  MAX-LAG-SECONDS \(lag.maxLagSeconds.map { String(format: "%.1f", $0) } ?? "-")"
        summary += "  PARTITIONS \(lag.partitions.count)  UNKNOWN \(lag.unknownLagPartitions)"
        if let state = lag.state { summary += "  STATE \(state)" }
        if let health { summary += "  HEALTH \(health.status)" }
        return out + summary + "\n"
    }

    /// The lag as one JSON document (sorted keys, ISO 8601 time, `null` for unknown values).
    public static func json(_ lag: GroupLag, pretty: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(lag), as: UTF8.self)
    }
}
