import BallotCodec
import ElectorCrypto
import Kafka
import RootManagement
import ServiceKit

/// `electorctl records`: what is on a pipeline topic, one JSON line per record.
struct RecordsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "records",
        abstract: "Print the records of a pipeline topic as JSON lines (headers and a decoded summary).",
        discussion: """
            TOPIC is a topic name or its short form: submitted, accepted, validated, rejected, policy, gccf, expiry. Each \
            line has partition, offset, key, the headers, the value's length and SHA-256, and a summary of the value: \
            the verdict of a ValidatedBallot (type, target, quorum, endorsers, processing time), an ExpiryEvent, a \
            GCCF's version and targets, a ballot's target and endorsement count. Reads from the beginning to the end; \
            with --follow keeps printing new records until SIGINT. Exit 0, 69 broker unavailable.
            """)

    static let arguments: [ArgumentSpec] = KafkaOptions.arguments + [
        .flag("follow", help: "Keep printing new records."),
        .argument("topic", help: "The topic (short or full name)."),
    ]

    static let shortNames: [String: TopicSpec] = [
        "submitted": Topics.ballotsSubmitted, "accepted": Topics.ballotsAccepted, "validated": Topics.ballotsValidated,
        "rejected": Topics.ballotsRejected, "policy": Topics.policy, "gccf": Topics.gccf, "expiry": Topics.expiry,
    ]

    let context: CLIContext
    let kafka: KafkaOptions
    let follow: Bool
    let topic: String
    let spec: TopicSpec?

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        let kafka = try KafkaOptions(arguments)
        self.kafka = kafka
        follow = arguments.flag("follow")
        let name = try arguments.requiredString("topic")
        let known = Self.shortNames[name] ?? Topics.named(name)
            ?? Topics.all.first { kafka.topicPrefix + $0.name == name }
        spec = known
        topic = known.map { kafka.topic($0) } ?? name
    }

    func run() async throws {
        let topic = self.topic
        let follower = TopicFollower(topics: [topic], settings: kafka.settings("records"), logger: kafka.logger)
        let print: (ConsumedMessage) -> Void = { record in
            StandardStreams.writeOut(self.describe(record).serialized() + "\n")
        }
        if follow {
            let signals = UnixSignalsSequence(trapping: .sigterm, .sigint)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in signals { break }
                    follower.stop()
                }
                try await kafkaCall("following \(topic)") { try await follower.run { print($0) } }
                signals.finish()
                group.cancelAll()
            }
        } else {
            try await kafkaCall("reading \(topic)") { try await follower.readToEnd { print($0) } }
        }
    }

    func describe(_ record: ConsumedMessage) -> JSONValue {
        var members: [(String, JSONValue)] = [("partition", .int(Int64(record.partition))), ("offset", .int(record.offset)),
                                              ("key", record.keyText.map { .string($0) } ?? .null)]
        members.append(("headers", .object(record.headers.map { ($0.key, $0.value.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null) })))
        guard let value = record.value else {
            members.append(("value", .null))
            return .object(members)
        }
        members += [("length", .int(Int64(value.count))), ("sha256", .string(HexCoding.encode(Digest.sha256(value))))]
        if let summary = summary(value) { members.append(("summary", summary)) }
        return .object(members)
    }

    /// A short decoded view of the value, by topic.
    func summary(_ value: [UInt8]) -> JSONValue? {
        let reports = Reports(context: context)
        switch spec?.name {
        case Topics.ballotsValidated.name?:
            guard let verdict = try? ValidatedBallot(coer: value, limits: Inputs.coerLimits) else { return nil }
            var names = CertificateNames()
            names.add(verdict.ballot.certificate)
            return .object([("type", .string(EndorsementAction(rawValue: verdict.type.rawValue)?.description ?? "\(verdict.type.rawValue)")),
                            ("target", reports.certificateReference(verdict.ballot.certificate)),
                            ("ballot", .string(HexCoding.encode(verdict.ballotDigest.bytes))),
                            ("quorum", .int(Int64(verdict.quorum))),
                            ("endorsers", .array(verdict.endorsers.map { .string(HexCoding.encode($0.bytes)) })),
                            ("processingTime", context.timeJSON(verdict.processingTime.seconds))])
        case Topics.expiry.name?:
            guard let event = try? ExpiryEvent(coer: value, limits: Inputs.coerLimits) else { return nil }
            return event.jsonValue(context.json)
        case Topics.gccf.name?:
            guard let file = try? ScmsFile(coer: value, limits: Inputs.coerLimits) else { return nil }
            return reports.scmsFile(file)
        case Topics.ballotsSubmitted.name?, Topics.ballotsAccepted.name?, Topics.ballotsRejected.name?:
            guard let form = try? BallotForm(coer: value, limits: Inputs.coerLimits) else { return nil }
            return reports.ballot(form.electorBallot, form: form.formName)
        default:
            return nil
        }
    }
}
