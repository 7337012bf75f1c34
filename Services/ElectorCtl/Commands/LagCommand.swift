import Foundation
import Kafka
import ServiceKit
#if canImport(Glibc)
import Glibc
#endif

/// `electorctl lag`: consumer-group lag, like `kafka-consumer-groups.sh --describe`, with Burrow's health verdict.
struct LagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lag",
        abstract: "Show the consumer lag and health of the pipeline's consumer groups.",
        discussion: """
            For each --group, every partition of its topics with the committed offset, the log end offset, the lag and \
            its HEALTH, then the group's total and health. The topics are the --topic options, or else the topics the \
            pipeline's group of that name consumes (scms-endorsement-intake, scms-quorum-validator, scms-gccf-assembler; \
            with --topic-prefix, prefixed). Without --group, those three. Partitions are named explicitly, so this works \
            on the dev broker too (which cannot list groups or their offsets); owners show only where the broker can \
            describe groups. HEALTH follows Burrow's rules (as lag-monitor does) over the polls this run made, so one \
            poll shows OK for anything with a commit (NOTFOUND without); with --watch the command polls every \
            --interval and redraws, and the verdicts gain a window: STOP when a lagging group stops committing, STALL \
            when an owned partition's offset stays put, REWIND when an offset goes back, WARN when lag never decreases. \
            --count ends it after that many polls (default: one without --watch, unlimited with it). With --json, one \
            JSON document per group and poll: the lag plus "health" {status, partitions}. Exit 0, 69 when the broker \
            is unreachable or a topic does not exist.
            """)

    static let arguments: [ArgumentSpec] = KafkaOptions.arguments + [
        .repeatableOption("group", valueName: "group", help: "A consumer group id (repeatable; default: the pipeline's three)."),
        .repeatableOption("topic", valueName: "topic", help: "A topic the group consumes (repeatable)."),
        .flag("json", help: "One JSON document per group instead of the table."),
        .flag("watch", help: "Poll again every --interval and redraw, with health over the polls so far."),
        .option("interval", valueName: "span", help: "Time between polls with --watch (e.g. 500ms, 2s).", default: "2s"),
        .option("count", valueName: "n", help: "Stop after n polls (default: 1, or until interrupted with --watch)."),
        .option("window", valueName: "n", help: "Commits kept per partition for the health rules.", default: "10"),
    ]

    let kafka: KafkaOptions
    let groups: [String]
    let topics: [String]
    let json: Bool
    let watch: Bool
    let interval: Swift.Duration
    let count: Int?
    let window: Int
    let path: [String]

    init(arguments: ParsedArguments) throws {
        kafka = try KafkaOptions(arguments)
        groups = arguments.strings("group")
        topics = arguments.strings("topic")
        json = arguments.flag("json")
        watch = arguments.flag("watch")
        interval = try arguments.value("interval", expected: "a duration like 500ms, 2s or 1m") { text in
            if text.hasSuffix("ms"), let ms = Int64(text.dropLast(2)) { return Swift.Duration.milliseconds(ms) }
            return try? DurationText.duration(text)
        } ?? .seconds(2)
        count = try arguments.int("count", in: 1...1_000_000)
        window = try arguments.int("window", in: 1...1000) ?? 10
        path = arguments.commandPath
        guard interval > .zero else {
            throw CommandLineError(.invalidValue, "Invalid value for '--interval': must be positive", commandPath: path)
        }
    }

    /// The topics of `group`: the given ones, else the pipeline table's.
    func topics(of group: String) throws -> [String] {
        if !topics.isEmpty { return topics }
        let base = group.hasPrefix(kafka.topicPrefix) ? String(group.dropFirst(kafka.topicPrefix.count)) : group
        guard let entry = ConsumerGroups.pipelineGroup(base) else {
            throw CommandLineError(.missingRequired, "'\(group)' is not a pipeline group: name its topics with --topic",
                                   commandPath: path)
        }
        return entry.named(TopicNames(prefix: kafka.topicPrefix)).topics
    }

    func run() async throws {
        let selected = groups.isEmpty
            ? ConsumerGroups.pipeline.map { kafka.topicPrefix + $0.group } : groups
        let plan = try selected.map { ($0, try topics(of: $0)) }
        let admin = try await kafkaCall("admin") { try KafkaAdmin(configuration: kafka.admin("lag")) }
        let policy = LagEvaluationPolicy(intervals: window, minDistance: 0)
        var trackers = [String: GroupLagTracker]()
        let polls = count ?? (watch ? Int.max : 1)
        let clear = watch && !json && isatty(1) == 1
        for poll in 0..<polls {
            let started = ContinuousClock.now
            var out = clear ? "\u{1B}[H\u{1B}[2J" : ""
            if watch && !json {
                out += "electorctl lag — poll \(poll + 1)\(count.map { " of \($0)" } ?? ""), every \(interval), "
                    + ISO8601.format(unixSeconds: Int64(Date().timeIntervalSince1970)) + "\n\n"
            }
            for (group, groupTopics) in plan {
                var tracker = trackers[group] ?? GroupLagTracker(policy: policy)
                let now = Date()
                let lag = try await kafkaCall("lag of \(group)") {
                    try await ConsumerLag.measure(admin: admin, group: group, topics: groupTopics, history: &tracker.history,
                                                  now: now)
                }
                tracker.record(lag)
                trackers[group] = tracker
                let health = tracker.health(lag, now: now)
                out += json ? try Self.json(lag, health: health) + "\n" : LagTable.render(lag, health: health) + "\n"
            }
            StandardStreams.writeOut(out)
            if poll + 1 < polls { try await Task.sleep(until: started + interval) }
        }
    }

    /// ``LagTable/json(_:pretty:)`` of `lag` with a `health` member: the group status and each partition's.
    static func json(_ lag: GroupLag, health: GroupHealth) throws -> String {
        let base = try LagTable.json(lag)
        guard var object = try JSONSerialization.jsonObject(with: Data(base.utf8)) as? [String: Any] else {
            throw CommandFailure(.software, "lag JSON is not an object")
        }
        object["health"] = [
            "status": health.status.name,
            "complete": health.complete,
            "partitions": health.partitions.map { ["topic": $0.topic, "partition": Int($0.partition), "status": $0.status.name] },
        ] as [String: Any]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
