import COpenSSL

/// The elliptic curves of IEEE 1609.2 `PublicVerificationKey` that this module signs and verifies with.
public enum Curve: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// NIST P-256 (secp256r1 / prime256v1), 1609.2 `ecdsaNistP256`. Electors sign with this curve.
    case p256
    /// NIST P-384 (secp384r1), 1609.2-2022 `ecdsaNistP384`.
    case p384
    /// brainpoolP256r1 (RFC 5639), 1609.2 `ecdsaBrainpoolP256r1`.
    case brainpoolP256r1
    /// brainpoolP384r1 (RFC 5639), 1609.2 `ecdsaBrainpoolP384r1`.
    case brainpoolP384r1

    /// Octets of a field element, of the x coordinate, and of each of r and s (32 or 48).
    public var fieldBytes: Int {
        switch self {
        case .p256, .brainpoolP256r1: 32
        case .p384, .brainpoolP384r1: 48
        }
    }

    /// The hash 1609.2 pairs with the curve (SHA-256 for the 256-bit curves, SHA-384 for the 384-bit ones).
    public var hash: HashAlgorithmKind {
        switch self {
        case .p256, .brainpoolP256r1: .sha256
        case .p384, .brainpoolP384r1: .sha384
        }
    }

    /// Length of the compressed point encoding `02/03 || x` (33 or 49).
    public var compressedPointLength: Int { 1 + fieldBytes }

    /// Length of the uncompressed point encoding `04 || x || y` (65 or 97).
    public var uncompressedPointLength: Int { 1 + 2 * fieldBytes }

    /// Length of a raw signature `r || s` (64 or 96).
    public var rawSignatureLength: Int { 2 * fieldBytes }

    /// OpenSSL's group name (`OSSL_PKEY_PARAM_GROUP_NAME`).
    public var openSSLGroupName: String {
        switch self {
        case .p256: "prime256v1"
        case .p384: "secp384r1"
        case .brainpoolP256r1: "brainpoolP256r1"
        case .brainpoolP384r1: "brainpoolP384r1"
        }
    }

    /// The curve OpenSSL calls `name` (short names and the NIST aliases), or nil.
    public init?(openSSLGroupName name: String) {
        switch name {
        case "prime256v1", "P-256", "secp256r1": self = .p256
        case "secp384r1", "P-384": self = .p384
        case "brainpoolP256r1": self = .brainpoolP256r1
        case "brainpoolP384r1": self = .brainpoolP384r1
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        case .brainpoolP256r1: "brainpoolP256r1"
        case .brainpoolP384r1: "brainpoolP384r1"
        }
    }

    /// OpenSSL NID, for the few non-EVP `EC_GROUP` helpers (scalar multiplication for raw-key import).
    var nid: Int32 {
        switch self {
        case .p256: NID_X9_62_prime256v1
        case .p384: NID_secp384r1
        case .brainpoolP256r1: NID_brainpoolP256r1
        case .brainpoolP384r1: NID_brainpoolP384r1
        }
    }
}
