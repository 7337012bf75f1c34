/// The parameters every decision takes besides the time: quorum and its floor, bounds, clock skew.
public struct TrustPolicy: Sendable, Hashable, Codable {
    /// The number of distinct trusted electors a ballot needs (from the GPF quorum extension).
    public var quorum: Int
    /// The configured minimum no GPF may go below (also never below 1).
    public var quorumFloor: Int
    /// The most endorsements a ballot may carry (`tooManyEndorsements` above it).
    public var maxEndorsementsPerBallot: Int
    /// The most trusted electors a chain file may hold (`electorCapacityExceeded` above it).
    public var maxElectors: Int
    /// How far in the future a generation time may be, in seconds.
    public var clockSkew: UInt32

    /// The defaults of the issue: 10 endorsements, 10 electors, 300 s skew.
    public init(quorum: Int, quorumFloor: Int = 1, maxEndorsementsPerBallot: Int = 10, maxElectors: Int = 10,
                clockSkew: UInt32 = 300) {
        self.quorum = quorum
        self.quorumFloor = quorumFloor
        self.maxEndorsementsPerBallot = maxEndorsementsPerBallot
        self.maxElectors = maxElectors
        self.clockSkew = clockSkew
    }

    /// The lowest quorum this policy allows: `max(1, quorumFloor)`.
    public var minimumQuorum: Int { max(1, quorumFloor) }

    /// `quorumBelowFloor` when the quorum is below the minimum, else nil.
    public var quorumFinding: Finding? {
        quorum >= minimumQuorum ? nil
            : Finding(.quorumBelowFloor, "quorum \(quorum) is below the floor \(minimumQuorum)")
    }

    /// The same policy with another quorum, or `quorumBelowFloor` when it would go below the floor (a GPF that
    /// tries to lower the quorum that far is refused and the old policy stays).
    public func withQuorum(_ newQuorum: Int) -> Result<TrustPolicy, PolicyRejection> {
        guard newQuorum >= minimumQuorum else {
            return .failure(PolicyRejection(finding: Finding(.quorumBelowFloor,
                "quorum \(newQuorum) is below the floor \(minimumQuorum)"), requestedQuorum: newQuorum))
        }
        var copy = self
        copy.quorum = newQuorum
        return .success(copy)
    }
}

/// A refused policy change.
public struct PolicyRejection: Error, Sendable, Hashable, Codable {
    /// Why (`quorumBelowFloor`).
    public var finding: Finding
    /// The quorum that was asked for.
    public var requestedQuorum: Int
}

/// Why a certificate is denied: the removal ballot that removed it and from when.
public struct Denial: Sendable, Hashable, Codable {
    /// The earliest generation time among the valid removal ballots for it.
    public var effectiveTime: UInt32
    /// The removal ballot with that time (nil when denied out of band, e.g. a what-if).
    public var ballot: BallotID?

    public init(effectiveTime: UInt32, ballot: BallotID?) {
        self.effectiveTime = effectiveTime
        self.ballot = ballot
    }
}

/// The persistent deny list: certificates removed by valid removal ballots. Entries are never dropped; a later
/// valid removal with an earlier generation time moves the effective time back.
public struct DenyList: Sendable, Hashable, Codable {
    public private(set) var entries: [CertificateID: Denial]

    public init(_ entries: [CertificateID: Denial] = [:]) { self.entries = entries }

    /// Whether `id` is denied for decisions at `t` (the removal took effect at or before `t + skew`).
    public func denies(_ id: CertificateID, at t: UInt32, skew: UInt32) -> Bool {
        guard let denial = entries[id] else { return false }
        return UInt64(denial.effectiveTime) <= UInt64(t) + UInt64(skew)
    }

    /// Records a removal; returns true when `id` was not denied before.
    @discardableResult
    public mutating func deny(_ id: CertificateID, _ denial: Denial) -> Bool {
        if let existing = entries[id] {
            if denial.effectiveTime < existing.effectiveTime { entries[id] = denial }
            return false
        }
        entries[id] = denial
        return true
    }

    /// Denied certificate IDs, sorted.
    public var ids: [CertificateID] { entries.keys.sorted() }
}
