/// The verdict on one ballot at one time with one quorum: accepted or not, by whom, and every reason.
public struct BallotDecision: Sendable, Hashable, Codable {
    /// The ballot.
    public var ballot: BallotID
    /// SHA-256 of the ballot's certificate (nil when it did not decode).
    public var target: CertificateID?
    /// What the ballot had to be (from the list it was found in, or what the caller asked for).
    public var expected: EndorsementAction
    /// The decision time (Time32).
    public var time: UInt32
    /// The quorum applied.
    public var quorum: Int
    /// Whether the ballot is valid: no ballot-level problem and at least `quorum` distinct valid endorsers.
    public var accepted: Bool
    /// The distinct endorsers whose endorsements are valid, in endorsement order.
    public var endorsers: [CertificateID]
    /// The endorsement index each endorser was counted at (same order as `endorsers`).
    public var endorserIndexes: [Int]
    /// Every reason, sorted (ballot-level first, then by endorsement index).
    public var findings: [Finding]

    /// The codes, without details.
    public var codes: Set<ReasonCode> { Set(findings.map(\.code)) }
    /// The (code, index) pairs, without details.
    public var keys: Set<FindingKey> { Set(findings.map(\.key)) }
    /// Number of distinct valid endorsers.
    public var endorserCount: Int { endorsers.count }
    /// Whether a finding other than `insufficientQuorum` makes the ballot invalid whatever the count.
    public var hasFatalFinding: Bool { findings.contains { BallotDecision.isFatal($0) } }

    /// Ballot-level findings (no endorsement index) are fatal, and so is `inconsistentEndorsements` — except
    /// `insufficientQuorum`, which is the count itself.
    static func isFatal(_ finding: Finding) -> Bool {
        if finding.code == .insufficientQuorum { return false }
        return finding.endorsementIndex == nil || finding.code == .inconsistentEndorsements
    }
}

/// The quorum-independent part of a ballot's verdict at one time against one trust view: who counts and every
/// finding except `insufficientQuorum` / `quorumBelowFloor`. Engines store these, so a quorum change touches only
/// the ballots whose count lies between the old and the new quorum.
public struct BallotAssessment: Sendable, Hashable, Codable {
    public var ballot: BallotID
    public var target: CertificateID?
    public var expected: EndorsementAction
    /// Distinct valid endorsers, in endorsement order.
    public var endorsers: [CertificateID]
    /// Where each endorser was counted.
    public var endorserIndexes: [Int]
    /// Findings other than the quorum ones, sorted.
    public var findings: [Finding]
    /// Whether some finding makes the ballot invalid whatever the quorum.
    public var fatal: Bool

    /// Whether the ballot is accepted with `quorum` (the policy's own floor check aside).
    public func accepted(quorum: Int) -> Bool { !fatal && endorsers.count >= quorum }

    /// The full decision with `policy`'s quorum at `time`.
    public func decision(policy: TrustPolicy, time: UInt32) -> BallotDecision {
        var findings = self.findings
        if let quorumFinding = policy.quorumFinding { findings.append(quorumFinding) }
        if endorsers.count < policy.quorum {
            findings.append(Finding(.insufficientQuorum,
                                    "\(endorsers.count) distinct valid endorsers, quorum \(policy.quorum)"))
        }
        findings.sort()
        let accepted = accepted(quorum: policy.quorum) && policy.quorumFinding == nil
        return BallotDecision(ballot: ballot, target: target, expected: expected, time: time, quorum: policy.quorum,
                              accepted: accepted, endorsers: endorsers, endorserIndexes: endorserIndexes,
                              findings: findings)
    }
}

/// Decides one analyzed ballot against a trust view: the checks of `notes/domain.md` §7.1–§7.2 that depend on the
/// time, the quorum and who is trusted (the static ones were done when the ballot was analyzed).
public enum BallotEvaluator {
    /// Evaluates `ballot` as an `expected` ballot at `time` with `policy.quorum`. `view.electors` must be the
    /// electors trusted at `time` (valid, not denied). Signatures come from `signatures` (cached).
    public static func evaluate(_ ballot: AnalyzedBallot, expected: EndorsementAction, view: TrustView,
                                time: UInt32, policy: TrustPolicy,
                                signatures: inout SignatureResolver) -> BallotDecision {
        assess(ballot, expected: expected, view: view, time: time, policy: policy, signatures: &signatures)
            .decision(policy: policy, time: time)
    }

    /// The quorum-independent assessment (see `BallotAssessment`).
    public static func assess(_ ballot: AnalyzedBallot, expected: EndorsementAction, view: TrustView,
                              time: UInt32, policy: TrustPolicy,
                              signatures: inout SignatureResolver) -> BallotAssessment {
        var findings = ballot.findings
        var endorsers: [CertificateID] = []
        var indexes: [Int] = []
        func decision() -> BallotAssessment {
            let unique = Array(Set(findings)).sorted()
            return BallotAssessment(ballot: ballot.id, target: ballot.target?.id, expected: expected,
                                    endorsers: endorsers, endorserIndexes: indexes, findings: unique,
                                    fatal: unique.contains { BallotDecision.isFatal($0) })
        }

        if ballot.endorsements.count > policy.maxEndorsementsPerBallot {
            // Bounded work: nothing else is looked at.
            findings.append(Finding(.tooManyEndorsements,
                "\(ballot.endorsements.count) endorsements, at most \(policy.maxEndorsementsPerBallot) allowed"))
            return decision()
        }
        guard let target = ballot.target else {
            if !findings.contains(where: { $0.endorsementIndex == nil }) {
                findings.append(Finding(.malformed, "ballot certificate missing"))
            }
            return decision()
        }
        findings.append(contentsOf: targetFindings(target, expected: expected, view: view, time: time, policy: policy))

        let horizon = UInt64(time) + UInt64(policy.clockSkew)
        var seenCertificates = Set<CertificateID>()
        var seenKeys = Set<PublicKeyID>()
        for endorsement in ballot.endorsements {
            guard let statement = endorsement.statement, let material = endorsement.signature else { continue }
            let index = endorsement.index
            var valid = !ballot.staticallyInvalid.contains(index)
            if statement.typeValue != expected.rawValue {
                let declared = statement.action?.description ?? "unknown(\(statement.typeValue))"
                findings.append(Finding(.typeMismatch, endorsement: index, "type \(declared), expected \(expected)"))
                valid = false
            }
            if let latest = endorsement.latestGenerationSeconds, latest > horizon {
                findings.append(Finding(.generationTimeInFuture, endorsement: index,
                    "generated at \(latest), later than the decision time plus \(policy.clockSkew) s skew"))
                valid = false
            }
            switch resolveSigner(endorsement, statement: statement, material: material, target: target,
                                 view: view, time: time, policy: policy, signatures: &signatures) {
            case .failure(let finding):
                findings.append(finding)
            case .success(let signer):
                guard valid else { break }
                if seenCertificates.contains(signer.id) || seenKeys.contains(signer.publicKey) {
                    findings.append(Finding(.duplicateEndorser, endorsement: index,
                        "elector \(signer.id.hex) already counted (same certificate or same public key)"))
                } else {
                    seenCertificates.insert(signer.id)
                    seenKeys.insert(signer.publicKey)
                    endorsers.append(signer.id)
                    indexes.append(index)
                }
            }
        }
        return decision()
    }

    /// Target checks: profile, self-signature, validity, removal.
    static func targetFindings(_ target: CertificateFacts, expected: EndorsementAction, view: TrustView,
                               time: UInt32, policy: TrustPolicy) -> [Finding] {
        var out: [Finding] = []
        if target.role != expected.targetRole {
            let why = target.profileProblems.isEmpty ? "matches the \(target.role) profile"
                : target.profileProblems.joined(separator: "; ")
            out.append(Finding(.targetProfile, "not a \(expected.targetRole) certificate: \(why)"))
        }
        switch target.selfSignature {
        case .valid: break
        case .invalid: out.append(Finding(.targetBadSelfSignature, "self-signature does not verify"))
        case .notSelfSigned: out.append(Finding(.targetNotSelfSigned, "issuer is not self"))
        }
        // A removal may name a certificate that is expired, not yet valid or already removed: it still removes it.
        if !expected.isRemoval {
            switch target.validity.status(at: time) {
            case .valid: break
            case .notYetValid:
                out.append(Finding(.targetNotYetValid, "valid from \(target.validity.start)"))
            case .expired:
                out.append(Finding(.targetExpired, "expired at \(target.validity.end)"))
            }
            if view.denyList.denies(target.id, at: time, skew: policy.clockSkew) {
                out.append(Finding(.targetRemoved, "removed from \(view.denyList.entries[target.id]?.effectiveTime ?? 0)"))
            }
        }
        return out
    }

    /// Resolves and checks the signer of one endorsement; success means the endorsement counts for that elector.
    static func resolveSigner(_ endorsement: EndorsementFacts, statement: EndorsementStatement,
                              material: SignatureMaterial, target: CertificateFacts, view: TrustView, time: UInt32,
                              policy: TrustPolicy,
                              signatures: inout SignatureResolver) -> Result<CertificateFacts, Finding> {
        let index = endorsement.index
        func isTarget(_ facts: CertificateFacts) -> Bool {
            facts.id == target.id || facts.publicKey == target.publicKey
        }
        /// Checks a trusted signer at generation time and its signature.
        func check(_ signer: CertificateFacts) -> Result<CertificateFacts, Finding> {
            switch signer.validity.status(at: statement.generationTime) {
            case .notYetValid:
                return .failure(Finding(.signerNotYetValid, endorsement: index,
                    "signer \(signer.id.hex) not valid at generation time \(statement.generationTime)"))
            case .expired:
                return .failure(Finding(.signerExpired, endorsement: index,
                    "signer \(signer.id.hex) expired before generation time \(statement.generationTime)"))
            case .valid: break
            }
            guard signatures.isValid(material, signer: signer) else {
                return .failure(Finding(.badSignature, endorsement: index, "signature does not verify with \(signer.id.hex)"))
            }
            return .success(signer)
        }
        /// Why a certificate that is not a trusted elector cannot sign.
        func untrusted(_ signer: CertificateFacts) -> Finding {
            if view.denyList.denies(signer.id, at: time, skew: policy.clockSkew) {
                return Finding(.signerRemoved, endorsement: index, "signer \(signer.id.hex) was removed")
            }
            if signer.role != .elector {
                return Finding(.signerNotElector, endorsement: index, "signer \(signer.id.hex) is a \(signer.role) certificate")
            }
            switch signer.validity.status(at: time) {
            case .expired:
                return Finding(.signerExpired, endorsement: index, "signer \(signer.id.hex) expired at \(signer.validity.end)")
            case .notYetValid:
                return Finding(.signerNotYetValid, endorsement: index, "signer \(signer.id.hex) valid from \(signer.validity.start)")
            case .valid:
                return Finding(.signerUnknown, endorsement: index, "signer \(signer.id.hex) is not a trusted elector")
            }
        }

        switch endorsement.signer {
        case .selfSigned:
            return .failure(Finding(.signerSelf, endorsement: index, "signer is self"))
        case .unusable:
            return .failure(Finding(.malformed, endorsement: index, "signer identifier is not one certificate or a digest"))
        case .certificate(let embedded):
            if isTarget(embedded) {
                return .failure(Finding(.targetIsEndorser, endorsement: index, "the ballot's certificate signed it"))
            }
            guard let trusted = view.electors[embedded.id] else { return .failure(untrusted(embedded)) }
            return check(trusted)
        case .digest(let short):
            let candidates = view.trustedCandidates(short)
            var firstFailure: Finding?
            for candidate in candidates {
                if isTarget(candidate) {
                    firstFailure = firstFailure ?? Finding(.targetIsEndorser, endorsement: index,
                                                           "the ballot's certificate signed it")
                    continue
                }
                switch check(candidate) {
                case .success(let signer): return .success(signer)
                case .failure(let finding): firstFailure = firstFailure ?? finding
                }
            }
            if let firstFailure { return .failure(firstFailure) }
            if short == target.shortID {
                return .failure(Finding(.targetIsEndorser, endorsement: index, "the ballot's certificate signed it"))
            }
            let known = view.knownCandidates(short)
            if known.count == 1 { return .failure(untrusted(known[0])) }
            for candidate in known where signatures.isValid(material, signer: candidate) {
                return .failure(untrusted(candidate))
            }
            return .failure(Finding(.signerUnknown, endorsement: index, "no trusted elector has HashedId8 \(short.hex)"))
        }
    }
}
