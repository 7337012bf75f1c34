import ElectorCrypto
import Foundation

/// ECDSA figures of `ElectorCrypto` next to `openssl speed` run as a subprocess in the same run.
///
/// The headline figure is P-256 verifications per second on one thread with a pre-imported key and
/// raw `r || s` input — the path the quorum validator takes for every endorsement — against
/// `openssl speed -seconds 3 ecdsap256` verify/s in interleaved rounds (median ratio), floor 0.9.
enum CryptoSuite {
    /// Seconds per measured loop, matching `openssl speed -seconds 3`.
    static let seconds: Double = 3
    /// Interleaved rounds of the headline verify ratio (each about 9 s).
    static let rounds = 3

    static func run(_ report: inout BenchReport) throws {
        let key = try PrivateKey.generate(curve: .p256)
        let digest = Digest.sha256(Array("scms-electors crypto benchmark".utf8))
        let (r, s) = try key.signature(forDigest: digest)
        let publicKey = try PublicKey(curve: .p256, compressed: key.publicKey.compressedRepresentation)
        guard publicKey.isValidSignature(r: r, s: s, digest: digest) else {
            report.failure("crypto: freshly made signature does not verify")
            return
        }

        // Interleaved rounds: half a Swift loop, `openssl speed -seconds 3`, the other half; the ratio of
        // each round compares two measurements taken under the same load of this shared machine, and the
        // median round is the figure (load spikes from other processes move single rounds, not the median).
        var rounds: [(swift: Double, openssl: (sign: Double, verify: Double))] = []
        for _ in 0..<Self.rounds {
            let before = rate(seconds: seconds / 2) { publicKey.isValidSignature(r: r, s: s, digest: digest) }
            let openssl = try openSSLSpeed(seconds: Int(seconds))
            let after = rate(seconds: seconds / 2) { publicKey.isValidSignature(r: r, s: s, digest: digest) }
            rounds.append(((before + after) / 2, openssl))
        }
        let median = rounds.sorted { $0.swift / $0.openssl.verify < $1.swift / $1.openssl.verify }[rounds.count / 2]
        let reference = median.openssl
        report.record(metric: "ecdsa-p256 verify (imported key, raw r||s)", value: median.swift, unit: "verify/s",
                      reference: reference.verify, referenceLabel: "openssl speed verify/s, median of \(Self.rounds) rounds",
                      floor: 0.9)

        let compressed = key.publicKey.compressedRepresentation
        let importRate = rate(seconds: seconds / 2) {
            guard let fresh = try? PublicKey(curve: .p256, compressed: compressed) else { return false }
            return fresh.isValidSignature(r: r, s: s, digest: digest)
        }
        report.record(metric: "ecdsa-p256 import key + verify", value: importRate, unit: "verify/s",
                      reference: reference.verify, referenceLabel: "openssl speed verify/s")

        let signRate = rate(seconds: seconds / 2) { (try? key.signature(forDigest: digest)) != nil }
        report.record(metric: "ecdsa-p256 sign (raw r||s)", value: signRate, unit: "sign/s",
                      reference: reference.sign, referenceLabel: "openssl speed sign/s")

        // The 1609.2 digest of one endorsement (56-octet ToBeSignedData, cached H(signer cert)).
        let tbsData = [UInt8](repeating: 0x5a, count: 56)
        let signerHash = Digest.sha256([UInt8](repeating: 0xa5, count: 152))
        let digestRate = rate(seconds: 1) {
            Ieee1609Dot2Signing.signingDigest(dataInput: tbsData, signerInputHash: signerHash).count == 32
        }
        report.record(metric: "1609.2 signing digest (56 B tbsData)", value: digestRate, unit: "digest/s")
    }

    /// Swift P-256 verifications per second on one thread (pre-imported key, raw r‖s): the yardstick other
    /// suites compare their per-ballot costs with.
    static func swiftVerifyRate(seconds: Double) throws -> Double {
        let key = try PrivateKey.generate(curve: .p256)
        let digest = Digest.sha256(Array("scms-electors verify yardstick".utf8))
        let (r, s) = try key.signature(forDigest: digest)
        let publicKey = key.publicKey
        return rate(seconds: seconds) { publicKey.isValidSignature(r: r, s: s, digest: digest) }
    }

    /// `openssl speed -seconds 3 ecdsap256` verify/s, measured now (takes about 6 s: sign then
    /// verify). 0 if `openssl` cannot be run or its output not parsed. For other suites' references.
    static func measureOpenSSLVerifyRate() -> Double {
        (try? openSSLSpeed(seconds: 3).verify) ?? 0
    }

    /// Sign/s and verify/s columns of `openssl speed -seconds N ecdsap256`.
    static func openSSLSpeed(seconds: Int) throws -> (sign: Double, verify: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "speed", "-seconds", String(seconds), "ecdsap256"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        // " 256 bits ecdsa (nistp256)   0.0000s   0.0001s  49698.0  16877.0"
        guard process.terminationStatus == 0,
              let line = text.split(separator: "\n").first(where: { $0.contains("(nistp256)") })
        else { throw SpeedError.unparsable(text) }
        let numbers = line.split(separator: " ").compactMap { Double($0) }
        guard numbers.count >= 2 else { throw SpeedError.unparsable(String(line)) }
        return (numbers[numbers.count - 2], numbers[numbers.count - 1])
    }

    enum SpeedError: Error, CustomStringConvertible {
        case unparsable(String)
        var description: String {
            switch self {
            case .unparsable(let text): "cannot parse `openssl speed` output: \(text.suffix(300))"
            }
        }
    }

    /// Operations per second of `body` over about `seconds`; the clock is read every 64 calls.
    /// Every call must return true (a false return is counted, and reported as a failure by the caller).
    static func rate(seconds: Double, _ body: () -> Bool) -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        let limit = Duration.milliseconds(Int64(seconds * 1000))
        var operations = 0
        var failures = 0
        while true {
            for _ in 0..<64 where !body() { failures += 1 }
            operations += 64
            let elapsed = clock.now - start
            if elapsed >= limit {
                precondition(failures == 0, "benchmark body failed \(failures) times")
                let (secondsPart, attoseconds) = elapsed.components
                return Double(operations) / (Double(secondsPart) + Double(attoseconds) * 1e-18)
            }
        }
    }
}
