import ElectorCrypto
import Testing
import TestSupport

@Suite struct SignatureEncodingTests {
    @Test func derOfSmallAndHighBitComponents() throws {
        // r = 1 (31 leading zeros dropped), s = 0x80… (needs a 0x00 sign octet).
        let r = [UInt8](repeating: 0, count: 31) + [1]
        let s = [0x80] + [UInt8](repeating: 0x11, count: 31)
        let der = EcdsaSignatureEncoding.der(r: r, s: s)
        #expect(Fixtures.hex(der) == "3026" + "020101" + "022100" + "80" + String(repeating: "11", count: 31))
        // OpenSSL's own strict DER parser reads it back.
        let back = try EcdsaSignatureEncoding.raw(fromDER: der, fieldBytes: 32)
        #expect(back.r == r && back.s == s)
    }

    @Test func derOfFixtureSignatureParsesBack() throws {
        let cert = try ExplicitCertificateLayout(Fixtures.hexBytes("tta-rootca-selfsigned-cert.hex"))
        let der = EcdsaSignatureEncoding.der(r: cert.r, s: cert.s)
        #expect(der[0] == 0x30 && Int(der[1]) == der.count - 2)
        let back = try EcdsaSignatureEncoding.raw(fromDER: der, fieldBytes: 32)
        #expect(back.r == cert.r && back.s == cert.s)
    }

    @Test func malformedDERIsRejected() throws {
        let cert = try ExplicitCertificateLayout(Fixtures.hexBytes("tta-rootca-selfsigned-cert.hex"))
        let der = EcdsaSignatureEncoding.der(r: cert.r, s: cert.s)
        #expect(throws: CryptoError.invalidSignatureEncoding) { try EcdsaSignatureEncoding.raw(fromDER: [], fieldBytes: 32) }
        #expect(throws: CryptoError.invalidSignatureEncoding) {
            try EcdsaSignatureEncoding.raw(fromDER: der + [0], fieldBytes: 32)  // trailing garbage
        }
        #expect(throws: CryptoError.invalidSignatureEncoding) {
            try EcdsaSignatureEncoding.raw(fromDER: Array(der.dropLast()), fieldBytes: 32)
        }
        // A 48-octet component does not fit a 32-octet field.
        let wide = EcdsaSignatureEncoding.der(r: [UInt8](repeating: 0x7f, count: 48), s: [1])
        #expect(throws: CryptoError.invalidSignatureEncoding) { try EcdsaSignatureEncoding.raw(fromDER: wide, fieldBytes: 32) }
        #expect(CryptoError.invalidSignatureEncoding.code == "invalid_signature_encoding")
    }

    @Test func wrongComponentLengthsAreNotValid() throws {
        let cert = try ExplicitCertificateLayout(Fixtures.hexBytes("tta-rootca-selfsigned-cert.hex"))
        let key = try PublicKey(curve: .p256, x: cert.keyX, yIsOdd: true)
        let e = Ieee1609Dot2Signing.selfSignedDigest(dataInput: cert.toBeSigned)
        #expect(key.isValidSignature(r: cert.r, s: cert.s, digest: e))
        // Same integer values with a leading zero octet, or shortened: refused for length, not value.
        #expect(!key.isValidSignature(r: [0] + cert.r, s: cert.s, digest: e))
        #expect(!key.isValidSignature(r: cert.r, s: [0] + cert.s, digest: e))
        #expect(!key.isValidSignature(r: Array(cert.r.dropFirst()), s: cert.s, digest: e))
        #expect(!key.isValidSignature(r: cert.r, s: cert.s, digest: e + [0]))
        #expect(!key.isValidSignature(r: cert.r, s: cert.s, digest: Array(e.dropLast())))
        #expect(!key.isValidSignature(rawSignature: cert.r + cert.s + [0], digest: e))
        #expect(!key.isValidSignature(rawSignature: [UInt8](), digest: e))
        // r = 0 and s = 0 are outside [1, n-1].
        let zero = [UInt8](repeating: 0, count: 32)
        #expect(!key.isValidSignature(r: zero, s: cert.s, digest: e))
        #expect(!key.isValidSignature(r: cert.r, s: zero, digest: e))
        // s + n does not fit 32 octets, but s' = n - s (the "high/low-s" twin) is also valid ECDSA.
        let n = try hexBytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
        #expect(key.isValidSignature(r: cert.r, s: subtract(n, cert.s), digest: e))
        // s = n is out of range.
        #expect(!key.isValidSignature(r: cert.r, s: n, digest: e))
        // The verifier keeps working after all those failures (pooled contexts are still good).
        #expect(key.isValidSignature(r: cert.r, s: cert.s, digest: e))
    }

    /// a - b for equal-length big-endian unsigned values, a ≥ b.
    private func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: a.count)
        var borrow = 0
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            var digit = Int(a[i]) - Int(b[i]) - borrow
            borrow = digit < 0 ? 1 : 0
            if digit < 0 { digit += 256 }
            result[i] = UInt8(digit)
        }
        return result
    }
}
