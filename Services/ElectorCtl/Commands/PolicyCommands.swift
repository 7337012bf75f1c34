import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit

/// `electorctl policy`
struct PolicyGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "policy",
                                                    abstract: "Publish signed Global Policy File (GPF) updates.",
                                                    subcommands: CommandTree.policy)
    let path: [String]
    init(arguments: ParsedArguments) { path = arguments.commandPath }
    func run() async throws { throw CommandLineError(.missingSubcommand, "Missing subcommand", commandPath: path) }
}

/// `electorctl policy publish`: a PG-signed GPF carrying the elector quorum, to `scms.policy`.
struct PolicyPublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Sign a GPF with the elector quorum and produce it to scms.policy.",
        discussion: """
            Builds a SignedGlobalPolicyFile whose GlobalPolicyData carries the quorum as temporalSeriesOfElectorQuorum \
            (generation and active time: now, or --at), signs it with the Policy Generator's key, checks the result \
            against the PG certificate, and produces it to scms.policy under key 'gpf' with the scms-quorum header. \
            The validator and the assembler apply it (never below their configured floor); following relying parties \
            raise their quorum with it. With --dir the dev stack's PG key and certificate are used. Prints {topic, \
            partition, offset, quorum, sha256, generationTime}. Exit 0 delivered, 1 key and certificate do not match, 69 \
            broker unavailable.
            """)

    static let arguments: [ArgumentSpec] = KafkaOptions.arguments + [
        .option("quorum", valueName: "n", help: "The elector quorum (1-255).", required: true),
        .option("pg-key", valueName: "file", help: "The PG's private key (PKCS#8 PEM, mode 0600). Default with --dir: DIR/pg/pg.key."),
        .option("pg-cert", valueName: "file", help: "The PG's certificate. Default with --dir: DIR/pg/pg.cert."),
        .option("at", valueName: "time", help: "Generation and active time (TIME; default now)."),
        .option("out", valueName: "file", help: "Also write the signed GPF (COER) here."),
    ]

    let context: CLIContext
    let kafka: KafkaOptions
    let quorum: UInt8
    let keyPath: String
    let certificatePath: String
    let time: UInt32
    let out: String?

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        kafka = try KafkaOptions(arguments)
        quorum = UInt8(try arguments.requiredPositiveInt("quorum", max: 255))
        guard let key = arguments.string("pg-key") ?? kafka.devStack?.pgKey,
              let certificate = arguments.string("pg-cert") ?? kafka.devStack?.pgCertificate else {
            throw CommandLineError(.missingRequired, "Missing expected arguments '--pg-key <file> --pg-cert <file>' (or '--dir <dir>' of a dev stack)",
                                   commandPath: arguments.commandPath)
        }
        keyPath = key
        certificatePath = certificate
        time = try context.time(arguments, "at")
        out = arguments.string("out")
    }

    func run() async throws {
        let certificate = try Inputs.certificate(certificatePath).certificate
        let key = try Inputs.privateKey(keyPath)
        let bytes = try Self.signedGPF(quorum: quorum, time: time, certificate: certificate, key: key)
        if let out { try FileIO.writeAtomically(bytes, to: out) }

        let topic = kafka.topic(Topics.policy)
        let producer = try await kafkaCall("producer") { try KafkaProducer(configuration: kafka.producer("policy")) }
        var headers: [KafkaHeader] = []
        headers.append(PipelineHeader.quorum, String(quorum))
        let report = try await kafkaCall("produce to \(topic)") {
            try await producer.send(OutgoingMessage(topic: topic, key: Array("gpf".utf8), value: bytes, headers: headers))
        }
        await producer.close(timeout: .seconds(1))
        var members: [(String, JSONValue)] = [("topic", .string(report.topic)), ("partition", .int(Int64(report.partition)))]
        if let offset = report.offset { members.append(("offset", .int(offset))) }
        members += [("quorum", .int(Int64(quorum))), ("sha256", .string(HexCoding.encode(Digest.sha256(bytes)))),
                    ("length", .int(Int64(bytes.count))), ("generationTime", context.timeJSON(time))]
        if let out { members.append(("file", .string(out))) }
        Output.json(.object(members))
    }

    /// The signed GPF bytes, verified against `certificate` before they leave.
    static func signedGPF(quorum: UInt8, time: UInt32, certificate: Certificate, key: PrivateKey) throws -> [UInt8] {
        let signed: Ieee1609Dot2Data
        do {
            signed = try PolicyDocuments.signedGPF(quorum: quorum, generationTime: Time64(Time32(time)),
                                                   pgCertificate: certificate, pgKey: key)
        } catch {
            throw CommandFailure(.rejected, "cannot sign the GPF: \(error) (is the key the PG certificate's?)")
        }
        let bytes = signed.coerEncoded
        if case .failure(let error) = PolicyDocuments.verify(bytes, pgCertificate: certificate) {
            throw CommandFailure(.rejected, "the signed GPF does not verify against the PG certificate: \(error)")
        }
        return bytes
    }
}
