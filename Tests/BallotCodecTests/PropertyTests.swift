import BallotCodec
import Testing

/// encode → decode gives the same value, and re-encoding gives the same bytes.
func checkRoundTrip<T: COERCodable & JSONRepresentable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) {
    let bytes = value.coerEncoded
    do {
        let decoded = try T(coer: bytes)
        #expect(decoded == value, "value differs after round trip: \(HexCoding.encode(bytes))", sourceLocation: sourceLocation)
        #expect(decoded.coerEncoded == bytes, sourceLocation: sourceLocation)
        #expect(decoded.coerEncodedFromComponents == bytes, sourceLocation: sourceLocation)
        _ = decoded.jsonValue(JSONOptions()).serialized(pretty: false)
    } catch {
        Issue.record("\(T.self) did not decode its own encoding: \(error) — \(HexCoding.encode(bytes))",
                     sourceLocation: sourceLocation)
    }
}

@Suite("property round trips (seeded)")
struct PropertyTests {
    static let count = 300

    @Test("Certificate", arguments: [UInt64(1), 2])
    func certificates(seed: UInt64) {
        var g = Gen(seed: seed)
        for _ in 0..<Self.count { checkRoundTrip(g.certificate()) }
    }

    @Test("Ieee1609Dot2Data (signed, encrypted, unsecured, nested, extensions)", arguments: [UInt64(3), 4])
    func secured(seed: UInt64) {
        var g = Gen(seed: seed)
        for _ in 0..<Self.count { checkRoundTrip(g.ieee1609Dot2Data()) }
    }

    @Test("HeaderInfo with extension additions")
    func headers() {
        var g = Gen(seed: 5)
        for _ in 0..<Self.count { checkRoundTrip(g.headerInfo(depth: 0)) }
    }

    @Test("ElectorBallot, ScmsPDU, BallotForm")
    func ballots() throws {
        var g = Gen(seed: 6)
        for _ in 0..<Self.count / 3 {
            let ballot = g.electorBallot()
            checkRoundTrip(ballot)
            let pdu = g.scmsPDU()
            checkRoundTrip(pdu)
            // The three ballot forms.
            let scoped = ScmsPDU.scopedBallot(ballot)
            let unsecured = Ieee1609Dot2Data(content: .unsecuredData(scoped.coerEncoded))
            for bytes in [ballot.coerEncoded, scoped.coerEncoded, unsecured.coerEncoded] {
                let form = try BallotForm.decode(bytes)
                #expect(form.electorBallot == ballot)
                #expect(form.coerEncoded == bytes)
            }
        }
    }

    @Test("ScmsFile (GCCF, LCCF, policy files)", arguments: [UInt64(7), 8])
    func files(seed: UInt64) {
        var g = Gen(seed: seed)
        for _ in 0..<Self.count / 3 { checkRoundTrip(g.scmsFile()) }
    }

    @Test("GlobalPolicyData with the elector-quorum extension")
    func policies() {
        var g = Gen(seed: 9)
        for _ in 0..<Self.count { checkRoundTrip(g.globalPolicyData()) }
    }

    @Test("CompositeCrl, ScmsSsp, TbsElectorEndorsement, GeographicRegion")
    func misc() {
        var g = Gen(seed: 10)
        for _ in 0..<Self.count / 3 { checkRoundTrip(g.compositeCrl()) }
        for _ in 0..<Self.count {
            checkRoundTrip(g.scmsSsp())
            checkRoundTrip(g.tbsElectorEndorsement())
            checkRoundTrip(g.region())
            checkRoundTrip(g.psidGroupPermissions())
        }
    }

    @Test("primitive integers: every width, minimal forms")
    func integers() throws {
        var g = Gen(seed: 11)
        for _ in 0..<2000 {
            let u = g.varU64(), s = g.varI64(), e = Int(truncatingIfNeeded: g.varI64())
            var w = COERWriter()
            w.writeUnsignedInteger(u)
            w.writeSignedInteger(s)
            w.writeEnumerated(e)
            w.writeLength(Int(u >> 1))
            w.writeQuantity(Int(u >> 1))
            var r = COERReader(w.bytes)
            #expect(try r.readUnsignedInteger() == u)
            #expect(try r.readSignedInteger() == s)
            #expect(try r.readEnumerated() == e)
            #expect(try r.readLength() == Int(u >> 1))
            // readQuantity checks the count against the bytes left, so read its raw form here.
            let l = Int(try r.readByte())
            #expect(try r.readFixedUnsigned(width: l) == u >> 1)
            #expect(r.isAtEnd)
        }
    }
}
