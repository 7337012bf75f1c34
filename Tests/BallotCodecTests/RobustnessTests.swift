import BallotCodec
import Foundation
import Testing

/// Decodes mutated input; whatever decodes must be canonical (re-encode to the same bytes).
/// Returns whether it decoded. A crash here fails the whole run, which is the point.
@discardableResult
func decodeMutated(_ bytes: [UInt8], as kind: VectorKind, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    do {
        let again = try Vectors.roundTrip(bytes, as: kind)
        #expect(again == bytes, "a mutated input decoded but is not canonical: \(HexCoding.encode(bytes))",
                sourceLocation: sourceLocation)
        return true
    } catch {
        #expect(!error.path.isEmpty, sourceLocation: sourceLocation)
        #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error)", sourceLocation: sourceLocation)
        return false
    }
}

@Suite("hostile input")
struct RobustnessTests {
    @Test("every truncation gives a value or a COERError", arguments: Vectors.all.map(\.name))
    func truncations(name: String) throws {
        let kind = try #require(Vectors.all.first { $0.name == name }?.kind)
        let bytes = try Vectors.bytes(name)
        var decoded = 0
        for n in 0..<bytes.count where decodeMutated(Array(bytes[0..<n]), as: kind) { decoded += 1 }
        #expect(decoded == 0, "a strict prefix of a complete value decoded")
    }

    @Test("every single-bit flip gives a value or a COERError; values are canonical", arguments: Vectors.all.map(\.name))
    func bitFlips(name: String) throws {
        let kind = try #require(Vectors.all.first { $0.name == name }?.kind)
        let bytes = try Vectors.bytes(name)
        var flipped = bytes
        var decoded = 0
        for i in 0..<bytes.count {
            for bit in 0..<8 {
                flipped[i] ^= UInt8(1 << bit)
                if decodeMutated(flipped, as: kind) { decoded += 1 }
                flipped[i] = bytes[i]
            }
        }
        // Most flips land in keys, hashes and signatures and still decode.
        #expect(decoded > 0)
    }

    @Test("bit flips through BallotForm and JSON rendering", arguments: [
        "synthetic-camp-elector4-ballot.hex", "synthetic-camp-elector4-ballot-digest-signers.hex",
    ])
    func ballotFormFlips(name: String) throws {
        let ballot = try Vectors.bytes(name)
        let scoped = [0x01, 0x80, 0x81] + ballot
        var w = COERWriter()
        w.writeOctetString(scoped)
        let unsecured = [0x03, 0x80] + w.bytes
        for input in [ballot, scoped, unsecured] {
            var flipped = input
            for i in 0..<input.count {
                for bit in [0, 3, 7] {
                    flipped[i] ^= UInt8(1 << bit)
                    if let form = try? BallotForm.decode(flipped) {
                        #expect(form.coerEncoded == flipped)
                        #expect(form.coerEncodedFromComponents == flipped)
                        _ = form.electorBallot
                        if i % 16 == 0 { _ = form.jsonValue(JSONOptions()).serialized(pretty: true) }
                    }
                    flipped[i] = input[i]
                }
            }
        }
    }

    @Test("IEEE 1609.2.1 (OpenSCMS) structures are rejected cleanly", arguments: Vectors.openSCMS)
    func openSCMS(name: String) throws {
        let bytes = try Vectors.bytes(name)
        for kind in VectorKind.allCases { decodeMutated(bytes, as: kind) }
        // As a CAMP ScmsPDU (version 2, alternative [4] = la-ma in CAMP's numbering), it cannot be skipped.
        #expect(throws: COERError.self) { try ScmsPDU(coer: bytes) }
        #expect(throws: COERError.self) { try BallotForm.decode(bytes) }
        #expect(throws: COERError.self) { try ScmsFile(coer: bytes) }
        for n in stride(from: 0, to: bytes.count, by: 7) {
            for kind in VectorKind.allCases { decodeMutated(Array(bytes[0..<n]), as: kind) }
        }
    }

    @Test("random garbage never crashes")
    func garbage() {
        var g = Gen(seed: 99)
        for _ in 0..<3000 {
            let bytes = g.bytes(0...64)
            for kind in VectorKind.allCases { decodeMutated(bytes, as: kind) }
            _ = try? BallotForm.decode(bytes)
        }
    }
}

/// Replays the fuzz seed corpus and every saved fuzz finding (`Fuzz/regressions/<target>/`) through the
/// same invariant the fuzzers check: a value that decodes re-encodes to the same bytes.
@Suite("fuzz corpus and regressions")
struct FuzzReplayTests {
    static let fuzzDirectory = CrossCheckTests.repoRoot.appendingPathComponent("Fuzz")

    static func inputs(_ folder: String, _ target: String) -> [[UInt8]] {
        let dir = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().compactMap { try? Array(Data(contentsOf: dir.appendingPathComponent($0))) }
    }

    @Test("seed corpus decodes and round-trips; regressions never crash", arguments: ["certificate", "endorsement", "ballot", "scmsfile"])
    func replay(target: String) throws {
        let seeds = Self.inputs("corpus", target)
        #expect(!seeds.isEmpty)
        for bytes in seeds + Self.inputs("regressions", target) {
            switch target {
            case "certificate": decodeMutated(bytes, as: .certificate)
            case "endorsement": decodeMutated(bytes, as: .ieee1609Dot2Data)
            case "scmsfile": decodeMutated(bytes, as: .scmsFile)
            default:
                if let form = try? BallotForm.decode(bytes) { #expect(form.coerEncoded == bytes) }
            }
        }
        for bytes in seeds where target == "ballot" {
            #expect(try BallotForm.decode(bytes).coerEncoded == bytes)
        }
    }
}
