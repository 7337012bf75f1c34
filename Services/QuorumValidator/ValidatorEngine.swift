import BallotCodec
import ElectorCrypto
import Foundation
import RootManagement
import ServiceKit
import Synchronization

/// The certificates of an anchors directory (`.cert`, `.coer`, `.oer` binary COER; `.hex` vector text), split into
/// elector and root anchors by profile.
struct AnchorSet: Sendable {
    var electors: [CertificateFacts] = []
    var roots: [CertificateFacts] = []

    static let extensions: Set<String> = ["cert", "coer", "oer", "hex"]

    /// Loads `directory`; throws a message naming the file on anything unreadable, and when no elector anchor is found.
    static func load(_ directory: String, options: ProfileOptions) throws -> AnchorSet {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        var set = AnchorSet()
        for name in names {
            guard let ext = name.split(separator: ".").last.map(String.init), extensions.contains(ext) else { continue }
            let path = directory + "/" + name
            var bytes = try FileIO.read(path, limit: 1 << 20)
            if ext == "hex" {
                guard let text = String(validating: bytes, as: UTF8.self) else { throw AnchorError("\(path): not UTF-8 hex text") }
                bytes = try Hex.decodeVectorText(text)
            }
            let certificate: Certificate
            do {
                certificate = try Certificate(coer: bytes)
            } catch {
                throw AnchorError("\(path): not a certificate: \(error)")
            }
            let facts = CertificateAnalysis.facts(certificate, options: options)
            switch facts.role {
            case .elector: set.electors.append(facts)
            case .root: set.roots.append(facts)
            default: throw AnchorError("\(path): neither an elector nor a root certificate: \(facts.profileProblems.joined(separator: "; "))")
            }
        }
        guard !set.electors.isEmpty else { throw AnchorError("\(directory): no elector certificates (.cert, .coer, .oer, .hex)") }
        return set
    }
}

struct AnchorError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Why a GCCF was not folded into the trust view.
struct GCCFRefusal: Error, Sendable {
    var findings: [Finding]
}

/// What the validator decided about one accepted ballot.
enum Verdict: Sendable {
    case accepted(ValidatedBallot, digest: String, type: EndorsementAction)
    case rejected(reason: String, reasons: [String], detail: String)
    case duplicate
}

/// The validator's state and rules: the trust view (a RelyingParty fold over `scms.gccf` from the configured anchors),
/// the quorum (latest valid GPF, never below the floor), the digests already validated, and the decision itself.
/// One actor so the signature cache is shared by the fold and the decisions.
actor ValidatorEngine {
    private var party: RelyingPartyState
    private let basePolicy: TrustPolicy
    private let options: ProfileOptions
    private let pgCertificate: Certificate?
    private let verifier = CachingSignatureVerifier()
    private var signatures: SignatureResolver
    private var analysis: CachedBallotAnalysis
    private var policy: VerifiedPolicy?
    private var policyDigests: Set<[UInt8]> = []
    /// Digests already validated, at most `validated-digests` (the oldest forgotten first); shared with the follower
    /// that learns them from `scms.ballots.validated`, without an actor hop.
    nonisolated let validated: RecentDigests
    /// Cached signature results before the cache starts over (`signature-cache-entries`).
    private let signatureCacheLimit: Int
    /// Cached signature results now, for the metric.
    nonisolated let signatureCacheEntries = Atomic<Int>(0)
    /// Bumped whenever `party` changes, to invalidate the cached view.
    private var partyGeneration = 0
    private var cachedView: (generation: Int, trusted: [CertificateID], view: TrustView)?
    private let logger: Logger

    init(anchors: AnchorSet, policy: TrustPolicy, pgCertificate: Certificate?, options: ProfileOptions, logger: Logger,
         validatedDigests: Int = 20_000, signatureCacheLimit: Int = 20_000) {
        self.validated = RecentDigests(capacity: validatedDigests)
        self.signatureCacheLimit = signatureCacheLimit
        self.party = RelyingPartyState(policy: policy, electorAnchors: anchors.electors, rootAnchors: anchors.roots)
        self.basePolicy = policy
        self.options = options
        self.pgCertificate = pgCertificate
        self.logger = logger
        self.signatures = SignatureResolver(verifier: verifier)
        self.analysis = CachedBallotAnalysis(options: options)
    }

    // MARK: Inputs

    /// Folds one `scms.gccf` record; returns the accepted version, nil when refused or not a GCCF.
    ///
    /// The trust view is the electors a ballot may count, so only the GCCF's elector endorsements are folded (root
    /// endorsements and component certificates decide nothing here; they do not touch the electors or the deny
    /// list), and each elector ballot is analyzed once across GCCFs (cached by its ballot ID).
    @discardableResult
    func applyGCCF(_ bytes: [UInt8], at time: UInt32) -> Result<UInt16, GCCFRefusal> {
        let file: ScmsFile
        do {
            file = try ScmsFile(coer: bytes)
        } catch {
            return .failure(GCCFRefusal(findings: [Finding(error.reason == .nonCanonical ? .nonCanonical : .malformed,
                                                           error.description)]))
        }
        guard file.version == 1 else {
            return .failure(GCCFRefusal(findings: [Finding(.wrongProtocolVersion, "ScmsFile version \(file.version)")]))
        }
        guard let gccf = file.globalCertificateChainFile else {
            let kind = file.localCertificateChainFile == nil ? "not a certificate chain file" : "an LCCF on scms.gccf"
            return .failure(GCCFRefusal(findings: [Finding(.wrongFileKind, kind)]))
        }
        let version = gccf.version
        var analyzedNow: [BallotID: AnalyzedBallot] = [:]
        let electors = gccf.certStore.electorEndorsements.map { ballot -> AnalyzedBallot in
            let id = BallotAnalysis.ballotID(ballot)
            let analyzed = chainFileBallots[id] ?? analysis.analyze(ballot)
            analyzedNow[id] = analyzed
            return analyzed
        }
        let received = ReceivedChainFile(version: .gccf(version), rootBallots: [], electorBallots: electors)
        switch RelyingParty.apply(received, to: party, at: time, signatures: &signatures) {
        case .failure(let rejection):
            return .failure(GCCFRefusal(findings: rejection.findings))
        case .success(let update):
            party = update.state
            partyGeneration += 1
            chainFileBallots = analyzedNow
            return .success(version)
        }
    }

    /// The elector ballots of the last GCCF folded, analyzed, by ballot ID: a ballot the next GCCF carries again is
    /// not analyzed again, and the cache never holds more than one file's elector ballots.
    private var chainFileBallots: [BallotID: AnalyzedBallot] = [:]

    /// Takes one `scms.policy` record: a signed GPF from the configured PG. Older GPFs (by generation time) than the
    /// one in force are ignored; any quorum value below the floor refuses the whole GPF.
    func applyPolicy(_ bytes: [UInt8]) -> Result<Int, PolicyDocumentError>? {
        guard let pgCertificate else { return nil }
        switch PolicyDocuments.verify(bytes, pgCertificate: pgCertificate) {
        case .failure(let error):
            return .failure(error)
        case .success(let verified):
            guard policyDigests.insert(verified.digest).inserted else { return nil }
            let values = [verified.quorumSeries.initial] + verified.quorumSeries.intervals.map(\.value)
            if let low = values.first(where: { Int($0) < basePolicy.minimumQuorum }) {
                return .failure(PolicyDocumentError(.invalidQuorum,
                    "quorum \(low) is below the floor \(basePolicy.minimumQuorum) (quorumBelowFloor)"))
            }
            if let current = policy, current.generationTime >= verified.generationTime { return nil }
            policy = verified
            return .success(Int(verified.quorumSeries.initial))
        }
    }

    /// Learns a digest already on `scms.ballots.validated`.
    nonisolated func learnValidated(_ digest: String) { _ = validated.insert(digest) }

    // MARK: Decisions

    /// The policy in force at `time`: the GPF's quorum (or the configured one before any GPF).
    func policy(at time: UInt32) -> TrustPolicy {
        guard let policy else { return basePolicy }
        let quorum = policy.quorum(at: Time64(Time32(time)))
        return (try? basePolicy.withQuorum(quorum).get()) ?? basePolicy
    }

    /// Trusted electors at `time`.
    func trustedElectorCount(at time: UInt32) -> Int { party.trustedElectors(at: time).count }

    /// The last accepted GCCF version.
    var gccfVersion: UInt16? { party.lastGCCFVersion }

    /// Real signature verifications so far.
    var signatureVerifications: Int { signatures.verifications }

    /// Decides canonical ballots at `time`, in order (later ones see the digests the earlier ones validated).
    func decide(_ ballots: [(bytes: [UInt8], digest: String?)], at time: UInt32) -> [Verdict] {
        ballots.map { decide($0.bytes, digest: $0.digest, at: time) }
    }

    /// Decides one canonical ballot at `time`.
    func decide(_ bytes: [UInt8], digest declaredDigest: String?, at time: UInt32) -> Verdict {
        let ballot: ElectorBallot
        do {
            ballot = try ElectorBallot(coer: bytes)
        } catch {
            return .rejected(reason: error.reason == .nonCanonical ? "nonCanonical" : "malformed", reasons: [],
                             detail: error.description)
        }
        let digestBytes = Digest.sha256(bytes)
        let digest = Hex.encode(digestBytes)
        if let declaredDigest, declaredDigest != digest {
            logger.warning("scms-digest header does not match the ballot; using the computed digest",
                           metadata: ["header": .string(declaredDigest), "computed": .string(digest)])
        }
        if validated.contains(digest) { return .duplicate }
        if signatures.cachedResults > signatureCacheLimit { signatures = SignatureResolver(verifier: verifier) }
        defer { signatureCacheEntries.store(signatures.cachedResults, ordering: .relaxed) }
        // The bytes decoded (strict COER, so they are the canonical encoding): their digest is the ballot ID.
        let analyzed = analysis.analyze(ballot, id: BallotID(uncheckedBytes: digestBytes))
        let expected = analyzed.statement?.action ?? analyzed.endorsements.compactMap { $0.statement?.action }.first
            ?? .addElector
        let policy = self.policy(at: time)
        let decision = BallotEvaluator.evaluate(analyzed, expected: expected, view: view(at: time), time: time,
                                                policy: policy, signatures: &signatures)
        guard decision.accepted, let target = decision.target else {
            let reasons = decision.findings.map { $0.key.description }
            let primary = Self.primaryReason(decision.findings)
            let detail = decision.findings.map(\.description).joined(separator: "; ")
            return .rejected(reason: primary, reasons: Self.unique(reasons), detail: detail)
        }
        validated.insert(digest)
        let record = ValidatedBallot(ballot: ballot, type: EndorsementType(rawValue: expected.rawValue),
                                     targetHash: HashedId32(uncheckedBytes: target.bytes),
                                     ballotDigest: HashedId32(uncheckedBytes: digestBytes),
                                     processingTime: Time32(time), quorum: UInt8(clamping: decision.quorum),
                                     endorsers: decision.endorsers.sorted().map { HashedId32(uncheckedBytes: $0.bytes) })
        return .accepted(record, digest: digest, type: expected)
    }

    /// The trust view at `time`, rebuilt only when the trusted set or the fold changed.
    private func view(at time: UInt32) -> TrustView {
        let trusted = party.trustedElectors(at: time)
        if let cached = cachedView, cached.generation == partyGeneration, cached.trusted == trusted { return cached.view }
        var view = TrustView(denyList: party.denyList)
        let all = party.electorAnchors + party.admittedElectors.map(\.facts)
        let trustedSet = Set(trusted)
        for facts in all {
            if trustedSet.contains(facts.id) { view.trust(facts) } else { view.learn(facts) }
        }
        cachedView = (partyGeneration, trusted, view)
        return view
    }

    /// The code for `scms-reason`: the first finding that rejects whatever the quorum (ballot-level first), else
    /// `insufficientQuorum`, else the first finding.
    static func primaryReason(_ findings: [Finding]) -> String {
        let sorted = findings.sorted()
        if let fatal = sorted.first(where: { $0.endorsementIndex == nil && $0.code != .insufficientQuorum }) {
            return fatal.code.rawValue
        }
        if let inconsistent = sorted.first(where: { $0.code == .inconsistentEndorsements }) { return inconsistent.code.rawValue }
        if sorted.contains(where: { $0.code == .insufficientQuorum }) { return ReasonCode.insufficientQuorum.rawValue }
        return sorted.first?.code.rawValue ?? ReasonCode.insufficientQuorum.rawValue
    }

    static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
