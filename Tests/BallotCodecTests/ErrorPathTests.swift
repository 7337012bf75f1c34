import BallotCodec
import Testing

/// A test-only SEQUENCE `{ psids SEQUENCE OF Psid, certificate Certificate }` that opens a component by
/// hand (`enter`/`leave`) around components the reader scopes itself (`readSequenceOf`, `decode`), so the
/// two ways of naming components must nest in order in an error's path.
struct HandPathed: COERCodable {
    var psids: [Psid]
    var certificate: Certificate

    init(from reader: inout COERReader) throws(COERError) {
        try reader.enter("manual")
        psids = try reader.readSequenceOf(Psid.self, minElementSize: 2)
        certificate = try reader.decode("certificate")
        reader.leave()
    }

    func encode(to writer: inout COERWriter) {
        writer.writeSequenceOf(psids)
        certificate.encode(to: &writer)
    }
}

/// `init(coer:)` decodes without keeping the path and re-decodes to report a failure; these tests pin that
/// the error is still the full component path, whatever mix of scoped and hand-opened components it
/// passes through, and that the depth limit counts the same components as before.
@Suite("error paths")
struct ErrorPathTests {
    @Test("hand-opened components and scoped ones nest in order")
    func mixedNesting() throws {
        let certificate = try Vectors.bytes("synthetic-camp-cert-elector1.hex")
        let psids = hex("01 02 0123 0124")
        #expect(try HandPathed(coer: psids + certificate).coerEncoded == psids + certificate)

        // Second Psid with a leading zero octet: 02 0024.
        expectCOERError(HandPathed.self, hex("01 02 0123 020024") + certificate, .nonCanonical, offset: 4,
                        path: "HandPathed.manual[1]")

        // A certificate error inside: same path as decoding the certificate alone, under the outer components.
        for cut in [3, 12, 40, certificate.count - 1] {
            var bare: COERError?
            do { _ = try Certificate(coer: Array(certificate[0..<cut])) } catch { bare = error }
            let inner = try #require(bare)
            expectCOERError(HandPathed.self, psids + Array(certificate[0..<cut]), inner.reason,
                            offset: inner.offset + psids.count,
                            path: "HandPathed.manual.certificate" + inner.path.dropFirst("Certificate".count))
        }
    }

    @Test("an error inside endorsement i carries ElectorBallot.endorsements[i] and the endorsement's own path")
    func sequenceIndices() throws {
        let ballot = try Vectors.bytes("synthetic-camp-root-ballot.hex")
        let decoded = try ElectorBallot(coer: ballot)
        var start = 1 + decoded.certificate.coerEncoded.count + 2  // preamble, certificate, quantity 01 03
        var compared = 0
        for (i, endorsement) in decoded.endorsements.enumerated() {
            let own = endorsement.coerEncoded
            #expect(Array(ballot[start..<(start + own.count)]) == own)
            for position in 0..<own.count {
                var mutated = own
                mutated[position] ^= 0x81
                var bare: COERError?
                do { _ = try Ieee1609Dot2Data(coer: mutated) } catch { bare = error }
                // Truncation and trailing-byte errors depend on where the input ends, which differs inside a ballot.
                guard let inner = bare, inner.reason != .truncated, inner.reason != .trailingBytes else { continue }
                var inBallot = ballot
                inBallot[start + position] ^= 0x81
                expectCOERError(ElectorBallot.self, inBallot, inner.reason, offset: inner.offset + start,
                                path: "ElectorBallot.endorsements[\(i)]" + inner.path.dropFirst("Ieee1609Dot2Data".count))
                compared += 1
            }
            start += own.count
        }
        #expect(compared > 100)
    }

    @Test("the depth limit counts every named component, the top-level type included")
    func depthCountsNames() throws {
        // Ieee1609Dot2Data nested through signedData payloads, as deep as the default limit allows and beyond.
        var nested = hex("03 80 00")
        for _ in 0..<8 {
            nested = hex("03 81 00 40") + nested + hex("00 01 23 82 80 80") + hash32 + hash32
        }
        var deepest = 0
        for maxDepth in 1...100 {
            do {
                _ = try Ieee1609Dot2Data(coer: nested, limits: COERLimits(maxDepth: maxDepth))
                deepest = maxDepth
                break
            } catch {
                #expect(error.reason == .limitExceeded, "\(error)")
                // The component that went over the limit is the last one named.
                #expect(error.path.split(separator: ".").count == maxDepth + 1, "\(error)")
            }
        }
        // The top-level name, 5 per level (content.signedData.tbsData.payload.data), then the innermost
        // content.unsecuredData.
        #expect(deepest == 1 + 8 * 5 + 2)
    }

    @Test("a reader used directly reports the components entered by hand")
    func directReader() throws {
        var reader = COERReader(hex("01 02"))
        try reader.enter("a")
        #expect(reader.pathString == "a")
        _ = try reader.readByte()
        try reader.enter("b")
        #expect(throws: COERError(reason: .truncated, path: "a.b", offset: 2, detail: "octet needs 1 byte(s), 0 left")) {
            _ = try reader.readByte()
            _ = try reader.readByte()
        }
        #expect(throws: COERError(reason: .truncated, path: "a.b.x", offset: 2, detail: "2-octet integer needs 2 byte(s), 0 left")) {
            _ = try reader.decode("x", as: UInt16.self)
        }
    }
}
