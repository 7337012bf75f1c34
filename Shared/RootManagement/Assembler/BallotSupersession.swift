// The assembler's memory bound: a ballot that another held ballot for the same target beats in every possible future
// can never be chosen for a GCCF and never changes who is trusted, so the Policy Generator need not keep it.

/// What a held `addElector` / `addRoot` ballot can ever count, reduced to what supersession compares: per endorser
/// certificate, the generation time from which its endorsement counts. Pure and time-free; computed once per ballot.
///
/// An endorsement *can count* for certificate C when nothing static rules it out: it is certificate-signed by C (C is
/// not the target and does not share the target's key), has no static finding, carries the expected type, C is valid
/// at the endorsement's generation time, and the signature verifies with C. It then counts at a decision time t
/// exactly when C is a trusted elector at t and its generation time is not beyond t plus the clock skew
/// (``BallotEvaluator``): the rest is fixed by the bytes.
///
/// Digest-signed endorsements are resolved against whichever trusted electors share the `HashedId8` at decision
/// time, so they cannot be reduced to one certificate ahead of time: a ballot with a digest-signed endorsement that
/// could count is never superseded, and never supersedes another (``canSupersede``).
public struct SupersessionProfile: Sendable, Hashable {
    /// The ballot.
    public var ballot: BallotID
    /// Its target certificate.
    public var target: CertificateID
    /// The list it was validated for (`addElector` or `addRoot`).
    public var expected: EndorsementAction
    /// The signed statement's generation time (the selection's tie-break).
    public var generationTime: UInt32
    /// Per certificate an endorsement could count for if its signature verified (what this ballot may count when
    /// it is the one compared against: a signature verdict that is not known yet cannot make it count more).
    public var possibleClaims: [CertificateID: UInt64]
    /// Per certificate an endorsement can count for, the generation time (seconds, the later of the header's and the
    /// statement's) from which it counts: the earliest over the certificate's endorsements.
    public var claims: [CertificateID: UInt64]
    /// Whether some digest-signed endorsement could count (for an elector only known at decision time).
    public var hasUnresolvedClaims: Bool
    /// Whether the ballot can be accepted at all under this configuration: no static ballot-level finding, the type
    /// expected, within the endorsement bound, and every certificate-signed endorser with its own public key (so
    /// each certificate that counts is counted as itself, never as another with the same key).
    public var canBeAccepted: Bool

    /// The profile of `ballot`, validated as `expected`, with signatures answered by `signatures` (the same resolver the
    /// engine decides with, so the two can never disagree on a signature) and `policy`'s endorsement bound. Nil for
    /// removal ballots (their earliest generation time matters, so they are always kept) and ballots without a target.
    public static func of(_ ballot: AnalyzedBallot, as expected: EndorsementAction, policy: TrustPolicy,
                          signatures: inout SignatureResolver) -> SupersessionProfile? {
        guard expected == .addElector || expected == .addRoot, let target = ballot.target else { return nil }
        var claims: [CertificateID: UInt64] = [:]
        var possibleClaims: [CertificateID: UInt64] = [:]
        var unresolved = false
        var keys = Set<PublicKeyID>()
        var distinctKeys = true
        let typeMatches = ballot.statement?.typeValue == expected.rawValue
        for endorsement in ballot.endorsements {
            guard let statement = endorsement.statement, let material = endorsement.signature,
                  let latest = endorsement.latestGenerationSeconds,
                  !ballot.staticallyInvalid.contains(endorsement.index),
                  statement.typeValue == expected.rawValue else { continue }
            switch endorsement.signer {
            case .certificate(let signer):
                guard signer.id != target.id, signer.publicKey != target.publicKey,
                      signer.validity.status(at: statement.generationTime) == .valid else { continue }
                if possibleClaims[signer.id] == nil, !keys.insert(signer.publicKey).inserted { distinctKeys = false }
                possibleClaims[signer.id] = min(possibleClaims[signer.id] ?? latest, latest)
                guard signatures.isValid(material, signer: signer) else { continue }
                // Several endorsements by one certificate: it counts once the earliest of them is past the future check.
                claims[signer.id] = min(claims[signer.id] ?? latest, latest)
            case .digest:
                unresolved = true
            case .selfSigned, .unusable:
                continue
            }
        }
        let fatal = ballot.findings.contains { BallotDecision.isFatal($0) }
        return SupersessionProfile(
            ballot: ballot.id, target: target.id, expected: expected,
            generationTime: ballot.statement?.generationTime ?? 0, possibleClaims: possibleClaims, claims: claims,
            hasUnresolvedClaims: unresolved,
            canBeAccepted: !fatal && typeMatches && distinctKeys
                && ballot.endorsements.count <= policy.maxEndorsementsPerBallot)
    }

    /// Whether this ballot beats `other` in every future from now: at any decision time t ≥ `now` and against any set
    /// of trusted electors, whenever `other` is accepted this ballot is accepted too and ranks above it in the
    /// selection (more valid endorsers, or as many and a newer generation time, or the same time and a smaller ID).
    /// Then `other` is never chosen, and never the only accepted ballot for its target, so dropping it changes no
    /// content and no trust decision.
    ///
    /// The argument, for `now` the engine's time (which never moves back) and `skew` its clock skew:
    /// - same target and list, so the target's own findings are the same for both;
    /// - this ballot has no finding that keeps it out whatever the electors (``canBeAccepted``);
    /// - every certificate `other` could count for (were its signatures all valid), this ballot can count for (its
    ///   signature verified by the engine's resolver, whose verdicts never shrink while this ballot is held), with a
    ///   generation time no later than `other`'s or already within `now` + `skew` (so once `other`'s endorsement is
    ///   past the future check, this one is too): this ballot's valid endorsers contain `other`'s, at every t and
    ///   with any trusted set;
    /// - `other` has no digest-signed endorsement that could count (its endorser would not be known ahead of time);
    /// - at equal counts the tie-break favours this ballot.
    public func supersedes(_ other: SupersessionProfile, now: UInt32, skew: UInt32) -> Bool {
        guard canSupersede, other.ballot != ballot, other.target == target, other.expected == expected,
              !other.hasUnresolvedClaims else { return false }
        if generationTime != other.generationTime {
            guard generationTime > other.generationTime else { return false }
        } else {
            guard ballot < other.ballot else { return false }
        }
        let horizon = UInt64(now) + UInt64(skew)
        for (certificate, otherLatest) in other.possibleClaims {
            guard let latest = claims[certificate], latest <= max(otherLatest, horizon) else { return false }
        }
        return true
    }

    /// Whether this ballot may stand in for others: it can be accepted, and every endorser it counts is known now.
    public var canSupersede: Bool { canBeAccepted && !hasUnresolvedClaims }
}
