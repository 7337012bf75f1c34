import ElectorCrypto
import Testing
import TestSupport

/// 1609.2 hash-then-sign verification on the real and synthetic vectors.
@Suite struct CertificateSignatureTests {
    static let syntheticSelfSigned = ["elector1", "elector2", "elector3", "elector4", "root1", "outsider"]

    @Test(arguments: syntheticSelfSigned)
    func syntheticSelfSignedCertificateVerifies(name: String) throws {
        let cert = try ExplicitCertificateLayout(Fixtures.hexBytes("synthetic-camp-cert-\(name).hex"))
        #expect(cert.issuerIsSelf)
        let key = try PublicKey(curve: .p256, x: cert.keyX, yIsOdd: cert.keyChoice == 0x83)
        let e = Ieee1609Dot2Signing.signingDigest(dataInput: cert.toBeSigned, signerInput: [UInt8]())
        #expect(key.isValidSignature(r: cert.r, s: cert.s, digest: e))
        #expect(Ieee1609Dot2Signing.selfSignedDigest(dataInput: cert.toBeSigned) == e)
    }

    @Test(arguments: syntheticSelfSigned)
    func flippedBitsInSyntheticCertificateFail(name: String) throws {
        let bytes = try Fixtures.hexBytes("synthetic-camp-cert-\(name).hex")
        let cert = try ExplicitCertificateLayout(bytes)
        let key = try PublicKey(curve: .p256, x: cert.keyX, yIsOdd: cert.keyChoice == 0x83)
        let e = Ieee1609Dot2Signing.selfSignedDigest(dataInput: cert.toBeSigned)
        // One flipped bit anywhere in toBeSigned (first, middle, last octet; several bit positions).
        let start = cert.toBeSigned.startIndex, end = cert.toBeSigned.endIndex
        for (index, bit) in [(start, 0), (start + 7, 3), ((start + end) / 2, 7), (end - 1, 7), (end - 40, 1)] {
            let tampered = flippingBit(bytes, at: index, bit: bit)
            let tbs = tampered[start..<end]
            #expect(!key.isValidSignature(r: cert.r, s: cert.s, digest: Ieee1609Dot2Signing.selfSignedDigest(dataInput: tbs)),
                    "bit \(bit) of octet \(index)")
        }
        // One flipped bit in r, in s, and in the digest.
        for bit in [0, 4, 7] {
            #expect(!key.isValidSignature(r: flippingBit(cert.r, at: 31, bit: bit), s: cert.s, digest: e))
            #expect(!key.isValidSignature(r: cert.r, s: flippingBit(cert.s, at: 0, bit: bit), digest: e))
            #expect(!key.isValidSignature(r: cert.r, s: cert.s, digest: flippingBit(e, at: 16, bit: bit)))
        }
        // The signer input matters: hashing with a non-empty signer input gives a different e.
        let wrongSigner = Ieee1609Dot2Signing.signingDigest(dataInput: cert.toBeSigned, signerInput: cert.bytes)
        #expect(!key.isValidSignature(r: cert.r, s: cert.s, digest: wrongSigner))
        // Signed by this key, not by another elector's.
        let other = try ExplicitCertificateLayout(Fixtures.hexBytes(
            "synthetic-camp-cert-\(name == "elector1" ? "elector2" : "elector1").hex"))
        let otherKey = try PublicKey(curve: .p256, x: other.keyX, yIsOdd: other.keyChoice == 0x83)
        #expect(!otherKey.isValidSignature(r: cert.r, s: cert.s, digest: e))
    }

    @Test func ttaRootSelfSignatureVerifies() throws {
        let bytes = try Fixtures.hexBytes("tta-rootca-selfsigned-cert.hex")
        #expect(bytes.count == 205)
        let root = try ExplicitCertificateLayout(bytes)
        #expect(root.issuerIsSelf)
        #expect(root.keyChoice == 0x83, "the header says compressed-y-1")
        let key = try PublicKey(curve: .p256, x: root.keyX, yIsOdd: true)
        let e = Ieee1609Dot2Signing.signingDigest(dataInput: root.toBeSigned, signerInput: [UInt8]())
        #expect(key.isValidSignature(r: root.r, s: root.s, digest: e))
        #expect(!key.isValidSignature(r: root.r, s: root.s,
                                      digest: Ieee1609Dot2Signing.selfSignedDigest(
                                          dataInput: flippingBit(bytes, at: 40)[root.toBeSigned.indices])))
        // The same point with the wrong y parity is a different key and fails.
        let mirrored = try PublicKey(curve: .p256, x: root.keyX, yIsOdd: false)
        #expect(!mirrored.isValidSignature(r: root.r, s: root.s, digest: e))
    }

    /// (certificate, issuer) pairs of the TTA test SCMS, plus the synthetic ma1 under root1.
    static let issuedPairs: [(String, String, String)] = [
        ("tta-ica-cert.hex", "tta-rootca-selfsigned-cert.hex", "9d195826018fbb38"),
        ("tta-ma-cert.hex", "tta-rootca-selfsigned-cert.hex", "96d6444658c124ba"),
        ("tta-eca-cert.hex", "tta-ica-cert.hex", "6eb4e93ea62b3181"),
        ("tta-pca-cert.hex", "tta-ica-cert.hex", "d2ebc6a2ce83fc16"),
        ("tta-ra-cert.hex", "tta-ica-cert.hex", "077c211c5c49e2d4"),
        ("synthetic-camp-cert-ma1.hex", "synthetic-camp-cert-root1.hex", "8ab2770d7b94e8df"),
    ]

    @Test(arguments: issuedPairs)
    func issuedCertificateVerifiesWithIssuerKey(subject: String, issuer: String, hashedId8: String) throws {
        let cert = try ExplicitCertificateLayout(Fixtures.hexBytes(subject))
        let issuerCert = try ExplicitCertificateLayout(Fixtures.hexBytes(issuer))
        #expect(!cert.issuerIsSelf)
        #expect(Array(cert.issuerDigest) == HashedIds.hashedId8(of: issuerCert.bytes), "issuer sha256AndDigest")
        #expect(Fixtures.hex(HashedIds.hashedId8(of: cert.bytes)) == hashedId8)

        let issuerKey = try PublicKey(curve: .p256, x: issuerCert.keyX, yIsOdd: issuerCert.keyChoice == 0x83)
        let e = Ieee1609Dot2Signing.signingDigest(dataInput: cert.toBeSigned, signerInput: issuerCert.bytes)
        #expect(issuerKey.isValidSignature(r: cert.r, s: cert.s, digest: e))
        // Precomputed signer hash gives the same e.
        let cached = Ieee1609Dot2Signing.signingDigest(dataInput: cert.toBeSigned,
                                                       signerInputHash: Digest.sha256(issuerCert.bytes))
        #expect(cached == e)
        // Self-signed formula, the subject's own key, or a flipped bit: all fail.
        #expect(!issuerKey.isValidSignature(r: cert.r, s: cert.s,
                                            digest: Ieee1609Dot2Signing.selfSignedDigest(dataInput: cert.toBeSigned)))
        let ownKey = try PublicKey(curve: .p256, x: cert.keyX, yIsOdd: cert.keyChoice == 0x83)
        #expect(!ownKey.isValidSignature(r: cert.r, s: cert.s, digest: e))
        let tampered = flippingBit(cert.bytes, at: cert.toBeSigned.startIndex + 3)
        #expect(!issuerKey.isValidSignature(
            r: cert.r, s: cert.s,
            digest: Ieee1609Dot2Signing.signingDigest(dataInput: tampered[cert.toBeSigned.indices],
                                                      signerInput: issuerCert.bytes)))
    }

    @Test func ttaSignedDataVerifiesWithSignerCertificate() throws {
        let spdu = try Fixtures.hexBytes("tta-signed-enrollment-response-signer-certificate.hex")
        #expect(spdu.count == 650)
        let signed = try SignedDataLayout(spdu, toBeSignedDataEnd: 3 + 358)
        // The embedded signer is the ECA certificate vector, HashedId8 6eb4e93ea62b3181.
        #expect(Array(signed.signerCertificate) == (try Fixtures.hexBytes("tta-eca-cert.hex")))
        #expect(Fixtures.hex(HashedIds.hashedId8(of: signed.signerCertificate)) == "6eb4e93ea62b3181")

        let signer = try ExplicitCertificateLayout(Array(signed.signerCertificate))
        let key = try PublicKey(curve: .p256, x: signer.keyX, yIsOdd: signer.keyChoice == 0x83)
        let e = Ieee1609Dot2Signing.signingDigest(dataInput: signed.toBeSignedData,
                                                  signerInput: signed.signerCertificate)
        #expect(key.isValidSignature(r: signed.r, s: signed.s, digest: e))
        #expect(key.isValidSignature(rawSignature: signed.r + signed.s, digest: e))

        let tampered = flippingBit(spdu, at: 100, bit: 2)
        let eTampered = Ieee1609Dot2Signing.signingDigest(dataInput: tampered[signed.toBeSignedData.indices],
                                                          signerInput: signed.signerCertificate)
        #expect(!key.isValidSignature(r: signed.r, s: signed.s, digest: eTampered))
        #expect(!key.isValidSignature(r: signed.r, s: flippingBit(signed.s, at: 5), digest: e))
    }

    @Test func syntheticEndorsementVerifiesWithElector1() throws {
        let spdu = try Fixtures.hexBytes("synthetic-camp-endorsement-e1-for-e4-spdu.hex")
        let signed = try SignedDataLayout(spdu, toBeSignedDataEnd: 59)
        let elector1 = try Fixtures.hexBytes("synthetic-camp-cert-elector1.hex")
        #expect(Array(signed.toBeSignedData) == (try Fixtures.hexBytes("synthetic-camp-endorsement-e1-for-e4-tbsdata.hex")))
        #expect(Array(signed.signerCertificate) == elector1)
        // The endorsed certificateHash (HashedId32) inside the payload is SHA-256 of elector4's certificate.
        let elector4 = try Fixtures.hexBytes("synthetic-camp-cert-elector4.hex")
        #expect(Array(spdu[12..<44]) == HashedIds.hashedId32(of: elector4))

        let e1 = try ExplicitCertificateLayout(elector1)
        let key = try PublicKey(curve: .p256, x: e1.keyX, yIsOdd: e1.keyChoice == 0x83)
        let e = Ieee1609Dot2Signing.signingDigest(dataInput: signed.toBeSignedData, signerInput: elector1)
        #expect(key.isValidSignature(r: signed.r, s: signed.s, digest: e))

        // Signed by elector1 only: elector2's key fails; a flipped payload bit fails.
        let e2 = try ExplicitCertificateLayout(Fixtures.hexBytes("synthetic-camp-cert-elector2.hex"))
        let key2 = try PublicKey(curve: .p256, x: e2.keyX, yIsOdd: e2.keyChoice == 0x83)
        #expect(!key2.isValidSignature(r: signed.r, s: signed.s, digest: e))
        let tampered = flippingBit(spdu, at: 20)
        #expect(!key.isValidSignature(
            r: signed.r, s: signed.s,
            digest: Ieee1609Dot2Signing.signingDigest(dataInput: tampered[3..<59], signerInput: elector1)))
    }

    @Test func verificationIsSafeFromManyTasksSharingOneKey() async throws {
        let cert = try ExplicitCertificateLayout(Fixtures.hexBytes("tta-rootca-selfsigned-cert.hex"))
        let key = try PublicKey(curve: .p256, x: cert.keyX, yIsOdd: true)
        let e = Ieee1609Dot2Signing.selfSignedDigest(dataInput: cert.toBeSigned)
        let bad = flippingBit(e, at: 0)
        let (r, s) = (cert.r, cert.s)
        let results = await withTaskGroup(of: (Bool, Bool).self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var good = true, rejected = true
                    for _ in 0..<20 {
                        good = good && key.isValidSignature(r: r, s: s, digest: e)
                        rejected = rejected && !key.isValidSignature(r: r, s: s, digest: bad)
                    }
                    return (good, rejected)
                }
            }
            var all: [(Bool, Bool)] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 16)
        #expect(results.allSatisfy { $0.0 && $0.1 })
    }
}
