import Kafka
import ServiceKit
import Synchronization

/// Exposes the latest poll on `/metrics` with kafka-lag-exporter's metric names and labels, plus the health verdicts
/// (Burrow's status codes) and the poller's own counters.
///
/// Series of groups or partitions that disappear are removed, so `/metrics` always describes the latest poll.
final class LagMetrics: Sendable {
    /// One exported series.
    struct Series: Hashable, Sendable {
        var name: String
        var labels: [String]

        var dimensions: [(String, String)] {
            stride(from: 0, to: labels.count - 1, by: 2).map { (labels[$0], labels[$0 + 1]) }
        }
    }

    /// Help texts, by metric name (kafka-lag-exporter's wording where the metric is theirs).
    static let help: [String: String] = [
        "kafka_consumergroup_group_offset": "Last group consumed offset of a partition",
        "kafka_consumergroup_group_lag": "Group offset lag of a partition",
        "kafka_consumergroup_group_lag_seconds": "Group time lag of a partition",
        "kafka_consumergroup_group_max_lag": "Max group offset lag",
        "kafka_consumergroup_group_max_lag_seconds": "Max group time lag",
        "kafka_consumergroup_group_sum_lag": "Sum of group offset lag",
        "kafka_consumergroup_group_topic_sum_lag": "Sum of group offset lag across topic partitions",
        "kafka_partition_latest_offset": "Latest offset of a partition",
        "kafka_partition_earliest_offset": "Earliest offset of a partition",
        "kafka_consumergroup_poll_time_ms": "Group poll time",
        "scms_lag_group_status": "Group health by Burrow's rules: 0 NOTFOUND, 1 OK, 2 WARN, 3 ERR",
        "scms_lag_partition_status": "Partition health by Burrow's rules: 0 NOTFOUND, 1 OK, 2 WARN, 4 STOP, 5 STALL, 6 REWIND",
        "scms_lag_group_complete": "Fill of the group's evaluation windows (0 to 1)",
    ]

    let registry: MetricsRegistry
    let cluster: String
    private let exported = Mutex<Set<Series>>([])
    private let polls: Counter
    private let errors: Counter

    init(registry: MetricsRegistry, cluster: String) {
        self.registry = registry
        self.cluster = cluster
        polls = Counter(label: "scms_lag_polls_total", help: "Poll cycles finished.", registry: registry)
        errors = Counter(label: "scms_lag_poll_errors_total", help: "Groups that could not be measured, per poll.",
                         registry: registry)
    }

    func polled() { polls.increment() }
    func pollFailed() { errors.increment() }

    /// The series and values for `snapshot` (pure; ``update(_:)`` applies them).
    func series(_ snapshot: MonitorSnapshot) -> [(Series, Double)] {
        var out: [(Series, Double)] = []
        var partitionsSeen = Set<TopicPartition>()
        func add(_ name: String, _ labels: [(String, String)], _ value: Double) {
            out.append((Series(name: name, labels: ["cluster_name", cluster] + labels.flatMap { [$0.0, $0.1] }), value))
        }
        if let ms = snapshot.lastPollMilliseconds { add("kafka_consumergroup_poll_time_ms", [], ms) }
        for report in snapshot.groups {
            guard let lag = report.lag else { continue }
            let group = lag.group
            for row in lag.partitions {
                if partitionsSeen.insert(row.topicPartition).inserted {
                    let tp = [("topic", row.topic), ("partition", String(row.partition))]
                    add("kafka_partition_latest_offset", tp, Double(row.logEndOffset))
                    add("kafka_partition_earliest_offset", tp, Double(row.logStartOffset))
                }
                guard let committed = row.committedOffset else { continue }
                let labels = [("group", group), ("topic", row.topic), ("partition", String(row.partition)),
                              ("member_host", row.host ?? "unknown"), ("consumer_id", row.consumerID ?? "unknown"),
                              ("client_id", row.clientID ?? "unknown")]
                add("kafka_consumergroup_group_offset", labels, Double(committed))
                add("kafka_consumergroup_group_lag", labels, Double(row.lag ?? 0))
                add("kafka_consumergroup_group_lag_seconds", labels, row.lagSeconds ?? .nan)
            }
            let groupLabels = [("group", group)]
            add("kafka_consumergroup_group_sum_lag", groupLabels, Double(lag.totalLag))
            if let max = lag.maxLag { add("kafka_consumergroup_group_max_lag", groupLabels, Double(max)) }
            if lag.maxLag != nil { add("kafka_consumergroup_group_max_lag_seconds", groupLabels, lag.maxLagSeconds ?? .nan) }
            for (topic, sum) in lag.topicTotals.sorted(by: { $0.key < $1.key }) {
                add("kafka_consumergroup_group_topic_sum_lag", groupLabels + [("topic", topic)], Double(sum))
            }
            if let health = report.health {
                add("scms_lag_group_status", groupLabels, Double(health.status.rawValue))
                add("scms_lag_group_complete", groupLabels, health.complete)
                for partition in health.partitions {
                    add("scms_lag_partition_status", groupLabels + [("topic", partition.topic),
                                                                     ("partition", String(partition.partition))],
                        Double(partition.status.rawValue))
                }
            }
        }
        return out
    }

    /// Sets every series of `snapshot` and removes the ones the previous update had but this one has not.
    func update(_ snapshot: MonitorSnapshot) {
        let current = series(snapshot)
        let names = Set(current.map(\.0))
        for (series, value) in current {
            Gauge(label: series.name, dimensions: series.dimensions, help: Self.help[series.name], registry: registry)
                .record(value)
        }
        let stale = exported.withLock { previous in
            let gone = previous.subtracting(names)
            previous = names
            return gone
        }
        for series in stale { registry.remove(series.name, dimensions: series.dimensions) }
    }
}
