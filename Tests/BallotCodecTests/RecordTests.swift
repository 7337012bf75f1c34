import BallotCodec
import Testing
import TestSupport

/// The project's pipeline records (`ScmsElectorsRecords.asn`): exact bytes and round trips.
@Suite struct RecordTests {
    private func hash(_ byte: UInt8) throws -> HashedId32 {
        try #require(HashedId32([UInt8](repeating: byte, count: 32)))
    }

    @Test func expiryEventHasTheDocumentedBytes() throws {
        let event = ExpiryEvent(kind: .expired, certificateHash: try hash(0xab), role: .root,
                                expiryTime: Time32(600_000_100), effectiveTime: Time32(600_000_100), leadSeconds: 0)
        let expected: [UInt8] = [0x00, 0x01] + [UInt8](repeating: 0xab, count: 32) + [0x01]
            + [0x23, 0xc3, 0x46, 0x64] + [0x23, 0xc3, 0x46, 0x64] + [0, 0, 0, 0]
        #expect(event.coerEncoded == expected)
        #expect(try ExpiryEvent(coer: expected) == event)
    }

    @Test func validatedBallotRoundTripsAroundTheSharedBallot() throws {
        let ballot = try ElectorBallot(coer: Fixtures.hexBytes("synthetic-camp-elector4-ballot.hex"))
        let record = ValidatedBallot(ballot: ballot, type: .addElector, targetHash: try hash(1), ballotDigest: try hash(2),
                                     processingTime: Time32(600_002_000), quorum: 2,
                                     endorsers: [try hash(3), try hash(4)])
        let bytes = record.coerEncoded
        #expect(Array(bytes.prefix(1)) == [0x00])
        #expect(Array(bytes[1..<(1 + ballot.coerEncoded.count)]) == ballot.coerEncoded)
        let decoded = try ValidatedBallot(coer: bytes)
        #expect(decoded == record)
        #expect(decoded.coerEncoded == bytes)
        let json = decoded.jsonString(pretty: false)
        #expect(json.contains("\"quorum\":2"))
    }

    @Test func unknownKindsAndAdditionsSurvive() throws {
        var event = ExpiryEvent(kind: .unknown(7), certificateHash: try hash(9), role: .unknown(5),
                                expiryTime: Time32(1), effectiveTime: Time32(0), leadSeconds: 1)
        event.unknownExtensionAdditions = [COERUnknownAddition(index: 0, encoding: [0x05])]
        let bytes = event.coerEncoded
        #expect(bytes.first == 0x80)
        #expect(try ExpiryEvent(coer: bytes).coerEncoded == bytes)
    }

    @Test func truncatedRecordsFailWithAReason() throws {
        let event = ExpiryEvent(kind: .expiringSoon, certificateHash: try hash(7), role: .elector,
                                expiryTime: Time32(10), effectiveTime: Time32(5), leadSeconds: 5)
        let bytes = event.coerEncoded
        for cut in 0..<bytes.count {
            #expect(throws: COERError.self) { try ExpiryEvent(coer: Array(bytes.prefix(cut))) }
        }
    }
}
