import ElectorCrypto

/// Endorsement signatures checked with ElectorCrypto: ECDSA P-256 over
/// `SHA256(material.dataHash ‖ signer.id)` — the 1609.2 hash-then-sign input, since `signer.id` is
/// SHA-256 of the signer certificate's canonical encoding.
///
/// Keys come from a `PublicKeyCache` (by default the shared one), so a signer verified before costs no key import.
/// The same input checks certificate signatures (`signer` = the issuing certificate, `material.dataHash` =
/// SHA-256 of the issued certificate's `toBeSigned`).
public struct CryptoSignatureVerifier: EndorsementSignatureVerifying {
    private let keys: PublicKeyCache

    public init() { keys = .shared }

    /// A verifier importing keys through `keys`.
    public init(keys: PublicKeyCache) { self.keys = keys }

    public func isValid(_ material: SignatureMaterial, signer: CertificateFacts) -> Bool {
        guard material.dataHash.count == 32,
              let key = keys.p256(compressed: signer.publicKey.bytes) else { return false }
        let digest = Digest.sha256(material.dataHash + signer.id.bytes)
        return key.isValidSignature(r: material.r, s: material.s, digest: digest)
    }
}

extension SignatureResolver {
    /// A resolver backed by `CryptoSignatureVerifier`.
    public static func crypto() -> SignatureResolver { SignatureResolver(verifier: CryptoSignatureVerifier()) }
}
