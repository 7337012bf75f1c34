import Foundation
import Kafka
import Testing

/// Time zero of every table: commits and `now` are seconds after it.
private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

/// One commit of a table row: offset, seconds after `t0`, lag at that moment.
struct C: Sendable {
    var offset: Int64
    var at: Double
    var lag: Int64
    init(_ offset: Int64, _ at: Double, _ lag: Int64) {
        self.offset = offset
        self.at = at
        self.lag = lag
    }

    var commit: OffsetCommit { OffsetCommit(offset: offset, time: t0.addingTimeInterval(at), lag: lag) }
}

/// One row of the rule tables.
struct RuleCase: Sendable, CustomTestStringConvertible {
    var name: String
    var commits: [C]
    var currentLag: Int64
    var now: Double
    var policy = LagEvaluationPolicy(intervals: 5)
    var expected: LagStatus

    var testDescription: String { name }
}

@Suite("Burrow's evaluation rules")
struct LagEvaluatorTests {
    /// Commits advancing by 10 every second, lag shrinking: the healthy baseline every rule row departs from.
    static let healthy = [C(10, 0, 50), C(20, 1, 45), C(30, 2, 40), C(40, 3, 35), C(50, 4, 30)]

    static let rules: [RuleCase] = [
        // Preconditions.
        RuleCase(name: "no commits: NOTFOUND", commits: [], currentLag: 5, now: 10, expected: .notFound),
        RuleCase(name: "healthy baseline: OK", commits: healthy, currentLag: 30, now: 4, expected: .ok),
        RuleCase(name: "no current lag: OK even with a rewind in the window",
                 commits: [C(10, 0, 5), C(5, 1, 5)], currentLag: 0, now: 1, expected: .ok),
        RuleCase(name: "lag zero somewhere in the window: OK even when stopped",
                 commits: [C(10, 0, 5), C(20, 1, 0), C(20, 2, 4)], currentLag: 9, now: 60, expected: .ok),
        RuleCase(name: "lag within allowed-lag everywhere: OK",
                 commits: [C(10, 0, 3), C(10, 1, 3)], currentLag: 3, now: 60,
                 policy: LagEvaluationPolicy(intervals: 5, allowedLag: 3), expected: .ok),
        RuleCase(name: "lag above allowed-lag: the rules apply (STOP)",
                 commits: [C(10, 0, 4), C(11, 1, 4)], currentLag: 4, now: 60,
                 policy: LagEvaluationPolicy(intervals: 5, allowedLag: 3), expected: .stop),
        RuleCase(name: "window filled below minimum-complete: OK",
                 commits: [C(10, 0, 5), C(10, 1, 6)], currentLag: 9, now: 60,
                 policy: LagEvaluationPolicy(intervals: 5, minimumComplete: 0.5), expected: .ok),
        RuleCase(name: "window filled to minimum-complete: evaluated (STOP)",
                 commits: [C(10, 0, 5), C(11, 1, 6), C(12, 2, 7)], currentLag: 9, now: 60,
                 policy: LagEvaluationPolicy(intervals: 5, minimumComplete: 0.5), expected: .stop),
        // REWIND.
        RuleCase(name: "offset went back: REWIND",
                 commits: [C(10, 0, 50), C(20, 1, 45), C(15, 2, 52), C(30, 3, 40)], currentLag: 40, now: 3,
                 expected: .rewind),
        RuleCase(name: "REWIND outranks STOP",
                 commits: [C(20, 0, 5), C(10, 1, 9)], currentLag: 9, now: 100, expected: .rewind),
        // STOP.
        RuleCase(name: "no commit for longer than the window spans: STOP",
                 commits: healthy, currentLag: 80, now: 8.01, expected: .stop),
        RuleCase(name: "no commit for exactly the window span: not STOP",
                 commits: healthy, currentLag: 80, now: 8, expected: .ok),
        RuleCase(name: "a single lagging commit, time passed: STOP",
                 commits: [C(10, 0, 5)], currentLag: 5, now: 1, expected: .stop),
        RuleCase(name: "a single lagging commit at the time it was seen: OK (no trend from one point)",
                 commits: [C(10, 0, 5)], currentLag: 5, now: 0, expected: .ok),
        // STALL.
        RuleCase(name: "committing the same offset while lagging: STALL",
                 commits: [C(10, 0, 5), C(10, 1, 6), C(10, 2, 7)], currentLag: 7, now: 2, expected: .stall),
        RuleCase(name: "one offset change breaks the stall (lag still rising: WARN)",
                 commits: [C(10, 0, 5), C(10, 1, 6), C(11, 2, 7)], currentLag: 7, now: 2, expected: .warn),
        RuleCase(name: "STOP outranks STALL",
                 commits: [C(10, 0, 5), C(10, 1, 6)], currentLag: 9, now: 3, expected: .stop),
        // WARN.
        RuleCase(name: "advancing, lag never decreasing: WARN",
                 commits: [C(10, 0, 5), C(20, 1, 5), C(30, 2, 8), C(40, 3, 9)], currentLag: 9, now: 3, expected: .warn),
        RuleCase(name: "advancing, lag decreased once: OK",
                 commits: [C(10, 0, 5), C(20, 1, 8), C(30, 2, 7), C(40, 3, 9)], currentLag: 9, now: 3, expected: .ok),
    ]

    @Test("partition status", arguments: rules)
    func partitionStatus(_ row: RuleCase) {
        let status = LagEvaluator.status(of: row.commits.map(\.commit), currentLag: row.currentLag,
                                         now: t0.addingTimeInterval(row.now), policy: row.policy)
        #expect(status == row.expected, "\(row.name)")
    }

    // MARK: The window

    @Test("a changed offset is a commit; an unchanged one only with a live owner")
    func observeTurnsPollsIntoCommits() {
        var window = CommitWindow(capacity: 5)
        let changed1 = window.observe(committed: 10, logEnd: 15, at: t0, consumerActive: false, minDistance: 0)
        #expect(changed1)
        let changed2 = window.observe(committed: 10, logEnd: 18, at: t0 + 1, consumerActive: false, minDistance: 0)
        #expect(!changed2)
        #expect(window.commits.map(\.offset) == [10])
        let changed3 = window.observe(committed: 10, logEnd: 19, at: t0 + 2, consumerActive: true, minDistance: 0)
        #expect(changed3)
        let changed4 = window.observe(committed: 12, logEnd: 20, at: t0 + 3, consumerActive: false, minDistance: 0)
        #expect(changed4)
        #expect(window.commits.map(\.offset) == [10, 10, 12])
        #expect(window.commits.map(\.lag) == [5, 9, 8])
        #expect(window.commits.map(\.time) == [t0, t0 + 2, t0 + 3])
    }

    @Test("capacity keeps the newest commits; older observations are ignored; lag is clamped at 0")
    func windowBounds() {
        var window = CommitWindow(capacity: 3)
        for i in 0..<5 { window.append(OffsetCommit(offset: Int64(i), time: t0 + Double(i), lag: 1)) }
        #expect(window.commits.map(\.offset) == [2, 3, 4])
        let changed5 = window.append(OffsetCommit(offset: 9, time: t0 + 1, lag: 1))
        #expect(!changed5)
        #expect(window.commits.map(\.offset) == [2, 3, 4])
        #expect(OffsetCommit(offset: 10, time: t0, lag: -3).lag == 0)
    }

    @Test("a commit closer than min-distance replaces the newest instead of taking a slot")
    func minDistance() {
        var window = CommitWindow(capacity: 5)
        window.append(OffsetCommit(offset: 1, time: t0, lag: 9), minDistance: 1)
        window.append(OffsetCommit(offset: 2, time: t0 + 0.5, lag: 8), minDistance: 1)
        #expect(window.commits.map(\.offset) == [2])
        window.append(OffsetCommit(offset: 3, time: t0 + 1.5, lag: 7), minDistance: 1)
        #expect(window.commits.map(\.offset) == [2, 3])
    }

    // MARK: Groups

    static func row(_ topic: String, _ partition: Int32, committed: Int64?, end: Int64, owner: String? = nil) -> PartitionLag {
        PartitionLag(topic: topic, partition: partition, committedOffset: committed, logStartOffset: 0, logEndOffset: end,
                     lag: committed.map { max(0, end - $0) }, lagSeconds: nil, consumerID: owner)
    }

    static func window(_ commits: [C]) -> CommitWindow {
        var window = CommitWindow(capacity: 5)
        for c in commits { window.append(c.commit) }
        return window
    }

    @Test("group status: the worst partition, STOP/STALL/REWIND as ERR; NOTFOUND only without any commit")
    func groupStatus() {
        let policy = LagEvaluationPolicy(intervals: 5)
        let now = t0 + 4
        let lag = GroupLag(group: "g", measuredAt: now, state: nil, partitions: [
            Self.row("t", 0, committed: 50, end: 80), Self.row("t", 1, committed: 10, end: 17),
            Self.row("t", 2, committed: nil, end: 4),
        ])
        let healthy = Self.window(Self.healthy)
        let stalled = Self.window([C(10, 0, 5), C(10, 2, 6), C(10, 4, 7)])
        let rising = Self.window([C(1, 0, 5), C(5, 2, 6), C(10, 4, 7)])
        let tp = { (p: Int32) in TopicPartition("t", p) }

        let err = LagEvaluator.evaluate(lag, windows: [tp(0): healthy, tp(1): stalled], now: now, policy: policy)
        #expect(err.status == .err)
        #expect(err.partitions.map(\.status) == [.ok, .stall, .notFound])
        #expect(err.troubled.map(\.partition) == [1])
        #expect(err.totalLag == 37)
        #expect(err.maxLag?.partition == 0)
        #expect(err.maxLag?.currentLag == 30)

        let warn = LagEvaluator.evaluate(lag, windows: [tp(0): healthy, tp(1): rising], now: now, policy: policy)
        #expect(warn.status == .warn)

        let ok = LagEvaluator.evaluate(lag, windows: [tp(0): healthy], now: now, policy: policy)
        #expect(ok.status == .ok, "a partition without a window does not count")
        #expect(ok.partitions[1].status == .notFound)

        let none = GroupLag(group: "g", measuredAt: now, state: nil, partitions: [Self.row("t", 0, committed: nil, end: 4)])
        #expect(LagEvaluator.evaluate(none, windows: [:], now: now, policy: policy).status == .notFound)
    }

    @Test("the tracker: a group that stops committing while the log grows goes from OK to STOP")
    func trackerStop() {
        var tracker = GroupLagTracker(policy: LagEvaluationPolicy(intervals: 4, minDistance: 0))
        var statuses: [LagStatus] = []
        // Commits 0, 4, 8, 12 at t = 0…3 towards a log end of 14 (lag shrinking), then no commit while the log grows.
        let committed: [Int64] = [0, 4, 8, 12, 12, 12, 12, 12]
        for (i, offset) in committed.enumerated() {
            let now = t0 + Double(i)
            let end: Int64 = 14 + Int64(max(0, i - 3)) * 5
            let lag = GroupLag(group: "g", measuredAt: now, state: nil, partitions: [Self.row("t", 0, committed: offset, end: end)])
            tracker.record(lag)
            statuses.append(tracker.health(lag, now: now).status)
        }
        // The window spans 3 s (t = 0…3): STOP once the last commit is more than 3 s old.
        #expect(statuses == [.ok, .ok, .ok, .ok, .ok, .ok, .ok, .err])
        #expect(tracker.health(GroupLag(group: "g", measuredAt: t0 + 7, state: nil,
                                        partitions: [Self.row("t", 0, committed: 12, end: 34)]), now: t0 + 7)
                    .partitions.first?.status == .stop)
        #expect(tracker.windows[TopicPartition("t", 0)]?.commits.map(\.offset) == [0, 4, 8, 12])
    }

    @Test("the tracker: an owned partition whose offset stays put while lagging is STALL")
    func trackerStall() {
        var tracker = GroupLagTracker(policy: LagEvaluationPolicy(intervals: 3, minDistance: 0))
        var last: GroupHealth?
        for i in 0..<3 {
            let now = t0 + Double(i)
            let lag = GroupLag(group: "g", measuredAt: now, state: .stable,
                               partitions: [Self.row("t", 0, committed: 7, end: 10 + Int64(i), owner: "member-1")])
            tracker.record(lag)
            last = tracker.health(lag, now: now)
        }
        #expect(last?.partitions.first?.status == .stall)
        #expect(last?.status == .err)
    }

    // MARK: Values

    @Test("status names and codes are Burrow's; JSON carries the name")
    func statusNames() throws {
        #expect(LagStatus.allCases.map(\.name) == ["NOTFOUND", "OK", "WARN", "ERR", "STOP", "STALL", "REWIND"])
        #expect(LagStatus.allCases.map(\.rawValue) == Array(0...6))
        #expect(LagStatus.allCases.map(\.groupLevel) == [.notFound, .ok, .warn, .err, .err, .err, .err])
        #expect(LagStatus(name: "stall") == .stall)
        #expect(LagStatus(name: "BAD") == nil)
        let data = try JSONEncoder().encode([LagStatus.rewind])
        #expect(String(decoding: data, as: UTF8.self) == #"["REWIND"]"#)
        #expect(try JSONDecoder().decode([LagStatus].self, from: data) == [.rewind])
    }

    @Test("the table's HEALTH column and summary")
    func tableHealthColumn() {
        let now = t0 + 4
        let lag = GroupLag(group: "g", measuredAt: now, state: nil,
                           partitions: [Self.row("t", 0, committed: 50, end: 80), Self.row("t", 1, committed: nil, end: 3)])
        let health = LagEvaluator.evaluate(lag, windows: [TopicPartition("t", 0): Self.window(Self.healthy)], now: now,
                                           policy: LagEvaluationPolicy(intervals: 5))
        let lines = LagTable.render(lag, health: health).split(separator: "\n").map(String.init)
        #expect(lines[0].split(separator: " ").map(String.init) == LagTable.healthColumns)
        #expect(lines[1].split(separator: " ").map(String.init) == ["g", "t", "0", "50", "80", "30", "-", "OK", "-", "-", "-"])
        #expect(lines[2].split(separator: " ").map(String.init) == ["g", "t", "1", "-", "3", "-", "-", "NOTFOUND", "-", "-", "-"])
        #expect(lines.last?.hasSuffix("HEALTH OK") == true)
        #expect(!LagTable.render(lag).contains("HEALTH"), "without a verdict the table is unchanged")
    }
}
