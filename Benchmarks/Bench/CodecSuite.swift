import BallotCodec
import Foundation

/// BallotCodec throughput: decode + canonical re-encode of the 3-endorsement root ballot
/// (`synthetic-camp-root-ballot`, 1001 bytes), the unit every service handles per ballot.
/// The ratio against signature verification is wired in by the crypto suite's owner.
enum CodecSuite {
    /// `Tests/Fixtures/synthetic-camp-root-ballot.hex` (embedded: the product never reads the test tree).
    static let rootBallotHex = [
        "008003008100188114726f6f746361312e6578616d706c652e74657374000000000023c3460086001101018001238003",
        "8100010101a0810102c08080831db89c66808b09983d31968450f4bf2c8fb74ea10860b0d567f4e17ef557fd8c808064",
        "8304fd4ff6ee1155c43e6f5dcd63bcee878ce8592ee1622c5c994a41df9206aeb196925033e41e5c116a717a0d50bfd8",
        "c916b8267397487d4c72d91be125530103038100400380290180800000f6a2f94d8ffa35288c2f37db0284e6c5eabc17",
        "b8ad5219d5ce18f9a38b21e81623c349e8400123000221b29e784a008101018003008100108115656c6563746f72312e",
        "6578616d706c652e74657374000000000023c3460086000c010180012380038000018080820ba830e60ab0fdbc1998b9",
        "c1d0fe01820cf124125f541bfd20f2667e4039bef18080bd9903f3b2ad809cfe81266011e9fd38c3bfd1e873e9a31ff8",
        "0603b14d29e7c448680e506daaac2a706e18f82c5edaa433af51a44ea6b02e6cd1d6bf291d786980800ac2d0ddc4944a",
        "ef55763a1bd40d53774a7845464652ee2d439741d81ff366264337e02e7fee886764fa600754369f3f8a778047ed96b4",
        "7b2eda82ace7156a63038100400380290180800000f6a2f94d8ffa35288c2f37db0284e6c5eabc17b8ad5219d5ce18f9",
        "a38b21e81623c349e8400123000221b29e784a008101018003008100108115656c6563746f72322e6578616d706c652e",
        "74657374000000000023c3460086000c010180012380038000018080838fb677da7b3a251833c3b498b16ecd31a2bb3a",
        "b3b309359bb72b5b197a4f6a218080c8f90d6a054b76f7f39a1979f9c3b8a6e858a252ea903b8c1c65d876b831fb0fe3",
        "c6cfd7ffa7ebf2f3eda0e06b0920f26db997fc771947205c3049cc38aa6b048080406cee521fd32eaadaa618c5d294b1",
        "88118574758ff2c44955770daeee8ef49643fb8572f90245009b5c235ae06e9d5013cd4fc70cb9a468b775596713ec5b",
        "38038100400380290180800000f6a2f94d8ffa35288c2f37db0284e6c5eabc17b8ad5219d5ce18f9a38b21e81623c349",
        "e8400123000221b29e784a008101018003008100108115656c6563746f72332e6578616d706c652e7465737400000000",
        "0023c3460086000c010180012380038000018080823bac4310ca798477929700ea2fdc168305451c34f145531bd24b72",
        "a12cae0df48080806f06f2df742993c726569625929cd79240cca32d02b7124559d438f40bc0d1753e14b12ad0cef9cd",
        "386d73a971169eddef10a024c68936f725f28316070d5a8080ea21e1bea75384fd25cf41358b12a127cda01c2c4d355a",
        "87e35f43453788f086a088ee389de7c720d343d1896e4e83bdaa28c05474fcb8b8704872567aa793e0",
    ].joined()

    static func run(_ report: inout BenchReport) throws {
        guard let bytes = HexCoding.decode(rootBallotHex) else { throw BenchError.badFixture }
        // Warm up and check the round trip once.
        guard try ElectorBallot(coer: bytes).coerEncoded == bytes else { throw BenchError.notCanonical }

        let roundTrips = try measure { try ElectorBallot(coer: bytes).coerEncoded.count }
        report.record(metric: "codec.ballot.decode+encode", value: roundTrips, unit: "ballots/s")
        let decodes = try measure { try ElectorBallot(coer: bytes).endorsements.count }
        report.record(metric: "codec.ballot.decode", value: decodes, unit: "ballots/s")
        let forms = try measure { try BallotForm.decode(bytes).electorBallot.endorsements.count }
        report.record(metric: "codec.ballotform.decode", value: forms, unit: "ballots/s")
        report.record(metric: "codec.ballot.decode+encode MB/s", value: roundTrips * Double(bytes.count) / 1e6, unit: "MB/s")

        // The budget: decoding + re-encoding a 3-endorsement ballot costs at most 2 % of verifying
        // its three signatures. Both sides are measured here, in this run, on this core.
        // Interleaved rounds (codec, then verify, under the same load), median fraction.
        var fractions: [Double] = []
        for _ in 0..<5 {
            let codec = try measure(rounds: 1) { try ElectorBallot(coer: bytes).coerEncoded.count }
            let verifyRate = try CryptoSuite.swiftVerifyRate(seconds: 0.33)
            fractions.append((1 / codec) / (3 / verifyRate))
        }
        report.record(metric: "codec.ballot cost / verifying its 3 signatures", value: fractions.sorted()[2],
                      unit: "fraction (median of 5 rounds)", ceiling: 0.02)
    }

    /// Operations per second of `body`, over about a third of a second per round (best of `rounds`).
    static func measure(rounds: Int = 3, _ body: () throws -> Int) rethrows -> Double {
        var best = 0.0
        var sink = 0
        for _ in 0..<rounds {
            var n = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed: UInt64 = 0
            while elapsed < 330_000_000 {
                for _ in 0..<100 { sink &+= try body() }
                n += 100
                elapsed = DispatchTime.now().uptimeNanoseconds - start
            }
            best = max(best, Double(n) / (Double(elapsed) / 1e9))
        }
        if sink == 42 { print("") }
        return best
    }

    enum BenchError: Error { case badFixture, notCanonical }
}
