import COpenSSL

/// An ECDSA signing key (an OpenSSL `EVP_PKEY` key pair) with its ``PublicKey``.
///
/// Electors sign with P-256; generation and signing work on every ``Curve`` (tests use P-384 and
/// brainpool). The description never shows the private scalar.
public struct PrivateKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let box: PKeyBox
    /// The curve of the key.
    public let curve: Curve
    /// The matching public key (imported once, ready for fast verification).
    public let publicKey: PublicKey

    private init(owning pkey: OpaquePointer, curve: Curve) throws(CryptoError) {
        box = PKeyBox(owning: pkey, operation: .sign)
        self.curve = curve
        publicKey = try PrivateKey.extractPublicKey(pkey, curve: curve)
    }

    /// A fresh random key on `curve` from OpenSSL's DRBG.
    public static func generate(curve: Curve = .p256) throws(CryptoError) -> PrivateKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw OpenSSL.error("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw OpenSSL.error("EVP_PKEY_keygen_init") }
        guard EVP_PKEY_CTX_set_group_name(context, curve.openSSLGroupName) == 1 else {
            throw OpenSSL.error("EVP_PKEY_CTX_set_group_name")
        }
        var pkey: OpaquePointer?
        guard EVP_PKEY_generate(context, &pkey) == 1, let pkey else { throw OpenSSL.error("EVP_PKEY_generate") }
        return try PrivateKey(owning: pkey, curve: curve)
    }

    /// The key with private scalar `rawScalar` (big-endian, exactly ``Curve/fieldBytes`` octets).
    ///
    /// Meant for the TEST-ONLY keys of the synthetic vectors; real elector keys are generated and kept
    /// in ``KeyFile``s. Throws ``CryptoError/invalidPrivateKey`` unless 1 ≤ scalar ≤ n-1.
    public init(rawScalar: [UInt8], curve: Curve = .p256) throws(CryptoError) {
        guard rawScalar.count == curve.fieldBytes else { throw .invalidPrivateKey }
        let pkey = try PrivateKey.importScalar(rawScalar, curve: curve)
        try self.init(owning: pkey, curve: curve)
    }

    /// Decodes an unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) EC key of a supported curve.
    ///
    /// Encrypted PKCS#8 and the traditional `BEGIN EC PRIVATE KEY` form are refused
    /// (``CryptoError/pemDecoding``); an EC key of another curve gives ``CryptoError/unsupportedCurve``.
    public init(pkcs8PEM: String) throws(CryptoError) {
        let trimmed = pkcs8PEM.utf8.drop(while: { $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 })
        guard trimmed.starts(with: "-----BEGIN PRIVATE KEY-----\n".utf8)
                || trimmed.starts(with: "-----BEGIN PRIVATE KEY-----\r\n".utf8)
        else { throw .pemDecoding }
        let bytes = Array(trimmed)
        let decoded: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey_ex(bio, nil, refusePassphrase, nil, nil, nil)
        }
        guard let pkey = decoded else {
            OpenSSL.clearErrors()
            throw .pemDecoding
        }
        guard EVP_PKEY_is_a(pkey, "EC") == 1 else {
            EVP_PKEY_free(pkey)
            throw .invalidPrivateKey
        }
        var name = [CChar](repeating: 0, count: 64)
        var nameLength = 0
        let groupRead = EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, &name, name.count, &nameLength)
        guard groupRead == 1,
              let curve = Curve(openSSLGroupName: name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        else {
            EVP_PKEY_free(pkey)
            OpenSSL.clearErrors()
            throw .unsupportedCurve
        }
        var scalar: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &scalar) == 1, let scalar else {
            EVP_PKEY_free(pkey)
            OpenSSL.clearErrors()
            throw .invalidPrivateKey
        }
        BN_clear_free(scalar)
        try self.init(owning: pkey, curve: curve)
    }

    /// The key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, 64-column base64, final newline).
    ///
    /// Key material: write it only to a ``KeyFile`` (mode 0600), never to logs.
    public var pkcs8PEM: String {
        get throws(CryptoError) {
            guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSL.error("BIO_new") }
            defer { BIO_free(bio) }
            guard PEM_write_bio_PrivateKey(bio, box.pointer, nil, nil, 0, nil, nil) == 1 else {
                throw OpenSSL.error("PEM_write_bio_PrivateKey")
            }
            let pending = Int(BIO_ctrl_pending(bio))
            var bytes = [UInt8](repeating: 0, count: pending)
            let read = bytes.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(pending)) }
            guard read == Int32(pending) else { throw OpenSSL.error("BIO_read") }
            let pem = String(decoding: bytes, as: UTF8.self)
            bytes.withUnsafeMutableBytes { raw in
                if let base = raw.baseAddress { OPENSSL_cleanse(base, raw.count) }
            }
            return pem
        }
    }

    /// ECDSA signature over the already hashed `digest` (not hashed again), as raw big-endian `r` and
    /// `s` of ``Curve/fieldBytes`` octets each.
    ///
    /// The nonce k is random (OpenSSL 3.0 DRBG), so signatures differ from run to run and from the
    /// RFC 6979 deterministic signatures of the synthetic vectors. `s` is returned as OpenSSL makes it,
    /// **not** normalized to low-s: 1609.2 has no low-s rule and both s and n-s verify.
    /// Throws ``CryptoError/invalidDigestLength(expected:actual:)`` unless `digest` has the length of
    /// the curve's hash (32 for P-256).
    public func signature(forDigest digest: [UInt8]) throws(CryptoError) -> (r: [UInt8], s: [UInt8]) {
        let expected = curve.hash.digestLength
        guard digest.count == expected else { throw .invalidDigestLength(expected: expected, actual: digest.count) }
        var der = [UInt8](repeating: 0, count: Int(EVP_PKEY_get_size(box.pointer)))
        var length = der.count
        let signed = box.withContext { context -> (result: Int32, reusable: Bool) in
            let result = der.withUnsafeMutableBufferPointer { out in
                digest.withUnsafeBufferPointer { digest in
                    EVP_PKEY_sign(context, out.baseAddress, &length, digest.baseAddress, digest.count)
                }
            }
            return (result, result == 1)
        }
        guard let signed else { throw OpenSSL.error("EVP_PKEY_sign_init") }
        guard signed == 1 else { throw OpenSSL.error("EVP_PKEY_sign") }
        der.removeSubrange(length...)
        return try EcdsaSignatureEncoding.raw(fromDER: der, fieldBytes: curve.fieldBytes)
    }

    /// ``signature(forDigest:)`` as one raw `r || s` array (2 × ``Curve/fieldBytes`` octets).
    public func rawSignature(forDigest digest: [UInt8]) throws(CryptoError) -> [UInt8] {
        let (r, s) = try signature(forDigest: digest)
        return r + s
    }

    public var description: String { "PrivateKey(\(curve), public: \(publicKey.description), private: redacted)" }
    public var debugDescription: String { description }

    // MARK: - OpenSSL plumbing

    /// The public point of a key pair, re-imported as a verification-only ``PublicKey``.
    private static func extractPublicKey(_ pkey: OpaquePointer, curve: Curve) throws(CryptoError) -> PublicKey {
        var point = [UInt8](repeating: 0, count: curve.uncompressedPointLength)
        var length = 0
        guard EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, &point, point.count, &length) == 1 else {
            throw OpenSSL.error("EVP_PKEY_get_octet_string_param(pub)")
        }
        point.removeSubrange(length...)
        return try PublicKey(curve: curve, encodedPoint: point)
    }

    /// A key pair `EVP_PKEY` for `scalar`: checks 1 ≤ d ≤ n-1, computes Q = d·G with `EC_POINT_mul`
    /// (OpenSSL 3.0's `EVP_PKEY_fromdata` does not derive the public key), imports both.
    private static func importScalar(_ scalar: [UInt8], curve: Curve) throws(CryptoError) -> OpaquePointer {
        guard let group = EC_GROUP_new_by_curve_name_ex(nil, nil, curve.nid) else {
            throw OpenSSL.error("EC_GROUP_new_by_curve_name_ex")
        }
        defer { EC_GROUP_free(group) }
        guard let d = scalar.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else {
            throw OpenSSL.error("BN_bin2bn")
        }
        defer { BN_clear_free(d) }
        BN_set_flags(d, BN_FLG_CONSTTIME)
        guard let order = EC_GROUP_get0_order(group) else { throw OpenSSL.error("EC_GROUP_get0_order") }
        guard BN_is_zero(d) == 0, BN_cmp(d, order) < 0 else { throw .invalidPrivateKey }

        guard let q = EC_POINT_new(group) else { throw OpenSSL.error("EC_POINT_new") }
        defer { EC_POINT_free(q) }
        guard EC_POINT_mul(group, q, d, nil, nil, nil) == 1 else { throw OpenSSL.error("EC_POINT_mul") }
        var point = [UInt8](repeating: 0, count: curve.uncompressedPointLength)
        let pointLength = EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED, &point, point.count, nil)
        guard pointLength == point.count else { throw OpenSSL.error("EC_POINT_point2oct") }

        guard let builder = OSSL_PARAM_BLD_new() else { throw OpenSSL.error("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        // The builder keeps value pointers until _to_param (pinned by the closures); key names are
        // never copied, so they are the shim's static C literals.
        let params: UnsafeMutablePointer<OSSL_PARAM>? =
            curve.openSSLGroupName.withCString { groupName in
                point.withUnsafeBufferPointer { point in
                    guard OSSL_PARAM_BLD_push_utf8_string(builder, copenssl_param_group_name(), groupName, 0) == 1,
                          OSSL_PARAM_BLD_push_octet_string(builder, copenssl_param_pub_key(), point.baseAddress,
                                                           point.count) == 1,
                          OSSL_PARAM_BLD_push_BN(builder, copenssl_param_priv_key(), d) == 1
                    else { return nil }
                    return OSSL_PARAM_BLD_to_param(builder)
                }
            }
        guard let params else { throw OpenSSL.error("OSSL_PARAM_BLD_to_param") }
        defer { OSSL_PARAM_free(params) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw OpenSSL.error("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
              EVP_PKEY_fromdata(context, &pkey, copenssl_evp_pkey_keypair(), params) == 1,
              let pkey
        else { throw OpenSSL.error("EVP_PKEY_fromdata") }
        return pkey
    }
}

/// Passphrase callback that supplies none, so an encrypted PEM fails instead of prompting on a terminal.
private let refusePassphrase: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?) -> Int32 = {
    _, _, _, _ in 0
}
