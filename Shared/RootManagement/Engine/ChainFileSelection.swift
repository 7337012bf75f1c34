/// A ballot that a chain file leaves out, and why.
public struct ExcludedBallot: Sendable, Hashable, Codable {
    public enum Cause: String, Sendable, Hashable, Codable {
        /// The ballot is not valid now (its decision says why).
        case invalid
        /// Valid, but another ballot for the same target was chosen.
        case superseded
        /// Valid, but its target is an anchor (installed out of band, no ballot needed).
        case anchor
        /// A removal ballot: removals travel in the CRL, not in the chain file.
        case removal
    }
    public var ballot: BallotID
    public var target: CertificateID?
    public var expected: EndorsementAction
    public var cause: Cause
    /// The ballot's decision findings.
    public var findings: [Finding]
}

/// What a GCCF holds: one ballot per trusted target (roots and electors), in target-ID order, plus everything left
/// out with its cause.
public struct ChainFileSelection: Sendable {
    /// `rootCAEndorsements`, sorted by target certificate ID.
    public var rootBallots: [BallotID]
    /// `electorEndorsements`, sorted by target certificate ID.
    public var electorBallots: [BallotID]
    /// Ballots left out, sorted by ballot ID.
    public var excluded: [ExcludedBallot]
    /// The trust computation the selection came from.
    public var snapshot: TrustSnapshot
}

/// The PG's content rules (`notes/domain.md` §7.4), over a from-scratch snapshot at build time.
///
/// Per trusted non-anchor elector, the chosen ballot must be *grounded*: at least `quorum` of its valid endorsers
/// have a lower fixpoint rank than the target. That guarantees a relying party running the fixpoint over the file's
/// ballots alone (from the same anchors) reaches every elector the PG trusts, even when endorsements form cycles.
/// Among grounded ballots the strongest wins: most valid endorsers, then newest generation time, then smallest
/// ballot ID. Roots: most valid endorsers, newest, smallest ID.
public enum ChainFileSelector {
    public static func select(_ snapshot: TrustSnapshot) -> ChainFileSelection {
        let quorum = snapshot.policy.quorum
        var chosen: [CertificateID: BallotID] = [:]
        var excluded: [ExcludedBallot] = []
        let entries = snapshot.entries.values.sorted { $0.ballot.id < $1.ballot.id }

        func generation(_ entry: BallotEntry) -> UInt32 { entry.ballot.statement?.generationTime ?? 0 }
        func better(_ a: (Int, BallotEntry), than b: (Int, BallotEntry)) -> Bool {
            if a.0 != b.0 { return a.0 > b.0 }
            if generation(a.1) != generation(b.1) { return generation(a.1) > generation(b.1) }
            return a.1.ballot.id < b.1.ballot.id
        }

        var bestElector: [CertificateID: (Int, BallotEntry)] = [:]
        var bestRoot: [CertificateID: (Int, BallotEntry)] = [:]
        for entry in entries {
            guard let decision = snapshot.decisions[entry.ballot.id], decision.accepted,
                  let target = decision.target else { continue }
            switch entry.expected {
            case .addElector:
                guard let trusted = snapshot.electors[target], trusted.rank > 0 else { continue }
                let grounded = decision.endorsers.filter { (snapshot.electors[$0]?.rank ?? Int.max) < trusted.rank }
                guard grounded.count >= quorum || trusted.via == entry.ballot.id else { continue }
                let candidate = (decision.endorsers.count, entry)
                if let current = bestElector[target], !better(candidate, than: current) { continue }
                bestElector[target] = candidate
            case .addRoot:
                guard let trusted = snapshot.roots[target], trusted.rank > 0 else { continue }
                let candidate = (decision.endorsers.count, entry)
                if let current = bestRoot[target], !better(candidate, than: current) { continue }
                bestRoot[target] = candidate
            case .removeElector, .removeRoot:
                continue
            }
        }
        for (target, best) in bestElector { chosen[target] = best.1.ballot.id }
        for (target, best) in bestRoot { chosen[target] = best.1.ballot.id }
        let chosenIDs = Set(chosen.values)

        for entry in entries where !chosenIDs.contains(entry.ballot.id) {
            let decision = snapshot.decisions[entry.ballot.id]
            let cause: ExcludedBallot.Cause
            if entry.expected.isRemoval {
                cause = .removal
            } else if decision?.accepted != true {
                cause = .invalid
            } else if let target = decision?.target,
                      (entry.expected == .addElector ? snapshot.electors[target]?.rank : snapshot.roots[target]?.rank) == 0 {
                cause = .anchor
            } else {
                cause = .superseded
            }
            excluded.append(ExcludedBallot(ballot: entry.ballot.id, target: decision?.target, expected: entry.expected,
                                           cause: cause, findings: decision?.findings ?? []))
        }
        let roots = bestRoot.keys.sorted().compactMap { bestRoot[$0]?.1.ballot.id }
        let electors = bestElector.keys.sorted().compactMap { bestElector[$0]?.1.ballot.id }
        return ChainFileSelection(rootBallots: roots, electorBallots: electors, excluded: excluded, snapshot: snapshot)
    }
}

/// The published version of a chain file and a digest of its content (everything but the version).
public struct PublishedVersion: Sendable, Hashable, Codable {
    public var version: UInt16
    /// SHA-256 of the content the binding hashes (the encoded file with the version field left out).
    public var contentDigest: [UInt8]

    public init(version: UInt16, contentDigest: [UInt8]) {
        self.version = version
        self.contentDigest = contentDigest
    }

    /// The version to publish for `contentDigest` after `previous`: the same version when the content is the same,
    /// one more when it changed, `firstVersion` when there was none; `versionExhausted` past 65535.
    public static func next(after previous: PublishedVersion?, contentDigest: [UInt8],
                            firstVersion: UInt16 = 1) -> Result<PublishedVersion, Finding> {
        guard let previous else { return .success(PublishedVersion(version: firstVersion, contentDigest: contentDigest)) }
        if previous.contentDigest == contentDigest { return .success(previous) }
        guard previous.version < UInt16.max else {
            return .failure(Finding(.versionExhausted, "version \(previous.version) cannot be increased"))
        }
        return .success(PublishedVersion(version: previous.version + 1, contentDigest: contentDigest))
    }
}

/// LCCF completeness: an RA's LCCF must keep every elector and root endorsement of its GCCF.
public enum LCCFCompleteness {
    /// Findings (`lccfIncomplete`) for every GCCF ballot the LCCF lost and for a GCCF version mismatch; empty when
    /// the LCCF is complete. Ballots are compared by ID (SHA-256 of their canonical bytes).
    public static func check(gccfVersion: UInt16, gccfRootBallots: [BallotID], gccfElectorBallots: [BallotID],
                             lccfGccfVersion: UInt16, lccfRootBallots: [BallotID],
                             lccfElectorBallots: [BallotID]) -> [Finding] {
        var findings: [Finding] = []
        if gccfVersion != lccfGccfVersion {
            findings.append(Finding(.lccfIncomplete, "LCCF names GCCF version \(lccfGccfVersion), GCCF is \(gccfVersion)"))
        }
        let roots = Set(lccfRootBallots), electors = Set(lccfElectorBallots)
        for id in gccfRootBallots where !roots.contains(id) {
            findings.append(Finding(.lccfIncomplete, "root endorsement ballot \(id.hex) missing"))
        }
        for id in gccfElectorBallots where !electors.contains(id) {
            findings.append(Finding(.lccfIncomplete, "elector endorsement ballot \(id.hex) missing"))
        }
        return findings.sorted()
    }
}
