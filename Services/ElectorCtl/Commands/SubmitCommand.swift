import BallotCodec
import ElectorCrypto
import Kafka
import ServiceKit
import Synchronization

/// `electorctl submit`: hand ballots to the pipeline (`scms.ballots.submitted`).
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Produce ballot files to scms.ballots.submitted and report each delivery.",
        discussion: """
            Each FILE (binary COER or .hex vector text) is produced unchanged as one record. It is decoded first as any \
            of the three CAMP ballot forms (ElectorBallot, ScopedElectorBallot, UnsecuredElectorBallot); the record key \
            is the SHA-256 of the ballot's certificate (hex), so every ballot for one certificate lands in one \
            partition and keeps its order through the pipeline. With --raw the bytes are sent without decoding, keyed \
            by their own SHA-256 (for testing the intake's rejections). Prints one JSON line per delivery (file, topic, \
            partition, offset, key, digest) and a summary. Exit 0 when every record was acknowledged, 65 when a file \
            is not a ballot (nothing is sent), 69 when the broker did not acknowledge a record.
            """)

    static let arguments: [ArgumentSpec] = KafkaOptions.arguments + [
        .option("submitter", valueName: "name", help: "Sent as the scms-submitter header."),
        .option("key", valueName: "key", help: "Record key for every file instead of the certificate hash."),
        .flag("raw", help: "Send the bytes without decoding them as a ballot."),
        .option("timeout", valueName: "span", help: "How long to wait for the acknowledgements (e.g. 30s).", default: "30s"),
        .variadicArgument("files", help: "Ballot files (any of the three forms; - for standard input).", required: true),
    ]

    let kafka: KafkaOptions
    let submitter: String?
    let key: String?
    let raw: Bool
    let timeout: Swift.Duration
    let paths: [String]

    init(arguments: ParsedArguments) throws {
        kafka = try KafkaOptions(arguments)
        submitter = arguments.string("submitter")
        key = arguments.string("key")
        raw = arguments.flag("raw")
        timeout = try arguments.duration("timeout") ?? .seconds(30)
        paths = arguments.strings("files")
    }

    /// One record to send.
    struct Submission: Sendable {
        var path: String
        var bytes: [UInt8]
        var key: String
        var digest: String
        var form: String?
    }

    func run() async throws {
        // Read and check everything before sending anything.
        var submissions: [Submission] = []
        for path in paths {
            let bytes = try Inputs.bytes(path)
            let digest = HexCoding.encode(Digest.sha256(bytes))
            var recordKey = key ?? digest
            var form: String?
            if !raw {
                let decoded = try Inputs.decode(BallotForm.self, bytes, from: path)
                form = decoded.formName
                if key == nil { recordKey = HexCoding.encode(Digest.sha256(decoded.electorBallot.certificate.coerEncoded)) }
            }
            submissions.append(Submission(path: path, bytes: bytes, key: recordKey, digest: digest, form: form))
        }

        let topic = kafka.topic(Topics.ballotsSubmitted)
        let producer = try await kafkaCall("producer") { try KafkaProducer(configuration: kafka.producer("submit")) }
        let results = Mutex<[Int: Result<DeliveryReport, KafkaError>]>([:])
        for (index, submission) in submissions.enumerated() {
            var headers: [KafkaHeader] = []
            if let submitter { headers.append(PipelineHeader.submitter, submitter) }
            let message = OutgoingMessage(topic: topic, key: Array(submission.key.utf8), value: submission.bytes,
                                          headers: headers)
            try await kafkaCall("produce \(Inputs.display(submission.path))") {
                try await producer.enqueue(message) { result in results.withLock { $0[index] = result } }
            }
        }
        do {
            try await producer.flush(timeout: timeout)
        } catch {
            Output.note("not every record was acknowledged within \(timeout): \(error)")
        }
        await producer.close(timeout: .seconds(1))

        let outcomes = results.withLock { $0 }
        var delivered = 0
        for (index, submission) in submissions.enumerated() {
            var members: [(String, JSONValue)] = [("file", .string(submission.path))]
            if let form = submission.form { members.append(("form", .string(form))) }
            members += [("key", .string(submission.key)), ("digest", .string(submission.digest)),
                        ("bytes", .int(Int64(submission.bytes.count)))]
            switch outcomes[index] {
            case .success(let report)?:
                delivered += 1
                members += [("delivered", .bool(true)), ("topic", .string(report.topic)),
                            ("partition", .int(Int64(report.partition)))]
                if let offset = report.offset { members.append(("offset", .int(offset))) }
            case .failure(let error)?:
                members += [("delivered", .bool(false)), ("error", .string("\(error.name): \(error.message)"))]
            case nil:
                members += [("delivered", .bool(false)), ("error", .string("no acknowledgement within \(timeout)"))]
            }
            StandardStreams.writeOut(JSONValue.object(members).serialized() + "\n")
        }
        StandardStreams.writeOut(JSONValue.object([
            ("topic", .string(topic)), ("submitted", .int(Int64(submissions.count))),
            ("delivered", .int(Int64(delivered))),
        ]).serialized() + "\n")
        if delivered != submissions.count { throw ExitCode.unavailable }
    }
}
