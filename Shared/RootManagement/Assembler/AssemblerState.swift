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
    /// Whether ballots that another held ballot supersedes (``SupersessionProfile``) are forgotten, which bounds the
    /// state by the targets instead of the ballots ever folded. Off only to check that it changes no content.
    public var forgetsSupersededBallots: Bool

    public init(policy: TrustPolicy, electorAnchors: [CertificateFacts], rootAnchors: [CertificateFacts] = [],
                maCertificate: Certificate, certificates: [Certificate] = [], maxFileBytes: Int = 4 * 1024 * 1024,
                forgetsSupersededBallots: Bool = true) {
        self.policy = policy
        self.electorAnchors = electorAnchors
        self.rootAnchors = rootAnchors
        self.maCertificate = maCertificate
        self.certificates = certificates
        self.maxFileBytes = maxFileBytes
        self.forgetsSupersededBallots = forgetsSupersededBallots
    }
}

/// What folding one input did.
public struct AssemblerStep: Sendable {
    /// The input changed the GCCF content (everything but the version), so the logical version went up by one.
    public var changedContent = false
    /// A ballot already folded (same ballot ID): nothing changed.
    public var duplicate = false
    /// A GPF quorum that was refused (`quorumBelowFloor`); the old quorum stays.
    public var refusedPolicy: PolicyRejection?
    /// The input's recorded time was behind the engine's time (time never moves back; it was folded at engine time).
    public var behindEngineTime = false
    /// What the engine reported (time advance and the input itself).
    public var reports: [EventReport] = []
    /// The input's ballot was not kept: a held ballot for the same target supersedes it (it could never be chosen).
    public var superseded = false
    /// Held ballots the input's ballot supersedes, now forgotten.
    public var retired: [AnalyzedBallot] = []

    public init() {}

    /// Every ballot this step left the state without, `input` being the input folded: the input's own ballot when it
    /// was superseded on arrival, and the ones it retired. (A duplicate leaves nothing: its copy is held.)
    public func forgotten(of input: AssemblerInput) -> [AnalyzedBallot] {
        guard superseded, case .ballot(let analyzed, _, _) = input.payload else { return retired }
        return retired + [analyzed]
    }
}

/// The Policy Generator's incremental state.
///
/// **Time** is the largest recorded time among the inputs folded so far (never the assembler's own clock); an input
/// recorded earlier is folded at the engine's time.
///
/// **Logical version**: the number of inputs, in fold order, after which the GCCF content (the file without its
/// version) differs from the content before them. It is a function of the content history only: a duplicate, a
/// redelivery, an expiry event or a quorum that changes nothing in the file never counts, and a replay of the same
/// inputs numbers every content the same way, wherever publications happen. ``preparePublication()`` publishes the
/// newest content under that number (so published versions may skip the numbers of contents superseded before they
/// were published) and never publishes one version number with two contents.
///
/// **Elector capacity**: electors are admitted in the order the fold first trusted them (``admissionOrder``: the
/// input's position in the fold, ties by certificate ID); at ``TrustPolicy/maxElectors`` the later ones are refused
/// with `electorCapacityExceeded`, so an elector admitted earlier is never displaced by a newcomer.
///
/// The content is kept incrementally (``ContentTracker``): an input re-selects only the root targets it touched and
/// recomputes the (small) elector part only when something electors depend on changed. ``content()`` computes the
/// same content from scratch (tests compare the two).
public struct AssemblerState: Sendable {
    public let configuration: AssemblerConfiguration
    /// The incremental trust computation (without the elector capacity; the content applies it).
    public private(set) var engine: TrustEngine
    /// Content changes since genesis (the version before any adjustment).
    public private(set) var logicalVersion: Int = 0
    /// Added to ``logicalVersion`` after a replay found the topic ahead of it (see ``preparePublication()``).
    public private(set) var versionOffset: Int = 0
    /// The last GCCF on the topic (from a replay of `scms.gccf`, or the last one this state published).
    public private(set) var lastPublished: PublishedVersion?
    /// Inputs folded.
    public private(set) var inputCount: Int = 0
    /// Per elector, the fold position (``inputCount``) at which the engine last started trusting it.
    public private(set) var admissionOrder: [CertificateID: Int] = [:]
    private var ballots: [BallotID: ElectorBallot] = [:]
    /// Supersession profiles of the held `addElector` / `addRoot` ballots, and their IDs per target and list.
    private var profiles: [BallotID: SupersessionProfile] = [:]
    private var heldByTarget: [SupersessionSlot: [BallotID]] = [:]
    /// COER of the ballots in the last content built (a publication encodes only the newly chosen ones).
    private var encodings: [BallotID: [UInt8]] = [:]
    private var tracker: ContentTracker
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
        self.tracker = ContentTracker(configuration: configuration)
        for anchor in configuration.electorAnchors { admissionOrder[anchor.id] = 0 }
        var engine = self.engine
        tracker.refreshElectors(engine: &engine, order: admissionOrder)
        self.engine = engine
    }

    /// The version the current content carries: ``logicalVersion`` + ``versionOffset``.
    public var effectiveVersion: Int { logicalVersion + versionOffset }

    /// The engine's time.
    public var time: UInt32 { engine.time }

    /// The quorum in force.
    public var quorum: Int { engine.policy.quorum }

    /// Ballots held (folded and not forgotten as superseded).
    public var ballotCount: Int { ballots.count }

    /// Ballots forgotten because a held ballot superseded them (on arrival or later).
    public private(set) var supersededCount = 0

    /// Whether the ballot was folded.
    public func contains(_ ballot: BallotID) -> Bool { ballots[ballot] != nil }

    // MARK: - Folding

    /// Folds one input.
    public mutating func apply(_ input: AssemblerInput) -> AssemblerStep {
        inputCount += 1
        var step = AssemblerStep()
        var quorumChanged = false
        var added: BallotEntry?
        var newProfile: SupersessionProfile?
        if input.recordedTime > engine.time {
            // `advance` only throws for a time behind the engine's, excluded here.
            if let report = try? engine.advance(to: input.recordedTime) { step.reports.append(report) }
            quorumChanged = syncQuorum(&step)
        } else if input.recordedTime < engine.time {
            step.behindEngineTime = true
        }
        switch input.payload {
        case .ballot(let analyzed, let action, let ballot):
            if ballots[analyzed.id] != nil {
                step.duplicate = true
            } else {
                let profile = supersessionProfile(analyzed, as: action)
                if let profile, isSuperseded(profile) {
                    step.superseded = true
                    supersededCount += 1
                } else {
                    ballots[analyzed.id] = ballot
                    step.reports.append(engine.add(analyzed, as: action))
                    added = BallotEntry(analyzed, as: action)
                    newProfile = profile
                }
            }
        case .policy(let series):
            // An older GPF replayed after a newer one (out of canonical order) changes nothing.
            if let newest = policyGenerationTime, input.recordedTime < newest { break }
            policyGenerationTime = input.recordedTime
            policySeries = series
            requestedQuorum = nil
            quorumChanged = syncQuorum(&step) || quorumChanged
        case .expiry:
            break
        }
        for report in step.reports {
            for id in report.admittedElectors { admissionOrder[id] = inputCount }
        }
        if tracker.update(engine: &engine, added: added.map { ($0, ballots[$0.ballot.id]) },
                          reports: step.reports, quorumChanged: quorumChanged, order: admissionOrder) {
            logicalVersion += 1
            step.changedContent = true
        }
        if let newProfile {
            step.retired = retireSuperseded(by: newProfile)
            supersededCount += step.retired.count
            profiles[newProfile.ballot] = newProfile
            heldByTarget[SupersessionSlot(newProfile), default: []].append(newProfile.ballot)
        }
        return step
    }

    // MARK: - Supersession

    /// The profile of a new ballot when superseded ballots are forgotten (nil otherwise, and for removal ballots).
    private mutating func supersessionProfile(_ ballot: AnalyzedBallot, as action: EndorsementAction)
        -> SupersessionProfile? {
        guard configuration.forgetsSupersededBallots else { return nil }
        var signatures = engine.signatures
        let profile = SupersessionProfile.of(ballot, as: action, policy: engine.policy, signatures: &signatures)
        engine.adoptSignatures(signatures)
        return profile
    }

    /// Whether a held ballot supersedes `profile`'s.
    private func isSuperseded(_ profile: SupersessionProfile) -> Bool {
        (heldByTarget[SupersessionSlot(profile)] ?? []).contains { id in
            profiles[id]?.supersedes(profile, now: engine.time, skew: engine.policy.clockSkew) == true
        }
    }

    /// Forgets the held ballots `profile`'s ballot (just folded) supersedes. A ballot the selection still chooses is
    /// kept: by the supersession argument that cannot happen, and keeping one more ballot is always safe.
    private mutating func retireSuperseded(by profile: SupersessionProfile) -> [AnalyzedBallot] {
        let slot = SupersessionSlot(profile)
        guard let held = heldByTarget[slot] else { return [] }
        var retired: [AnalyzedBallot] = []
        var kept: [BallotID] = []
        for id in held {
            guard let other = profiles[id], profile.supersedes(other, now: engine.time, skew: engine.policy.clockSkew),
                  !tracker.isChosen(id), let entry = engine.retire(id) else {
                kept.append(id)
                continue
            }
            tracker.retire(entry)
            ballots[id] = nil
            encodings[id] = nil
            profiles[id] = nil
            retired.append(entry.ballot)
        }
        heldByTarget[slot] = kept.isEmpty ? nil : kept
        return retired
    }

    /// Applies the GPF series' quorum at the engine's time when it differs from the last one asked for; true when
    /// the quorum in force changed.
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

    // MARK: - Content and publication

    /// The content now, from the incremental selection.
    public func currentContent() -> Result<GCCFContent, Finding> {
        tracker.content(ballots: ballots, engine: engine) { id, ballot in encodings[id] ?? ballot.coerEncoded }
    }

    /// ``currentContent()``, keeping the encodings of the ballots it holds for the next one.
    mutating func cachedContent() -> Result<GCCFContent, Finding> {
        var used: [BallotID: [UInt8]] = [:]
        let known = encodings
        let result = tracker.content(ballots: ballots, engine: engine) { id, ballot in
            let bytes = known[id] ?? ballot.coerEncoded
            used[id] = bytes
            return bytes
        }
        encodings = used
        return result
    }

    /// The selection of a from-scratch fixpoint over every input with the elector capacity in ``admissionOrder``
    /// (signature checks come from the engine's cache): what the incremental content must equal.
    public func referenceSelection() -> ChainFileSelection {
        var signatures = engine.signatures
        let snapshot = TrustEvaluator.evaluate(engine.inputs, policy: engine.policy, time: engine.time,
                                               admissionOrder: admissionOrder, signatures: &signatures)
        return ChainFileSelector.select(snapshot)
    }

    /// The content of ``referenceSelection()`` (slow: for tests and checks).
    public func content() -> Result<GCCFContent, Finding> {
        let selection = referenceSelection()
        let snapshot = selection.snapshot
        return GCCFContent.build(rootBallots: selection.rootBallots, electorBallots: selection.electorBallots,
                                 ballots: ballots, maCertificate: configuration.maCertificate,
                                 certificates: configuration.certificates, maxFileBytes: configuration.maxFileBytes,
                                 strength: { id in
                                     (snapshot.decisions[id]?.endorserCount ?? 0,
                                      snapshot.entries[id]?.ballot.statement?.generationTime ?? 0, snapshot.decisions[id]?.target)
                                 },
                                 capacityExceeded: snapshot.decisions.values
                                     .filter { $0.findings.contains { $0.code == .electorCapacityExceeded } }.map(\.ballot),
                                 trustedElectors: snapshot.electors.count, trustedRoots: snapshot.roots.count)
    }

    /// Records the GCCF last published on the topic (read back at a replay, or just produced).
    public mutating func notePublished(_ published: PublishedVersion?) {
        lastPublished = published
    }

    /// What to publish now, if anything.
    ///
    /// - The effective version and the content are those last published: nothing (``GCCFPublicationDecision/upToDate``).
    /// - The topic is ahead of the effective version (a replay of a log that lost inputs, or a GCCF of an older
    ///   numbering): with the same content, nothing, and numbering continues from the published version; with other
    ///   content, it is published as the published version + 1. A version is never issued twice with different content.
    /// - Otherwise the content is published under the effective version (even when it equals the last published
    ///   content: a change and its undoing both count, and the newest version must name the newest content).
    /// - Nothing was ever published and nothing changed since genesis: nothing.
    public mutating func preparePublication() -> GCCFPublicationDecision {
        let content: GCCFContent
        switch cachedContent() {
        case .success(let value): content = value
        case .failure(let finding): return .failed(finding)
        }
        if let last = lastPublished {
            let published = Int(last.version)
            if effectiveVersion == published && last.contentDigest == content.contentDigest { return .upToDate(content) }
            if effectiveVersion <= published {
                if last.contentDigest == content.contentDigest {
                    versionOffset = published - logicalVersion
                    return .upToDate(content)
                }
                versionOffset = published + 1 - logicalVersion
            }
        } else if effectiveVersion == 0 {
            return .upToDate(content)
        }
        guard effectiveVersion <= Int(UInt16.max) else {
            return .failed(Finding(.versionExhausted, "GCCF version \(effectiveVersion) does not fit a Uint16"))
        }
        return .publish(GCCFPublication(version: UInt16(effectiveVersion), content: content))
    }
}

/// The GCCF selection kept up to date input by input: the elector part (capped trusted electors and their chosen
/// ballots, from a from-scratch fixpoint over the elector and removal ballots only, recomputed when an input touches
/// them) and the chosen ballot of every root target (re-selected only for the targets an input touched, or all of
/// them when the trusted electors or the quorum changed).
struct ContentTracker: Sendable {
    let configuration: AssemblerConfiguration
    /// Elector and removal ballots (the fixpoint's inputs).
    private var electorEntries: [BallotEntry] = []
    /// Root ballots by target, and every root ballot's entry.
    private var rootBallots: [CertificateID: [BallotID]] = [:]
    private var rootEntries: [BallotID: BallotEntry] = [:]
    /// Encoded size of every held ballot.
    private var sizes: [BallotID: Int] = [:]
    // The elector part.
    private var snapshot: TrustSnapshot?
    private(set) var electorBallots: [BallotID] = []
    private(set) var capacityExceeded: [BallotID] = []
    /// The capped view (trusted electors and deny list) when it differs from the engine's; nil when they agree.
    private var cappedView: TrustView?
    private var cappedKey: CappedKey?
    // The root part.
    private(set) var chosenRoots: [CertificateID: BallotID] = [:]

    /// The order ``ChainFileSelector`` picks root ballots in.
    private struct RootRank: Comparable {
        var endorsers: Int
        var generation: UInt32
        var id: BallotID
        static func < (a: RootRank, b: RootRank) -> Bool {
            if a.endorsers != b.endorsers { return a.endorsers < b.endorsers }
            if a.generation != b.generation { return a.generation < b.generation }
            return b.id < a.id
        }
    }

    private let rootAnchorIDs: Set<CertificateID>

    private struct CappedKey: Sendable, Hashable {
        var electors: [CertificateID]
        var denyList: DenyList
    }

    init(configuration: AssemblerConfiguration) {
        self.configuration = configuration
        rootAnchorIDs = Set(configuration.rootAnchors.map(\.id))
    }

    /// Updates the selection after one input; true when it changed (the chosen elector ballots or the chosen ballot of
    /// a root target). That is exactly a change of the content, except over the size limit, where a change of a root
    /// ballot the size limit then leaves out still counts.
    mutating func update(engine: inout TrustEngine, added: (BallotEntry, ElectorBallot?)?, reports: [EventReport],
                         quorumChanged: Bool, order: [CertificateID: Int]) -> Bool {
        var electorsTouched = quorumChanged
        var touchedRoots = Set<CertificateID>()
        /// A new root ballot whose target nothing else touched: it only competes with the target's current choice.
        var newRootBallot: (CertificateID, BallotID)?
        if let (entry, ballot) = added {
            sizes[entry.ballot.id] = ballot?.coerEncoded.count ?? 0
            if entry.expected == .addRoot {
                if let target = entry.ballot.target {
                    rootBallots[target.id, default: []].append(entry.ballot.id)
                    newRootBallot = (target.id, entry.ballot.id)
                }
                rootEntries[entry.ballot.id] = entry
            } else {
                electorEntries.append(entry)
                electorsTouched = true
            }
        }
        for report in reports {
            if !report.admittedElectors.isEmpty || !report.droppedElectors.isEmpty || !report.newlyDenied.isEmpty {
                electorsTouched = true
            }
            touchedRoots.formUnion(report.admittedRoots)
            touchedRoots.formUnion(report.droppedRoots)
            for id in report.reassessed where id != newRootBallot?.1 {
                if let entry = rootEntries[id] {
                    if let target = entry.ballot.target?.id { touchedRoots.insert(target) }
                } else {
                    electorsTouched = true
                }
            }
            for decision in report.changedDecisions where decision.ballot != newRootBallot?.1 {
                if let entry = rootEntries[decision.ballot], let target = entry.ballot.target?.id {
                    touchedRoots.insert(target)
                } else {
                    electorsTouched = true
                }
            }
        }
        var changed = false
        if electorsTouched {
            let before = (electorBallots, capacityExceeded, cappedKey)
            refreshElectors(engine: &engine, order: order)
            if electorBallots != before.0 { changed = true }
            if cappedKey != before.2 || quorumChanged {
                touchedRoots.formUnion(rootBallots.keys)
                touchedRoots.formUnion(chosenRoots.keys)
            }
        }
        if let (target, id) = newRootBallot, !touchedRoots.contains(target) {
            let current = chosenRoots[target]
            if rootAnchorIDs.contains(target) || current == nil {
                touchedRoots.insert(target)   // the anchor's usability, or the first choice: the full rule
            } else if let current, let candidate = rank(id, engine: &engine), let incumbent = rank(current, engine: &engine),
                      candidate > incumbent {
                chosenRoots[target] = id
                changed = true
            }
        }
        for target in touchedRoots {
            let chosen = chooseRoot(target, engine: &engine)
            let previous = chosenRoots[target]
            guard chosen != previous else { continue }
            chosenRoots[target] = chosen
            changed = true
        }
        return changed
    }

    /// Whether the selection carries ballot `id`.
    func isChosen(_ id: BallotID) -> Bool {
        if let target = rootEntries[id]?.ballot.target?.id { return chosenRoots[target] == id }
        return electorBallots.contains(id)
    }

    /// Forgets a superseded ballot (never a chosen one): it leaves the fixpoint's inputs and its target's candidates.
    /// The selection stays as it is; the next refresh computes the same one without it.
    mutating func retire(_ entry: BallotEntry) {
        let id = entry.ballot.id
        sizes[id] = nil
        if rootEntries.removeValue(forKey: id) != nil {
            if let target = entry.ballot.target?.id {
                rootBallots[target]?.removeAll { $0 == id }
                if rootBallots[target]?.isEmpty == true { rootBallots[target] = nil }
            }
        } else {
            electorEntries.removeAll { $0.ballot.id == id }
            capacityExceeded.removeAll { $0 == id }
        }
    }

    /// The elector part from scratch: the fixpoint over elector and removal ballots with the capacity in `order`.
    mutating func refreshElectors(engine: inout TrustEngine, order: [CertificateID: Int]) {
        var signatures = engine.signatures
        let restricted = TrustInputs(electorAnchors: configuration.electorAnchors, rootAnchors: configuration.rootAnchors,
                                     ballots: electorEntries, denyList: engine.denyList)
        let snapshot = TrustEvaluator.evaluate(restricted, policy: engine.policy, time: engine.time,
                                               admissionOrder: order, signatures: &signatures)
        engine.adoptSignatures(signatures)
        self.snapshot = snapshot
        electorBallots = ChainFileSelector.select(snapshot).electorBallots
        capacityExceeded = snapshot.decisions.values
            .filter { $0.findings.contains { $0.code == .electorCapacityExceeded } }.map(\.ballot).sorted()
        let key = CappedKey(electors: snapshot.electorIDs, denyList: snapshot.denyList)
        cappedKey = key
        if key.electors == engine.electorIDs && key.denyList == engine.denyList {
            cappedView = nil
        } else {
            var view = engine.view
            for id in engine.electorIDs where snapshot.electors[id] == nil { view.distrust(id) }
            for (id, trusted) in snapshot.electors where !view.trusts(id) { view.trust(trusted.facts) }
            view.denyList = snapshot.denyList
            cappedView = view
        }
    }

    /// The decision on a root ballot against the capped electors.
    private func decision(_ id: BallotID, engine: inout TrustEngine) -> BallotDecision? {
        guard let cappedView else { return engine.decision(id) }
        guard let entry = rootEntries[id] else { return nil }
        var signatures = engine.signatures
        let decision = BallotEvaluator.evaluate(entry.ballot, expected: .addRoot, view: cappedView, time: engine.time,
                                                policy: engine.policy, signatures: &signatures)
        engine.adoptSignatures(signatures)
        return decision
    }

    /// How strong an accepted root ballot is (larger is better: endorsers, generation time, then the smaller ID);
    /// nil when it is not accepted.
    private func rank(_ id: BallotID, engine: inout TrustEngine) -> RootRank? {
        guard let decision = decision(id, engine: &engine), decision.accepted else { return nil }
        return RootRank(endorsers: decision.endorserCount,
                        generation: rootEntries[id]?.ballot.statement?.generationTime ?? 0, id: id)
    }

    /// The ballot a GCCF carries for root `target`: none for a usable root anchor, else the strongest accepted one
    /// (most valid endorsers, newest generation time, smallest ballot ID) as ``ChainFileSelector`` picks it.
    private func chooseRoot(_ target: CertificateID, engine: inout TrustEngine) -> BallotID? {
        let deny = cappedView?.denyList ?? engine.denyList
        if let anchor = configuration.rootAnchors.first(where: { $0.id == target }),
           anchor.validity.contains(engine.time),
           !deny.denies(anchor.id, at: engine.time, skew: engine.policy.clockSkew) {
            return nil
        }
        var best: RootRank?
        for id in rootBallots[target] ?? [] {
            guard let candidate = rank(id, engine: &engine) else { continue }
            if let current = best, !(candidate > current) { continue }
            best = candidate
        }
        return best?.id
    }

    /// The content now (`encoding` gives each chosen ballot's COER).
    func content(ballots: [BallotID: ElectorBallot], engine: TrustEngine,
                 encoding: (BallotID, ElectorBallot) -> [UInt8]) -> Result<GCCFContent, Finding> {
        var engine = engine
        let roots = chosenRoots.keys.sorted().compactMap { chosenRoots[$0] }
        let usableRootAnchors = configuration.rootAnchors.filter { anchor in
            anchor.validity.contains(engine.time)
                && !(cappedView?.denyList ?? engine.denyList).denies(anchor.id, at: engine.time,
                                                                    skew: engine.policy.clockSkew)
        }.count
        return GCCFContent.build(rootBallots: roots, electorBallots: electorBallots, ballots: ballots,
                                 maCertificate: configuration.maCertificate, certificates: configuration.certificates,
                                 maxFileBytes: configuration.maxFileBytes,
                                 strength: { id in   // only over the size limit
                                     (decision(id, engine: &engine)?.endorserCount ?? 0,
                                      rootEntries[id]?.ballot.statement?.generationTime ?? 0,
                                      rootEntries[id]?.ballot.target?.id)
                                 },
                                 capacityExceeded: capacityExceeded,
                                 trustedElectors: snapshot?.electors.count ?? 0,
                                 trustedRoots: usableRootAnchors + roots.count, encoding: encoding)
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
        self.bytes = content.fileBytes(version: version)
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
    /// Its COER.
    public var storeBytes: [UInt8]
    /// SHA-256 of the store's COER: equal digests mean equal files up to the version.
    public var contentDigest: [UInt8]
    /// The root ballots in the file, by target ID.
    public var rootBallots: [BallotID]
    /// The elector ballots in the file, by target ID.
    public var electorBallots: [BallotID]
    /// Root ballots left out to fit the size limit, weakest first.
    public var sizeDropped: [SizeDroppedBallot]
    /// Valid elector ballots whose targets were not admitted because of the elector capacity, sorted.
    public var capacityExceeded: [BallotID]
    /// Electors the content makes trusted (anchors included).
    public var trustedElectors: Int
    /// Roots the content makes trusted (usable anchors included).
    public var trustedRoots: Int

    /// The file with `version`.
    public func file(version: UInt16) -> ScmsFile {
        ScmsFile(content: .certChain(.globalCertificateChainFile(GlobalCertificateChainFile(version: version,
                                                                                            certStore: store))))
    }

    /// The other certificates as a GCCF carries them: sorted by SHA-256, de-duplicated.
    static func others(_ certificates: [Certificate]) -> [Certificate] {
        var seen = Set<[UInt8]>()
        return certificates.map { (Digest.sha256($0.coerEncoded), $0) }
            .sorted { $0.0.lexicographicallyPrecedes($1.0) }
            .filter { seen.insert($0.0).inserted }.map(\.1)
    }

    static func store(roots: [ElectorBallot], electors: [ElectorBallot], _ ma: Certificate,
                      _ others: [Certificate]) -> CertificateStore {
        CertificateStore(rootCAEndorsements: roots, electorEndorsements: electors, maCertificate: ma, certs: others)
    }

    /// The root ballots to leave out so a file of `size` bytes fits `maxFileBytes`: fewest valid endorsers, then oldest
    /// generation time, then largest ballot ID first.
    static func sizeDrop(roots: [BallotID], size: Int, sizes: [BallotID: Int], maxFileBytes: Int,
                         strength: [BallotID: (Int, UInt32, CertificateID?)]) -> [SizeDroppedBallot] {
        var size = size
        guard size > maxFileBytes else { return [] }
        func key(_ id: BallotID) -> (Int, UInt32) { strength[id].map { ($0.0, $0.1) } ?? (0, 0) }
        let weakestFirst = roots.sorted { a, b in
            let sa = key(a), sb = key(b)
            if sa.0 != sb.0 { return sa.0 < sb.0 }
            if sa.1 != sb.1 { return sa.1 < sb.1 }
            return b < a
        }
        var dropped: [SizeDroppedBallot] = []
        for id in weakestFirst where size > maxFileBytes {
            let bytes = sizes[id] ?? 0
            dropped.append(SizeDroppedBallot(ballot: id, target: strength[id]?.2, bytes: bytes))
            size -= bytes
        }
        return dropped
    }

    /// Builds the content: ballots in the given (target-ID) order, other certificates sorted by SHA-256 and
    /// de-duplicated, then root ballots dropped (``sizeDrop``) until the file fits `maxFileBytes`. Fails
    /// (`malformed`, with a detail saying why) when a chosen ballot is not in `ballots` or when even the file without
    /// root ballots is too large.
    public static func build(rootBallots: [BallotID], electorBallots: [BallotID], ballots: [BallotID: ElectorBallot],
                             maCertificate: Certificate, certificates: [Certificate], maxFileBytes: Int,
                             strength: (BallotID) -> (Int, UInt32, CertificateID?), capacityExceeded: [BallotID],
                             trustedElectors: Int, trustedRoots: Int,
                             encoding: (BallotID, ElectorBallot) -> [UInt8] = { $1.coerEncoded })
        -> Result<GCCFContent, Finding> {
        var roots: [(BallotID, ElectorBallot)] = []
        var electors: [ElectorBallot] = []
        for id in rootBallots {
            guard let ballot = ballots[id] else { return .failure(Finding(.malformed, "ballot \(id.hex) not held")) }
            roots.append((id, ballot))
        }
        for id in electorBallots {
            guard let ballot = ballots[id] else { return .failure(Finding(.malformed, "ballot \(id.hex) not held")) }
            electors.append(ballot)
        }
        let others = others(certificates)
        var current = store(roots: roots.map(\.1), electors: electors, maCertificate, others)
        let electorBytes = zip(electorBallots, electors).map { encoding($0, $1) }
        func storeBytes() -> [UInt8] {
            storeEncoding(roots: roots.map { encoding($0.0, $0.1) }, electors: electorBytes, ma: maCertificate, others: others)
        }
        var encoded = storeBytes()
        var dropped: [SizeDroppedBallot] = []
        // The file adds a few bytes of headers to the store: measure exactly only near the limit.
        if encoded.count + 64 > maxFileBytes && fileSize(current) > maxFileBytes {
            var sizes: [BallotID: Int] = [:]
            var strengths: [BallotID: (Int, UInt32, CertificateID?)] = [:]
            for (id, ballot) in roots {
                sizes[id] = ballot.coerEncoded.count
                strengths[id] = strength(id)
            }
            dropped = sizeDrop(roots: roots.map(\.0), size: fileSize(current), sizes: sizes, maxFileBytes: maxFileBytes,
                               strength: strengths)
            let removed = Set(dropped.map(\.ballot))
            roots.removeAll { removed.contains($0.0) }
            current = store(roots: roots.map(\.1), electors: electors, maCertificate, others)
            encoded = storeBytes()
            let size = fileSize(current)
            if size > maxFileBytes {
                return .failure(Finding(.malformed,
                    "GCCF of \(size) bytes exceeds \(maxFileBytes) bytes even without root ballots"))
            }
        }
        return .success(GCCFContent(store: current, storeBytes: encoded, contentDigest: Digest.sha256(encoded),
                                    rootBallots: roots.map(\.0), electorBallots: electorBallots, sizeDropped: dropped,
                                    capacityExceeded: capacityExceeded.sorted(), trustedElectors: trustedElectors,
                                    trustedRoots: trustedRoots - dropped.count))
    }

    /// The COER of a `CertificateStore` without extension additions from its parts' encodings (exactly what
    /// `CertificateStore.encode` writes: preamble, two SEQUENCE OF ballots, the MA certificate, SEQUENCE OF
    /// certificates), so a publication copies ballot encodings instead of encoding every ballot again.
    static func storeEncoding(roots: [[UInt8]], electors: [[UInt8]], ma: Certificate, others: [Certificate]) -> [UInt8] {
        var writer = COERWriter(reservingCapacity: roots.reduce(0) { $0 + $1.count } + electors.reduce(0) { $0 + $1.count }
                                    + 4_096)
        writer.writePreamble([false])
        writer.writeSequenceOf(roots) { $0.writeOctets($1) }
        writer.writeSequenceOf(electors) { $0.writeOctets($1) }
        ma.encode(to: &writer)
        writer.writeSequenceOf(others)
        return writer.bytes
    }

    /// The file bytes with `version`: the GCCF headers, then the store (the last component, without a length), checked
    /// on a small store; the plain encoding of ``file(version:)`` if that layout ever does not hold.
    public func fileBytes(version: UInt16) -> [UInt8] {
        let probe = CertificateStore(rootCAEndorsements: [], electorEndorsements: [], maCertificate: store.maCertificate,
                                     certs: [])
        let probeStore = probe.coerEncoded
        let probeFile = ScmsFile(content: .certChain(.globalCertificateChainFile(
            GlobalCertificateChainFile(version: version, certStore: probe)))).coerEncoded
        guard probeFile.count > probeStore.count, probeFile.suffix(probeStore.count).elementsEqual(probeStore) else {
            return file(version: version).coerEncoded
        }
        return Array(probeFile.prefix(probeFile.count - probeStore.count)) + storeBytes
    }

    /// The size of the file holding `store` (version 65535: the widest, all versions encode alike in 2 bytes).
    static func fileSize(_ store: CertificateStore) -> Int {
        ScmsFile(content: .certChain(.globalCertificateChainFile(GlobalCertificateChainFile(version: UInt16.max,
                                                                                            certStore: store))))
            .coerEncoded.count
    }
}

/// The target and list a supersession compares within.
struct SupersessionSlot: Sendable, Hashable {
    var target: CertificateID
    var expected: EndorsementAction

    init(_ profile: SupersessionProfile) {
        target = profile.target
        expected = profile.expected
    }
}
