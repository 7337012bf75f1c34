/// A ballot and the type it must have (from the list it was found in, or the type it was submitted as).
public struct BallotEntry: Sendable, Hashable {
    public var ballot: AnalyzedBallot
    public var expected: EndorsementAction

    public init(_ ballot: AnalyzedBallot, as expected: EndorsementAction) {
        self.ballot = ballot
        self.expected = expected
    }
}

/// Everything a trust computation starts from.
public struct TrustInputs: Sendable {
    /// Electors installed out of band (and, for a relying party, electors it admitted before).
    public var electorAnchors: [CertificateFacts]
    /// Roots installed out of band.
    public var rootAnchors: [CertificateFacts]
    /// Candidate ballots of every type (duplicates by ballot ID are ignored after the first).
    public var ballots: [BallotEntry]
    /// Removals accepted earlier (persistent).
    public var denyList: DenyList

    public init(electorAnchors: [CertificateFacts], rootAnchors: [CertificateFacts] = [],
                ballots: [BallotEntry] = [], denyList: DenyList = DenyList()) {
        self.electorAnchors = electorAnchors
        self.rootAnchors = rootAnchors
        self.ballots = ballots
        self.denyList = denyList
    }
}

/// A trusted elector or root and how it got there.
public struct TrustedCertificate: Sendable, Hashable, Codable {
    /// The certificate.
    public var facts: CertificateFacts
    /// 0 for anchors; otherwise the fixpoint round that admitted it (its counted endorsers all have lower ranks).
    public var rank: Int
    /// The ballot that admitted it (nil for anchors).
    public var via: BallotID?

    public init(facts: CertificateFacts, rank: Int, via: BallotID?) {
        self.facts = facts
        self.rank = rank
        self.via = via
    }
}

/// The trust state at one time with one policy, computed from scratch.
public struct TrustSnapshot: Sendable {
    /// The decision time.
    public var time: UInt32
    /// The policy applied.
    public var policy: TrustPolicy
    /// Trusted electors.
    public var electors: [CertificateID: TrustedCertificate]
    /// Trusted roots.
    public var roots: [CertificateID: TrustedCertificate]
    /// The deny list after this computation's removals.
    public var denyList: DenyList
    /// The final decision on every ballot, against the final trusted set.
    public var decisions: [BallotID: BallotDecision]
    /// The ballots, by ID.
    public var entries: [BallotID: BallotEntry]
    /// Electors a valid ballot would have admitted but for `maxElectors`.
    public var capacityDropped: Set<CertificateID>

    /// Trusted elector IDs, sorted.
    public var electorIDs: [CertificateID] { electors.keys.sorted() }
    /// Trusted root IDs, sorted.
    public var rootIDs: [CertificateID] { roots.keys.sorted() }
}

/// The from-scratch trust computation of `notes/domain.md` §7.3: anchors (valid, not denied), then a least fixpoint
/// over `addElector` ballots in rounds, then roots against the final electors, then removals; a removal that
/// denies something new restarts the computation with the larger deny list (cascade).
///
/// With `enforceCapacity`, admissions in each round go in certificate-ID order and stop at `policy.maxElectors`;
/// ballots left out get `electorCapacityExceeded`. Determinism: every choice is ordered by byte-wise IDs.
///
/// With an `admissionOrder` (the Policy Generator's: the order its fold first trusted each elector), admission is
/// greedy instead of by rounds: one elector at a time, always the admissible one that comes first in that order
/// (electors the order does not name come after all it names, by ID), until `policy.maxElectors`. So electors
/// admitted earlier keep their places and a newcomer at the cap is the one refused, whatever their IDs. Ranks are
/// then admission steps (each admitted elector's counted endorsers have lower ranks, as with rounds).
public enum TrustEvaluator {
    public static func evaluate(_ inputs: TrustInputs, policy: TrustPolicy, time: UInt32, enforceCapacity: Bool = true,
                                admissionOrder: [CertificateID: Int]? = nil,
                                signatures: inout SignatureResolver) -> TrustSnapshot {
        var seen = Set<BallotID>()
        var entries: [BallotEntry] = []
        for entry in inputs.ballots where seen.insert(entry.ballot.id).inserted { entries.append(entry) }
        entries.sort { $0.ballot.id < $1.ballot.id }
        let electorBallots = entries.indices.filter { entries[$0].expected == .addElector }
        var bySigner: [CertificateShortID: [Int]] = [:]
        for index in electorBallots {
            for short in entries[index].ballot.signerShortIDs { bySigner[short, default: []].append(index) }
        }

        var denyList = inputs.denyList
        while true {
            var view = TrustView(denyList: denyList)
            for anchor in inputs.electorAnchors { view.learn(anchor) }
            for anchor in inputs.rootAnchors { view.learn(anchor) }
            for entry in entries {
                if let target = entry.ballot.target { view.learn(target) }
                for signer in entry.ballot.embeddedSigners { view.learn(signer) }
            }
            func usable(_ facts: CertificateFacts) -> Bool {
                facts.validity.contains(time) && !denyList.denies(facts.id, at: time, skew: policy.clockSkew)
            }

            var electors: [CertificateID: TrustedCertificate] = [:]
            for anchor in inputs.electorAnchors.sorted(by: { $0.id < $1.id }) where usable(anchor) {
                view.trust(anchor)
                electors[anchor.id] = TrustedCertificate(facts: anchor, rank: 0, via: nil)
            }

            var capacityDropped = Set<CertificateID>()
            var dirty = Set(electorBallots)
            var round = 1
            if let order = admissionOrder {
                // Greedy in admission order: admissible ballots stay admissible as trust grows (monotone), so only the
                // ballots a new elector signed are evaluated again.
                var admissible: [CertificateID: (CertificateFacts, BallotID)] = [:]
                func key(_ id: CertificateID) -> (Int, CertificateID) { (order[id] ?? Int.max, id) }
                while true {
                    for index in dirty.sorted() {
                        let entry = entries[index]
                        guard let target = entry.ballot.target, !view.trusts(target.id) else { continue }
                        if let existing = admissible[target.id], existing.1 < entry.ballot.id { continue }
                        let decision = BallotEvaluator.evaluate(entry.ballot, expected: .addElector, view: view,
                                                                time: time, policy: policy, signatures: &signatures)
                        guard decision.accepted else { continue }
                        admissible[target.id] = (target, entry.ballot.id)
                    }
                    dirty = []
                    guard let next = admissible.keys.min(by: { key($0) < key($1) }),
                          let (facts, ballot) = admissible.removeValue(forKey: next) else { break }
                    if enforceCapacity && view.electors.count >= policy.maxElectors {
                        capacityDropped.insert(next)
                        capacityDropped.formUnion(admissible.keys)
                        break
                    }
                    view.trust(facts)
                    electors[next] = TrustedCertificate(facts: facts, rank: round, via: ballot)
                    round += 1
                    dirty.formUnion(bySigner[next.shortID] ?? [])
                }
                dirty = []
            }
            while !dirty.isEmpty {
                var admitted: [CertificateID: (CertificateFacts, BallotID)] = [:]
                for index in dirty.sorted() {
                    let entry = entries[index]
                    guard let target = entry.ballot.target, !view.trusts(target.id),
                          !capacityDropped.contains(target.id) else { continue }
                    let decision = BallotEvaluator.evaluate(entry.ballot, expected: .addElector, view: view,
                                                            time: time, policy: policy, signatures: &signatures)
                    guard decision.accepted else { continue }
                    if let existing = admitted[target.id], existing.1 < entry.ballot.id { continue }
                    admitted[target.id] = (target, entry.ballot.id)
                }
                dirty = []
                for id in admitted.keys.sorted() {
                    guard let (facts, ballot) = admitted[id] else { continue }
                    if enforceCapacity && view.electors.count >= policy.maxElectors {
                        capacityDropped.insert(id)
                        continue
                    }
                    view.trust(facts)
                    electors[id] = TrustedCertificate(facts: facts, rank: round, via: ballot)
                    dirty.formUnion(bySigner[id.shortID] ?? [])
                }
                round += 1
            }

            var decisions: [BallotID: BallotDecision] = [:]
            for entry in entries {
                var decision = BallotEvaluator.evaluate(entry.ballot, expected: entry.expected, view: view,
                                                        time: time, policy: policy, signatures: &signatures)
                if entry.expected == .addElector, let target = decision.target, capacityDropped.contains(target),
                   decision.accepted {
                    decision.accepted = false
                    decision.findings.append(Finding(.electorCapacityExceeded,
                        "admitting it would exceed \(policy.maxElectors) trusted electors"))
                    decision.findings.sort()
                }
                decisions[entry.ballot.id] = decision
            }

            var roots: [CertificateID: TrustedCertificate] = [:]
            for anchor in inputs.rootAnchors.sorted(by: { $0.id < $1.id }) where usable(anchor) {
                roots[anchor.id] = TrustedCertificate(facts: anchor, rank: 0, via: nil)
            }
            var changed = false
            for entry in entries {
                guard let decision = decisions[entry.ballot.id], decision.accepted,
                      let target = entry.ballot.target else { continue }
                switch entry.expected {
                case .addRoot:
                    if roots[target.id] == nil {
                        roots[target.id] = TrustedCertificate(facts: target, rank: 1, via: entry.ballot.id)
                    }
                case .removeElector, .removeRoot:
                    let effective = entry.ballot.statement?.generationTime ?? time
                    if denyList.deny(target.id, Denial(effectiveTime: effective, ballot: entry.ballot.id)) {
                        changed = true
                    }
                case .addElector:
                    break
                }
            }
            if !changed {
                var byID: [BallotID: BallotEntry] = [:]
                for entry in entries { byID[entry.ballot.id] = entry }
                return TrustSnapshot(time: time, policy: policy, electors: electors, roots: roots,
                                     denyList: denyList, decisions: decisions, entries: byID,
                                     capacityDropped: capacityDropped)
            }
        }
    }
}
