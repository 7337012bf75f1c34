import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// End-to-end figures of the whole pipeline on a dev stack (`electorctl dev up`: scms-devbroker and the four services
/// as separate processes), next to references measured in the same run:
/// - ballots per second from submission until the assembler has folded them (each ballot carries 3 endorsements of its
///   own, so every one needs 3 fresh ECDSA verifications), against the ECDSA verification limit `openssl speed`
///   verify/s × cores ÷ 3, floor 0.5: over the steady middle of the run (from 10 % to 90 % of the ballots folded,
///   pipeline fill and drain left out) and, for comparison, over the whole run from the first submission;
/// - submit → GCCF latency p50/p99 at moderate load (50 ballots/s, each for a new root CA, so every one changes the
///   GCCF), ceiling 250 ms.
enum EndToEndSuite {
    /// Ballots of the throughput run: 100 root CAs × 100 ballots (distinct generation times) of 3 endorsements each.
    /// The root CAs are picked so that each partition of `scms.ballots.submitted` / `accepted` gets the same number
    /// (the validators then share the work evenly). About 1.1 KB a ballot: every partition stays well within the dev
    /// broker's ~5 MiB, except the single `scms.ballots.validated` one, which the mock trims behind the assembler's
    /// position (it keeps up: the run fails if any ballot is not folded).
    static let throughputTargets = 100
    static let ballotsPerTarget = 100
    /// The part of the throughput run the steady rate is measured over (share of the ballots folded).
    static let steadyWindow = (from: 0.1, to: 0.9)
    /// Ballots of the latency run and their pace.
    static let latencyBallots = 200
    static let latencyInterval = Swift.Duration.milliseconds(20)
    /// Ballots (for distinct root CAs) sent before the measurements.
    static let warmUpBallots = 16

    static func run(_ report: inout BenchReport) throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let openssl = CryptoSuite.measureOpenSSLVerifyRate()
        let figures = try blockOn { try await measure(validators: max(1, cores)) }
        let reference = openssl * Double(cores) / 3
        let label = "openssl verify/s × \(cores) cores ÷ 3"
        report.record(metric: "e2e ballots/s steady (3 endorsements, submit→folded)", value: figures.steadyRate,
                      unit: "ballots/s", reference: reference, referenceLabel: label, floor: 0.5)
        report.record(metric: "e2e ballots/s whole run (3 endorsements)", value: figures.rate,
                      unit: "ballots/s", reference: reference, referenceLabel: label)
        report.record(metric: "e2e submit→GCCF latency p50 (50 ballots/s)", value: figures.p50, unit: "ms", ceiling: 250)
        report.record(metric: "e2e submit→GCCF latency p99 (50 ballots/s)", value: figures.p99, unit: "ms", ceiling: 250)
    }

    struct Figures: Sendable {
        /// Over the whole throughput run (first submission to the last ballot folded).
        var rate: Double
        /// Over the steady middle of the run (``steadyWindow``).
        var steadyRate: Double
        var p50: Double
        var p99: Double
    }

    struct BenchError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: - The measurement

    static func measure(validators: Int) async throws -> Figures {
        let work = try makeDirectory("scms-bench-e2e")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let start = now() - 86_400
        let anchors = try (1...3).map { try identity("bench-anchor\($0)", profile: .elector, start: start) }
        try FileManager.default.createDirectory(atPath: work + "/anchors", withIntermediateDirectories: true)
        for (index, anchor) in anchors.enumerated() {
            try Data(anchor.certificate.coerEncoded).write(to: URL(fileURLWithPath: "\(work)/anchors/anchor\(index + 1).cert"))
        }
        // Throughput ballots: per target, distinct generation times (seconds back from now) make distinct ballots
        // (distinct endorsements: no signature verification can be answered from a cache). Submitted round-robin
        // over the targets, so every partition fills at the same pace.
        let time = now()
        let roots = try balancedTargets(throughputTargets, partitions: Int(Topics.ballotsAccepted.partitions), start: start)
        var throughput: [(key: String, bytes: [UInt8])] = []
        for back in 0..<ballotsPerTarget {
            for root in roots {
                throughput.append((root.hash, try ballot(root.certificate, by: anchors, time: time - 10 - UInt32(back))))
            }
        }
        var latency: [(key: String, bytes: [UInt8])] = []
        for index in 0..<(latencyBallots + warmUpBallots) {
            let root = try identity("bench-latency-root\(index)", profile: .root, start: start)
            latency.append((root.hash, try ballot(root.certificate, by: anchors, time: time - 5)))
        }
        let warmUp = Array(latency.prefix(warmUpBallots))
        latency.removeFirst(warmUpBallots)

        let stack = work + "/stack"
        let up = try runElectorctl(["dev", "up", "--dir", stack, "--anchors", work + "/anchors", "--quorum", "3",
                                    "--validators", String(validators), "--lead-times", "1h", "--log-level", "warning"])
        guard up.status == 0 else { throw BenchError("dev up failed: \(up.output)") }
        defer { _ = try? runElectorctl(["dev", "down", "--dir", stack]) }
        let bootstrap = try String(contentsOfFile: stack + "/bootstrap.servers", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let settings = KafkaSettings(bootstrapServers: bootstrap, clientID: "scms-bench")
        let producer = try KafkaProducer(configuration: settings.producer(linger: .milliseconds(1)))
        defer { Task { await producer.close() } }
        let appeared = GCCFWatch(settings: settings)
        let watcher = Task { try await appeared.run() }
        defer { watcher.cancel(); appeared.stop() }

        func send(_ record: (key: String, bytes: [UInt8])) async throws {
            try await producer.enqueue(OutgoingMessage(topic: settings.topics.ballotsSubmitted, key: Array(record.key.utf8),
                                                       value: record.bytes)) { _ in }
        }
        // Warm up: groups joined, every partition of every hop fetched and produced once (the ballots' targets spread
        // them over the partitions), caches warm, the first GCCFs published.
        for record in warmUp { try await send(record) }
        try await producer.flush(timeout: .seconds(30))
        try await appeared.wait(for: warmUp.map(\.key), timeout: .seconds(60))

        let clock = ContinuousClock()
        // Latency: a steady 50 ballots/s, each a new root CA, until each appears in a GCCF.
        var sent: [String: ContinuousClock.Instant] = [:]
        for record in latency {
            sent[record.key] = clock.now
            try await send(record)
            try await Task.sleep(for: latencyInterval)
        }
        try await appeared.wait(for: latency.map(\.key), timeout: .seconds(60))
        // Throughput: everything at once, until the active assembler has folded every ballot.
        let assemblerPort = try port(stack, "gccf-assembler-1")
        let before = try await metric(port: assemblerPort, "scms_assembler_ballots")
        // Where the time goes: when intake and the validators had handled every record (scms_pipeline_records_total).
        let stages = [("intake", ["endorsement-intake"], settings.topics.ballotsSubmitted),
                      ("validators", (1...validators).map { "quorum-validator-\($0)" }, settings.topics.ballotsAccepted)]
        func records(_ names: [String], _ topic: String) async throws -> Double {
            var total = 0.0
            for name in names {
                total += try await metric(port: try port(stack, name), "scms_pipeline_records_total{topic=\"\(topic)\"}")
            }
            return total
        }
        var stageStart: [String: Double] = [:]
        for (label, names, topic) in stages { stageStart[label] = try await records(names, topic) }
        var validatorStart: [Double] = []
        for name in stages[1].1 { validatorStart.append(try await records([name], settings.topics.ballotsAccepted)) }
        let cpuBefore = processCPU(stack)
        let benchBefore = ownCPU()
        appeared.setDecoding(false)
        defer { appeared.setDecoding(true) }
        let t0 = clock.now
        for record in throughput { try await send(record) }
        try await producer.flush(timeout: .seconds(60))
        let flushed = clock.now - t0
        let deadline = t0 + .seconds(300)
        var stageDone: [String: Swift.Duration] = [:]
        // (time, ballots folded) samples, for the steady rate.
        var samples: [(at: Swift.Duration, folded: Double)] = []
        var polls = 0
        while true {
            let folded = try await metric(port: assemblerPort, "scms_assembler_ballots") - before
            samples.append((clock.now - t0, folded))
            if folded >= Double(throughput.count) { break }
            guard clock.now < deadline else { throw BenchError("the assembler did not fold \(throughput.count) ballots in 300 s") }
            // The stages' progress is a diagnostic: polled less often (every /metrics request costs the service CPU).
            polls += 1
            for (label, names, topic) in stages where stageDone[label] == nil && polls % 3 == 0 {
                if try await records(names, topic) >= (stageStart[label] ?? 0) + Double(throughput.count) {
                    stageDone[label] = clock.now - t0
                }
            }
            try await Task.sleep(for: .milliseconds(15))
        }
        let elapsed = clock.now - t0
        let steady = steadyRate(samples, total: Double(throughput.count))
        let cpuAfter = processCPU(stack)
        let benchCPU = ownCPU() - benchBefore
        var stackCPU = 0.0
        print("  (throughput CPU: " + cpuAfter.keys.sorted().compactMap { name -> String? in
            guard let after = cpuAfter[name], let start = cpuBefore[name] else { return nil }
            stackCPU += after - start
            return "\(name) \(Int((after - start) * 1000)) ms"
        }.joined(separator: ", ") + "; scms-bench \(Int(benchCPU * 1000)) ms)")
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let perBallot = stackCPU / Double(throughput.count)
        print("  (throughput CPU: the stack used \(String(format: "%.0f", perBallot * 1e6)) µs per ballot, "
              + "\(String(format: "%.0f", stackCPU / seconds(elapsed) / cores * 100)) % of \(Int(cores)) cores "
              + "(the rest: scms-bench and other processes); CPU-bound rate on idle cores ≈ "
              + "\(Int(cores / perBallot)) ballots/s)")
        print("  (throughput timeline: submissions acknowledged \(milliseconds(flushed)) ms; "
              + stages.map { "\($0.0) done by ~\(stageDone[$0.0].map(milliseconds) ?? "end") ms" }.joined(separator: ", ")
              + "; folded and published \(milliseconds(elapsed)) ms)")
        let rate = Double(throughput.count) / seconds(elapsed)
        try await printStageTimes(stack)
        var perValidator: [Int] = []
        for (name, start) in zip(stages[1].1, validatorStart) {
            perValidator.append(Int(try await records([name], settings.topics.ballotsAccepted) - start))
        }
        let meanBytes = throughput.reduce(0) { $0 + $1.bytes.count } / max(1, throughput.count)
        print("  (throughput: \(throughput.count) ballots of \(meanBytes) bytes submitted and folded in "
              + "\(String(format: "%.2f", seconds(elapsed))) s, \(validators) validator(s) with \(perValidator) records in all; "
              + "steady \(Int(steady.rate)) ballots/s over \(milliseconds(steady.from))–\(milliseconds(steady.to)) ms)")

        let seen = appeared.firstSeen
        let latencies = latency.compactMap { record -> Double? in
            guard let submitted = sent[record.key], let published = seen[record.key] else { return nil }
            return seconds(published - submitted) * 1000
        }.sorted()
        guard !latencies.isEmpty else { throw BenchError("no latency samples") }
        let ordered = latency.compactMap { record -> Double? in
            guard let submitted = sent[record.key], let published = seen[record.key] else { return nil }
            return seconds(published - submitted) * 1000
        }
        let slowest = ordered.enumerated().sorted { $0.element > $1.element }.prefix(5)
        print("  (latency: slowest \(slowest.map { "#\($0.offset) \(Int($0.element)) ms" }.joined(separator: ", ")) "
              + "of \(ordered.count); GCCFs seen \(appeared.records))")
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count - 1) * p))] }
        return Figures(rate: rate, steadyRate: steady.rate, p50: percentile(0.50), p99: percentile(0.99))
    }

    /// The folding rate between the first samples at or past ``steadyWindow``'s bounds.
    static func steadyRate(_ samples: [(at: Swift.Duration, folded: Double)], total: Double)
        -> (rate: Double, from: Swift.Duration, to: Swift.Duration) {
        guard let first = samples.first(where: { $0.folded >= total * steadyWindow.from }),
              let last = samples.first(where: { $0.folded >= total * steadyWindow.to }),
              last.at > first.at else { return (0, .zero, .zero) }
        return ((last.folded - first.folded) / seconds(last.at - first.at), first.at, last.at)
    }

    /// `count` new root CAs whose record keys (hex SHA-256) the default partitioner (librdkafka's
    /// `consistent_random`: CRC-32 of the key modulo the partition count) spreads evenly over `partitions`.
    static func balancedTargets(_ count: Int, partitions: Int, start: UInt32) throws -> [Identity] {
        var buckets = [[Identity]](repeating: [], count: partitions)
        let each = (count + partitions - 1) / partitions
        var made = 0
        while buckets.reduce(0, { $0 + $1.count }) < each * partitions {
            let root = try identity("bench-root\(made)", profile: .root, start: start)
            made += 1
            let bucket = Int(CRC32.checksum(Array(root.hash.utf8)) % UInt32(partitions))
            if buckets[bucket].count < each { buckets[bucket].append(root) }
        }
        // Interleaved over the partitions, `count` of them.
        return Array((0..<each).flatMap { index in buckets.map { $0[index] } }.prefix(count))
    }

    /// CRC-32 (IEEE 802.3, reflected, as zlib and librdkafka's `rd_crc32`).
    enum CRC32 {
        static let table: [UInt32] = (0..<256).map { index in
            var value = UInt32(index)
            for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
            return value
        }

        static func checksum(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            return crc ^ 0xFFFF_FFFF
        }
    }

    /// Prints where the time went: each service's records and mean handler time (`scms_pipeline_process_seconds`).
    static func printStageTimes(_ stack: String) async throws {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: stack + "/run")) ?? [])
            .filter { $0.hasSuffix(".port") }.map { String($0.dropLast(5)) }.sorted()
        var parts: [String] = []
        for name in names {
            guard let port = try? port(stack, name) else { continue }
            if let dump = ProcessInfo.processInfo.environment["SCMS_BENCH_METRICS_DIR"] {
                try? Data(try await httpGet(port: port, path: "/metrics").utf8).write(to: URL(fileURLWithPath: "\(dump)/\(name).txt"))
            }
            let sum = try await metric(port: port, "scms_pipeline_process_seconds_sum")
            let count = try await metric(port: port, "scms_pipeline_process_seconds_count")
            guard count > 0 else { continue }
            parts.append("\(name) \(Int(count)) records, \(String(format: "%.2f", sum / count * 1000)) ms each")
        }
        if !parts.isEmpty { print("  (handler time: " + parts.joined(separator: "; ") + ")") }
    }

    /// Follows `scms.gccf` and remembers when each root CA first appeared.
    final class GCCFWatch: Sendable {
        private let follower: TopicFollower
        private let seen = Mutex<[String: ContinuousClock.Instant]>([:])

        init(settings: KafkaSettings) {
            var logger = Logger(label: "scms-bench")
            logger.logLevel = .error
            follower = TopicFollower(topics: [settings.topics.gccf], settings: settings, logger: logger)
        }

        var firstSeen: [String: ContinuousClock.Instant] { seen.withLock { $0 } }
        /// GCCF records read.
        var records: Int { count.withLock { $0 } }
        private let count = Mutex(0)

        func run() async throws {
            try await follower.run(pollInterval: .milliseconds(5)) { record in
                let at = ContinuousClock.now
                count.withLock { $0 += 1 }
                guard decoding.withLock({ $0 }), let value = record.value, let file = try? ScmsFile(coer: value),
                      let gccf = file.globalCertificateChainFile else { return }
                let roots = gccf.certStore.rootCAEndorsements.map { HexCoding.encode(Digest.sha256($0.certificate.coerEncoded)) }
                seen.withLock { map in for root in roots where map[root] == nil { map[root] = at } }
            }
        }

        func stop() { follower.stop() }

        /// Whether GCCFs are decoded (off while the throughput run measures, so the bench does not compete with
        /// the pipeline for the cores; records are still counted).
        func setDecoding(_ on: Bool) { decoding.withLock { $0 = on } }
        private let decoding = Mutex(true)

        func wait(for keys: [String], timeout: Swift.Duration) async throws {
            let deadline = ContinuousClock.now + timeout
            while !seen.withLock({ map in keys.allSatisfy { map[$0] != nil } }) {
                guard ContinuousClock.now < deadline else {
                    let missing = seen.withLock { map in keys.filter { map[$0] == nil }.count }
                    throw BenchError("\(missing) of \(keys.count) ballots did not reach a GCCF within \(timeout)")
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    // MARK: - Helpers

    struct Identity {
        var certificate: Certificate
        var key: PrivateKey
        var hash: String { HexCoding.encode(Digest.sha256(certificate.coerEncoded)) }
    }

    static func identity(_ name: String, profile: SelfSignedProfile, start: UInt32) throws -> Identity {
        let key = try PrivateKey.generate()
        let certificate = try ElectorCeremony.selfSignedCertificate(profile, name: name, key: key, start: Time32(start),
                                                                    duration: .years(1)).get()
        return Identity(certificate: certificate, key: key)
    }

    static func ballot(_ target: Certificate, by endorsers: [Identity], time: UInt32) throws -> [UInt8] {
        let endorsements = try endorsers.map {
            try ElectorCeremony.endorse(target: target, type: .addRoot, signer: $0.certificate, key: $0.key, time: time).get()
        }
        return try ElectorCeremony.assemble(target: target, endorsements: endorsements).get().coerEncoded
    }

    static func now() -> UInt32 {
        (try? Time32Conversion().time32(fromUnixSeconds: Int64(Date().timeIntervalSince1970))) ?? 0
    }

    /// CPU seconds (user + system) of this process.
    static func ownCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// CPU seconds (user + system) of every process of the stack, from /proc/PID/stat.
    static func processCPU(_ stack: String) -> [String: Double] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: stack + "/run")) ?? [])
            .filter { $0.hasSuffix(".pid") }.map { String($0.dropLast(4)) }
        var out: [String: Double] = [:]
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        for name in names {
            guard let text = try? String(contentsOfFile: "\(stack)/run/\(name).pid", encoding: .utf8),
                  let pid = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // After the command: state is field 3; utime and stime are fields 14 and 15.
            guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
            out[name] = (user + system) / ticks
        }
        return out
    }

    static func milliseconds(_ duration: Swift.Duration) -> String { String(Int(seconds(duration) * 1000)) }

    static func seconds(_ duration: Swift.Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func makeDirectory(_ prefix: String) throws -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchError("mkdtemp failed") }
        return String(cString: made)
    }

    static func port(_ stack: String, _ name: String) throws -> Int {
        guard let text = try? String(contentsOfFile: "\(stack)/run/\(name).port", encoding: .utf8),
              let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError("no port file for \(name)")
        }
        return port
    }

    /// The sum of the metric lines starting with `name` on `/metrics`.
    static func metric(port: Int, _ name: String) async throws -> Double {
        let text = try await httpGet(port: port, path: "/metrics")
        return text.split(separator: "\n").filter { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    static func httpGet(port: Int, path: String) async throws -> String {
        guard let response = await LocalHTTPClient.get(port: port, path: path, timeout: .seconds(10)) else {
            throw BenchError("GET \(path) on port \(port) failed")
        }
        return response.body
    }

    /// `electorctl` next to this executable (`swift build` puts every product in one directory).
    static func runElectorctl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("electorctl")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs async `body` to completion from synchronous code (the suites' `run` is synchronous).
    static func blockOn<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let result = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let value = try await body()
                result.withLock { $0 = .success(value) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        guard let outcome = result.withLock({ $0 }) else { throw BenchError("no result") }
        return try outcome.get()
    }
}
