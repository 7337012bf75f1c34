/// What one engine event changed.
public struct EventReport: Sendable, Hashable, Codable {
    /// Electors that became trusted.
    public var admittedElectors: [CertificateID] = []
    /// Electors that stopped being trusted.
    public var droppedElectors: [CertificateID] = []
    /// Roots that became trusted.
    public var admittedRoots: [CertificateID] = []
    /// Roots that stopped being trusted.
    public var droppedRoots: [CertificateID] = []
    /// Certificates newly put on the deny list.
    public var newlyDenied: [CertificateID] = []
    /// Ballots whose acceptance flipped (with their new decision).
    public var changedDecisions: [BallotDecision] = []
    /// Ballot assessments recomputed by this event.
    public var assessments: Int = 0
    /// The ballots re-assessed by this event (an endorser count may have changed without the decision flipping).
    public var reassessed: [BallotID] = []
    /// Signature verifications this event ran (cache misses).
    public var signatureVerifications: Int = 0

    /// Whether the trusted sets or the deny list changed.
    public var changesTrust: Bool {
        !(admittedElectors.isEmpty && droppedElectors.isEmpty && admittedRoots.isEmpty && droppedRoots.isEmpty
            && newlyDenied.isEmpty)
    }
}

/// Errors of engine events.
public enum TrustEngineError: Error, Sendable, Hashable {
    /// Time only moves forward in an engine (a what-if uses `TrustEvaluator` at any time).
    case timeMovedBackwards(current: UInt32, requested: UInt32)
    /// The quorum change was refused (`quorumBelowFloor`).
    case policyRejected(PolicyRejection)
}

/// The incremental trust computation the PG (assembler) and the validator keep: the same result as
/// `TrustEvaluator` without capacity enforcement, but an event re-evaluates only the ballots it touches.
///
/// Indexes: ballots by target certificate, ballots by signer `HashedId8`, non-fatal ballots by endorser count
/// (for quorum changes) and a timeline of every validity boundary and future generation time. Losing an elector
/// uses delete-and-rederive (over-delete everything its endorsements supported, then re-admit what still has a
/// quorum), which keeps the least fixpoint exact even with mutually endorsing electors. Ballot assessments are
/// quorum-independent and signature checks are cached, so events verify no signature that was verified before.
public struct TrustEngine: Sendable {
    private struct TimelineItem: Comparable, Sendable {
        enum Subject: Sendable, Hashable {
            case certificate(CertificateID)
            case ballot(BallotID)
        }
        var time: UInt64
        var sequence: Int
        var subject: Subject
        static func < (l: TimelineItem, r: TimelineItem) -> Bool {
            (l.time, l.sequence) < (r.time, r.sequence)
        }
        static func == (l: TimelineItem, r: TimelineItem) -> Bool { l.time == r.time && l.sequence == r.sequence }
    }

    /// The policy in force.
    public private(set) var policy: TrustPolicy
    /// The engine's current time.
    public private(set) var time: UInt32
    /// Trusted electors, known certificates and the deny list.
    public private(set) var view: TrustView
    /// Trusted roots.
    public private(set) var roots: Set<CertificateID> = []
    /// The signature cache (and its count of real verifications).
    public private(set) var signatures: SignatureResolver

    private var electorAnchors: [CertificateID: CertificateFacts] = [:]
    private var rootAnchors: [CertificateID: CertificateFacts] = [:]
    private var entries: [BallotID: BallotEntry] = [:]
    private var assessments: [BallotID: BallotAssessment] = [:]
    private var byTarget: [CertificateID: Set<BallotID>] = [:]
    private var bySigner: [CertificateShortID: Set<BallotID>] = [:]
    private var byCount: [Int: Set<BallotID>] = [:]
    private var timeline = MinHeap<TimelineItem>()
    /// Trust before the current event of every elector / root the event touched (for its report).
    private var electorChanges: [CertificateID: Bool] = [:]
    private var rootChanges: [CertificateID: Bool] = [:]
    private var sequence = 0

    /// Starts from anchors and a persisted deny list at `time`.
    public init(policy: TrustPolicy, time: UInt32, electorAnchors: [CertificateFacts],
                rootAnchors: [CertificateFacts] = [], denyList: DenyList = DenyList(),
                signatures: SignatureResolver) {
        self.policy = policy
        self.time = time
        self.view = TrustView(denyList: denyList)
        self.signatures = signatures
        var work = Work()
        for anchor in electorAnchors {
            self.electorAnchors[anchor.id] = anchor
            learn(anchor, &work)
            work.candidates.insert(anchor.id)
        }
        for anchor in rootAnchors {
            self.rootAnchors[anchor.id] = anchor
            learn(anchor, &work)
            work.roots.insert(anchor.id)
        }
        for (id, denial) in denyList.entries where UInt64(denial.effectiveTime) > UInt64(time) + UInt64(policy.clockSkew) {
            schedule(UInt64(denial.effectiveTime) - UInt64(policy.clockSkew), .certificate(id))
        }
        _ = settle(&work)
    }

    // MARK: - Queries

    /// Number of ballots held.
    public var ballotCount: Int { entries.count }
    /// Trusted elector IDs, sorted.
    public var electorIDs: [CertificateID] { view.electors.keys.sorted() }
    /// Trusted root IDs, sorted.
    public var rootIDs: [CertificateID] { roots.sorted() }
    /// The deny list.
    public var denyList: DenyList { view.denyList }

    /// The current decision on a ballot.
    public func decision(_ ballot: BallotID) -> BallotDecision? {
        assessments[ballot].map { $0.decision(policy: policy, time: time) }
    }

    /// Every current decision, by ballot.
    public var decisions: [BallotID: BallotDecision] {
        assessments.mapValues { $0.decision(policy: policy, time: time) }
    }

    /// The inputs a from-scratch computation needs to reproduce (or, with capacity, bound) this state.
    public var inputs: TrustInputs {
        TrustInputs(electorAnchors: electorAnchors.keys.sorted().compactMap { electorAnchors[$0] },
                    rootAnchors: rootAnchors.keys.sorted().compactMap { rootAnchors[$0] },
                    ballots: entries.keys.sorted().compactMap { entries[$0] }, denyList: view.denyList)
    }

    /// Takes over a resolver that started as a copy of ``signatures`` (its cache has grown since: a from-scratch
    /// computation over the engine's inputs verified with it).
    public mutating func adoptSignatures(_ resolver: SignatureResolver) {
        signatures = resolver
    }

    // MARK: - Events

    /// A new ballot (any type). Re-adding a known ballot changes nothing.
    public mutating func add(_ ballot: AnalyzedBallot, as expected: EndorsementAction) -> EventReport {
        guard entries[ballot.id] == nil else { return EventReport() }
        var work = Work()
        let entry = BallotEntry(ballot, as: expected)
        entries[ballot.id] = entry
        if let target = ballot.target {
            byTarget[target.id, default: []].insert(ballot.id)
            learn(target, &work)
        }
        for signer in ballot.embeddedSigners { learn(signer, &work) }
        for short in ballot.signerShortIDs { bySigner[short, default: []].insert(ballot.id) }
        if ballot.endorsements.count <= policy.maxEndorsementsPerBallot,
           let latest = ballot.endorsements.compactMap(\.latestGenerationSeconds).max(),
           latest > UInt64(time) + UInt64(policy.clockSkew) {
            schedule(latest - UInt64(policy.clockSkew), .ballot(ballot.id))
        }
        work.dirty.insert(ballot.id)
        return settle(&work)
    }

    /// Forgets a ballot that can no longer change any decision: the caller guarantees that another ballot held for the
    /// same target is accepted whenever this one is (``SupersessionProfile/supersedes(_:now:skew:)``), so no elector or
    /// root loses its support and nothing is settled again. Its scheduled re-assessments are skipped when they come due.
    /// Returns the ballot's entry, nil when it was not held.
    @discardableResult
    public mutating func retire(_ id: BallotID) -> BallotEntry? {
        guard let entry = entries.removeValue(forKey: id) else { return nil }
        if let old = assessments.removeValue(forKey: id), !old.fatal {
            byCount[old.endorsers.count]?.remove(id)
            if byCount[old.endorsers.count]?.isEmpty == true { byCount[old.endorsers.count] = nil }
        }
        if let target = entry.ballot.target {
            byTarget[target.id]?.remove(id)
            if byTarget[target.id]?.isEmpty == true { byTarget[target.id] = nil }
        }
        for short in entry.ballot.signerShortIDs {
            bySigner[short]?.remove(id)
            if bySigner[short]?.isEmpty == true { bySigner[short] = nil }
        }
        return entry
    }

    /// Moves the clock forward to `newTime`, applying every expiry and start of validity on the way.
    public mutating func advance(to newTime: UInt32) throws(TrustEngineError) -> EventReport {
        guard newTime >= time else { throw .timeMovedBackwards(current: time, requested: newTime) }
        time = newTime
        var work = Work()
        while let next = timeline.min, next.time <= UInt64(newTime) {
            _ = timeline.pop()
            switch next.subject {
            case .ballot(let id): work.dirty.insert(id)
            case .certificate(let id): touch(id, &work)
            }
        }
        return settle(&work)
    }

    /// Applies a new quorum (from a GPF). Below the floor it is refused and nothing changes.
    public mutating func setQuorum(_ quorum: Int) throws(TrustEngineError) -> EventReport {
        let newPolicy: TrustPolicy
        switch policy.withQuorum(quorum) {
        case .success(let value): newPolicy = value
        case .failure(let rejection): throw .policyRejected(rejection)
        }
        let old = policy.quorum
        policy = newPolicy
        var work = Work()
        for count in min(old, quorum)..<max(old, quorum) {
            for id in byCount[count] ?? [] {
                work.flipCandidates.insert(id)
                guard let entry = entries[id], let target = entry.ballot.target else { continue }
                switch entry.expected {
                case .addElector:
                    if quorum > old { work.suspects.insert(target.id) } else { work.dirty.insert(id) }
                case .addRoot:
                    work.roots.insert(target.id)
                case .removeElector, .removeRoot:
                    if quorum < old { work.dirty.insert(id) }
                }
            }
        }
        return settle(&work, oldQuorum: old)
    }

    /// Denies certificates out of band (an operator decision, or a what-if), effective at `effectiveTime`.
    public mutating func deny(_ ids: [CertificateID], effectiveTime: UInt32) -> EventReport {
        var work = Work()
        for id in ids {
            if view.denyList.deny(id, Denial(effectiveTime: effectiveTime, ballot: nil)) {
                work.newlyDenied.append(id)
                if UInt64(effectiveTime) > UInt64(time) + UInt64(policy.clockSkew) {
                    schedule(UInt64(effectiveTime) - UInt64(policy.clockSkew), .certificate(id))
                } else {
                    touch(id, &work)
                }
            }
        }
        return settle(&work)
    }

    // MARK: - Propagation

    private struct Work {
        /// Ballots to re-assess.
        var dirty = Set<BallotID>()
        /// Trusted electors that may have lost their support.
        var suspects = Set<CertificateID>()
        /// Anchors that may have become usable.
        var candidates = Set<CertificateID>()
        /// Roots whose trust must be recomputed.
        var roots = Set<CertificateID>()
        /// Ballots whose acceptance may flip without re-assessment (quorum change).
        var flipCandidates = Set<BallotID>()
        var newlyDenied: [CertificateID] = []
    }

    private func usable(_ facts: CertificateFacts) -> Bool {
        facts.validity.contains(time) && !view.denyList.denies(facts.id, at: time, skew: policy.clockSkew)
    }

    private mutating func schedule(_ at: UInt64, _ subject: TimelineItem.Subject) {
        sequence += 1
        timeline.push(TimelineItem(time: at, sequence: sequence, subject: subject))
    }

    private mutating func learn(_ facts: CertificateFacts, _ work: inout Work) {
        guard view.known[facts.id] == nil else { return }
        view.learn(facts)
        let now = UInt64(time)
        if UInt64(facts.validity.start) > now { schedule(UInt64(facts.validity.start), .certificate(facts.id)) }
        if facts.validity.end > now { schedule(facts.validity.end, .certificate(facts.id)) }
        // A new certificate may be the candidate a digest signer names.
        work.dirty.formUnion(bySigner[facts.shortID] ?? [])
    }

    /// Marks everything that depends on certificate `id`'s status.
    private mutating func touch(_ id: CertificateID, _ work: inout Work) {
        if view.trusts(id) { work.suspects.insert(id) }
        if electorAnchors[id] != nil { work.candidates.insert(id) }
        work.roots.insert(id)
        work.dirty.formUnion(byTarget[id] ?? [])
        work.dirty.formUnion(bySigner[id.shortID] ?? [])
    }

    private mutating func store(_ assessment: BallotAssessment) {
        if let old = assessments[assessment.ballot], !old.fatal {
            byCount[old.endorsers.count]?.remove(assessment.ballot)
        }
        assessments[assessment.ballot] = assessment
        if !assessment.fatal { byCount[assessment.endorsers.count, default: []].insert(assessment.ballot) }
    }

    private func isAccepted(_ id: BallotID, quorum: Int) -> Bool {
        assessments[id]?.accepted(quorum: quorum) ?? false
    }

    private mutating func settle(_ work: inout Work, oldQuorum: Int? = nil) -> EventReport {
        let verificationsBefore = signatures.verifications
        electorChanges = [:]
        rootChanges = [:]
        var acceptedBefore: [BallotID: Bool] = [:]
        let quorumBefore = oldQuorum ?? policy.quorum
        func remember(_ id: BallotID) {
            if acceptedBefore[id] == nil { acceptedBefore[id] = isAccepted(id, quorum: quorumBefore) }
        }
        var report = EventReport()
        report.newlyDenied = work.newlyDenied
        for id in work.flipCandidates { remember(id) }

        while true {
            // 1. Over-delete: every suspect, and every elector an accepted ballot counted it for, transitively.
            var removed: [CertificateID] = []
            var queue = Array(work.suspects)
            work.suspects = []
            while let id = queue.popLast() {
                guard view.trusts(id) else { continue }
                if electorChanges[id] == nil { electorChanges[id] = true }
                view.distrust(id)
                removed.append(id)
                for ballotID in bySigner[id.shortID] ?? [] {
                    work.dirty.insert(ballotID)
                    guard let entry = entries[ballotID], let assessment = assessments[ballotID] else { continue }
                    switch entry.expected {
                    case .addElector:
                        if let target = assessment.target, assessment.endorsers.contains(id), view.trusts(target) {
                            queue.append(target)
                        }
                    case .addRoot:
                        if let target = assessment.target { work.roots.insert(target) }
                    case .removeElector, .removeRoot:
                        break
                    }
                }
            }
            // 2. Re-derive: anchors come back directly; others through their ballots.
            for id in removed.sorted() {
                if let anchor = electorAnchors[id], usable(anchor) {
                    trust(anchor, &work)
                } else {
                    work.dirty.formUnion(byTarget[id] ?? [])
                }
            }
            for id in work.candidates.sorted() {
                if let anchor = electorAnchors[id], usable(anchor), !view.trusts(id) { trust(anchor, &work) }
            }
            work.candidates = []

            // 3. Insert: re-assess dirty ballots; admissions re-dirty the ballots the new elector signed.
            var removals = Set<BallotID>()
            while let ballotID = work.dirty.popFirst() {
                guard let entry = entries[ballotID] else { continue }
                remember(ballotID)
                let assessment = BallotEvaluator.assess(entry.ballot, expected: entry.expected, view: view,
                                                        time: time, policy: policy, signatures: &signatures)
                report.assessments += 1
                report.reassessed.append(ballotID)
                store(assessment)
                guard let target = entry.ballot.target else { continue }
                switch entry.expected {
                case .addElector:
                    if assessment.accepted(quorum: policy.quorum), !view.trusts(target.id), usable(target) {
                        trust(target, &work)
                    }
                case .addRoot:
                    work.roots.insert(target.id)
                case .removeElector, .removeRoot:
                    removals.insert(ballotID)
                }
            }
            for id in work.roots { refreshRoot(id) }
            work.roots = []

            // 4. Removals against the settled electors; a new denial starts another round.
            var denied: [CertificateID] = []
            for ballotID in removals.sorted() where isAccepted(ballotID, quorum: policy.quorum) {
                guard let entry = entries[ballotID], let target = entry.ballot.target else { continue }
                let effective = entry.ballot.statement?.generationTime ?? time
                if view.denyList.deny(target.id, Denial(effectiveTime: effective, ballot: ballotID)) {
                    denied.append(target.id)
                }
            }
            if denied.isEmpty { break }
            report.newlyDenied.append(contentsOf: denied)
            for id in denied { touch(id, &work) }
        }

        for (id, before) in electorChanges where before != view.trusts(id) {
            if before { report.droppedElectors.append(id) } else { report.admittedElectors.append(id) }
        }
        for (id, before) in rootChanges where before != roots.contains(id) {
            if before { report.droppedRoots.append(id) } else { report.admittedRoots.append(id) }
        }
        report.admittedElectors.sort()
        report.droppedElectors.sort()
        report.admittedRoots.sort()
        report.droppedRoots.sort()
        report.newlyDenied.sort()
        for (id, before) in acceptedBefore.sorted(by: { $0.key < $1.key }) {
            guard let assessment = assessments[id] else { continue }
            let decision = assessment.decision(policy: policy, time: time)
            if decision.accepted != before { report.changedDecisions.append(decision) }
        }
        report.signatureVerifications = signatures.verifications - verificationsBefore
        return report
    }

    private mutating func trust(_ facts: CertificateFacts, _ work: inout Work) {
        if electorChanges[facts.id] == nil { electorChanges[facts.id] = view.trusts(facts.id) }
        view.trust(facts)
        work.dirty.formUnion(bySigner[facts.shortID] ?? [])
    }

    private mutating func refreshRoot(_ id: CertificateID) {
        var trusted = false
        if let anchor = rootAnchors[id], usable(anchor) { trusted = true }
        if !trusted {
            for ballotID in byTarget[id] ?? [] where entries[ballotID]?.expected == .addRoot {
                if isAccepted(ballotID, quorum: policy.quorum) {
                    trusted = true
                    break
                }
            }
        }
        if rootChanges[id] == nil { rootChanges[id] = roots.contains(id) }
        if trusted { roots.insert(id) } else { roots.remove(id) }
    }
}
