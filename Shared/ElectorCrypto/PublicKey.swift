import COpenSSL

/// An ECDSA public verification key on one of the ``Curve``s.
///
/// Building a key imports the point into OpenSSL once (decompression and point validation happen
/// here, which costs about as much as a verification); keep the value and reuse it — verifications
/// then reuse the imported `EVP_PKEY` and a small pool of prepared verify contexts. Copies share
/// the same imported key. Equality and hashing compare the curve and the compressed point.
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    let storage: PublicKeyStorage

    /// Imports a compressed point `02 || x` (y even) or `03 || x` (y odd): 33 octets for the 256-bit
    /// curves, 49 for the 384-bit ones.
    public init(curve: Curve, compressed: some Collection<UInt8>) throws(CryptoError) {
        let bytes = Array(compressed)
        guard bytes.count == curve.compressedPointLength, bytes[0] == 0x02 || bytes[0] == 0x03 else {
            throw .invalidPoint
        }
        storage = try PublicKeyStorage(curve: curve, compressed: bytes, importing: bytes)
    }

    /// Imports the point with x coordinate `x` (``Curve/fieldBytes`` octets) whose y has parity `yIsOdd`,
    /// i.e. 1609.2 `compressed-y-1` (`yIsOdd == true`) or `compressed-y-0`.
    public init(curve: Curve, x: [UInt8], yIsOdd: Bool) throws(CryptoError) {
        guard x.count == curve.fieldBytes else { throw .invalidPoint }
        try self.init(curve: curve, compressed: [yIsOdd ? 0x03 : 0x02] + x)
    }

    /// Imports an uncompressed point `04 || x || y` (65 or 97 octets); throws ``CryptoError/invalidPoint``
    /// unless (x, y) is on the curve.
    public init(curve: Curve, uncompressed: [UInt8]) throws(CryptoError) {
        guard uncompressed.count == curve.uncompressedPointLength, uncompressed[0] == 0x04 else {
            throw .invalidPoint
        }
        let fieldBytes = curve.fieldBytes
        let compressed = [0x02 | (uncompressed[2 * fieldBytes] & 1)] + uncompressed[1...fieldBytes]
        storage = try PublicKeyStorage(curve: curve, compressed: compressed, importing: uncompressed)
    }

    /// Imports either SEC 1 encoding (compressed or uncompressed), as OpenSSL exports keys.
    init(curve: Curve, encodedPoint: [UInt8]) throws(CryptoError) {
        if encodedPoint.first == 0x04 {
            try self.init(curve: curve, uncompressed: encodedPoint)
        } else {
            try self.init(curve: curve, compressed: encodedPoint)
        }
    }

    /// The curve of the key.
    public var curve: Curve { storage.curve }

    /// SEC 1 compressed point `02/03 || x` (33 or 49 octets) — the canonical form 1609.2 hashes.
    public var compressedRepresentation: [UInt8] { storage.compressed }

    /// The x coordinate (``Curve/fieldBytes`` octets, big-endian).
    public var x: [UInt8] { Array(storage.compressed.dropFirst()) }

    /// Whether y is odd (1609.2 `compressed-y-1`).
    public var yIsOdd: Bool { storage.compressed[0] == 0x03 }

    /// The y coordinate (``Curve/fieldBytes`` octets, big-endian), read back from OpenSSL.
    public var y: [UInt8] { storage.coordinate(OSSL_PKEY_PARAM_EC_PUB_Y) }

    /// SEC 1 uncompressed point `04 || x || y` (65 or 97 octets).
    public var uncompressedRepresentation: [UInt8] { [0x04] + x + y }

    /// Whether `(r, s)` is a valid ECDSA signature by this key over the already hashed `digest`.
    ///
    /// `r` and `s` are raw big-endian integers of exactly ``Curve/fieldBytes`` octets each (1609.2
    /// `rSig` x-only value and `sSig`); `digest` must be ``HashAlgorithmKind/digestLength`` octets of
    /// the curve's hash and is **not** hashed again. Wrong lengths give false; so do r or s outside
    /// [1, n-1] (OpenSSL checks the range). Never throws: any failure is "not valid".
    public func isValidSignature(r: [UInt8], s: [UInt8], digest: [UInt8]) -> Bool {
        r.withUnsafeBufferPointer { r in
            s.withUnsafeBufferPointer { s in
                digest.withUnsafeBufferPointer { digest in
                    storage.verify(r: r, s: s, digest: digest)
                }
            }
        }
    }

    /// ``isValidSignature(r:s:digest:)`` for a raw `r || s` of 2 × ``Curve/fieldBytes`` octets.
    public func isValidSignature(rawSignature: some Collection<UInt8>, digest: [UInt8]) -> Bool {
        withContiguousBytes(rawSignature) { raw in
            guard raw.count == curve.rawSignatureLength else { return false }
            let half = curve.fieldBytes
            return digest.withUnsafeBufferPointer { digest in
                storage.verify(r: UnsafeBufferPointer(rebasing: raw[..<half]),
                               s: UnsafeBufferPointer(rebasing: raw[half...]), digest: digest)
            }
        }
    }

    /// Whether the DER `ECDSA-Sig-Value` `der` is a valid signature over the prehashed `digest`.
    public func isValidSignature(der: [UInt8], digest: [UInt8]) -> Bool {
        guard digest.count == curve.hash.digestLength else { return false }
        return der.withUnsafeBufferPointer { der in
            digest.withUnsafeBufferPointer { digest in storage.verify(der: der, digest: digest) }
        }
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.storage === rhs.storage || (lhs.curve == rhs.curve && lhs.storage.compressed == rhs.storage.compressed)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(curve)
        hasher.combine(storage.compressed)
    }

    public var description: String {
        "PublicKey(\(curve), \(storage.compressed.map { String($0, radix: 16).leftPadded(2) }.joined()))"
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// The imported public key (with its pool of verify contexts) and its compressed encoding.
///
/// `Sendable` because every stored property is immutable and `Sendable` (see ``PKeyBox``).
final class PublicKeyStorage: Sendable {
    let curve: Curve
    let compressed: [UInt8]
    let key: PKeyBox

    init(curve: Curve, compressed: [UInt8], importing encodedPoint: [UInt8]) throws(CryptoError) {
        guard let pkey = PublicKeyStorage.importPoint(curve: curve, encodedPoint: encodedPoint) else {
            OpenSSL.clearErrors()
            throw .invalidPoint
        }
        self.curve = curve
        self.compressed = compressed
        self.key = PKeyBox(owning: pkey, operation: .verify)
    }

    /// `EVP_PKEY_fromdata` of a public EC key, then OpenSSL's quick public-key check (on the curve,
    /// not the point at infinity). Nil on any failure.
    ///
    /// `OSSL_PARAM_BLD_push_*` keep the value pointers until `OSSL_PARAM_BLD_to_param` (which copies
    /// the values), so the values stay pinned by the nested closures until then; the key names are
    /// never copied, so they are the shim's static C literals.
    static func importPoint(curve: Curve, encodedPoint: [UInt8]) -> OpaquePointer? {
        guard let builder = OSSL_PARAM_BLD_new() else { return nil }
        defer { OSSL_PARAM_BLD_free(builder) }
        let params: UnsafeMutablePointer<OSSL_PARAM>? =
            curve.openSSLGroupName.withCString { groupName in
                encodedPoint.withUnsafeBufferPointer { point in
                    guard OSSL_PARAM_BLD_push_utf8_string(builder, copenssl_param_group_name(), groupName, 0) == 1,
                          OSSL_PARAM_BLD_push_octet_string(builder, copenssl_param_pub_key(), point.baseAddress,
                                                           point.count) == 1
                    else { return nil }
                    return OSSL_PARAM_BLD_to_param(builder)
                }
            }
        guard let params else { return nil }
        defer { OSSL_PARAM_free(params) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
              EVP_PKEY_fromdata(context, &pkey, copenssl_evp_pkey_public_key(), params) == 1,
              let pkey
        else { return nil }
        guard let check = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else {
            EVP_PKEY_free(pkey)
            return nil
        }
        defer { EVP_PKEY_CTX_free(check) }
        guard EVP_PKEY_public_check_quick(check) == 1 else {
            EVP_PKEY_free(pkey)
            return nil
        }
        return pkey
    }

    /// A coordinate (`OSSL_PKEY_PARAM_EC_PUB_X` / `_Y`) as ``Curve/fieldBytes`` octets.
    func coordinate(_ name: String) -> [UInt8] {
        var bn: OpaquePointer?
        let length = curve.fieldBytes
        guard EVP_PKEY_get_bn_param(key.pointer, name, &bn) == 1, let bn else {
            // The key was validated on import; OpenSSL always has its coordinates.
            preconditionFailure("EVP_PKEY_get_bn_param(\(name)) failed: \(OpenSSL.drainErrors())")
        }
        defer { BN_free(bn) }
        return [UInt8](unsafeUninitializedCapacity: length) { out, count in
            let written = BN_bn2binpad(bn, out.baseAddress, Int32(length))
            precondition(written == Int32(length), "coordinate does not fit the field")
            count = length
        }
    }

    /// Verification of raw `r`, `s` over `digest`, with the length checks of the public API.
    @inline(__always)
    func verify(r: UnsafeBufferPointer<UInt8>, s: UnsafeBufferPointer<UInt8>,
                digest: UnsafeBufferPointer<UInt8>) -> Bool
    {
        let fieldBytes = curve.fieldBytes
        guard r.count == fieldBytes, s.count == fieldBytes, digest.count == curve.hash.digestLength else {
            return false
        }
        return withUnsafeTemporaryAllocation(
            of: UInt8.self, capacity: EcdsaSignatureEncoding.maximumDERLength(fieldBytes, fieldBytes)
        ) { buffer in
            let length = EcdsaSignatureEncoding.encodeDER(r: r, s: s, into: buffer.baseAddress!)
            return verify(der: UnsafeBufferPointer(rebasing: buffer[..<length]), digest: digest)
        }
    }

    /// `EVP_PKEY_verify` of a DER signature over `digest` with a pooled context.
    func verify(der: UnsafeBufferPointer<UInt8>, digest: UnsafeBufferPointer<UInt8>) -> Bool {
        let valid = key.withContext { context -> (result: Bool, reusable: Bool) in
            let result = EVP_PKEY_verify(context, der.baseAddress, der.count, digest.baseAddress, digest.count)
            if result == 1 { return (true, true) }
            OpenSSL.clearErrors()
            // 0 is a plain "bad signature" and leaves the context reusable; < 0 is an internal error.
            return (false, result == 0)
        }
        guard let valid else {
            OpenSSL.clearErrors()
            return false
        }
        return valid
    }
}
