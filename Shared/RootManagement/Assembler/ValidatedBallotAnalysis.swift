public import BallotCodec
import ElectorCrypto
import Synchronization

// Written on the `svcb` branch: the assembler's cheap path. A `ValidatedBallot` carries what the quorum validator
// verified — the target's self-signature (a ballot whose target does not verify is never validated) and the distinct
// endorsers whose endorsement signatures verified — so the Policy Generator need not run those ECDSA checks again.
// The inclusion rules still run in full on these facts (time, quorum, trust fixpoint, capacity).

/// Certificate facts by certificate bytes, so the endorser certificates every ballot embeds are analyzed once.
public struct ValidatedCertificateFactsCache: Sendable {
    private var facts: [ByteKey: CertificateFacts] = [:]
    private let options: ProfileOptions

    public init(options: ProfileOptions = ProfileOptions()) { self.options = options }

    /// Number of certificates analyzed.
    public var count: Int { facts.count }

    /// The facts of `certificate`. With `trustedSelfSignature` a self-issued certificate's self-signature is taken as
    /// valid without verifying it (an upstream stage verified it); otherwise it is verified.
    public mutating func facts(_ certificate: Certificate, trustedSelfSignature: Bool = false) -> CertificateFacts {
        let encoded = certificate.coerEncoded
        let key = ByteKey(encoded + [trustedSelfSignature ? 1 : 0])
        if let known = facts[key] { return known }
        let value = trustedSelfSignature
            ? CertificateAnalysis.facts(certificate, encoded: encoded, options: options,
                                        selfSignature: certificate.isSelfIssued ? .valid : .notSelfSigned)
            : CertificateAnalysis.facts(certificate, options: options)
        facts[key] = value
        return value
    }
}

extension Certificate {
    /// Whether `issuer` is `self`.
    var isSelfIssued: Bool {
        if case .self = issuer { return true }
        return false
    }
}

extension CertificateAnalysis {
    /// `facts(_:options:)` with a known self-signature status (no verification).
    static func facts(_ certificate: Certificate, encoded: [UInt8], options: ProfileOptions,
                      selfSignature: SelfSignatureStatus) -> CertificateFacts {
        computeFacts(certificate, id: CertificateID(uncheckedBytes: Digest.sha256(encoded)), options: options,
                     selfSignature: selfSignature)
    }
}

/// The facts of a validated ballot without any ECDSA work: the same `AnalyzedBallot` as
/// `BallotAnalysis.analyze(_:options:signatures:)`, except that the target's self-signature is taken from the
/// validator's verdict and embedded endorser certificates come from `cache`.
public enum ValidatedBallotAnalysis {
    public static func analyze(_ ballot: ElectorBallot, cache: inout ValidatedCertificateFactsCache,
                               trustedTargetSelfSignature: Bool = true,
                               options: ProfileOptions = ProfileOptions()) -> AnalyzedBallot {
        var findings: [Finding] = []
        if ballot.endorsements.isEmpty { findings.append(Finding(.malformed, "no endorsements")) }
        let target = cache.facts(ballot.certificate, trustedSelfSignature: trustedTargetSelfSignature)
        let endorsements = ballot.endorsements.enumerated().map { index, endorsement -> EndorsementFacts in
            // An embedded signer certificate is replaced by its digest for the analysis (so it is not analyzed once
            // per ballot), then its cached facts are put back; the signed data, and so the signature material, are
            // the same either way.
            guard let signed = endorsement.signedData, case .certificate(let certificates) = signed.signer,
                  certificates.count == 1 else {
                return BallotAnalysis.analyze(endorsement, index: index, options: options)
            }
            let signer = certificates[0]
            var stand = signed
            stand.signer = .digest(HashedId8(uncheckedBytes: HashedIds.hashedId8(of: signer.coerEncoded)))
            var facts = BallotAnalysis.analyze(Ieee1609Dot2Data(protocolVersion: endorsement.protocolVersion,
                                                                content: .signedData(stand)),
                                               index: index, options: options)
            facts.signer = .certificate(cache.facts(signer))
            if case .ecdsaNistP256? = signer.verificationKey {} else if case .ecdsaNistP256Signature = signed.signature {
                facts.findings.append(Finding(.hashAlgorithmMismatch, endorsement: index,
                                              "ecdsaNistP256Signature with a non-P-256 signer key"))
            }
            return facts
        }
        return AnalyzedBallot(id: BallotAnalysis.ballotID(ballot), target: target, endorsements: endorsements,
                              findings: findings)
    }
}

/// Endorsement signatures as the quorum validator verified them: valid for a signer iff the validator listed that
/// signer among the ballot's verified endorsers (and the endorsement names that signer). Register each ballot before
/// the engine sees it.
///
/// This can only count fewer endorsers than a full verification (an endorser the validator did not trust was not
/// checked, so it does not count here either); `--reverify-signatures` runs ECDSA instead.
public final class ValidatorVerdicts: EndorsementSignatureVerifying {
    /// What the table knows of one signature: the signers it is valid for, and how many registered ballots carry it.
    private struct Verdict {
        var signers: Set<CertificateID>
        var holders: Int
    }

    /// Per signature material.
    private let verified = Mutex<[SignatureMaterial: Verdict]>([:])

    public init() {}

    /// Registers the endorsements of `ballot` with the validator's `endorsers` of it. Each registration is undone by
    /// one ``release(_:)`` of the same ballot; a signature's verdict is kept while some registered ballot carries it
    /// (a verdict only grows while it is kept, so a decision made on it stays true).
    public func register(_ ballot: AnalyzedBallot, endorsers: [CertificateID]) {
        let listed = Set(endorsers)
        var entries: [(SignatureMaterial, Set<CertificateID>)] = []
        for endorsement in ballot.endorsements {
            guard let material = endorsement.signature else { continue }
            switch endorsement.signer {
            case .certificate(let facts):
                entries.append((material, listed.contains(facts.id) ? [facts.id] : []))
            case .digest(let short):
                entries.append((material, listed.filter { $0.shortID == short }))
            case .selfSigned, .unusable:
                entries.append((material, []))
            }
        }
        verified.withLock { table in
            for (material, signers) in entries {
                table[material, default: Verdict(signers: [], holders: 0)].signers.formUnion(signers)
                table[material]?.holders += 1
            }
        }
    }

    /// Undoes one ``register(_:endorsers:)`` of `ballot` (a ballot the assembler no longer holds).
    public func release(_ ballot: AnalyzedBallot) {
        verified.withLock { table in
            for endorsement in ballot.endorsements {
                guard let material = endorsement.signature, let verdict = table[material] else { continue }
                if verdict.holders <= 1 { table[material] = nil } else { table[material]?.holders -= 1 }
            }
        }
    }

    /// Signatures the table holds verdicts for.
    public var count: Int { verified.withLock { $0.count } }

    public func isValid(_ material: SignatureMaterial, signer: CertificateFacts) -> Bool {
        verified.withLock { $0[material]?.signers.contains(signer.id) ?? false }
    }

    /// A lookup in the validator's verdicts: nothing to cache.
    public var answersFromTable: Bool { true }
}
