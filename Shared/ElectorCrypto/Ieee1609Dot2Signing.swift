/// IEEE 1609.2 §5.3.1 hash-then-sign: the value ECDSA actually signs.
///
/// `e = H( H(dataInput) || H(signerInput) )` with H the curve's hash (SHA-256 for P-256), where
/// `dataInput` is the canonical COER of `ToBeSignedData` (SignedData) or of `ToBeSignedCertificate`
/// (certificates), and `signerInput` is empty for a self-signed structure (signer `self`, issuer
/// `self`) or the canonical COER of the whole signing certificate otherwise. ECDSA then signs and
/// verifies `e` as a prehashed digest.
public enum Ieee1609Dot2Signing {
    /// `e = H( H(dataInput) || H(signerInput) )`.
    public static func signingDigest(dataInput: some Collection<UInt8>, signerInput: some Collection<UInt8>,
                                     hash: HashAlgorithmKind = .sha256) -> [UInt8]
    {
        signingDigest(dataInput: dataInput, signerInputHash: Digest.hash(signerInput, using: hash), hash: hash)
    }

    /// `e` when `H(signerInput)` is already known — e.g. cached per elector certificate, or
    /// ``selfSignedSignerInputHash(_:)`` — saving one hash per verification.
    public static func signingDigest(dataInput: some Collection<UInt8>, signerInputHash: [UInt8],
                                     hash: HashAlgorithmKind = .sha256) -> [UInt8]
    {
        precondition(signerInputHash.count == hash.digestLength, "signerInputHash must be a \(hash) digest")
        var outer = Digest.hash(dataInput, using: hash)
        outer.append(contentsOf: signerInputHash)
        return Digest.hash(outer, using: hash)
    }

    /// `e` for a self-signed structure (`signerInput` = the empty string).
    public static func selfSignedDigest(dataInput: some Collection<UInt8>, hash: HashAlgorithmKind = .sha256) -> [UInt8] {
        signingDigest(dataInput: dataInput, signerInputHash: selfSignedSignerInputHash(hash), hash: hash)
    }

    /// `H("")`: the signer-input hash of self-signed structures
    /// (SHA-256: `e3b0c442…7852b855`).
    public static func selfSignedSignerInputHash(_ hash: HashAlgorithmKind = .sha256) -> [UInt8] {
        switch hash {
        case .sha256: emptySHA256
        case .sha384: emptySHA384
        }
    }

    private static let emptySHA256 = Digest.sha256([])
    private static let emptySHA384 = Digest.sha384([])
}
