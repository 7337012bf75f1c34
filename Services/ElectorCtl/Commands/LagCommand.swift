import Foundation
import Kafka
import ServiceKit

/// `electorctl lag`: consumer-group lag, like `kafka-consumer-groups.sh --describe`.
struct LagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lag",
        abstract: "Show the consumer lag of the pipeline's consumer groups.",
        discussion: """
            For each --group, every partition of its topics with the committed offset, the log end offset and the \
            lag, then the group's total. The topics are the --topic options, or else the topics the pipeline's group \
            of that name consumes (scms-endorsement-intake, scms-quorum-validator, scms-gccf-assembler, \
            scms-expiry-watcher; with --topic-prefix, prefixed). Without --group, all four pipeline groups. Partitions \
            are named explicitly, so this works on the dev broker too (which cannot list groups or their offsets); \
            owners show only where the broker can describe groups. Exit 0, 69 when the broker is unreachable or a topic \
            does not exist.
            """)

    static let arguments: [ArgumentSpec] = KafkaOptions.arguments + [
        .repeatableOption("group", valueName: "group", help: "A consumer group id (repeatable; default: the pipeline's four)."),
        .repeatableOption("topic", valueName: "topic", help: "A topic the group consumes (repeatable)."),
        .flag("json", help: "One JSON document per group instead of the table."),
    ]

    /// The topics each pipeline group consumes (DESIGN §3), without prefix.
    static let pipelineGroups: [(group: String, topics: [TopicSpec])] = [
        ("scms-endorsement-intake", [Topics.ballotsSubmitted]),
        ("scms-quorum-validator", [Topics.ballotsAccepted]),
        ("scms-gccf-assembler", [Topics.ballotsValidated, Topics.expiry, Topics.policy]),
        ("scms-expiry-watcher", [Topics.gccf]),
    ]

    let kafka: KafkaOptions
    let groups: [String]
    let topics: [String]
    let json: Bool
    let path: [String]

    init(arguments: ParsedArguments) throws {
        kafka = try KafkaOptions(arguments)
        groups = arguments.strings("group")
        topics = arguments.strings("topic")
        json = arguments.flag("json")
        path = arguments.commandPath
    }

    /// The topics of `group`: the given ones, else the pipeline table's.
    func topics(of group: String) throws -> [String] {
        if !topics.isEmpty { return topics }
        let base = group.hasPrefix(kafka.topicPrefix) ? String(group.dropFirst(kafka.topicPrefix.count)) : group
        guard let entry = Self.pipelineGroups.first(where: { $0.group == base }) else {
            throw CommandLineError(.missingRequired, "'\(group)' is not a pipeline group: name its topics with --topic",
                                   commandPath: path)
        }
        return entry.topics.map(kafka.topic)
    }

    func run() async throws {
        let selected = groups.isEmpty ? Self.pipelineGroups.map { kafka.topicPrefix + $0.group } : groups
        let plan = try selected.map { ($0, try topics(of: $0)) }
        let admin = try await kafkaCall("admin") { try KafkaAdmin(configuration: kafka.admin("lag")) }
        for (group, groupTopics) in plan {
            let lag = try await kafkaCall("lag of \(group)") {
                try await ConsumerLag.measure(admin: admin, group: group, topics: groupTopics)
            }
            if json {
                StandardStreams.writeOut(try LagTable.json(lag) + "\n")
            } else {
                StandardStreams.writeOut(LagTable.render(lag) + "\n")
            }
        }
    }
}
