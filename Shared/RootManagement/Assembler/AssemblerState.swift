public import BallotCodec
import ElectorCrypto

// Written on the `svcb` branch: the Policy Generator's state as the gccf-assembler keeps it — a TrustEngine fed by
// validated ballots, removal ballots, GPF quorums and expiry events at their recorded times, the logical GCCF version,
// and the publication rule. Pure: no clock, no I/O.

/// What the assembler is configured with (local configuration only, never a topic).
public struct AssemblerConfiguration: Sendable {
    /// Quorum until a GPF sets one, the floor, bounds (``TrustPolicy/maxElectors`` is the elector capacity).
    public var policy: TrustPolicy
    /// Electors installed out of band.
    public var electorAnchors: [CertificateFacts]
    /// Roots installed out of band.
    public var rootAnchors: [CertificateFacts]
    /// The MA certificate every GCCF carries.
    public var maCertificate: Certificate
    /// Other component certificates every GCCF carries.
    public var certificates: [Certificate]
    /// The largest GCCF `ScmsFile` (COER bytes) to publish; root ballots are dropped, weakest first, to fit.
    public var maxFileBytes: Int

    public init(policy: TrustPolicy, electorAnchors: [CertificateFacts], rootAnchors: [CertificateFacts] = [],
                maCertificate: Certificate, certificates: [Certificate] = [], maxFileBytes: Int = 4 * 1024 * 1024) {
        self.policy = policy
        self.electorAnchors = electorAnchors
        self.rootAnchors = rootAnchors
        self.maCertificate = maCertificate
        self.certificates = certificates
        self.maxFileBytes = maxFileBytes
    }
}

/// What folding one input did.
public struct AssemblerStep: Sendable {
    /// The input may have changed the GCCF content, so the logical version went up by one.
    public var changedContent = false
    /// A ballot already folded (same ballot ID): nothing changed.
    public var duplicate = false
    /// A GPF quorum that was refused (`quorumBelowFloor`); the old quorum stays.
    public var refusedPolicy: PolicyRejection?
    /// The input's recorded time was behind the engine's time (time never moves back; it was folded at engine time).
    public var behindEngineTime = false
    /// What the engine reported (time advance and the input itself).
    public var reports: [EventReport] = []

    public init() {}
}

/// The Policy Generator's incremental state.
///
/// **Time** is the largest recorded time among the inputs folded so far (never the assembler's own clock); an input
/// recorded earlier is folded at the engine's time.
///
/// **Logical version**: every input whose engine report shows something the GCCF content depends on (a trust change,
/// a denial, a ballot decision flipping, a ballot re-assessed by the passing of time, a quorum change) counts one. The
/// count is a superset of the inputs that change the content, and a function of the input sequence only, so a replay
/// of the same sequence numbers the same way; the content at a given logical version is the same in every replay,
/// because inputs not counted cannot change it. ``preparePublication()`` compares the exact content with the last
/// published one and never publishes one version number with two contents.
public struct AssemblerState: Sendable {
    public let configuration: AssemblerConfiguration
    /// The incremental trust computation (without the elector capacity; the content applies it).
    public private(set) var engine: TrustEngine
    /// Inputs that may have changed the content since genesis (the logical version before any adjustment).
    public private(set) var logicalVersion: Int = 0
    /// Added to ``logicalVersion`` after a replay found the topic ahead of it (see ``preparePublication()``).
    public private(set) var versionOffset: Int = 0
    /// The last GCCF on the topic (from a replay of `scms.gccf`, or the last one this state published).
    public private(set) var lastPublished: PublishedVersion?
    /// Inputs folded.
    public private(set) var inputCount: Int = 0
    private var ballots: [BallotID: ElectorBallot] = [:]
    /// The quorum series of the newest GPF folded.
    private var policySeries: TemporalSeries<PolicySeries.ElectorQuorum>?
    /// Generation time (Time32) of the GPF `policySeries` came from: the GPF in force is the newest one, whatever the
    /// order GPFs arrive in.
    private var policyGenerationTime: UInt32?
    /// The series value last applied (or refused).
    private var requestedQuorum: Int?

    /// A fresh state at time 0 with `signatures` (reuse a resolver across replays: its cache makes them cheap).
    public init(configuration: AssemblerConfiguration, signatures: SignatureResolver) {
        self.configuration = configuration
        self.engine = TrustEngine(policy: configuration.policy, time: 0, electorAnchors: configuration.electorAnchors,
                                  rootAnchors: configuration.rootAnchors, signatures: signatures)
    }

    /// The version the current content carries: ``logicalVersion`` + ``versionOffset``.
    public var effectiveVersion: Int { logicalVersion + versionOffset }

    /// The engine's time.
    public var time: UInt32 { engine.time }

    /// The quorum in force.
    public var quorum: Int { engine.policy.quorum }

    /// Ballots folded.
    public var ballotCount: Int { ballots.count }

    /// Whether the ballot was folded.
    public func contains(_ ballot: BallotID) -> Bool { ballots[ballot] != nil }

    // MARK: - Folding

    /// Folds one input.
    public mutating func apply(_ input: AssemblerInput) -> AssemblerStep {
        inputCount += 1
        var step = AssemblerStep()
        var mayChange = false
        if input.recordedTime > engine.time {
            // `advance` only throws for a time behind the engine's, excluded here.
            if let report = try? engine.advance(to: input.recordedTime) {
                step.reports.append(report)
                mayChange = Self.mayChangeContent(report, timePassed: true)
            }
            mayChange = syncQuorum(&step) || mayChange
        } else if input.recordedTime < engine.time {
            step.behindEngineTime = true
        }
        switch input.payload {
        case .ballot(let analyzed, let action, let ballot):
            if ballots[analyzed.id] != nil {
                step.duplicate = true
            } else {
                ballots[analyzed.id] = ballot
                let report = engine.add(analyzed, as: action)
                step.reports.append(report)
                mayChange = Self.mayChangeContent(report, timePassed: false) || mayChange
            }
        case .policy(let series):
            // An older GPF replayed after a newer one (out of canonical order) changes nothing.
            if let newest = policyGenerationTime, input.recordedTime < newest { break }
            policyGenerationTime = input.recordedTime
            policySeries = series
            requestedQuorum = nil
            mayChange = syncQuorum(&step) || mayChange
        case .expiry:
            break
        }
        // Nothing the file holds can change while no ballot is held.
        if mayChange && !ballots.isEmpty {
            logicalVersion += 1
            step.changedContent = true
        }
        return step
    }

    /// Applies the GPF series' quorum at the engine's time when it differs from the last one asked for; true when
    /// the quorum in force changed (the chosen ballots depend on it through groundedness even when no decision flips).
    private mutating func syncQuorum(_ step: inout AssemblerStep) -> Bool {
        guard let series = policySeries else { return false }
        let wanted = Int(series.value(at: Time64(Time32(engine.time))))
        guard wanted != requestedQuorum else { return false }
        requestedQuorum = wanted
        guard wanted != engine.policy.quorum else { return false }
        do {
            step.reports.append(try engine.setQuorum(wanted))
            return true
        } catch {
            if case .policyRejected(let rejection) = error { step.refusedPolicy = rejection }
            return false
        }
    }

    /// Whether an engine report shows a change the content may depend on.
    static func mayChangeContent(_ report: EventReport, timePassed: Bool) -> Bool {
        if report.changesTrust || !report.changedDecisions.isEmpty { return true }
        // Time re-assessed ballots (a generation time no longer in the future, a validity boundary): their endorser
        // sets may have changed without a decision flipping.
        return timePassed && report.assessments > 0
    }

    // MARK: - Content and publication

    /// The exact content now: a from-scratch fixpoint with the elector capacity over the engine's inputs (signature
    /// checks come from the engine's cache), the chosen ballots, and the size limit.
    public func content() -> Result<GCCFContent, Finding> {
        var signatures = engine.signatures
        let snapshot = TrustEvaluator.evaluate(engine.inputs, policy: engine.policy, time: engine.time,
                                               signatures: &signatures)
        return GCCFContent.build(selection: ChainFileSelector.select(snapshot), ballots: ballots,
                                 maCertificate: configuration.maCertificate, certificates: configuration.certificates,
                                 maxFileBytes: configuration.maxFileBytes)
    }

    /// Records the GCCF last published on the topic (read back at a replay, or just produced).
    public mutating func notePublished(_ published: PublishedVersion?) {
        lastPublished = published
    }

    /// What to publish now, if anything.
    ///
    /// - The content is the same as the last published one: nothing (``GCCFPublicationDecision/upToDate``); when the
    ///   topic is ahead of the logical version (a replay after another instance's publications), numbering continues
    ///   from the published version.
    /// - Otherwise the content is published under the effective version; when that is not above the last published
    ///   version (a replay that counted fewer changes, or the same count with other content), numbering continues from
    ///   the last published version + 1. A version is never issued twice with different content.
    /// - Nothing was ever published and nothing changed since genesis: nothing.
    public mutating func preparePublication() -> GCCFPublicationDecision {
        let content: GCCFContent
        switch self.content() {
        case .success(let value): content = value
        case .failure(let finding): return .failed(finding)
        }
        if let last = lastPublished {
            if last.contentDigest == content.contentDigest {
                if effectiveVersion < Int(last.version) { versionOffset = Int(last.version) - logicalVersion }
                return .upToDate(content)
            }
            if effectiveVersion <= Int(last.version) { versionOffset = Int(last.version) + 1 - logicalVersion }
        } else if effectiveVersion == 0 {
            return .upToDate(content)
        }
        guard effectiveVersion <= Int(UInt16.max) else {
            return .failed(Finding(.versionExhausted, "GCCF version \(effectiveVersion) does not fit a Uint16"))
        }
        return .publish(GCCFPublication(version: UInt16(effectiveVersion), content: content))
    }
}

/// The outcome of ``AssemblerState/preparePublication()``.
public enum GCCFPublicationDecision: Sendable {
    /// The last published GCCF already has this content.
    case upToDate(GCCFContent)
    /// Publish this file.
    case publish(GCCFPublication)
    /// The content cannot be published (`versionExhausted`, or a file over the size limit even without root ballots).
    case failed(Finding)
}

/// A GCCF to publish: its version, content and bytes.
public struct GCCFPublication: Sendable {
    public var version: UInt16
    public var content: GCCFContent
    /// The `ScmsFile`.
    public var file: ScmsFile
    /// Its COER bytes.
    public var bytes: [UInt8]

    public init(version: UInt16, content: GCCFContent) {
        self.version = version
        self.content = content
        self.file = content.file(version: version)
        self.bytes = file.coerEncoded
    }

    /// The version and content digest to remember.
    public var published: PublishedVersion { PublishedVersion(version: version, contentDigest: content.contentDigest) }
}

/// A root ballot left out so the file fits the size limit.
public struct SizeDroppedBallot: Sendable, Hashable {
    public var ballot: BallotID
    public var target: CertificateID?
    /// Its encoded size.
    public var bytes: Int
}

/// The content of a GCCF (everything but the version): the chosen ballots, the MA certificate, the other certificates.
public struct GCCFContent: Sendable {
    /// The `CertificateStore`.
    public var store: CertificateStore
    /// SHA-256 of the store's COER: equal digests mean equal files up to the version.
    public var contentDigest: [UInt8]
    /// What went in and what stayed out (decisions, capacity).
    public var selection: ChainFileSelection
    /// Root ballots left out to fit the size limit, weakest first.
    public var sizeDropped: [SizeDroppedBallot]
    /// Valid elector ballots whose targets were not admitted because of the elector capacity, sorted.
    public var capacityExceeded: [BallotID]

    /// The file with `version`.
    public func file(version: UInt16) -> ScmsFile {
        ScmsFile(content: .certChain(.globalCertificateChainFile(GlobalCertificateChainFile(version: version,
                                                                                            certStore: store))))
    }

    /// Builds the content of `selection`: ballots in selection order, other certificates sorted by SHA-256 and
    /// de-duplicated, then root ballots dropped (fewest endorsers, then oldest, then largest ballot ID first) until the
    /// file fits `maxFileBytes`. Fails (`malformed`, with a detail saying why) when a chosen ballot is not in `ballots`
    /// or when even the file without root ballots is too large.
    public static func build(selection: ChainFileSelection, ballots: [BallotID: ElectorBallot], maCertificate: Certificate,
                             certificates: [Certificate], maxFileBytes: Int) -> Result<GCCFContent, Finding> {
        var roots: [(BallotID, ElectorBallot)] = []
        var electors: [ElectorBallot] = []
        for id in selection.rootBallots {
            guard let ballot = ballots[id] else { return .failure(Finding(.malformed, "ballot \(id.hex) not held")) }
            roots.append((id, ballot))
        }
        for id in selection.electorBallots {
            guard let ballot = ballots[id] else { return .failure(Finding(.malformed, "ballot \(id.hex) not held")) }
            electors.append(ballot)
        }
        var seen = Set<[UInt8]>()
        let others = certificates.map { (Digest.sha256($0.coerEncoded), $0) }
            .sorted { $0.0.lexicographicallyPrecedes($1.0) }
            .filter { seen.insert($0.0).inserted }.map(\.1)
        let snapshot = selection.snapshot
        let capacity = snapshot.decisions.values
            .filter { $0.findings.contains { $0.code == .electorCapacityExceeded } }
            .map(\.ballot).sorted()

        func store(_ roots: [(BallotID, ElectorBallot)]) -> CertificateStore {
            CertificateStore(rootCAEndorsements: roots.map(\.1), electorEndorsements: electors,
                             maCertificate: maCertificate, certs: others)
        }
        var current = store(roots)
        var size = fileSize(current)
        var dropped: [SizeDroppedBallot] = []
        if size > maxFileBytes {
            // Weakest first: fewest valid endorsers, then oldest generation time, then largest ballot ID.
            func strength(_ id: BallotID) -> (Int, UInt32) {
                (snapshot.decisions[id]?.endorserCount ?? 0, snapshot.entries[id]?.ballot.statement?.generationTime ?? 0)
            }
            let weakestFirst = roots.map(\.0).sorted { a, b in
                let sa = strength(a), sb = strength(b)
                if sa.0 != sb.0 { return sa.0 < sb.0 }
                if sa.1 != sb.1 { return sa.1 < sb.1 }
                return b < a
            }
            var removed = Set<BallotID>()
            for id in weakestFirst where size > maxFileBytes {
                guard let ballot = roots.first(where: { $0.0 == id })?.1 else { continue }
                let bytes = ballot.coerEncoded.count
                removed.insert(id)
                dropped.append(SizeDroppedBallot(ballot: id, target: snapshot.decisions[id]?.target, bytes: bytes))
                size -= bytes
            }
            roots.removeAll { removed.contains($0.0) }
            current = store(roots)
            size = fileSize(current)
            // The sequence-of length prefix can shrink a little more; it never grows, so one pass suffices unless
            // the electors and certificates alone are too large.
            if size > maxFileBytes {
                return .failure(Finding(.malformed,
                    "GCCF of \(size) bytes exceeds \(maxFileBytes) bytes even without root ballots"))
            }
        }
        return .success(GCCFContent(store: current, contentDigest: Digest.sha256(current.coerEncoded),
                                    selection: selection, sizeDropped: dropped, capacityExceeded: capacity))
    }

    /// The size of the file holding `store` (version 65535: the widest, all versions encode alike in 2 bytes).
    static func fileSize(_ store: CertificateStore) -> Int {
        ScmsFile(content: .certChain(.globalCertificateChainFile(GlobalCertificateChainFile(version: UInt16.max,
                                                                                            certStore: store))))
            .coerEncoded.count
    }
}
