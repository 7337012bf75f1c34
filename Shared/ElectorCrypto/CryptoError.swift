/// Why a cryptographic operation or a key-file operation failed.
///
/// Every case has a stable machine-readable ``code`` (safe to log, to count in metrics and to match in
/// tests). No case ever carries key material: paths, modes, errno values and OpenSSL's own reason
/// strings only.
public enum CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes are not an encoding of a point on the curve (wrong prefix, wrong length, or x has no y).
    case invalidPoint
    /// A private scalar is not in [1, n-1], or a decoded private key is not an EC key of a supported curve.
    case invalidPrivateKey
    /// A signature has the wrong component length or is not a DER `ECDSA-Sig-Value` OpenSSL accepts.
    case invalidSignatureEncoding
    /// A digest handed to sign has the wrong length for the key's curve (`expected` octets).
    case invalidDigestLength(expected: Int, actual: Int)
    /// The curve (e.g. of a decoded PEM key) is not one of ``Curve``.
    case unsupportedCurve
    /// A private-key file may be read by group or others (`mode & 0o077 != 0`); it was not read.
    case keyFileTooPermissive(path: String, mode: UInt16)
    /// A private-key file could not be opened, examined or read (`errno`, 0 if not a system error,
    /// e.g. not a regular file).
    case keyFileUnreadable(path: String, errno: Int32)
    /// A private-key file already exists and overwriting was not requested.
    case keyFileExists(path: String)
    /// A private-key file could not be written (`errno` of the failing call).
    case keyFileWriteFailed(path: String, errno: Int32)
    /// Text is not an unencrypted PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`).
    case pemDecoding
    /// An OpenSSL call failed; `message` is OpenSSL's error queue (reason strings, never key bytes).
    case openssl(function: String, message: String)

    /// Stable reason code of the case (snake case, never changes once released).
    public var code: String {
        switch self {
        case .invalidPoint: "invalid_point"
        case .invalidPrivateKey: "invalid_private_key"
        case .invalidSignatureEncoding: "invalid_signature_encoding"
        case .invalidDigestLength: "invalid_digest_length"
        case .unsupportedCurve: "unsupported_curve"
        case .keyFileTooPermissive: "key_file_too_permissive"
        case .keyFileUnreadable: "key_file_unreadable"
        case .keyFileExists: "key_file_exists"
        case .keyFileWriteFailed: "key_file_write_failed"
        case .pemDecoding: "pem_decoding"
        case .openssl: "openssl"
        }
    }

    public var description: String {
        switch self {
        case .invalidPoint:
            "\(code): not a valid point encoding on the curve"
        case .invalidPrivateKey:
            "\(code): private key is not a valid scalar of a supported curve"
        case .invalidSignatureEncoding:
            "\(code): signature components have the wrong length or encoding"
        case .invalidDigestLength(let expected, let actual):
            "\(code): digest is \(actual) octets, the curve needs \(expected)"
        case .unsupportedCurve:
            "\(code): curve is not P-256, P-384, brainpoolP256r1 or brainpoolP384r1"
        case .keyFileTooPermissive(let path, let mode):
            "\(code): \(path) has mode \(String(mode, radix: 8)); group/other must have no access (chmod 600)"
        case .keyFileUnreadable(let path, let errno):
            "\(code): cannot read \(path) (errno \(errno))"
        case .keyFileExists(let path):
            "\(code): \(path) exists; refusing to overwrite"
        case .keyFileWriteFailed(let path, let errno):
            "\(code): cannot write \(path) (errno \(errno))"
        case .pemDecoding:
            "\(code): not an unencrypted PKCS#8 PEM EC private key"
        case .openssl(let function, let message):
            "\(code): \(function) failed: \(message)"
        }
    }
}
