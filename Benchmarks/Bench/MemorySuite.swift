import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit

/// `memory`: the resident memory (`VmRSS`, and the peak `VmHWM`, from /proc/PID/status) of every process of a dev
/// stack while 100,000 ballots flow through it, sampled after each wave of 5,000 (waves keep every topic's backlog
/// well under the dev broker's ~5 MiB per partition). Reports each service's RSS after the first and the last wave,
/// its growth per 10,000 ballots over the second half, and its peak. Not part of `make test`.
///
/// The ballots: 1,000 root CAs × 100 ballots each (distinct generation times), 3 endorsements by the anchors. Every
/// ballot is distinct, so the assembler's state — which keeps every ballot it folded, as the PG must — grows with
/// them; the figures say by how much.
enum MemorySuite {
    static let waves = 20
    static let perWave = 5_000
    static let targets = 1_000

    static func run(_ report: inout BenchReport) throws {
        let samples = try EndToEndSuite.blockOn { try await measure() }
        guard let first = samples.first, let last = samples.last else { throw EndToEndSuite.BenchError("no samples") }
        let middle = samples[samples.count / 2]
        for name in last.rss.keys.sorted() {
            guard let end = last.rss[name], let start = first.rss[name] else { continue }
            let growth = (end - (middle.rss[name] ?? end)) / Double(last.ballots - middle.ballots) * 10_000
            report.record(metric: "memory \(name) RSS after \(first.ballots) → \(last.ballots) ballots",
                          value: end / 1_048_576, unit: "MiB", reference: start / 1_048_576,
                          referenceLabel: "after the first wave")
            report.record(metric: "memory \(name) RSS growth per 10,000 ballots (second half)", value: growth / 1_048_576,
                          unit: "MiB")
            report.record(metric: "memory \(name) peak (VmHWM)", value: (last.peak[name] ?? 0) / 1_048_576, unit: "MiB")
        }
        print("  (RSS MiB per wave: " + samples.map { sample in
            "\(sample.ballots / 1000)k " + sample.rss.keys.sorted().map { "\($0)=\(Int((sample.rss[$0] ?? 0) / 1_048_576))" }
                .joined(separator: " ")
        }.joined(separator: "; ") + ")")
    }

    struct Sample: Sendable {
        var ballots: Int
        var rss: [String: Double]
        var peak: [String: Double]
    }

    static func measure() async throws -> [Sample] {
        let work = try EndToEndSuite.makeDirectory("scms-bench-memory")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let start = EndToEndSuite.now() - 86_400
        let anchors = try (1...3).map { try EndToEndSuite.identity("memory-anchor\($0)", profile: .elector, start: start) }
        try FileManager.default.createDirectory(atPath: work + "/anchors", withIntermediateDirectories: true)
        for (index, anchor) in anchors.enumerated() {
            try Data(anchor.certificate.coerEncoded).write(to: URL(fileURLWithPath: "\(work)/anchors/anchor\(index + 1).cert"))
        }
        let roots = try (0..<targets).map { try EndToEndSuite.identity("memory-root\($0)", profile: .root, start: start) }
        let stack = work + "/stack"
        let up = try EndToEndSuite.runElectorctl(["dev", "up", "--dir", stack, "--anchors", work + "/anchors",
                                                  "--quorum", "3", "--lead-times", "1h", "--log-level", "warning"])
        guard up.status == 0 else { throw EndToEndSuite.BenchError("dev up failed: \(up.output)") }
        defer { _ = try? EndToEndSuite.runElectorctl(["dev", "down", "--dir", stack]) }
        let bootstrap = try String(contentsOfFile: stack + "/bootstrap.servers", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let settings = KafkaSettings(bootstrapServers: bootstrap, clientID: "scms-bench-memory")
        let producer = try KafkaProducer(configuration: settings.producer(linger: .milliseconds(5)))
        let assemblerPort = try EndToEndSuite.port(stack, "gccf-assembler-1")
        let time = EndToEndSuite.now()
        var samples: [Sample] = []
        var submitted = 0
        for wave in 0..<waves {
            // Ballot n: root n % targets, generation time n / targets seconds back (distinct per root).
            for n in (wave * perWave)..<((wave + 1) * perWave) {
                let root = roots[n % targets]
                let bytes = try EndToEndSuite.ballot(root.certificate, by: anchors, time: time - 10 - UInt32(n / targets))
                try await producer.enqueue(OutgoingMessage(topic: settings.topics.ballotsSubmitted,
                                                           key: Array(root.hash.utf8), value: bytes)) { _ in }
            }
            try await producer.flush(timeout: .seconds(120))
            submitted += perWave
            let deadline = ContinuousClock.now + .seconds(300)
            while try await EndToEndSuite.metric(port: assemblerPort, "scms_assembler_ballots") < Double(submitted) {
                guard ContinuousClock.now < deadline else {
                    throw EndToEndSuite.BenchError("the assembler did not fold \(submitted) ballots in time")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let memory = residentMemory(stack)
            samples.append(Sample(ballots: submitted, rss: memory.mapValues(\.rss), peak: memory.mapValues(\.peak)))
        }
        await producer.close()
        return samples
    }

    /// `VmRSS` and `VmHWM` (bytes) of every process of the stack.
    static func residentMemory(_ stack: String) -> [String: (rss: Double, peak: Double)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: stack + "/run")) ?? [])
            .filter { $0.hasSuffix(".pid") }.map { String($0.dropLast(4)) }
        var out: [String: (rss: Double, peak: Double)] = [:]
        for name in names {
            guard let text = try? String(contentsOfFile: "\(stack)/run/\(name).pid", encoding: .utf8),
                  let pid = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { continue }
            func kilobytes(_ field: String) -> Double {
                guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
                      let value = line.split(separator: " ").dropFirst().first(where: { Double($0) != nil }).flatMap({ Double($0) })
                else { return 0 }
                return value * 1024
            }
            out[name] = (kilobytes("VmRSS"), kilobytes("VmHWM"))
        }
        return out
    }
}
