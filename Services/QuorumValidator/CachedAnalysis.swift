import BallotCodec
import ElectorCrypto
import RootManagement
import Synchronization

/// `BallotAnalysis.analyze` with the certificates every ballot embeds analyzed once: a certificate's facts (its
/// profile and self-signature check, one ECDSA verification and one key import) are cached by its bytes, for
/// endorsers and targets alike (several ballots for one target, a GCCF folded again). The result equals
/// `BallotAnalysis.analyze(_:options:signatures:)`, except that signatures are not primed (the evaluator verifies
/// them on demand through the resolver).
struct CachedBallotAnalysis {
    private var facts: [ByteKey: CertificateFacts] = [:]
    let options: ProfileOptions
    /// The most cached certificates before the cache starts over.
    let limit: Int

    init(options: ProfileOptions, limit: Int = 10_000) {
        self.options = options
        self.limit = limit
    }

    var count: Int { facts.count }

    mutating func certificateFacts(_ certificate: Certificate) -> CertificateFacts {
        let encoded = certificate.coerEncoded
        if let known = facts[ByteKey(encoded)] { return known }
        if facts.count >= limit { facts = [:] }
        let value = CertificateAnalysis.facts(certificate, options: options)
        facts[ByteKey(encoded)] = value
        return value
    }

    /// - Parameter id: the ballot's ID when the caller already has it (SHA-256 of the bytes `ballot` was decoded from,
    ///   which are its canonical encoding); computed otherwise.
    mutating func analyze(_ ballot: ElectorBallot, id: BallotID? = nil) -> AnalyzedBallot {
        var findings: [Finding] = []
        if ballot.endorsements.isEmpty { findings.append(Finding(.malformed, "no endorsements")) }
        let target = certificateFacts(ballot.certificate)
        let endorsements = ballot.endorsements.enumerated().map { index, endorsement -> EndorsementFacts in
            guard let signed = endorsement.signedData, case .certificate(let certificates) = signed.signer,
                  certificates.count == 1, case .ecdsaNistP256? = certificates[0].verificationKey else {
                return BallotAnalysis.analyze(endorsement, index: index, options: options)
            }
            // Analyze with the signer named by digest (same signed data, so the same signature material and
            // findings), then put the cached facts of the embedded certificate back.
            let signer = certificates[0]
            var standIn = signed
            standIn.signer = .digest(HashedId8(uncheckedBytes: HashedIds.hashedId8(of: signer.coerEncoded)))
            var result = BallotAnalysis.analyze(Ieee1609Dot2Data(protocolVersion: endorsement.protocolVersion,
                                                                 content: .signedData(standIn)),
                                                index: index, options: options)
            result.signer = .certificate(certificateFacts(signer))
            return result
        }
        return AnalyzedBallot(id: id ?? BallotAnalysis.ballotID(ballot), target: target, endorsements: endorsements,
                              findings: findings)
    }
}

/// Endorsement signatures verified with ElectorCrypto like `CryptoSignatureVerifier`, with each signer's public key
/// imported once.
final class CachingSignatureVerifier: EndorsementSignatureVerifying {
    private let keys = Mutex<[ByteKey: PublicKey]>([:])

    func isValid(_ material: SignatureMaterial, signer: CertificateFacts) -> Bool {
        guard material.dataHash.count == 32, let key = key(signer.publicKey.bytes) else { return false }
        let digest = Digest.sha256(material.dataHash + signer.id.bytes)
        return key.isValidSignature(r: material.r, s: material.s, digest: digest)
    }

    private func key(_ compressed: [UInt8]) -> PublicKey? {
        if let known = keys.withLock({ $0[ByteKey(compressed)] }) { return known }
        guard let key = try? PublicKey(curve: .p256, compressed: compressed) else { return nil }
        keys.withLock { cache in
            if cache.count >= 10_000 { cache = [:] }
            cache[ByteKey(compressed)] = key
        }
        return key
    }
}
