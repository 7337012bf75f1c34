import ElectorCrypto
import Testing
import TestSupport

@Suite struct KeyTests {
    @Test(arguments: SyntheticIdentity.names)
    func syntheticPrivateKeyGivesListedPublicKey(name: String) throws {
        let identity = try #require(try SyntheticIdentity.all()[name])
        let key = try PrivateKey(rawScalar: identity.privateKey)
        #expect(key.curve == .p256)
        #expect(key.publicKey.uncompressedRepresentation == (try identity.publicKeyUncompressed))
        // ... and that is the key in the certificate's verifyKeyIndicator.
        let cert = try ExplicitCertificateLayout(identity.certificate)
        #expect(key.publicKey.x == cert.keyX)
        #expect(key.publicKey.yIsOdd == (cert.keyChoice == 0x83))
        #expect(key.publicKey == (try PublicKey(curve: .p256, x: cert.keyX, yIsOdd: cert.keyChoice == 0x83)))
    }

    @Test func signAndVerifyWithSyntheticKey() throws {
        let identity = try #require(try SyntheticIdentity.all()["elector2"])
        let key = try PrivateKey(rawScalar: identity.privateKey)
        let data = try Fixtures.hexBytes("synthetic-camp-endorsement-e1-for-e4-tbsdata.hex")
        let e = Ieee1609Dot2Signing.signingDigest(dataInput: data, signerInput: try identity.certificate)
        let (r, s) = try key.signature(forDigest: e)
        #expect(r.count == 32 && s.count == 32)
        // Verified by a key imported independently from the json's uncompressed point.
        let verifier = try PublicKey(curve: .p256, uncompressed: identity.publicKeyUncompressed)
        #expect(verifier.isValidSignature(r: r, s: s, digest: e))
        #expect(!verifier.isValidSignature(r: r, s: s, digest: flippingBit(e, at: 31, bit: 7)))
        #expect(!verifier.isValidSignature(r: s, s: r, digest: e))
        // Random nonces: a second signature differs but verifies too.
        let second = try key.rawSignature(forDigest: e)
        #expect(second != r + s)
        #expect(verifier.isValidSignature(rawSignature: second, digest: e))
        // A signature by another elector does not verify under this key.
        let other = try PrivateKey(rawScalar: try #require(try SyntheticIdentity.all()["elector3"]).privateKey)
        let foreign = try other.signature(forDigest: e)
        #expect(!verifier.isValidSignature(r: foreign.r, s: foreign.s, digest: e))
    }

    @Test func pkcs8PEMRoundTrip() throws {
        let identity = try #require(try SyntheticIdentity.all()["elector1"])
        let key = try PrivateKey(rawScalar: identity.privateKey)
        let pem = try key.pkcs8PEM
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))
        let decoded = try PrivateKey(pkcs8PEM: pem)
        #expect(decoded.publicKey == key.publicKey)
        #expect(decoded.curve == .p256)
        let e = Digest.sha256(Array("round trip".utf8))
        let (r, s) = try decoded.signature(forDigest: e)
        #expect(key.publicKey.isValidSignature(r: r, s: s, digest: e))
        #expect(try decoded.pkcs8PEM == pem)

        let p384 = try PrivateKey.generate(curve: .p384)
        let p384Decoded = try PrivateKey(pkcs8PEM: p384.pkcs8PEM)
        #expect(p384Decoded.curve == .p384 && p384Decoded.publicKey == p384.publicKey)
    }

    @Test func pemThatIsNotUnencryptedPKCS8IsRefused() throws {
        let pem = try PrivateKey.generate().pkcs8PEM
        let lines = pem.split(separator: "\n")
        #expect(throws: CryptoError.pemDecoding) { try PrivateKey(pkcs8PEM: "") }
        #expect(throws: CryptoError.pemDecoding) {
            try PrivateKey(pkcs8PEM: pem.replacingOccurrences(of: "PRIVATE KEY", with: "EC PRIVATE KEY"))
        }
        #expect(throws: CryptoError.pemDecoding) {
            try PrivateKey(pkcs8PEM: pem.replacingOccurrences(of: "PRIVATE KEY", with: "ENCRYPTED PRIVATE KEY"))
        }
        // Truncated body.
        let truncated = ([lines[0], lines[1]] + [lines[lines.count - 1]]).joined(separator: "\n") + "\n"
        #expect(throws: CryptoError.pemDecoding) { try PrivateKey(pkcs8PEM: truncated) }
        // Corrupted base64 character in the body.
        var body = Array(lines[1])
        body[10] = body[10] == "A" ? "B" : "A"
        let corrupted = ([lines[0], Substring(String(body))] + lines[2...]).joined(separator: "\n") + "\n"
        #expect(throws: CryptoError.self) { try PrivateKey(pkcs8PEM: corrupted) }
    }

    static let allCurves = Curve.allCases

    @Test(arguments: allCurves)
    func generateSignVerifyAndTamper(curve: Curve) throws {
        let key = try PrivateKey.generate(curve: curve)
        #expect(key.curve == curve)
        #expect(key.publicKey.compressedRepresentation.count == curve.compressedPointLength)
        #expect(key.publicKey.uncompressedRepresentation.count == curve.uncompressedPointLength)
        let e = Digest.hash(Array("ballot".utf8), using: curve.hash)
        let (r, s) = try key.signature(forDigest: e)
        #expect(r.count == curve.fieldBytes && s.count == curve.fieldBytes)
        // An independently imported copy of the public key verifies.
        let imported = try PublicKey(curve: curve, compressed: key.publicKey.compressedRepresentation)
        #expect(imported.isValidSignature(r: r, s: s, digest: e))
        #expect(!imported.isValidSignature(r: flippingBit(r, at: curve.fieldBytes - 1), s: s, digest: e))
        #expect(!imported.isValidSignature(r: r, s: flippingBit(s, at: 3), digest: e))
        #expect(!imported.isValidSignature(r: r, s: s, digest: flippingBit(e, at: 0)))
        // A different key on the same curve fails.
        let other = try PrivateKey.generate(curve: curve).publicKey
        #expect(!other.isValidSignature(r: r, s: s, digest: e))
        // DER round trip through the public helpers.
        let der = EcdsaSignatureEncoding.der(r: r, s: s)
        #expect(imported.isValidSignature(der: der, digest: e))
        let back = try EcdsaSignatureEncoding.raw(fromDER: der, fieldBytes: curve.fieldBytes)
        #expect(back.r == r && back.s == s)
    }

    @Test func signingRejectsDigestOfWrongLength() throws {
        let key = try PrivateKey.generate()
        #expect(throws: CryptoError.invalidDigestLength(expected: 32, actual: 48)) {
            try key.signature(forDigest: Digest.sha384([1, 2, 3]))
        }
        let p384 = try PrivateKey.generate(curve: .p384)
        #expect(throws: CryptoError.invalidDigestLength(expected: 48, actual: 32)) {
            try p384.signature(forDigest: Digest.sha256([1, 2, 3]))
        }
    }

    @Test func rawScalarOutOfRangeIsRejected() throws {
        #expect(throws: CryptoError.invalidPrivateKey) { try PrivateKey(rawScalar: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: CryptoError.invalidPrivateKey) { try PrivateKey(rawScalar: [UInt8](repeating: 0xff, count: 32)) }
        #expect(throws: CryptoError.invalidPrivateKey) { try PrivateKey(rawScalar: [1]) }
        // n itself (P-256 order) is out of range; n-1 is the largest valid scalar.
        let n = try hexBytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
        #expect(throws: CryptoError.invalidPrivateKey) { try PrivateKey(rawScalar: n) }
        var nMinus1 = n
        nMinus1[31] -= 1
        let top = try PrivateKey(rawScalar: nMinus1)
        // (n-1)·G = -G: the generator's x with even y (G.y of P-256 is odd, p - G.y even).
        #expect(Fixtures.hex(top.publicKey.x) == "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296")
        #expect(!top.publicKey.yIsOdd)
        #expect(top.description.contains("redacted"))
        #expect(!top.description.contains(Fixtures.hex(nMinus1)))
    }

    @Test func invalidPointsAreTypedErrors() throws {
        let identity = try #require(try SyntheticIdentity.all()["elector1"])
        let uncompressed = try identity.publicKeyUncompressed
        let x = Array(uncompressed[1...32]), y = Array(uncompressed[33...])
        // x = 1 is not the x coordinate of any P-256 point (1 - 3 + b is a quadratic non-residue mod p).
        let badX = [UInt8](repeating: 0, count: 31) + [1]
        #expect(throws: CryptoError.invalidPoint) { try PublicKey(curve: .p256, x: badX, yIsOdd: false) }
        #expect(throws: CryptoError.invalidPoint) { try PublicKey(curve: .p256, compressed: [0x03] + badX) }
        // x ≥ p is not a field element.
        #expect(throws: CryptoError.invalidPoint) {
            try PublicKey(curve: .p256, x: [UInt8](repeating: 0xff, count: 32), yIsOdd: true)
        }
        // Wrong prefixes and lengths.
        #expect(throws: CryptoError.invalidPoint) { try PublicKey(curve: .p256, compressed: [0x04] + x) }
        #expect(throws: CryptoError.invalidPoint) { try PublicKey(curve: .p256, compressed: [0x00] + x) }
        #expect(throws: CryptoError.invalidPoint) { try PublicKey(curve: .p256, compressed: [0x02] + x.dropLast()) }
        #expect(throws: CryptoError.invalidPoint) { try PublicKey(curve: .p256, compressed: [UInt8]()) }
        #expect(throws: CryptoError.invalidPoint) { try PublicKey(curve: .p384, compressed: [0x02] + x) }
        #expect(throws: CryptoError.invalidPoint) { try PublicKey(curve: .p256, x: x + [0], yIsOdd: true) }
        #expect(throws: CryptoError.invalidPoint) { try PublicKey(curve: .p256, uncompressed: [0x02] + x + y) }
        #expect(throws: CryptoError.invalidPoint) { try PublicKey(curve: .p256, uncompressed: Array(uncompressed.dropLast())) }
        // (x, y+1-ish): a flipped bit in y takes the point off the curve.
        #expect(throws: CryptoError.invalidPoint) {
            try PublicKey(curve: .p256, uncompressed: flippingBit(uncompressed, at: 64, bit: 3))
        }
        // The all-zero point (an encoding of nothing on P-256) is refused.
        #expect(throws: CryptoError.invalidPoint) {
            try PublicKey(curve: .p256, uncompressed: [0x04] + [UInt8](repeating: 0, count: 64))
        }
        // A valid P-256 point is not a brainpoolP256r1 point.
        #expect(throws: CryptoError.invalidPoint) { try PublicKey(curve: .brainpoolP256r1, uncompressed: uncompressed) }
        #expect(CryptoError.invalidPoint.code == "invalid_point")
    }

    @Test(arguments: SyntheticIdentity.names)
    func pointCanonicalization(name: String) throws {
        let identity = try #require(try SyntheticIdentity.all()[name])
        let uncompressed = try identity.publicKeyUncompressed
        let x = Array(uncompressed[1...32]), y = Array(uncompressed[33...])
        let cert = try ExplicitCertificateLayout(identity.certificate)
        let certificatePoint = [cert.keyChoice - 0x80] + cert.keyX  // 82 → 02, 83 → 03

        // uncompressedP256 received → canonical compressed form, as the certificate encodes it.
        #expect(Curve.p256.contains(x: x, y: y))
        #expect(try Curve.p256.compress(x: x, y: y) == certificatePoint)
        #expect(try Curve.p256.compress(uncompressed: uncompressed) == certificatePoint)
        // And back: decompression recovers the json's y.
        let point = try Curve.p256.decompress(x: cert.keyX, yIsOdd: cert.keyChoice == 0x83)
        #expect(point.x == x && point.y == y)
        #expect(try Curve.p256.decompress(compressed: certificatePoint).y == y)
        // Both imports are the same key (equality and hashing on the compressed point).
        let a = try PublicKey(curve: .p256, uncompressed: uncompressed)
        let b = try PublicKey(curve: .p256, compressed: certificatePoint)
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        #expect(a.uncompressedRepresentation == uncompressed)
        // Off-curve: same x, a y that does not belong to it.
        #expect(!Curve.p256.contains(x: x, y: flippingBit(y, at: 10)))
        #expect(!Curve.p256.contains(x: x, y: Array(y.dropFirst())))
    }
}
