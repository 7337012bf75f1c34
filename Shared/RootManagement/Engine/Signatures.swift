/// Checks one endorsement signature. The binding implements it with ElectorCrypto
/// (`ECDSA-P256.verify(signer.publicKey, SHA256(material.dataHash ‖ signer.id.bytes), r, s)`).
public protocol EndorsementSignatureVerifying: Sendable {
    /// Whether `material` is a valid signature by `signer` over the 1609.2 hash-then-sign input.
    func isValid(_ material: SignatureMaterial, signer: CertificateFacts) -> Bool

    /// Whether an answer costs no more than a cache lookup (a table of verdicts, not a verification): then a
    /// ``SignatureResolver`` keeps no cache of its own (a copy of every answer would only cost memory).
    var answersFromTable: Bool { get }
}

extension EndorsementSignatureVerifying {
    public var answersFromTable: Bool { false }
}

/// Key of the verification cache: one endorsement's signature against one candidate signer certificate.
public struct SignatureCacheKey: Sendable, Hashable {
    public var material: SignatureMaterial
    public var signer: CertificateID
}

/// Verifies endorsement signatures at most once per (endorsement, signer certificate) and counts how many real
/// verifications it ran, so callers can show that re-evaluations cost none.
public struct SignatureResolver: Sendable {
    private let verifier: any EndorsementSignatureVerifying
    private var cache: [SignatureCacheKey: Bool] = [:]
    /// Real verifications run so far (cache misses; every question for a verifier that ``EndorsementSignatureVerifying/answersFromTable``).
    public private(set) var verifications: Int = 0

    public init(verifier: any EndorsementSignatureVerifying) { self.verifier = verifier }

    /// The cached or freshly computed result.
    public mutating func isValid(_ material: SignatureMaterial, signer: CertificateFacts) -> Bool {
        if verifier.answersFromTable {
            verifications += 1
            return verifier.isValid(material, signer: signer)
        }
        let key = SignatureCacheKey(material: material, signer: signer.id)
        if let known = cache[key] { return known }
        verifications += 1
        let result = verifier.isValid(material, signer: signer)
        cache[key] = result
        return result
    }

    /// Verifies, ahead of any decision, every endorsement whose signer certificate is embedded (the usual case),
    /// so later decisions find the results cached.
    public mutating func prime(_ ballot: AnalyzedBallot) {
        for endorsement in ballot.endorsements {
            if case .certificate(let signer) = endorsement.signer, let material = endorsement.signature {
                _ = isValid(material, signer: signer)
            }
        }
    }

    /// Number of cached results.
    public var cachedResults: Int { cache.count }
}
