public import Foundation

/// A partition's or a group's health, with Burrow's status constants as raw values
/// (`NOTFOUND=0, OK=1, WARN=2, ERR=3, STOP=4, STALL=5, REWIND=6`).
///
/// Partitions get any of them; a group gets `NOTFOUND`, `OK`, `WARN` or `ERR` (its worst partition, with `STOP`,
/// `STALL` and `REWIND` collapsed to `ERR`). Encoded as its ``name``.
public enum LagStatus: Int, Sendable, Hashable, Comparable, CaseIterable, Codable, CustomStringConvertible {
    /// No committed offset to judge.
    case notFound = 0
    /// Keeping up (or no evidence otherwise).
    case ok = 1
    /// Lag did not decrease across the whole window: the consumer is slower than the producers.
    case warn = 2
    /// A group with at least one partition in `STOP`, `STALL` or `REWIND`.
    case err = 3
    /// Lagging, and no commit for longer than the window spans.
    case stop = 4
    /// Lagging, committing, but the committed offset does not move.
    case stall = 5
    /// The committed offset went backwards within the window.
    case rewind = 6

    /// Burrow's spelling: `NOTFOUND`, `OK`, `WARN`, `ERR`, `STOP`, `STALL`, `REWIND`.
    public var name: String {
        switch self {
        case .notFound: return "NOTFOUND"
        case .ok: return "OK"
        case .warn: return "WARN"
        case .err: return "ERR"
        case .stop: return "STOP"
        case .stall: return "STALL"
        case .rewind: return "REWIND"
        }
    }

    /// The status named `name` (any case).
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = match
    }

    /// What this partition status makes of its group: `STOP`, `STALL` and `REWIND` become `ERR`.
    public var groupLevel: LagStatus { self > .err ? .err : self }

    public var description: String { name }

    public static func < (a: LagStatus, b: LagStatus) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let status = LagStatus(name: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown status \(text)"))
        }
        self = status
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// The knobs of the evaluation (Burrow's `intervals`, `allowed-lag`, `min-distance`, `minimum-complete`).
public struct LagEvaluationPolicy: Sendable, Hashable {
    /// Commits kept per partition: the sliding window (Burrow's `intervals`, default 10).
    public var intervals: Int
    /// Lag at or below this is not lag for the rules (default 0).
    public var allowedLag: Int64
    /// A commit observed less than this after the previous one replaces it instead of taking a new slot
    /// (default 1 s; keep it below the poll interval).
    public var minDistance: TimeInterval
    /// The fraction of the window that must be filled before a partition can be anything but `OK` (default 0).
    public var minimumComplete: Double

    public init(intervals: Int = 10, allowedLag: Int64 = 0, minDistance: TimeInterval = 1, minimumComplete: Double = 0) {
        self.intervals = max(1, intervals)
        self.allowedLag = max(0, allowedLag)
        self.minDistance = max(0, minDistance)
        self.minimumComplete = min(1, max(0, minimumComplete))
    }
}

/// One committed offset as the monitor saw it: the offset, when it was seen, and the lag then
/// (`max(0, log end − offset)` at that moment).
public struct OffsetCommit: Sendable, Hashable, Codable {
    public var offset: Int64
    public var time: Date
    public var lag: Int64

    public init(offset: Int64, time: Date, lag: Int64) {
        self.offset = offset
        self.time = time
        self.lag = max(0, lag)
    }
}

/// The sliding window of one partition's commits, oldest first, at most ``capacity`` of them.
///
/// A poller cannot see commit timestamps (OffsetFetch has none), so ``observe(committed:logEnd:at:consumerActive:minDistance:)``
/// turns polls into commits: a changed offset is a commit at the time it was seen; an unchanged offset is a commit
/// again only when the partition has a live owner (a member still re-committing the same offset: `STALL` material),
/// and otherwise nothing (the group stopped committing: `STOP` material).
public struct CommitWindow: Sendable, Hashable {
    /// The window size.
    public let capacity: Int
    /// The commits, oldest first.
    public private(set) var commits: [OffsetCommit] = []

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Adds `commit`: ignored when older than the newest, replaces the newest when closer to it than `minDistance`,
    /// else appended (dropping the oldest beyond ``capacity``).
    ///
    /// - Returns: whether the window changed.
    @discardableResult
    public mutating func append(_ commit: OffsetCommit, minDistance: TimeInterval = 0) -> Bool {
        if let last = commits.last {
            if commit.time < last.time { return false }
            if commit.time.timeIntervalSince(last.time) < minDistance {
                commits[commits.count - 1] = commit
                return true
            }
        }
        commits.append(commit)
        if commits.count > capacity { commits.removeFirst(commits.count - capacity) }
        return true
    }

    /// Records one poll: the group's committed offset and the partition's log end at `time`.
    ///
    /// - Parameter consumerActive: whether a live member owns the partition (known only where the broker describes
    ///   groups); then an unchanged offset counts as a fresh commit.
    /// - Returns: whether the window changed.
    @discardableResult
    public mutating func observe(committed: Int64, logEnd: Int64, at time: Date, consumerActive: Bool,
                                 minDistance: TimeInterval) -> Bool {
        if let last = commits.last, last.offset == committed, !consumerActive { return false }
        return append(OffsetCommit(offset: committed, time: time, lag: logEnd - committed), minDistance: minDistance)
    }
}

/// One partition's verdict.
public struct PartitionHealth: Sendable, Hashable, Codable {
    public var topic: String
    public var partition: Int32
    public var status: LagStatus
    /// The lag at the last poll; nil without a commit.
    public var currentLag: Int64?
    /// The fill of the window, 0…1.
    public var complete: Double
    /// The oldest and newest commit of the window.
    public var start: OffsetCommit?
    public var end: OffsetCommit?

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }

    public init(topic: String, partition: Int32, status: LagStatus, currentLag: Int64?, complete: Double,
                start: OffsetCommit?, end: OffsetCommit?) {
        self.topic = topic
        self.partition = partition
        self.status = status
        self.currentLag = currentLag
        self.complete = complete
        self.start = start
        self.end = end
    }
}

/// One group's verdict: Burrow's `/status` body.
public struct GroupHealth: Sendable, Hashable, Codable {
    public var group: String
    /// `NOTFOUND` (no partition has a commit), `OK`, `WARN` or `ERR`.
    public var status: LagStatus
    /// The mean fill of the evaluated partitions' windows, 0…1.
    public var complete: Double
    /// Sum of the current lags.
    public var totalLag: Int64
    /// The partition with the largest current lag (the first in order on ties).
    public var maxLag: PartitionHealth?
    /// Every partition, in topic/partition order (those without a commit are `NOTFOUND`).
    public var partitions: [PartitionHealth]

    /// The partitions that are not `OK` (Burrow's `/status` lists only these).
    public var troubled: [PartitionHealth] { partitions.filter { $0.status > .ok } }

    public init(group: String, status: LagStatus, complete: Double, totalLag: Int64, maxLag: PartitionHealth?,
                partitions: [PartitionHealth]) {
        self.group = group
        self.status = status
        self.complete = complete
        self.totalLag = totalLag
        self.maxLag = maxLag
        self.partitions = partitions
    }
}

/// Burrow's consumer evaluation as pure functions: values in, verdict out, the time passed in.
///
/// For a partition whose current lag exceeds the allowed lag and whose every commit in the window lagged too
/// (lag at or below the allowed lag anywhere in the window means `OK`), the first rule that holds wins:
/// 1. `REWIND`: some committed offset is lower than the one before it;
/// 2. `STOP`: the time since the newest commit exceeds the time the window spans (newest − oldest);
/// 3. `STALL`: two or more commits, all of the same offset;
/// 4. `WARN`: two or more commits, and the lag never decreased from one to the next;
/// 5. otherwise `OK`.
/// A window filled less than ``LagEvaluationPolicy/minimumComplete`` is `OK`. One commit cannot show a stall or a
/// trend, so rules 3 and 4 need two (Burrow would call a single lagging commit `STALL`).
public enum LagEvaluator {
    /// The status of one partition's window.
    public static func status(of commits: [OffsetCommit], currentLag: Int64, now: Date,
                              policy: LagEvaluationPolicy) -> LagStatus {
        guard let first = commits.first, let last = commits.last else { return .notFound }
        if Double(commits.count) / Double(policy.intervals) < policy.minimumComplete { return .ok }
        guard currentLag > policy.allowedLag, commits.allSatisfy({ $0.lag > policy.allowedLag }) else { return .ok }
        let steps = zip(commits, commits.dropFirst())
        if steps.contains(where: { $1.offset < $0.offset }) { return .rewind }
        if now.timeIntervalSince(last.time) > last.time.timeIntervalSince(first.time) { return .stop }
        guard commits.count >= 2 else { return .ok }
        if steps.allSatisfy({ $1.offset == $0.offset }) { return .stall }
        if steps.allSatisfy({ $1.lag >= $0.lag }) { return .warn }
        return .ok
    }

    /// The verdict for one partition from its window (nil or empty: `NOTFOUND`).
    public static func evaluate(_ tp: TopicPartition, window: CommitWindow?, currentLag: Int64?, now: Date,
                                policy: LagEvaluationPolicy) -> PartitionHealth {
        let commits = window?.commits ?? []
        guard let lag = currentLag, !commits.isEmpty else {
            return PartitionHealth(topic: tp.topic, partition: tp.partition, status: .notFound, currentLag: currentLag,
                                   complete: 0, start: nil, end: nil)
        }
        return PartitionHealth(topic: tp.topic, partition: tp.partition,
                               status: status(of: commits, currentLag: lag, now: now, policy: policy), currentLag: lag,
                               complete: min(1, Double(commits.count) / Double(policy.intervals)),
                               start: commits.first, end: commits.last)
    }

    /// The group's verdict: its partitions', the worst of them (collapsed to `ERR`) as the group status.
    public static func evaluate(_ lag: GroupLag, windows: [TopicPartition: CommitWindow], now: Date,
                                policy: LagEvaluationPolicy) -> GroupHealth {
        let partitions = lag.partitions.map {
            evaluate($0.topicPartition, window: windows[$0.topicPartition], currentLag: $0.lag, now: now, policy: policy)
        }
        let evaluated = partitions.filter { $0.status != .notFound }
        let status = evaluated.map(\.status.groupLevel).max() ?? .notFound
        var maxLag: PartitionHealth?
        for p in evaluated where maxLag.map({ (p.currentLag ?? 0) > ($0.currentLag ?? 0) }) ?? true { maxLag = p }
        let complete = evaluated.isEmpty ? 0 : evaluated.map(\.complete).reduce(0, +) / Double(evaluated.count)
        return GroupHealth(group: lag.group, status: status, complete: complete,
                           totalLag: evaluated.compactMap(\.currentLag).reduce(0, +), maxLag: maxLag, partitions: partitions)
    }
}

/// What a poller keeps per group between polls: the log-end history for lag in seconds and the commit windows for
/// health. A value type: the poller owns it and passes the time in.
///
/// ```swift
/// var tracker = GroupLagTracker(policy: LagEvaluationPolicy())
/// let lag = try await ConsumerLag.measure(admin: admin, group: g, topics: t, history: &tracker.history, now: now)
/// tracker.record(lag)
/// let health = tracker.health(lag, now: now)
/// ```
public struct GroupLagTracker: Sendable {
    public let policy: LagEvaluationPolicy
    /// The log-end points behind ``PartitionLag/lagSeconds``.
    public var history: LagHistory
    /// The commit window per partition.
    public private(set) var windows: [TopicPartition: CommitWindow] = [:]

    public init(policy: LagEvaluationPolicy, historyCapacity: Int = 60) {
        self.policy = policy
        self.history = LagHistory(capacity: historyCapacity)
    }

    /// Adds one poll's committed offsets to the windows; a partition with a known owner counts as actively committing.
    public mutating func record(_ lag: GroupLag) {
        for row in lag.partitions {
            guard let committed = row.committedOffset else { continue }
            windows[row.topicPartition, default: CommitWindow(capacity: policy.intervals)]
                .observe(committed: committed, logEnd: row.logEndOffset, at: lag.measuredAt,
                         consumerActive: row.consumerID != nil, minDistance: policy.minDistance)
        }
    }

    /// The verdict over the windows so far.
    public func health(_ lag: GroupLag, now: Date) -> GroupHealth {
        LagEvaluator.evaluate(lag, windows: windows, now: now, policy: policy)
    }
}
