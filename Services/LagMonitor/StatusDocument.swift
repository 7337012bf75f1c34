import Foundation
import Kafka
import ServiceKit

/// `GET /v1/status`: Burrow's consumer status shape (`status`, `complete`, `partition_count`, `totallag`, `maxlag`,
/// `partitions` = the partitions that are not OK) for every watched group, plus every partition's lag in `lag`.
/// `?group=NAME` answers for one group (404 when it is not watched). Absent values are left out.
enum StatusDocument {
    struct Commit: Encodable {
        var offset: Int64
        /// Unix milliseconds, as Burrow reports commit times.
        var timestamp: Int64
        var lag: Int64

        init(_ commit: OffsetCommit) {
            offset = commit.offset
            timestamp = Int64((commit.time.timeIntervalSince1970 * 1000).rounded())
            lag = commit.lag
        }
    }

    struct Partition: Encodable {
        var topic: String
        var partition: Int32
        var status: String
        var owner: String?
        var consumer_id: String?
        var client_id: String?
        var committed_offset: Int64?
        var log_end_offset: Int64
        var current_lag: Int64?
        var lag_seconds: Double?
        var complete: Double
        var start: Commit?
        var end: Commit?
    }

    struct Group: Encodable {
        var cluster: String
        var group: String
        var status: String
        var complete: Double
        var partition_count: Int
        var totallag: Int64
        var maxlag: Partition?
        var max_lag_seconds: Double?
        /// The partitions that are not OK.
        var partitions: [Partition]
        /// Every partition.
        var lag: [Partition]
        var topics: [String]
        var discovered: Bool
        var state: String?
        var measured_at: Date?
        var error: String?
    }

    struct Window: Encodable {
        var intervals: Int
        var allowed_lag: Int64
        var min_distance_seconds: Double
        var minimum_complete: Double
        var poll_interval_seconds: Double
    }

    struct All: Encodable {
        var error: Bool
        var message: String
        var cluster: String
        var polled_at: Date?
        var poll_time_ms: Double?
        var polls: Int
        var discovery: String
        var window: Window
        var groups: [Group]
    }

    struct One: Encodable {
        var error: Bool
        var message: String
        var status: Group
    }

    static func group(_ report: GroupReport, cluster: String) -> Group {
        let rows = report.lag?.partitions ?? []
        let verdicts = Dictionary((report.health?.partitions ?? []).map { ($0.topicPartition, $0) }, uniquingKeysWith: { a, _ in a })
        let partitions: [Partition] = rows.map { row in
            let verdict = verdicts[row.topicPartition]
            return Partition(topic: row.topic, partition: row.partition, status: (verdict?.status ?? .notFound).name,
                             owner: row.host, consumer_id: row.consumerID, client_id: row.clientID,
                             committed_offset: row.committedOffset, log_end_offset: row.logEndOffset,
                             current_lag: row.lag, lag_seconds: row.lagSeconds, complete: verdict?.complete ?? 0,
                             start: verdict?.start.map(Commit.init), end: verdict?.end.map(Commit.init))
        }
        let health = report.health
        let maxLag = health?.maxLag.flatMap { max in partitions.first { $0.topic == max.topic && $0.partition == max.partition } }
        return Group(cluster: cluster, group: report.watched.group, status: (health?.status ?? .notFound).name,
                     complete: health?.complete ?? 0, partition_count: rows.count, totallag: health?.totalLag ?? 0,
                     maxlag: maxLag, max_lag_seconds: report.lag?.maxLagSeconds,
                     partitions: partitions.filter { $0.status != LagStatus.ok.name && $0.status != LagStatus.notFound.name },
                     lag: partitions, topics: report.watched.topics, discovered: report.watched.discovered,
                     state: report.lag?.state?.rawValue, measured_at: report.lag?.measuredAt, error: report.error)
    }

    /// The response for `request`.
    static func response(_ snapshot: MonitorSnapshot, request: HTTPRequest) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf",
                                                                      nan: "NaN")
        do {
            if let name = request.query("group") {
                guard let report = snapshot.groups.first(where: { $0.watched.group == name }) else {
                    let body = JSONText.object([("error", "true"), ("message", JSONText.quote("group not found: \(name)"))])
                    return .json(body + "\n", status: 404)
                }
                let body = One(error: false, message: "consumer status returned", status: group(report, cluster: snapshot.cluster))
                return .json(String(decoding: try encoder.encode(body), as: UTF8.self) + "\n")
            }
            let policy = snapshot.policy
            let body = All(error: false, message: "consumer status returned", cluster: snapshot.cluster,
                           polled_at: snapshot.lastPoll, poll_time_ms: snapshot.lastPollMilliseconds, polls: snapshot.polls,
                           discovery: snapshot.discovery.text,
                           window: Window(intervals: policy.intervals, allowed_lag: policy.allowedLag,
                                          min_distance_seconds: policy.minDistance, minimum_complete: policy.minimumComplete,
                                          poll_interval_seconds: LagPoller.milliseconds(snapshot.pollInterval) / 1000),
                           groups: snapshot.groups.map { group($0, cluster: snapshot.cluster) })
            return .json(String(decoding: try encoder.encode(body), as: UTF8.self) + "\n")
        } catch {
            return .error(500, "cannot encode the status: \(error)")
        }
    }
}
