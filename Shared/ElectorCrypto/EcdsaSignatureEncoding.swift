import COpenSSL

/// Conversions between the raw fixed-length `r || s` form of 1609.2 signatures and the DER
/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` that OpenSSL signs and verifies.
public enum EcdsaSignatureEncoding {
    /// DER of `(r, s)`, each given as unsigned big-endian octets of any length (leading zeros allowed).
    public static func der(r: [UInt8], s: [UInt8]) -> [UInt8] {
        r.withUnsafeBufferPointer { r in
            s.withUnsafeBufferPointer { s in
                [UInt8](unsafeUninitializedCapacity: maximumDERLength(r.count, s.count)) { out, count in
                    count = encodeDER(r: r, s: s, into: out.baseAddress!)
                }
            }
        }
    }

    /// Raw `(r, s)` of a DER signature, each left-padded to `fieldBytes` octets.
    ///
    /// Throws ``CryptoError/invalidSignatureEncoding`` unless `der` is exactly one DER
    /// `ECDSA-Sig-Value` (no trailing bytes) whose components fit in `fieldBytes` octets.
    public static func raw(fromDER der: [UInt8], fieldBytes: Int) throws(CryptoError) -> (r: [UInt8], s: [UInt8]) {
        let parsed: (r: [UInt8], s: [UInt8])? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let signature = d2i_ECDSA_SIG(nil, &cursor, buffer.count) else { return nil }
            defer { ECDSA_SIG_free(signature) }
            guard let end = cursor, let start = buffer.baseAddress, end - start == buffer.count else { return nil }
            guard let r = ECDSA_SIG_get0_r(signature), let s = ECDSA_SIG_get0_s(signature) else { return nil }
            guard let rBytes = paddedBytes(r, fieldBytes), let sBytes = paddedBytes(s, fieldBytes) else { return nil }
            return (rBytes, sBytes)
        }
        guard let parsed else {
            OpenSSL.clearErrors()
            throw .invalidSignatureEncoding
        }
        return parsed
    }

    /// `bn` as exactly `length` big-endian octets, or nil when it does not fit.
    private static func paddedBytes(_ bn: OpaquePointer, _ length: Int) -> [UInt8]? {
        var ok = true
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { out, count in
            ok = BN_bn2binpad(bn, out.baseAddress, Int32(length)) == Int32(length)
            count = ok ? length : 0
        }
        return ok ? bytes : nil
    }

    /// Upper bound of the DER length for components of `rCount` and `sCount` octets.
    static func maximumDERLength(_ rCount: Int, _ sCount: Int) -> Int { rCount + sCount + 14 }

    /// Writes DER of `(r, s)` to `out` (capacity ≥ ``maximumDERLength(_:_:)``) and returns its length.
    ///
    /// Hand-written because this sits on the verification hot path: two minimal unsigned INTEGERs in a
    /// SEQUENCE, using the long length form only when needed. The output is canonical DER, which
    /// OpenSSL requires (it re-encodes a parsed signature and rejects any difference).
    @inline(__always)
    static func encodeDER(r: UnsafeBufferPointer<UInt8>, s: UnsafeBufferPointer<UInt8>,
                          into out: UnsafeMutablePointer<UInt8>) -> Int
    {
        let rBody = integerBodyLength(r)
        let sBody = integerBodyLength(s)
        let rField = 1 + lengthOfLength(rBody) + rBody
        let sField = 1 + lengthOfLength(sBody) + sBody
        let content = rField + sField
        var position = 0
        out[position] = 0x30; position += 1
        position += writeLength(content, at: out + position)
        position += writeInteger(r, bodyLength: rBody, at: out + position)
        position += writeInteger(s, bodyLength: sBody, at: out + position)
        return position
    }

    /// Octets of the INTEGER contents of unsigned `value`: leading zeros dropped (one kept for zero),
    /// plus one 0x00 if the top bit of the first remaining octet is set.
    @inline(__always)
    private static func integerBodyLength(_ value: UnsafeBufferPointer<UInt8>) -> Int {
        var first = 0
        while first < value.count - 1 && value[first] == 0 { first += 1 }
        if value.isEmpty { return 1 }
        return value.count - first + (value[first] & 0x80 != 0 ? 1 : 0)
    }

    @inline(__always)
    private static func lengthOfLength(_ length: Int) -> Int { length < 0x80 ? 1 : (length < 0x100 ? 2 : 3) }

    @inline(__always)
    private static func writeLength(_ length: Int, at out: UnsafeMutablePointer<UInt8>) -> Int {
        if length < 0x80 {
            out[0] = UInt8(length)
            return 1
        }
        if length < 0x100 {
            out[0] = 0x81
            out[1] = UInt8(length)
            return 2
        }
        precondition(length < 0x10000, "ECDSA signature component too long for DER encoding")
        out[0] = 0x82
        out[1] = UInt8(length >> 8)
        out[2] = UInt8(length & 0xff)
        return 3
    }

    @inline(__always)
    private static func writeInteger(_ value: UnsafeBufferPointer<UInt8>, bodyLength: Int,
                                     at out: UnsafeMutablePointer<UInt8>) -> Int
    {
        out[0] = 0x02
        var position = 1 + writeLength(bodyLength, at: out + 1)
        if value.isEmpty {
            out[position] = 0
            return position + 1
        }
        var first = 0
        while first < value.count - 1 && value[first] == 0 { first += 1 }
        let significant = value.count - first
        if bodyLength > significant {
            out[position] = 0
            position += 1
        }
        (out + position).update(from: value.baseAddress! + first, count: significant)
        return position + significant
    }
}
