import BallotCodec
import ElectorCrypto
import RootManagement
import Testing
import TestSupport

/// Signed GPFs with the elector quorum (`PolicyDocuments`): the document `electorctl policy publish` writes to
/// `scms.policy` and the quorum validator verifies against its configured PG certificate.
@Suite struct PolicyDocumentsTests {
    static let start = Time32(700_000_000)

    static func pg(start: Time32 = start) throws -> (Certificate, PrivateKey) {
        let key = try PrivateKey.generate()
        let certificate = try CertificateSigning.selfSigned(CertificateSigning.pgTemplate(name: "pg.test", key: key.publicKey,
                                                                                          start: start), key: key)
        return (certificate, key)
    }

    static func at(_ seconds: UInt32) -> Time64 { Time64(Time32(start.seconds + seconds)) }

    @Test func signsAndVerifiesAQuorumSeries() throws {
        let (certificate, key) = try Self.pg()
        #expect(CertificateAnalysis.facts(certificate).selfSignature == .valid)
        let raise = Self.at(86_400)
        let signed = try PolicyDocuments.signedGPF(quorum: 3, intervals: [(raise, 4)], generationTime: Self.at(60),
                                                   policyID: Array("gpf-7".utf8), pgCertificate: certificate, pgKey: key)
        let bytes = signed.coerEncoded
        let verified = try PolicyDocuments.verify(bytes, pgCertificate: certificate).get()
        #expect(verified.quorum(at: Self.at(61)) == 3)
        #expect(verified.quorum(at: raise) == 4)
        #expect(verified.generationTime == Self.at(60))
        #expect(verified.activeTime == Self.at(60))
        #expect(verified.policyID == Array("gpf-7".utf8))
        #expect(verified.digest == Digest.sha256(bytes))

        // The payload is a ScopedGlobalPolicyFile whose GlobalPolicyData carries the quorum as its first extension
        // addition, and whose own signatures hold one countersignature over SHA-256(COER(tbsData)).
        let file = try ScmsFile(coer: try #require(try Ieee1609Dot2Data(coer: bytes).signedData?.tbsData.payload.data?.unsecuredData))
        let gpf = try #require(file.globalPolicyFile)
        guard case .global(let policy) = gpf.tbsData.policy else { Issue.record("not global"); return }
        #expect(policy.electorQuorum?.initial == 3)
        let series = try #require(policy.electorQuorum)
        #expect(policy.coerEncoded.suffix(series.coerEncoded.count + 4).prefix(3) == [0x02, 0x07, 0x80])
        #expect(gpf.signatures.count == 1)
        guard case .sha256HashedData(let hash)? = gpf.signatures[0].signedData?.tbsData.payload.extDataHash else {
            Issue.record("countersignature without extDataHash"); return
        }
        #expect(hash.bytes == Digest.sha256(gpf.tbsData.coerEncoded))
    }

    @Test func refusesForgeriesAndBadContent() throws {
        let (certificate, key) = try Self.pg()
        let (other, otherKey) = try Self.pg()
        let good = try PolicyDocuments.signedGPF(quorum: 2, generationTime: Self.at(60), pgCertificate: certificate, pgKey: key)
        func reason(_ bytes: [UInt8], _ pg: Certificate = certificate) -> PolicyDocumentReason? {
            if case .failure(let error) = PolicyDocuments.verify(bytes, pgCertificate: pg) { return error.reason }
            return nil
        }
        #expect(reason(good.coerEncoded) == nil)
        #expect(reason(good.coerEncoded, other) == .unknownSigner)
        let impostor = try PolicyDocuments.signedGPF(quorum: 2, generationTime: Self.at(60), pgCertificate: other,
                                                     pgKey: otherKey)
        #expect(reason(impostor.coerEncoded) == .unknownSigner)

        // One flipped bit inside the signed payload breaks the signature.
        var tampered = good
        guard case .signedData(var signed) = tampered.content, var octets = signed.tbsData.payload.data?.unsecuredData else {
            Issue.record("not signed"); return
        }
        octets[octets.count - 1] ^= 0x01
        signed.tbsData.payload = SignedDataPayload(data: Ieee1609Dot2Data(content: .unsecuredData(octets)))
        tampered.content = .signedData(signed)
        #expect(reason(tampered.coerEncoded) == .badSignature)

        #expect(reason(Array("garbage".utf8)) == .malformed)
        #expect(reason(Ieee1609Dot2Data(content: .unsecuredData([1, 2, 3])).coerEncoded) == .notSignedData)
        #expect(reason(try PolicyDocuments.signedGPF(quorum: 0, generationTime: Self.at(60), pgCertificate: certificate,
                                                     pgKey: key).coerEncoded) == .invalidQuorum)
        // Generated before the PG certificate's validity.
        #expect(reason(try PolicyDocuments.signedGPF(quorum: 2, generationTime: Time64(Time32(Self.start.seconds - 10)),
                                                     pgCertificate: certificate, pgKey: key).coerEncoded) == .signerExpired)
        #expect(throws: CryptoError.self) {
            try PolicyDocuments.signedGPF(quorum: 2, generationTime: Self.at(60), pgCertificate: certificate, pgKey: otherKey)
        }
    }

    @Test func refusesAGPFWithoutQuorumAndAChainFileInstead() throws {
        let (certificate, key) = try Self.pg()
        func signedPayload(_ file: ScmsFile) throws -> [UInt8] {
            let tbs = ToBeSignedData(payload: SignedDataPayload(data: Ieee1609Dot2Data(content: .unsecuredData(file.coerEncoded))),
                                     headerInfo: HeaderInfo(psid: 35, generationTime: Self.at(60)))
            return Ieee1609Dot2Data(content: .signedData(try EndorsementSigning.sign(tbs, signer: certificate, key: key))).coerEncoded
        }
        let tbs = ToBeSignedPolicyData(policyID: [], generationTime: Self.at(60), activeTime: Self.at(60),
                                       policy: .global(GlobalPolicyData()))
        let counter = ToBeSignedData(
            payload: SignedDataPayload(extDataHash: .sha256HashedData(HashedId32(uncheckedBytes: Digest.sha256(tbs.coerEncoded)))),
            headerInfo: HeaderInfo(psid: 35, generationTime: Self.at(60)))
        let countersignature = Ieee1609Dot2Data(content: .signedData(try EndorsementSigning.sign(counter, signer: certificate, key: key)))
        let noQuorum = ScmsFile(content: .policy(.globalPolicyFile(BasePolicyFile(tbsData: tbs, signatures: [countersignature]))))
        let result = PolicyDocuments.verify(try signedPayload(noQuorum), pgCertificate: certificate)
        guard case .failure(let error) = result else { Issue.record("accepted a GPF without quorum"); return }
        #expect(error.reason == .missingQuorum)

        let gccf = try ScmsFile(coer: try Fixtures.hexBytes("synthetic-camp-gccf-scmsfile.hex"))
        guard case .failure(let kind) = PolicyDocuments.verify(try signedPayload(gccf), pgCertificate: certificate) else {
            Issue.record("accepted a GCCF as a GPF"); return
        }
        #expect(kind.reason == .wrongFileKind)
    }
}
