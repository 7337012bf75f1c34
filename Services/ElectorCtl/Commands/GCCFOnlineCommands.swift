import BallotCodec
import ElectorCrypto
import Kafka
import RootManagement
import ServiceKit

/// A GCCF record of `scms.gccf`: its bytes and version.
struct GCCFRecord: Sendable {
    var bytes: [UInt8]
    var version: UInt16
    var offset: Int64
    var contentDigest: String

    /// The record, or nil when it is not a decodable GCCF (reported, then skipped).
    init?(_ record: ConsumedMessage) {
        guard let value = record.value else { return nil }
        let file: ScmsFile
        do {
            file = try ScmsFile(coer: value, limits: Inputs.coerLimits)
        } catch {
            Output.note("\(record.topic)[\(record.partition)]@\(record.offset): not a GCCF (\(error)); skipped")
            return nil
        }
        guard let gccf = file.globalCertificateChainFile else {
            Output.note("\(record.topic)[\(record.partition)]@\(record.offset): not a GCCF ScmsFile; skipped")
            return nil
        }
        bytes = value
        version = gccf.version
        offset = record.offset
        contentDigest = HexCoding.encode(Digest.sha256(value))
    }
}

/// `electorctl gccf fetch`: the newest GCCF from `scms.gccf`, to a file.
struct GCCFFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Write the newest GCCF of scms.gccf to a file (waiting for a minimum version if asked).",
        discussion: """
            Reads scms.gccf from the beginning and keeps the GCCF with the highest version; with --min-version it keeps \
            following until a GCCF of at least that version arrives or --timeout passes. The file is written \
            atomically. Prints {file, version, length, sha256, offset}. The file is not validated: do that with \
            'gccf verify' (or use 'gccf follow'). Exit 0 written, 1 no GCCF (of that version) before the timeout, 69 \
            broker unavailable.
            """)

    static let arguments: [ArgumentSpec] = KafkaOptions.arguments + [
        .option("out", valueName: "file", help: "Where to write the GCCF (COER).", required: true),
        .option("min-version", valueName: "n", help: "Wait for a GCCF of at least this version."),
        .option("timeout", valueName: "span", help: "How long to wait for it (e.g. 30s).", default: "30s"),
    ]

    let kafka: KafkaOptions
    let out: String
    let minVersion: Int?
    let timeout: Swift.Duration

    init(arguments: ParsedArguments) throws {
        kafka = try KafkaOptions(arguments)
        out = try arguments.requiredString("out")
        minVersion = try arguments.positiveInt("min-version")
        timeout = try arguments.duration("timeout") ?? .seconds(30)
    }

    func run() async throws {
        let follower = TopicFollower(topics: [kafka.topic(Topics.gccf)], settings: kafka.settings("fetch"), logger: kafka.logger)
        var best: GCCFRecord?
        func consider(_ record: ConsumedMessage) {
            guard let gccf = GCCFRecord(record) else { return }
            if best.map({ gccf.version > $0.version }) ?? true { best = gccf }
        }
        try await kafkaCall("reading \(follower.topics[0])") {
            try await withDeadline(timeout, stopping: follower) {
                if let minVersion {
                    try await follower.run { record in
                        consider(record)
                        if let best, Int(best.version) >= minVersion { follower.stop() }
                    }
                } else {
                    try await follower.readToEnd { consider($0) }
                }
            }
        }
        guard let best, Int(best.version) >= (minVersion ?? 0) else {
            let wanted = minVersion.map { " of version \($0) or later" } ?? ""
            let newest = best.map { " (newest: version \($0.version))" } ?? ""
            throw CommandFailure(.rejected, "no GCCF\(wanted) on \(follower.topics[0]) within \(timeout)\(newest)")
        }
        try FileIO.writeAtomically(best.bytes, to: out)
        Output.json(.object([("file", .string(out)), ("version", .int(Int64(best.version))),
                             ("length", .int(Int64(best.bytes.count))), ("sha256", .string(best.contentDigest)),
                             ("offset", .int(best.offset))]))
    }
}

/// Runs `body`; after `timeout` the follower is told to stop, which makes `body`'s follow loop return.
func withDeadline(_ timeout: Swift.Duration, stopping follower: TopicFollower,
                  _ body: () async throws -> Void) async throws {
    let timer = Task {
        try await Task.sleep(for: timeout)
        follower.stop()
    }
    defer { timer.cancel() }
    do {
        try await body()
    } catch is CancellationError where timer.isCancelled == false {
        // The follower stopped while still waiting for its topic: the deadline passed.
    }
}

/// `electorctl gccf follow`: a relying party following `scms.gccf` into a trust store.
struct GCCFFollowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow",
        abstract: "Follow scms.gccf as a relying party: validate every new GCCF into a trust store.",
        discussion: """
            The relying party of 'gccf verify --state', fed from Kafka. Each GCCF newer than the trust store's version \
            is validated at the time it arrives (anti-rollback, the elector fixpoint from the anchors plus electors \
            admitted earlier, roots re-evaluated) and an accepted one is committed atomically; older versions (a \
            replay of the topic) are skipped, a version that does not validate is reported and leaves the store \
            unchanged. With --pg-cert (from --dir by default) it also follows scms.policy: a GPF signed by that PG \
            certificate raises the quorum (never lowers it). It also follows the removal verdicts on \
            scms.ballots.validated (removeElector, removeRoot) as its CRL and judges them itself (--no-removals turns \
            this off). A raised quorum or a new removal re-evaluates the last accepted GCCF. Prints one JSON line per \
            event; with --once it stops once caught up. Runs until SIGINT/SIGTERM.
            """)

    static let arguments: [ArgumentSpec] = KafkaOptions.arguments + [
        .option("anchors", valueName: "dir", help: Anchors.help + " Default with --dir: DIR/anchors."),
        .option("state", valueName: "dir", help: "Trust-store directory (state.json, trusted/, last-accepted.coer).",
                required: true),
        .option("quorum", valueName: "n", help: "Quorum for a new trust store (or to raise a stored one); default: the GPF's."),
        .option("pg-cert", valueName: "file", help: "The PG certificate GPFs must be signed by. Default with --dir: DIR/pg/pg.cert."),
        .flag("no-removals", help: "Do not follow removal verdicts from scms.ballots.validated."),
        .flag("once", help: "Stop after catching up with the topics."),
    ]

    let context: CLIContext
    let kafka: KafkaOptions
    let anchorsDirectory: String
    let stateDirectory: String
    let quorum: Int?
    let pgCertificatePath: String?
    let removals: Bool
    let once: Bool

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        kafka = try KafkaOptions(arguments)
        guard let anchors = arguments.string("anchors") ?? kafka.devStack?.anchorsDirectory else {
            throw CommandLineError(.missingRequired, "Missing expected argument '--anchors <dir>' (or '--dir <dir>' of a dev stack)",
                                   commandPath: arguments.commandPath)
        }
        anchorsDirectory = anchors
        stateDirectory = try arguments.requiredString("state")
        quorum = try arguments.positiveInt("quorum")
        pgCertificatePath = arguments.string("pg-cert") ?? kafka.devStack?.pgCertificate
        removals = !arguments.flag("no-removals")
        once = arguments.flag("once")
    }

    func run() async throws {
        let processor = RelyingPartyProcessor(context: context, anchors: try Anchors(directory: anchorsDirectory),
                                              anchorsDirectory: anchorsDirectory,
                                              store: TrustStore(directory: stateDirectory), lowerQuorum: .keepStored)
        let pgCertificate = try pgCertificatePath.map { try Inputs.certificate($0).certificate }
        var topics = [kafka.topic(Topics.gccf)]
        if pgCertificate != nil { topics.append(kafka.topic(Topics.policy)) }
        if removals { topics.append(kafka.topic(Topics.ballotsValidated)) }
        let party = FollowingParty(processor: processor, context: context, configuredQuorum: quorum,
                                   pgCertificate: pgCertificate, gccfTopic: kafka.topic(Topics.gccf),
                                   policyTopic: kafka.topic(Topics.policy), validatedTopic: kafka.topic(Topics.ballotsValidated))

        // The policy in force first (a new trust store takes its quorum from it), then catch up with everything
        // (re-evaluating only once at the end), then follow: the later passes replay what the earlier ones saw, which
        // is skipped (older versions, known policies and removals).
        if pgCertificate != nil {
            let policy = TopicFollower(topics: [kafka.topic(Topics.policy)], settings: kafka.settings("follow"),
                                       logger: kafka.logger)
            try await kafkaCall("reading \(policy.topics[0])") {
                try await policy.readToEnd { try party.handle($0, live: false) }
            }
        }
        let catchUp = TopicFollower(topics: topics, settings: kafka.settings("follow"), logger: kafka.logger)
        try await kafkaCall("reading \(topics.joined(separator: ", "))") {
            try await catchUp.readToEnd { try party.handle($0, live: false) }
        }
        try party.reevaluateIfNeeded()
        party.emit(.object([("event", .string("caughtUp")), ("gccfVersion", party.acceptedVersion.map { .int(Int64($0)) } ?? .null),
                            ("quorum", party.quorum.map { .int(Int64($0)) } ?? .null),
                            ("removalBallots", .int(Int64(party.removalBallots.count)))]))
        if once { return }

        let follower = TopicFollower(topics: topics, settings: kafka.settings("follow"), logger: kafka.logger)
        let signals = UnixSignalsSequence(trapping: .sigterm, .sigint)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals { break }
                follower.stop()
            }
            try await kafkaCall("following \(topics.joined(separator: ", "))") {
                try await follower.run { try party.handle($0, live: true) }
            }
            signals.finish()
            group.cancelAll()
        }
    }
}

/// The state of a following relying party between records: the newest verified policy quorum, the removal ballots
/// seen, and the last GCCF accepted (to re-evaluate it when the quorum rises or a removal arrives).
///
/// A class used by one task only (the follow loop); its handlers run one record at a time.
final class FollowingParty {
    let processor: RelyingPartyProcessor
    let context: CLIContext
    let configuredQuorum: Int?
    let pgCertificate: Certificate?
    let gccfTopic: String
    let policyTopic: String
    let validatedTopic: String

    /// The highest quorum of a verified GPF.
    var policyQuorum: Int?
    /// Removal ballots by digest, in arrival order.
    var removalBallots: [(digest: String, type: EndorsementType, ballot: ElectorBallot)] = []
    /// The last GCCF accepted (or found already accepted in the store), and whether inputs changed since.
    var accepted: GCCFRecord?
    var stale = false
    private var knownPolicies: Set<[UInt8]> = []

    init(processor: RelyingPartyProcessor, context: CLIContext, configuredQuorum: Int?, pgCertificate: Certificate?,
         gccfTopic: String, policyTopic: String, validatedTopic: String) {
        self.processor = processor
        self.context = context
        self.configuredQuorum = configuredQuorum
        self.pgCertificate = pgCertificate
        self.gccfTopic = gccfTopic
        self.policyTopic = policyTopic
        self.validatedTopic = validatedTopic
    }

    var acceptedVersion: UInt16? { accepted?.version }

    /// The quorum to apply: the larger of the configured one and the GPF's.
    var quorum: Int? {
        switch (configuredQuorum, policyQuorum) {
        case (let a?, let b?): return max(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (nil, nil): return nil
        }
    }

    func emit(_ value: JSONValue) { StandardStreams.writeOut(value.serialized() + "\n") }

    /// Handles one record; `live` re-evaluates at once when the quorum rises or a removal arrives.
    func handle(_ record: ConsumedMessage, live: Bool) throws {
        switch record.topic {
        case gccfTopic: try handleGCCF(record)
        case policyTopic: handlePolicy(record)
        case validatedTopic: handleVerdict(record)
        default: return
        }
        if live { try reevaluateIfNeeded() }
    }

    private func handleGCCF(_ record: ConsumedMessage) throws {
        guard let gccf = GCCFRecord(record) else { return }
        let stored = try processor.store?.load()
        if let last = stored?.lastGCCFVersion, gccf.version <= last {
            if gccf.version == last {
                accepted = gccf   // what the store holds: the file to re-evaluate later
            }
            return
        }
        let outcome = try processor.process(gccf.bytes, from: "\(gccfTopic)@\(gccf.offset)", crl: crl,
                                            quorum: quorum, time: try context.now())
        emit(Self.event("gccf", outcome.report, offset: gccf.offset))
        if outcome.accepted {
            accepted = gccf
            stale = false
        }
    }

    private func handlePolicy(_ record: ConsumedMessage) {
        guard let pgCertificate, let value = record.value, knownPolicies.insert(Digest.sha256(value)).inserted else { return }
        switch PolicyDocuments.verify(value, pgCertificate: pgCertificate) {
        case .failure(let error):
            emit(.object([("event", .string("policy")), ("offset", .int(record.offset)), ("accepted", .bool(false)),
                          ("reason", .string(error.reason.rawValue)), ("detail", .string(error.detail))]))
        case .success(let policy):
            let now = Time64(Time32((try? context.now()) ?? 0))
            let value = policy.quorum(at: now)
            let raised = policyQuorum.map { value > $0 } ?? true
            if raised {
                if let current = quorum, value > current, accepted != nil { stale = true }
                policyQuorum = value
            }
            emit(.object([("event", .string("policy")), ("offset", .int(record.offset)), ("accepted", .bool(true)),
                          ("quorum", .int(Int64(value))), ("applied", .bool(raised))]))
        }
    }

    private func handleVerdict(_ record: ConsumedMessage) {
        guard let type = record.headerText(PipelineHeader.type), type == "removeElector" || type == "removeRoot",
              let value = record.value else { return }
        let verdict: ValidatedBallot
        do {
            verdict = try ValidatedBallot(coer: value, limits: Inputs.coerLimits)
        } catch {
            Output.note("\(validatedTopic)@\(record.offset): not a ValidatedBallot (\(error)); skipped")
            return
        }
        let digest = HexCoding.encode(verdict.ballotDigest.bytes)
        guard !removalBallots.contains(where: { $0.digest == digest }) else { return }
        removalBallots.append((digest, verdict.type, verdict.ballot))
        if accepted != nil { stale = true }
        emit(.object([("event", .string("removal")), ("offset", .int(record.offset)), ("type", .string(type)),
                      ("ballot", .string(digest)),
                      ("target", .string(HexCoding.encode(verdict.targetHash.bytes)))]))
    }

    /// The removal ballots as the CompositeCrl that accompanies every GCCF.
    var crl: CompositeCrl? {
        guard !removalBallots.isEmpty else { return nil }
        return CompositeCrl(securedCrlSeries: [],
                            revokedRootCAs: removalBallots.filter { $0.type == .removeRoot }.map(\.ballot),
                            revokedElectors: removalBallots.filter { $0.type == .removeElector }.map(\.ballot))
    }

    /// Re-applies the last accepted GCCF when the quorum rose or a removal arrived after it was accepted: the same
    /// file under the new inputs (its version check is relaxed for exactly that file).
    func reevaluateIfNeeded() throws {
        guard stale, let accepted else { return }
        stale = false
        let outcome = try processor.process(accepted.bytes, from: "\(gccfTopic)@\(accepted.offset)", crl: crl,
                                            quorum: quorum, time: try context.now(), reevaluating: accepted.version)
        emit(Self.event("reevaluated", outcome.report, offset: accepted.offset))
    }

    static func event(_ name: String, _ report: JSONValue, offset: Int64) -> JSONValue {
        guard case .object(let members) = report else { return report }
        return .object([("event", .string(name)), ("offset", .int(offset))] + members)
    }
}
