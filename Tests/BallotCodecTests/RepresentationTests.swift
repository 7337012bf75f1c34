import BallotCodec
import Testing

/// The codec stores some values differently from how it shows them (inline octets, shared boxes, an
/// inline hostname, a pre-grown writer buffer). These tests pin that the visible behaviour is that of
/// plain stored values: octets round-trip, equality and hashing follow the octets, copies are
/// independent.
@Suite("value representations")
struct RepresentationTests {
    /// Round trip of a fixed-size octet string through every way in and out.
    func checkFixed<T: FixedOctetString>(_ type: T.Type, _ g: inout Gen, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let octets = g.bytes(T.octetCount...T.octetCount)
        let value = try #require(T(octets), sourceLocation: sourceLocation)
        #expect(value.bytes == octets, sourceLocation: sourceLocation)
        #expect(value.coerEncoded == octets, sourceLocation: sourceLocation)
        #expect(try T(coer: octets) == value, sourceLocation: sourceLocation)
        #expect(T(uncheckedBytes: octets).hashValue == value.hashValue, sourceLocation: sourceLocation)
        #expect(T(hex: value.hex) == value, sourceLocation: sourceLocation)
        #expect(T(octets + [0]) == nil && T(Array(octets.dropLast())) == nil, sourceLocation: sourceLocation)
        var other = octets
        other[g.int(0...(T.octetCount - 1))] ^= 1
        #expect(T(uncheckedBytes: other) != value, sourceLocation: sourceLocation)
    }

    @Test("fixed-size octet strings keep exactly their octets")
    func fixedOctetStrings() throws {
        var g = Gen(seed: 41)
        for _ in 0..<50 {
            try checkFixed(SubjectAssurance.self, &g)
            try checkFixed(HashedId3.self, &g)
            try checkFixed(HashedId8.self, &g)
            try checkFixed(HashedId10.self, &g)
            try checkFixed(HashedId32.self, &g)
            try checkFixed(LinkageValue.self, &g)
            try checkFixed(Octets4.self, &g)
            try checkFixed(Octets12.self, &g)
            try checkFixed(Octets16.self, &g)
            try checkFixed(Octets32.self, &g)
            try checkFixed(Octets48.self, &g)
        }
        // All-zero octets are a value like any other (the storage past the octets is zero too).
        #expect(HashedId3(uncheckedBytes: [0, 0, 0]).bytes == [0, 0, 0])
        #expect(HashedId3(uncheckedBytes: [0, 0, 0]) != HashedId3(uncheckedBytes: [0, 0, 1]))
    }

    @Test("a copied certificate or signed data changes independently of the original")
    func boxedValuesAreValues() throws {
        let bytes = try Vectors.bytes("synthetic-camp-cert-elector1.hex")
        let original = try Certificate(coer: bytes)
        var copy = original
        #expect(copy == original && copy.hashValue == original.hashValue)
        copy.toBeSigned.crlSeries &+= 1
        #expect(copy != original)
        #expect(original.coerEncoded == bytes)
        #expect(copy.coerEncoded != bytes && copy.toBeSigned.crlSeries == original.toBeSigned.crlSeries &+ 1)
        copy.toBeSigned.crlSeries = original.toBeSigned.crlSeries
        #expect(copy == original && copy.hashValue == original.hashValue && copy.coerEncoded == bytes)
        copy.version = 2
        copy.signature = nil
        #expect(copy.version == 2 && copy.signature == nil && original.version == 3 && original.signature != nil)

        let spdu = try Vectors.bytes("synthetic-camp-endorsement-e1-for-e4-spdu.hex")
        let data = try Ieee1609Dot2Data(coer: spdu)
        var signed = try #require(data.signedData)
        let before = signed
        signed.hashId = .sha384
        signed.signer = .self
        #expect(signed != before && signed.hashId == .sha384 && before.hashId == .sha256)
        #expect(Ieee1609Dot2Data(content: .signedData(before)).coerEncoded == spdu)
        #expect(try SignedData(coer: signed.coerEncoded) == signed)
    }

    @Test("hostnames of every length: octets, text, equality and encoding")
    func hostnames() throws {
        var g = Gen(seed: 43)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789.-")
        for length in [0, 1, 31, 32, 33, 64, 255] {
            let text = String((0..<length).map { _ in alphabet[g.int(0...(alphabet.count - 1))] })
            let name = Hostname(text)
            #expect(name.utf8 == Array(text.utf8) && name.string == text)
            let encoded = name.coerEncoded
            let decoded = try Hostname(coer: encoded)
            #expect(decoded == name && decoded.hashValue == name.hashValue && decoded.coerEncoded == encoded)
            #expect(decoded.utf8 == Array(text.utf8))
            if length > 0 { #expect(Hostname(String(text.dropLast()) + "!") != name) }
        }
        // Non-ASCII names take the validating path; equality is by octets.
        for text in ["bücher.example", String(repeating: "é", count: 20), String(repeating: "é", count: 255)] {
            let decoded = try Hostname(coer: Hostname(text).coerEncoded)
            #expect(decoded.string == text && decoded == Hostname(text))
        }
        // 256 characters: refused whether ASCII (inline-length check skipped) or not.
        expectCOERError(Hostname.self, Hostname(String(repeating: "a", count: 256)).coerEncoded, .constraintViolation, offset: 0)
        expectCOERError(Hostname.self, Hostname(String(repeating: "é", count: 256)).coerEncoded, .constraintViolation, offset: 0)
        expectCOERError(Hostname.self, [2, 0xc3, 0x28], .invalidValue, offset: 0)
    }

    @Test("writer: exact octets whatever the buffer, copies independent, wide fixed integers")
    func writer() throws {
        var a = COERWriter(reservingCapacity: 4)
        a.writeUInt32(0x0102_0304)
        a.writeUInt16(0x0506)
        a.writeOctetString([7, 8, 9])
        #expect(a.bytes == [1, 2, 3, 4, 5, 6, 3, 7, 8, 9])
        var b = a
        b.writeByte(0xff)
        a.writeByte(0xee)
        #expect(a.bytes == [1, 2, 3, 4, 5, 6, 3, 7, 8, 9, 0xee])
        #expect(b.bytes == [1, 2, 3, 4, 5, 6, 3, 7, 8, 9, 0xff])
        let snapshot = b.bytes
        b.writeUInt64(0x1122_3344_5566_7788)
        #expect(snapshot == [1, 2, 3, 4, 5, 6, 3, 7, 8, 9, 0xff])
        #expect(b.bytes.suffix(8) == [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88])

        var c = COERWriter()
        c.writeFixedUnsigned(0x0102, width: 10)
        c.writeFixedUnsigned(0xabcd, width: 1)
        c.writeFixedUnsigned(7, width: 0)
        #expect(c.bytes == [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0xcd])

        // Growth past the reserved room, with every primitive.
        var g = Gen(seed: 47)
        var d = COERWriter()
        var expected: [UInt8] = []
        for _ in 0..<500 {
            let octets = g.bytes(0...40)
            d.writeOctets(octets)
            expected += octets
            let v = g.u16()
            d.writeUInt16(v)
            expected += [UInt8(v >> 8), UInt8(v & 0xff)]
        }
        #expect(d.bytes == expected)
    }
}
