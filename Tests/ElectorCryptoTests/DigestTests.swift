import ElectorCrypto
import Testing
import TestSupport

@Suite struct DigestTests {
    // FIPS 180-4 / NIST CSRC example values.
    @Test func knownAnswers() {
        #expect(Fixtures.hex(Digest.sha256([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Fixtures.hex(Digest.sha256(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Fixtures.hex(Digest.sha384(Array("abc".utf8)))
            == "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
        #expect(Digest.hash("abc".utf8, using: .sha384) == Digest.sha384(Array("abc".utf8)))
        #expect(HashAlgorithmKind.sha256.digestLength == 32 && HashAlgorithmKind.sha384.digestLength == 48)
    }

    @Test func nonContiguousAndSlicedInputsHashTheSameBytes() throws {
        let cert = try Fixtures.hexBytes("tta-rootca-selfsigned-cert.hex")
        let slice = cert[5..<(cert.count - 66)]
        #expect(Digest.sha256(slice) == Digest.sha256(Array(slice)))
        #expect(Digest.sha256(cert.reversed().reversed()) == Digest.sha256(cert))  // a lazy, non-contiguous view
        #expect(Digest.sha256(slice) != Digest.sha256(cert))
    }

    @Test(arguments: HashAlgorithmKind.allCases)
    func incrementalEqualsOneShot(algorithm: HashAlgorithmKind) throws {
        let spdu = try Fixtures.hexBytes("tta-signed-enrollment-response-signer-certificate.hex")
        var hasher = IncrementalHasher(algorithm)
        hasher.update(spdu[0..<1])
        hasher.update(spdu[1..<300])
        hasher.update([UInt8]())
        hasher.update(spdu[300...])
        #expect(hasher.finalize() == Digest.hash(spdu, using: algorithm))
    }

    @Test func ttaRootHashes() throws {
        let root = try Fixtures.hexBytes("tta-rootca-selfsigned-cert.hex")
        #expect(Fixtures.hex(Digest.sha256(root)) == "215e3166522662ef49e8836427a391d247575e3adf624a9129cb66724dd2776c")
        #expect(Fixtures.hex(HashedIds.hashedId8(of: root)) == "29cb66724dd2776c")
        #expect(Fixtures.hex(HashedIds.hashedId3(of: root)) == "d2776c")
        #expect(HashedIds.hashedId32(of: root) == Digest.sha256(root))
        // cracaId of the ICA (after its toBeSigned id) is the root's HashedId3.
        let ica = try Fixtures.hexBytes("tta-ica-cert.hex")
        #expect(ica.count == 203)
        let idLength = Int(ica[14])  // [12] preamble, [13] 81 name, [14] length
        #expect(Array(ica[(15 + idLength)..<(18 + idLength)]) == HashedIds.hashedId3(of: root))
    }

    @Test func emptyStringHashedId8() {
        #expect(Fixtures.hex(HashedIds.hashedId8(of: [UInt8]())) == "a495991b7852b855")
        #expect(Ieee1609Dot2Signing.selfSignedSignerInputHash() == Digest.sha256([]))
        #expect(Ieee1609Dot2Signing.selfSignedSignerInputHash(.sha384) == Digest.sha384([]))
    }

    @Test(arguments: SyntheticIdentity.names)
    func syntheticCertificateHashedIds(name: String) throws {
        let identity = try #require(try SyntheticIdentity.all()[name])
        let cert = try Fixtures.hexBytes("synthetic-camp-cert-\(name).hex")
        #expect(cert == (try identity.certificate), "the .hex file and the json hold the same certificate")
        #expect(Fixtures.hex(HashedIds.hashedId8(of: cert)) == identity.hashedId8)
        #expect(Fixtures.hex(HashedIds.hashedId32(of: cert)) == identity.hashedId32_sha256)
    }

    @Test func sha384HashedIds() throws {
        let cert = try Fixtures.hexBytes("synthetic-camp-cert-elector1.hex")
        let full = Digest.sha384(cert)
        #expect(HashedIds.hashedId48(of: cert) == full)
        #expect(HashedIds.hashedId8(of: cert, using: .sha384) == Array(full[40...]))
        #expect(HashedIds.hashedId32(of: cert, using: .sha384) == Array(full[16...]))
        #expect(HashedIds.hashedId8(of: cert, using: .sha384) != HashedIds.hashedId8(of: cert))
    }

    @Test func signingDigestComposition() throws {
        // e = H(H(data) || H(signer)), checked through an independent incremental computation.
        let data = try Fixtures.hexBytes("synthetic-camp-endorsement-e1-for-e4-tbsdata.hex")
        let signer = try Fixtures.hexBytes("synthetic-camp-cert-elector1.hex")
        for algorithm in HashAlgorithmKind.allCases {
            var outer = IncrementalHasher(algorithm)
            outer.update(Digest.hash(data, using: algorithm))
            outer.update(Digest.hash(signer, using: algorithm))
            let expected = outer.finalize()
            #expect(Ieee1609Dot2Signing.signingDigest(dataInput: data, signerInput: signer, hash: algorithm)
                == expected)
        }
    }
}
