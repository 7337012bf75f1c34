/// IEEE 1609.2 `HashedIdN`: the low-order (last) N octets of the hash of a structure's canonical COER.
///
/// For certificates signed with P-256 the hash is SHA-256; `HashedId32` of a SHA-256 input is the
/// whole digest (CAMP `TbsElectorEndorsement.certificateHash`), `HashedId48` of SHA-384 likewise
/// (1609.2.1 `CtlElectorEntry`).
public enum HashedIds {
    /// Last 8 octets of the `algorithm` digest of `bytes` (SHA-256 by default).
    public static func hashedId8(of bytes: some Collection<UInt8>, using algorithm: HashAlgorithmKind = .sha256) -> [UInt8] {
        lowOrder(8, of: bytes, using: algorithm)
    }

    /// Last 3 octets of the `algorithm` digest of `bytes` (e.g. `cracaId`).
    public static func hashedId3(of bytes: some Collection<UInt8>, using algorithm: HashAlgorithmKind = .sha256) -> [UInt8] {
        lowOrder(3, of: bytes, using: algorithm)
    }

    /// Last 32 octets of the `algorithm` digest (for SHA-256: the full digest).
    public static func hashedId32(of bytes: some Collection<UInt8>, using algorithm: HashAlgorithmKind = .sha256) -> [UInt8] {
        lowOrder(32, of: bytes, using: algorithm)
    }

    /// The full SHA-384 digest of `bytes`.
    public static func hashedId48(of bytes: some Collection<UInt8>) -> [UInt8] {
        Digest.sha384(bytes)
    }

    /// The HashedIdN of an already computed `digest`: its last `n` octets.
    public static func lowOrder(_ n: Int, ofDigest digest: [UInt8]) -> [UInt8] {
        precondition(n > 0 && n <= digest.count, "HashedId length exceeds the digest")
        return Array(digest.suffix(n))
    }

    /// The last `n` octets of the `algorithm` digest of `bytes`.
    public static func lowOrder(_ n: Int, of bytes: some Collection<UInt8>, using algorithm: HashAlgorithmKind) -> [UInt8] {
        lowOrder(n, ofDigest: Digest.hash(bytes, using: algorithm))
    }
}
