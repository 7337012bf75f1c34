import BallotCodec
import Foundation
import Testing

@Suite("ballot forms, policy quorum, JSON")
struct FormsAndJSONTests {
    static func forms(_ ballot: [UInt8]) -> (scoped: [UInt8], unsecured: [UInt8]) {
        let scoped = [0x01, 0x80, 0x81] + ballot
        var w = COERWriter()
        w.writeOctetString(scoped)
        return (scoped, [0x03, 0x80] + w.bytes)
    }

    @Test("BallotForm accepts ElectorBallot, ScopedElectorBallot and UnsecuredElectorBallot")
    func threeForms() throws {
        let ballotBytes = try Vectors.bytes("synthetic-camp-root-ballot.hex")
        let ballot = try ElectorBallot(coer: ballotBytes)
        let (scoped, unsecured) = Self.forms(ballotBytes)

        let a = try BallotForm.decode(ballotBytes)
        let b = try BallotForm.decode(scoped)
        let c = try BallotForm.decode(unsecured)
        #expect(a == .ballot(ballot))
        #expect(b == .scoped(ScmsPDU.scopedBallot(ballot)))
        #expect(c == .unsecured(Ieee1609Dot2Data(content: .unsecuredData(scoped))))
        for (form, bytes) in [(a, ballotBytes), (b, scoped), (c, unsecured)] {
            #expect(form.electorBallot == ballot)
            #expect(form.coerEncoded == bytes)
            #expect(form.scopedPDU.coerEncoded == scoped)
        }
        #expect([a.formName, b.formName, c.formName] == ["ElectorBallot", "ScopedElectorBallot", "UnsecuredElectorBallot"])
        #expect(try c.electorBallotIfPresent == Ieee1609Dot2Data(coer: unsecured).containedScmsPDU().electorBallot)
    }

    @Test("BallotForm rejects other content with the path and a top-level offset")
    func formErrors() throws {
        let ballotBytes = try Vectors.bytes("synthetic-camp-elector4-ballot.hex")
        // A ScopedElectorEndorsement is an ScmsPDU, but not a ScopedElectorBallot.
        let endorsement = try Vectors.bytes("synthetic-camp-endorsement-e1-for-e4-scoped-scmspdu.hex")
        expectCOERError(BallotForm.self, endorsement, .constraintViolation, offset: 1,
                        path: "BallotForm.ScopedElectorBallot.content")
        // Signed data is not an UnsecuredElectorBallot.
        let spdu = try Vectors.bytes("synthetic-camp-endorsement-e1-for-e4-spdu.hex")
        expectCOERError(BallotForm.self, spdu, .constraintViolation, offset: 1,
                        path: "BallotForm.UnsecuredElectorBallot.content")
        // An error inside the contained ballot has an offset into the whole input.
        var (_, unsecured) = Self.forms(ballotBytes)
        let certStart = 2 + 3 + 3 + 1   // v3, 80, length 82 xx xx, ScmsPDU 01 80 81, ballot preamble
        #expect(unsecured[certStart] == 0x80)
        unsecured[certStart] = 0x81      // certificate preamble padding bit
        expectCOERError(BallotForm.self, unsecured, .nonCanonical, offset: certStart,
                        path: "BallotForm.UnsecuredElectorBallot.content.unsecuredData.ScopedElectorBallot.content.ccm.electorBallot.certificate")
        expectCOERError(BallotForm.self, [], .truncated, offset: 0)
        expectCOERError(BallotForm.self, ballotBytes + [0], .trailingBytes, offset: ballotBytes.count)
    }

    @Test("GlobalPolicyData carries the elector quorum as its first extension addition")
    func quorumExtension() throws {
        let t = Time64(600_100_000_000_000)
        let gpd = GlobalPolicyData(
            certChainFileID: TemporalSeries(initial: 7),
            electorQuorum: TemporalSeries(initial: 2, intervals: [.init(startTime: t, value: 3)]))
        let bytes = gpd.coerEncoded
        // Preamble: ext bit set + 13 presence bits (only certChainFileID) = 1010 0000 0000 0000; the series
        // {7, no intervals}; bitmap of 1 bit; the quorum series as an open type of 12 octets.
        let expected = hex("a0 00  0007 0100  020780 0c 02 0101") + t.coerEncoded + [3]
        #expect(bytes == expected)
        let decoded = try GlobalPolicyData(coer: bytes)
        #expect(decoded == gpd)
        #expect(decoded.electorQuorum?.value(at: Time64(0)) == 2)
        #expect(decoded.electorQuorum?.value(at: t) == 3)
        #expect(decoded.unknownExtensionAdditions.isEmpty)
        // Without the quorum the encoding is plain CAMP (no extension bit).
        #expect(GlobalPolicyData(certChainFileID: TemporalSeries(initial: 7)).coerEncoded == hex("20 00 0007 0100"))
        // A later, unknown addition after the quorum survives a round trip.
        var future = gpd
        future.unknownExtensionAdditions = [COERUnknownAddition(index: 3, encoding: [9, 9])]
        #expect(try GlobalPolicyData(coer: future.coerEncoded) == future)
    }

    @Test("signed GPF: contained ScmsFile and JSON")
    func signedPolicyFile() throws {
        let gpd = GlobalPolicyData(electorQuorum: TemporalSeries(initial: 2))
        let countersignature = Ieee1609Dot2Data(content: .signedData(SignedData(
            hashId: .sha256,
            tbsData: ToBeSignedData(payload: SignedDataPayload(extDataHash: .sha256HashedData(HashedId32(hash32)!)),
                                    headerInfo: HeaderInfo(psid: 35, generationTime: Time64(1))),
            signer: .digest(HashedId8(hex: "0102030405060708")!),
            signature: .ecdsaNistP256Signature(EcdsaP256Signature(rSig: .xOnly(Octets32(hash32)!), sSig: Octets32(hash32)!)))))
        let file = ScmsFile(content: .policy(.globalPolicyFile(BasePolicyFile(
            tbsData: ToBeSignedPolicyData(policyID: [1], generationTime: Time64(10), activeTime: Time64(20), policy: .global(gpd)),
            signatures: [countersignature]))))
        let signed = Ieee1609Dot2Data(content: .signedData(SignedData(
            hashId: .sha256,
            tbsData: ToBeSignedData(payload: SignedDataPayload(data: Ieee1609Dot2Data(content: .unsecuredData(file.coerEncoded))),
                                    headerInfo: HeaderInfo(psid: 35)),
            signer: .self, signature: .ecdsaNistP256Signature(EcdsaP256Signature(rSig: .xOnly(Octets32(hash32)!), sSig: Octets32(hash32)!)))))
        let decoded = try SignedGlobalPolicyFile(coer: signed.coerEncoded)
        #expect(try decoded.signedScmsFile() == file)
        #expect(try decoded.signedScmsFile().globalPolicyFile?.tbsData.policy == .global(gpd))
        #expect(throws: COERError.self) { try decoded.signedScmsPDU() }
        let json = decoded.jsonValue(JSONOptions())
        let inner = json["content"]?["signedData"]?["tbsData"]?["payload"]?["data"]?["content"]?["unsecuredData"]
        #expect(inner?["decodedAs"] == .string("ScmsFile"))
        #expect(inner?["decoded"]?["content"]?["policy"]?["globalPolicyFile"]?["tbsData"]?["policy"]?["global"]?[
            "temporalSeriesOfElectorQuorum"]?["initialElectorQuorum"] == .int(2))
    }

    @Test("JSON of a ballot: ASN.1 field names, hex bytes, times, decoded endorsements; valid JSON")
    func ballotJSON() throws {
        let form = try BallotForm.decode(Vectors.bytes("synthetic-camp-elector4-ballot.hex"))
        let json = form.jsonValue(JSONOptions())
        let ballot = try #require(json["ElectorBallot"])
        let tbs = try #require(ballot["certificate"]?["toBeSigned"])
        #expect(tbs["id"]?["name"] == .string("elector4.example.test"))
        #expect(tbs["validityPeriod"]?["start"] == .object([("time32", .int(600_000_000)), ("iso8601", .string("2023-01-05T10:39:55Z"))]))
        #expect(tbs["validityPeriod"]?["duration"]?["years"] == .int(12))
        #expect(tbs["appPermissions"]?[0]?["ssp"]?["opaque"]?["hex"] == .string("800001"))
        #expect(tbs["appPermissions"]?[0]?["ssp"]?["opaque"]?["decoded"]?["elector"]?["version"] == .int(1))
        #expect(tbs["verifyKeyIndicator"]?["verificationKey"]?["ecdsaNistP256"] != nil)
        let e0 = try #require(ballot["endorsements"]?[0]?["content"]?["signedData"])
        #expect(e0["hashId"] == .string("sha256"))
        #expect(e0["tbsData"]?["headerInfo"]?["generationTime"]?["iso8601"] == .string("2023-01-05T10:56:35.000000Z"))
        let decoded = e0["tbsData"]?["payload"]?["data"]?["content"]?["unsecuredData"]?["decoded"]
        let endorsement = decoded?["content"]?["ccm"]?["tbsElectorEndorsement"]
        #expect(endorsement?["type"] == .string("addElector"))
        #expect(endorsement?["certificateHash"] == .string("72327ecf6cc96c743965560f63c774fc6f70820295dc04d15e48b7018cc63385"))
        #expect(endorsement?["generationTime"]?["time32"] == .int(600_001_000))
        #expect(e0["signer"]?["certificate"]?[0]?["toBeSigned"]?["id"]?["name"] == .string("elector1.example.test"))

        // Both renderings parse as JSON and agree.
        for pretty in [false, true] {
            let text = json.serialized(pretty: pretty)
            let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            #expect(parsed?["ElectorBallot"] != nil)
        }
        #expect(form.jsonValue(JSONOptions(decodeContained: false)).serialized().contains("decoded") == false)
        #expect(form.jsonValue(JSONOptions(leapSeconds: 0)).serialized().contains("2023-01-05T10:40:00Z"))
    }

    @Test("JSON escaping, ordering and unknown values")
    func jsonDetails() throws {
        let value = JSONValue.object([("b", .string("q\"\\\n\u{1}é")), ("a", .array([.int(-1), .uint(UInt64.max), .bool(true), .null]))])
        #expect(value.serialized() == #"{"b":"q\"\\\n\u0001é","a":[-1,18446744073709551615,true,null]}"#)
        #expect(JSONValue.object([]).serialized(pretty: true) == "{}")
        #expect(Signature.unknownExtension(tag: 9, encoding: [0xab]).jsonValue(JSONOptions())
                == .object([("unknownExtension", .object([("tag", .uint(9)), ("hex", .string("ab"))]))]))
        #expect(EndorsementType.unknown(9).jsonValue(JSONOptions()) == .object([("unknown", .int(9))]))
        let tbs = TbsElectorEndorsement(type: .removeElector, certificateHash: HashedId32(hash32)!, generationTime: Time32(0),
                                        unknownExtensionAdditions: [COERUnknownAddition(index: 2, encoding: [1])])
        #expect(tbs.jsonValue(JSONOptions())["unknownExtensionAdditions"]?[0]?["index"] == .int(2))
        #expect(tbs.jsonValue(JSONOptions())["generationTime"]?["iso8601"] == .string("2003-12-31T23:59:55Z"))
    }
    @Test("JSON decodes contained values only up to maxContainedDepth")
    func containedDepth() throws {
        let cert = try Certificate(coer: Vectors.bytes("synthetic-camp-cert-elector1.hex"))
        var data = Ieee1609Dot2Data(content: .unsecuredData([0xff]))
        for _ in 0..<10 {
            let pdu = ScmsPDU.scopedBallot(ElectorBallot(certificate: cert, endorsements: [data]))
            data = Ieee1609Dot2Data(content: .unsecuredData(pdu.coerEncoded))
        }
        func levels(_ options: JSONOptions) -> Int {
            var json = data.jsonValue(options)
            var n = 0
            while let decoded = json["content"]?["unsecuredData"]?["decoded"] {
                n += 1
                guard let next = decoded["content"]?["ccm"]?["electorBallot"]?["endorsements"]?[0] else { break }
                json = next
            }
            return n
        }
        #expect(levels(JSONOptions()) == 4)
        #expect(levels(JSONOptions(maxContainedDepth: 20)) == 10)
        #expect(levels(JSONOptions(decodeContained: false)) == 0)
    }
}
