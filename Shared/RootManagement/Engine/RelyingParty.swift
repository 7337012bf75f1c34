/// An LCCF's `CompositeVersion`.
public struct CompositeVersionValue: Sendable, Hashable, Codable, CustomStringConvertible {
    public var gccfVersion: UInt16
    public var lccfVersion: UInt16
    public var raHostname: String

    public init(gccfVersion: UInt16, lccfVersion: UInt16, raHostname: String) {
        self.gccfVersion = gccfVersion
        self.lccfVersion = lccfVersion
        self.raHostname = raHostname
    }

    public var description: String { "\(raHostname) \(gccfVersion).\(lccfVersion)" }
}

/// An elector a relying party admitted through a ballot; it stays trusted until it expires or is removed.
public struct AdmittedCertificate: Sendable, Hashable, Codable {
    public var facts: CertificateFacts
    /// When it was admitted.
    public var admittedAt: UInt32
    /// The ballot that admitted it.
    public var via: BallotID?
    /// The electors whose endorsements counted for that admission (a removal of enough of them unseats it).
    public var endorsers: [CertificateID]

    public init(facts: CertificateFacts, admittedAt: UInt32, via: BallotID?, endorsers: [CertificateID] = []) {
        self.facts = facts
        self.admittedAt = admittedAt
        self.via = via
        self.endorsers = endorsers
    }
}

/// Everything a relying party (EE or component) persists between chain-file updates. Store it where update content
/// cannot overwrite it and replace it atomically with the value `RelyingParty.apply` returns. `Codable` (JSON).
public struct RelyingPartyState: Sendable, Hashable, Codable {
    /// Quorum, floor and bounds. Only `RelyingParty.applyPolicy` changes the quorum (never below the floor).
    public var policy: TrustPolicy
    /// Electors installed out of band.
    public var electorAnchors: [CertificateFacts]
    /// Roots installed out of band.
    public var rootAnchors: [CertificateFacts]
    /// Electors admitted through ballots, sorted by ID.
    public var admittedElectors: [AdmittedCertificate]
    /// Roots trusted through ballots of the last accepted file, sorted by ID.
    public var endorsedRoots: [AdmittedCertificate]
    /// Removed certificates.
    public var denyList: DenyList
    /// The last accepted GCCF version.
    public var lastGCCFVersion: UInt16?
    /// The last accepted LCCF version (its hostname is the RA this party follows).
    public var lastLCCFVersion: CompositeVersionValue?
    /// The time of the last accepted update.
    public var updatedAt: UInt32?
    /// The component certificates (MA, ICA, PCA, …) of the last accepted file that chained to a trusted root, sorted
    /// by ID; failing ones are left out. Nil before the first update that validated components.
    public var trustedComponents: [TrustedComponent]?

    public init(policy: TrustPolicy, electorAnchors: [CertificateFacts], rootAnchors: [CertificateFacts] = []) {
        self.policy = policy
        self.electorAnchors = electorAnchors.sorted { $0.id < $1.id }
        self.rootAnchors = rootAnchors.sorted { $0.id < $1.id }
        self.admittedElectors = []
        self.endorsedRoots = []
        self.denyList = DenyList()
    }

    /// Electors trusted at `time` (anchors and admitted ones, valid and not denied), sorted.
    public func trustedElectors(at time: UInt32) -> [CertificateID] {
        (electorAnchors + admittedElectors.map(\.facts)).filter {
            $0.validity.contains(time) && !denyList.denies($0.id, at: time, skew: policy.clockSkew)
        }.map(\.id).sorted()
    }

    /// Roots trusted at `time`, sorted.
    public func trustedRoots(at time: UInt32) -> [CertificateID] {
        trustedRootFacts(at: time).map(\.id)
    }

    /// The facts of the roots trusted at `time`, sorted by ID.
    public func trustedRootFacts(at time: UInt32) -> [CertificateFacts] {
        (rootAnchors + endorsedRoots.map(\.facts)).filter {
            $0.validity.contains(time) && !denyList.denies($0.id, at: time, skew: policy.clockSkew)
        }.sorted { $0.id < $1.id }
    }

    /// Component certificates trusted at `time`: from the last accepted file, still valid, and whose root is still
    /// trusted. Sorted by ID.
    public func trustedComponentIDs(at time: UInt32) -> [CertificateID] {
        let roots = Set(trustedRoots(at: time))
        return Set((trustedComponents ?? []).filter { $0.facts.validity.contains(time) && roots.contains($0.root) }
            .map(\.facts.id)).sorted()
    }
}

/// A chain file as a relying party receives it, analyzed.
public struct ReceivedChainFile: Sendable {
    public enum Version: Sendable, Hashable {
        case gccf(UInt16)
        case lccf(CompositeVersionValue)
    }
    public var version: Version
    /// `rootCAEndorsements`.
    public var rootBallots: [AnalyzedBallot]
    /// `electorEndorsements`.
    public var electorBallots: [AnalyzedBallot]
    /// Removal ballots from the composite CRL processed with it (`revokedElectors`, `revokedRootCAs`).
    public var removals: [BallotEntry]
    /// The component certificates (`maCertificate`, `certs`, `optionalCertList`), validated by `RelyingParty.apply`.
    public var components: [ReceivedComponent]

    public init(version: Version, rootBallots: [AnalyzedBallot], electorBallots: [AnalyzedBallot],
                removals: [BallotEntry] = [], components: [ReceivedComponent] = []) {
        self.version = version
        self.rootBallots = rootBallots
        self.electorBallots = electorBallots
        self.removals = removals
        self.components = components
    }
}

/// The result of an accepted update: the state to persist and what changed.
public struct RelyingPartyUpdate: Sendable {
    /// The new state (persist atomically).
    public var state: RelyingPartyState
    /// Every ballot's decision.
    public var decisions: [BallotDecision]
    public var admittedElectors: [CertificateID]
    public var droppedElectors: [CertificateID]
    public var admittedRoots: [CertificateID]
    public var droppedRoots: [CertificateID]
    public var newlyDenied: [CertificateID]
    /// A verdict on every component certificate of the file (failing ones are not in `state.trustedComponents`).
    public var components: [ComponentVerdict] = []
    /// Problems that did not refuse the update but must be reported: `maCertificateUntrusted`.
    public var warnings: [Finding] = []
}

/// A refused update: the stored state stays as it was.
public struct RelyingPartyRejection: Error, Sendable, Hashable {
    public var findings: [Finding]
}

/// Relying-party processing of a GCCF or LCCF (`notes/domain.md` §7.3): anti-rollback, a fixpoint from the party's
/// own anchors plus the electors it admitted before (the seed rule: an admitted elector stays trusted after its
/// endorsers expire, until it expires or is removed), removals, roots re-evaluated from this file only (a root whose
/// endorsements fell below quorum is implicitly revoked), capacity, component certificates validated up to the
/// roots trusted after the update, and one new state value.
///
/// Component certificates that do not chain do not refuse the file: elector and root decisions stand on the
/// ballots alone (a chain file is unsigned; each ballot authenticates itself), so the update is accepted, every
/// failing component is reported in `RelyingPartyUpdate.components` and left out of `state.trustedComponents`, and
/// an `maCertificate` that does not chain adds `maCertificateUntrusted` to `warnings`.
public enum RelyingParty {
    public static func apply(_ file: ReceivedChainFile, to state: RelyingPartyState, at time: UInt32,
                             signatures: inout SignatureResolver) -> Result<RelyingPartyUpdate, RelyingPartyRejection> {
        var rejections: [Finding] = []
        if let floor = state.policy.quorumFinding { rejections.append(floor) }
        var next = state
        switch file.version {
        case .gccf(let version):
            if let last = state.lastGCCFVersion, version <= last {
                rejections.append(Finding(.rollback, "GCCF version \(version) is not newer than \(last)"))
            }
            if let lccf = state.lastLCCFVersion, version < lccf.gccfVersion {
                rejections.append(Finding(.rollback, "GCCF version \(version) is older than the GCCF \(lccf.gccfVersion) of the last LCCF"))
            }
            next.lastGCCFVersion = version
        case .lccf(let version):
            if let last = state.lastLCCFVersion {
                if last.raHostname != version.raHostname {
                    rejections.append(Finding(.raHostnameMismatch, "LCCF from \(version.raHostname), following \(last.raHostname)"))
                } else if (version.gccfVersion, version.lccfVersion) <= (last.gccfVersion, last.lccfVersion) {
                    rejections.append(Finding(.rollback, "LCCF version \(version) is not newer than \(last)"))
                }
            }
            if let last = state.lastGCCFVersion, version.gccfVersion < last {
                rejections.append(Finding(.rollback, "LCCF names GCCF \(version.gccfVersion), older than accepted GCCF \(last)"))
            }
            next.lastLCCFVersion = version
        }
        guard rejections.isEmpty else { return .failure(RelyingPartyRejection(findings: rejections.sorted())) }

        let retained = seeds(state, with: file.removals, at: time, signatures: &signatures)
        let ballots = file.rootBallots.map { BallotEntry($0, as: .addRoot) }
            + file.electorBallots.map { BallotEntry($0, as: .addElector) } + file.removals
        let inputs = TrustInputs(electorAnchors: state.electorAnchors + retained, rootAnchors: state.rootAnchors,
                                 ballots: ballots, denyList: state.denyList)
        let snapshot = TrustEvaluator.evaluate(inputs, policy: state.policy, time: time, signatures: &signatures)

        let anchorIDs = Set(state.electorAnchors.map(\.id))
        let previous = Dictionary(state.admittedElectors.map { ($0.facts.id, $0) }, uniquingKeysWith: { a, _ in a })
        var admitted: [AdmittedCertificate] = []
        for id in snapshot.electorIDs where !anchorIDs.contains(id) {
            guard let trusted = snapshot.electors[id] else { continue }
            if let kept = previous[id], retained.contains(where: { $0.id == id }) {
                admitted.append(kept)
            } else {
                let endorsers = trusted.via.flatMap { snapshot.decisions[$0]?.endorsers } ?? []
                admitted.append(AdmittedCertificate(facts: trusted.facts, admittedAt: time, via: trusted.via,
                                                    endorsers: endorsers))
            }
        }
        let rootAnchorIDs = Set(state.rootAnchors.map(\.id))
        let previousRoots = Dictionary(state.endorsedRoots.map { ($0.facts.id, $0) }, uniquingKeysWith: { a, _ in a })
        var roots: [AdmittedCertificate] = []
        for id in snapshot.rootIDs where !rootAnchorIDs.contains(id) {
            guard let trusted = snapshot.roots[id] else { continue }
            roots.append(previousRoots[id] ?? AdmittedCertificate(facts: trusted.facts, admittedAt: time, via: trusted.via))
        }
        next.admittedElectors = admitted
        next.endorsedRoots = roots
        next.denyList = snapshot.denyList
        next.updatedAt = time

        let chains = ComponentChainValidator.validate(file.components, roots: next.trustedRootFacts(at: time), at: time,
                                                      signatures: &signatures)
        var components: [CertificateID: TrustedComponent] = [:]
        for (verdict, component) in zip(chains.verdicts, file.components) where verdict.trusted {
            components[verdict.certificate] = components[verdict.certificate]
                ?? TrustedComponent(facts: component.certificate.facts, placement: verdict.placement, chain: verdict.chain)
        }
        next.trustedComponents = components.keys.sorted().compactMap { components[$0] }

        let beforeElectors = Set(state.trustedElectors(at: time)), afterElectors = Set(next.trustedElectors(at: time))
        let beforeRoots = Set(state.trustedRoots(at: time)), afterRoots = Set(next.trustedRoots(at: time))
        let newlyDenied = Set(next.denyList.entries.keys).subtracting(state.denyList.entries.keys)
        return .success(RelyingPartyUpdate(
            state: next,
            decisions: snapshot.decisions.values.sorted { $0.ballot < $1.ballot },
            admittedElectors: afterElectors.subtracting(beforeElectors).sorted(),
            droppedElectors: beforeElectors.subtracting(afterElectors).sorted(),
            admittedRoots: afterRoots.subtracting(beforeRoots).sorted(),
            droppedRoots: beforeRoots.subtracting(afterRoots).sorted(),
            newlyDenied: newlyDenied.sorted(),
            components: chains.verdicts,
            warnings: chains.findings))
    }

    /// The admitted electors that stay seeds of the fixpoint: all of them (their endorsers may have expired since —
    /// the seed rule) except those whose admission no longer has a quorum of endorsers once removed electors, and
    /// electors unseated that way, are taken out (the removal cascade). Unseated electors can still be re-admitted
    /// by a ballot in the file.
    static func seeds(_ state: RelyingPartyState, with removals: [BallotEntry], at time: UInt32,
                      signatures: inout SignatureResolver) -> [CertificateFacts] {
        // Removals this file brings, judged against the current trust (anchors and admitted electors).
        var denyList = state.denyList
        if !removals.isEmpty {
            let inputs = TrustInputs(electorAnchors: state.electorAnchors + state.admittedElectors.map(\.facts),
                                     rootAnchors: state.rootAnchors, ballots: removals, denyList: denyList)
            denyList = TrustEvaluator.evaluate(inputs, policy: state.policy, time: time, signatures: &signatures).denyList
        }
        var unseated = Set(denyList.entries.keys.filter { denyList.denies($0, at: time, skew: state.policy.clockSkew) })
        var changed = true
        while changed {
            changed = false
            for admitted in state.admittedElectors where !unseated.contains(admitted.facts.id) && !admitted.endorsers.isEmpty {
                let remaining = admitted.endorsers.filter { !unseated.contains($0) }.count
                if remaining < state.policy.quorum {
                    unseated.insert(admitted.facts.id)
                    changed = true
                }
            }
        }
        return state.admittedElectors.map(\.facts).filter { !unseated.contains($0.id) }
    }

    /// A GPF quorum for the stored state; below the floor it is refused (`quorumBelowFloor`).
    public static func applyPolicy(quorum: Int, to state: RelyingPartyState) -> Result<RelyingPartyState, PolicyRejection> {
        state.policy.withQuorum(quorum).map { policy in
            var next = state
            next.policy = policy
            return next
        }
    }
}
