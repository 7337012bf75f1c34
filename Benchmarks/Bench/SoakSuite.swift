import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Synchronization

/// Resource bounds (issue #6): the memory of every process of a dev stack while `SOAK_BALLOTS` (default 100,000)
/// ballots flow through the whole pipeline.
///
/// The ballots are bounded in useful state: a fixed set of targets (50 root CAs and 5 electors, within the elector
/// cap of 10 with the 3 anchors) with many distinct ballots each (one per target per round), 3 endorsements each by
/// the 3 trusted anchors, mixed with exact duplicates (intake drops them), ballots with one bad signature (the
/// validator rejects them) and garbage records (intake rejects them). The GCCF holds one ballot per target whatever
/// the count, so no service *needs* state that grows with the ballots. Even rounds are one second newer than the
/// round before (the assembler retires the held ballot: a new GCCF); odd rounds are older than the held ballot
/// (superseded on arrival: no new GCCF). Were every ballot a new content, the GCCF's 16-bit version would run out
/// after 65,535 of them (`versionExhausted`).
///
/// Submission is paced by the pipeline: at most `SOAK_WINDOW` (default 1,500) valid ballots are submitted and not
/// yet folded by the active assembler, which also keeps every consumer far within the dev broker's ~5 MiB per
/// partition (it silently drops older records). `SOAK_PACE=validators` paces on the validators' decisions instead
/// (intake and validators at full load; the assembler may fall behind, and the folded count says so).
/// `SOAK_RATE` caps the submission rate (records/s; default none). `SOAK_MINUTES` (default 20) bounds the submission;
/// a run cut short reports the records it submitted. Every second, VmRSS and VmHWM of each process (pids from the stack's
/// `run/*.pid`) are sampled from `/proc/PID/status`; `SOAK_CSV=FILE` writes the samples.
///
/// Per process: RSS after warm-up (the first 10 % of the ballots), RSS at the end, peak (VmHWM), and the slope over
/// the second half (least squares of RSS on ballots submitted, MiB per 10k ballots). **Flat** means the second half
/// grows by at most max(4 MiB, 5 % of the warm RSS): 4 MiB over 50,000 ballots is 84 bytes per ballot, less than the
/// smallest thing a service could keep per ballot (a 64-character hex digest in a `Set<String>` costs about 100 bytes),
/// and above what the allocator's arenas move on their own (about 1–2 MiB).
enum SoakSuite {
    /// Targets of the ballots.
    static let rootTargets = 50
    static let electorTargets = 5
    /// Ballots sampled as warm-up, as a fraction of the run.
    static let warmUpFraction = 0.1

    /// Which stage's progress paces the submissions (`SOAK_PACE`).
    enum Pace: String, Sendable {
        /// The active assembler's folded ballots: the whole pipeline keeps up (the default).
        case assembler
        /// The validators' decisions: intake and validators keep up; the assembler may fall behind (and, on the dev
        /// broker, lose records it fell more than ~5 MiB behind on), which the folded count shows.
        case validators
    }

    static func run(_ report: inout BenchReport) throws {
        let environment = ProcessInfo.processInfo.environment
        let ballots = max(1_000, environment["SOAK_BALLOTS"].flatMap { Int($0) } ?? 100_000)
        let window = max(100, environment["SOAK_WINDOW"].flatMap { Int($0) } ?? 1_500)
        let validators = max(1, environment["SOAK_VALIDATORS"].flatMap { Int($0) }
                                 ?? ProcessInfo.processInfo.activeProcessorCount)
        let csv = environment["SOAK_CSV"]
        let pace = environment["SOAK_PACE"].flatMap { Pace(rawValue: $0) } ?? .assembler
        let minutes = max(1, environment["SOAK_MINUTES"].flatMap { Int($0) } ?? 20)
        let rate = max(0, environment["SOAK_RATE"].flatMap { Int($0) } ?? 0)
        let result = try EndToEndSuite.blockOn {
            try await measure(ballots: ballots, window: window, rate: rate, validators: validators, pace: pace,
                              minutes: minutes, csv: csv)
        }
        result.print()
        report.record(metric: "soak records submitted / planned (SOAK_BALLOTS)", value: Double(result.ballots),
                      unit: "records", reference: Double(ballots), referenceLabel: "planned", floor: 1.0)
        report.record(metric: "soak ballots folded / expected", value: Double(result.folded),
                      unit: "ballots", reference: Double(result.expected), referenceLabel: "valid distinct submitted",
                      floor: 1.0)
        report.record(metric: "soak submit rate (paced by the pipeline)", value: result.rate, unit: "ballots/s")
        for process in result.processes {
            report.record(metric: "soak \(process.name) RSS slope (2nd half)", value: process.slope,
                          unit: "MiB/10k ballots", ceiling: (process.slopeCeiling * 100).rounded() / 100)
        }
    }

    // MARK: - The ballots

    /// One submitted record.
    struct Submission: Sendable {
        enum Kind: Sendable { case valid, badSignature, duplicate, garbage }
        var kind: Kind
        var key: [UInt8]
        var value: [UInt8]
    }

    /// What a slot of the run is before it is signed.
    enum Slot: Sendable {
        case ballot(target: Int, round: Int, bad: Bool)
        case duplicate(of: Int)
        case garbage(seed: Int)
    }

    /// The mix, by position: about 2 % exact duplicates of an earlier ballot, 2 % with one bad signature, 0.5 % garbage.
    static func plan(count: Int, targets: Int) -> [Slot] {
        var slots: [Slot] = []
        slots.reserveCapacity(count)
        var ballot = 0
        var ballotSlots: [Int] = []
        for index in 0..<count {
            if index % 50 == 7, ballotSlots.count > 500 {
                slots.append(.duplicate(of: ballotSlots[ballotSlots.count - 490]))
            } else if index % 200 == 101 {
                slots.append(.garbage(seed: index))
            } else {
                slots.append(.ballot(target: ballot % targets, round: ballot / targets, bad: index % 50 == 23))
                ballotSlots.append(index)
                ballot += 1
            }
        }
        return slots
    }

    struct Target: Sendable {
        var certificate: Certificate
        var action: EndorsementAction
        var hash: [UInt8]
        var hexHash: String
    }

    struct Signer: Sendable {
        var certificate: Certificate
        var key: PrivateKey
    }

    /// Round `round`'s generation time: even rounds newer than every earlier round, odd ones older than the round
    /// before (see the suite's description).
    static func generationTime(_ round: Int, base: UInt32) -> UInt32 {
        round % 2 == 0 ? base + 1 + UInt32(round) : base + UInt32(round) - 1
    }

    /// Signs every slot, in parallel on every core (three ECDSA signatures per ballot).
    static func generate(_ slots: [Slot], targets: [Target], anchors: [Signer], baseTime: UInt32) throws -> [Submission] {
        let wrongKey = try PrivateKey.generate()
        let chunk = 1_000
        let chunks = (slots.count + chunk - 1) / chunk
        let results = Mutex<[Int: Result<[Submission?], any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: chunks) { part in
            let outcome = Result<[Submission?], any Error> {
                try slots[(part * chunk)..<min(slots.count, (part + 1) * chunk)].map { slot -> Submission? in
                    switch slot {
                    case .duplicate:
                        return nil
                    case .garbage(let seed):
                        let bytes = (0..<(64 + seed % 512)).map { _ in UInt8.random(in: 0...255) }
                        return Submission(kind: .garbage, key: Array("garbage".utf8), value: bytes)
                    case .ballot(let index, let round, let bad):
                        let target = targets[index]
                        let tbs = TbsElectorEndorsement(type: EndorsementType(rawValue: target.action.rawValue),
                                                        certificateHash: HashedId32(uncheckedBytes: target.hash),
                                                        generationTime: Time32(generationTime(round, base: baseTime)))
                        let endorsements = try anchors.enumerated().map { position, anchor in
                            try EndorsementSigning.endorse(tbs, signer: anchor.certificate,
                                                           key: bad && position == 0 ? wrongKey : anchor.key)
                        }
                        let ballot = ElectorBallot(certificate: target.certificate, endorsements: endorsements)
                        return Submission(kind: bad ? .badSignature : .valid, key: Array(target.hexHash.utf8),
                                          value: ballot.coerEncoded)
                    }
                }
            }
            results.withLock { $0[part] = outcome }
        }
        var signed: [Submission?] = []
        signed.reserveCapacity(slots.count)
        let parts = results.withLock { $0 }
        for part in 0..<chunks {
            guard let outcome = parts[part] else { throw EndToEndSuite.BenchError("ballot chunk \(part) missing") }
            signed += try outcome.get()
        }
        return try slots.enumerated().map { index, slot in
            if let made = signed[index] { return made }
            guard case .duplicate(let original) = slot, let copy = signed[original] else {
                throw EndToEndSuite.BenchError("slot \(index) has no ballot")
            }
            return Submission(kind: .duplicate, key: copy.key, value: copy.value)
        }
    }

    // MARK: - Sampling

    /// One process's memory at one moment, in KiB.
    struct Memory: Sendable {
        var rss: Int
        var hwm: Int
    }

    /// All processes at one moment.
    struct Sample: Sendable {
        var seconds: Double
        var submitted: Int
        var folded: Int
        var memory: [String: Memory]
    }

    /// VmRSS and VmHWM of `pid` from `/proc/PID/status`, nil when it is gone.
    static func memory(of pid: Int32) -> Memory? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var rss: Int?
        var hwm: Int?
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else { continue }
            if fields[0] == "VmRSS:" { rss = Int(fields[1]) }
            if fields[0] == "VmHWM:" { hwm = Int(fields[1]) }
        }
        guard let rss, let hwm else { return nil }
        return Memory(rss: rss, hwm: hwm)
    }

    /// Every process of the stack: name → pid, from `DIR/run/NAME.pid`.
    static func processes(_ stack: String) -> [(name: String, pid: Int32)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: stack + "/run")) ?? [])
            .filter { $0.hasSuffix(".pid") }.sorted()
        var out: [(String, Int32)] = []
        for file in names {
            guard let text = try? String(contentsOfFile: "\(stack)/run/\(file)", encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            out.append((String(file.dropLast(4)), pid))
        }
        // The broker writes its pid next to the stack's files.
        if !out.contains(where: { $0.0 == "devbroker" }),
           let text = try? String(contentsOfFile: stack + "/devbroker.pid", encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            out.append(("devbroker", pid))
        }
        return out
    }

    /// Samples every second until stopped.
    final class Sampler: Sendable {
        let submitted = Atomic<Int>(0)
        let folded = Atomic<Int>(0)
        private let samples = Mutex<[Sample]>([])
        private let stopped = Atomic<Bool>(false)
        let pids: [(name: String, pid: Int32)]
        let start = ContinuousClock.now

        init(pids: [(name: String, pid: Int32)]) { self.pids = pids }

        var all: [Sample] { samples.withLock { $0 } }

        func sample() {
            var memory: [String: Memory] = [:]
            for (name, pid) in pids { memory[name] = SoakSuite.memory(of: pid) }
            let sample = Sample(seconds: EndToEndSuite.seconds(ContinuousClock.now - start),
                                submitted: submitted.load(ordering: .relaxed), folded: folded.load(ordering: .relaxed),
                                memory: memory)
            samples.withLock { $0.append(sample) }
        }

        func run() async {
            while !stopped.load(ordering: .relaxed) {
                sample()
                try? await Task.sleep(for: .seconds(1))
            }
        }

        func stop() { stopped.store(true, ordering: .relaxed) }
    }

    // MARK: - The run

    /// One process's figures.
    struct ProcessFigures: Sendable {
        var name: String
        var warm: Double
        var final: Double
        var peak: Double
        /// MiB per 10k ballots over the second half.
        var slope: Double
        var slopeCeiling: Double
        var flat: Bool { slope <= slopeCeiling }
    }

    struct SoakFigures: Sendable {
        var pace: Pace
        var ballots: Int
        var expected: Int
        var folded: Int
        var rate: Double
        var generation: Double
        var wall: Double
        var processes: [ProcessFigures]
        var counters: [String]

        func print() {
            Swift.print("  (paced by the \(pace.rawValue); \(ballots) records submitted in \(String(format: "%.0f", wall)) s, "
                        + "\(String(format: "%.1f", rate)) ballots/s; signed in \(String(format: "%.1f", generation)) s; "
                        + "folded \(folded) of \(expected) valid distinct)")
            Swift.print("  " + ["process", "warm RSS", "final RSS", "peak (HWM)", "slope 2nd half", "ceiling", "flat"]
                .enumerated().map { $0.offset == 0 ? $0.element.padding(toLength: 22, withPad: " ", startingAt: 0)
                    : $0.element.padding(toLength: 15, withPad: " ", startingAt: 0) }.joined())
            for process in processes {
                let cells = [String(format: "%.1f MiB", process.warm), String(format: "%.1f MiB", process.final),
                             String(format: "%.1f MiB", process.peak), String(format: "%+.2f MiB/10k", process.slope),
                             String(format: "%.2f", process.slopeCeiling), process.flat ? "yes" : "NO"]
                Swift.print("  " + process.name.padding(toLength: 22, withPad: " ", startingAt: 0)
                            + cells.map { $0.padding(toLength: 15, withPad: " ", startingAt: 0) }.joined())
            }
            for line in counters { Swift.print("  (\(line))") }
        }
    }

    static func measure(ballots count: Int, window: Int, rate: Int, validators: Int, pace: Pace, minutes: Int,
                        csv: String?) async throws -> SoakFigures {
        let work = try EndToEndSuite.makeDirectory("scms-bench-soak")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let start = EndToEndSuite.now() - 86_400
        let anchors = try (1...3).map { try EndToEndSuite.identity("soak-anchor\($0)", profile: .elector, start: start) }
        try FileManager.default.createDirectory(atPath: work + "/anchors", withIntermediateDirectories: true)
        for (index, anchor) in anchors.enumerated() {
            try Data(anchor.certificate.coerEncoded).write(to: URL(fileURLWithPath: "\(work)/anchors/anchor\(index + 1).cert"))
        }
        var targets: [Target] = []
        for index in 0..<(rootTargets + electorTargets) {
            let elector = index >= rootTargets
            let identity = try EndToEndSuite.identity(elector ? "soak-elector\(index)" : "soak-root\(index)",
                                                      profile: elector ? .elector : .root, start: start)
            let hash = Digest.sha256(identity.certificate.coerEncoded)
            targets.append(Target(certificate: identity.certificate, action: elector ? .addElector : .addRoot,
                                  hash: hash, hexHash: HexCoding.encode(hash)))
        }
        let clock = ContinuousClock()
        let slots = plan(count: count, targets: targets.count)
        let rounds = slots.reduce(0) { if case .ballot(_, let round, _) = $1 { return max($0, round + 1) } else { return $0 } }
        let generationStarted = clock.now
        let submissions = try generate(slots, targets: targets,
                                       anchors: anchors.map { Signer(certificate: $0.certificate, key: $0.key) },
                                       baseTime: EndToEndSuite.now() - 60 - UInt32(rounds))
        let generation = EndToEndSuite.seconds(clock.now - generationStarted)
        // Valid distinct ballots submitted up to each position: what the assembler must have folded by then.
        var expectedAt = [Int](repeating: 0, count: submissions.count + 1)
        for (index, submission) in submissions.enumerated() {
            expectedAt[index + 1] = expectedAt[index] + (submission.kind == .valid ? 1 : 0)
        }
        print("  (signed \(submissions.count) records in \(String(format: "%.1f", generation)) s: "
              + "\(expectedAt[submissions.count]) valid distinct ballots for \(targets.count) targets over \(rounds) rounds)")

        let stack = work + "/stack"
        let up = try EndToEndSuite.runElectorctl(["dev", "up", "--dir", stack, "--anchors", work + "/anchors", "--quorum", "3",
                                                  "--validators", String(validators), "--lead-times", "1h",
                                                  "--log-level", "warning"])
        guard up.status == 0 else { throw EndToEndSuite.BenchError("dev up failed: \(up.output)") }
        defer { _ = try? EndToEndSuite.runElectorctl(["dev", "down", "--dir", stack]) }
        let bootstrap = try String(contentsOfFile: stack + "/bootstrap.servers", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let settings = KafkaSettings(bootstrapServers: bootstrap, clientID: "scms-bench-soak")
        let producer = try KafkaProducer(configuration: settings.producer(linger: .milliseconds(5)))
        defer { Task { await producer.close() } }
        let assemblerPort = try EndToEndSuite.port(stack, "gccf-assembler-1")
        func folded() async throws -> Int { Int(try await EndToEndSuite.metric(port: assemblerPort, "scms_assembler_ballots")) }

        let sampler = Sampler(pids: processes(stack))
        guard !sampler.pids.isEmpty else { throw EndToEndSuite.BenchError("no pid files in \(stack)/run") }
        let sampling = Task { await sampler.run() }
        defer { sampler.stop(); sampling.cancel() }

        // Submit in batches while the paced stage keeps within `window` ballots of the submissions.
        var forwardedAt = [Int](repeating: 0, count: submissions.count + 1)
        for (index, submission) in submissions.enumerated() {
            let forwarded = submission.kind == .valid || submission.kind == .badSignature
            forwardedAt[index + 1] = forwardedAt[index] + (forwarded ? 1 : 0)
        }
        let validatorPorts = try (1...validators).map { try EndToEndSuite.port(stack, "quorum-validator-\($0)") }
        /// Records the validators have decided (verdicts and duplicates).
        func decided() async throws -> Int {
            var total = 0.0
            for port in validatorPorts {
                total += try await EndToEndSuite.metric(port: port, "scms_validator_verdicts_total")
                total += try await EndToEndSuite.metric(port: port, "scms_validator_duplicates_total")
            }
            return Int(total)
        }
        let baseline = try await folded()
        let decidedBaseline = try await decided()
        let started = clock.now
        let deadline = started + .seconds(Int64(minutes * 60))
        var sent = 0
        var lastFolded = 0
        var lastFoldedPoll = started
        var nextProgress = started + .seconds(30)
        while sent < submissions.count, clock.now < deadline {
            let inFlight: (Int) -> Int
            switch pace {
            case .assembler:
                lastFolded = try await folded() - baseline
                inFlight = { expectedAt[$0] - lastFolded }
            case .validators:
                let done = try await decided() - decidedBaseline
                if clock.now - lastFoldedPoll >= .seconds(2) {
                    lastFolded = (try? await folded()).map { $0 - baseline } ?? lastFolded
                    lastFoldedPoll = clock.now
                }
                inFlight = { forwardedAt[$0] - done }
            }
            sampler.folded.store(lastFolded, ordering: .relaxed)
            if clock.now >= nextProgress {
                nextProgress = clock.now + .seconds(30)
                print("  (… \(sent) submitted, \(lastFolded) folded, \(String(format: "%.0f", EndToEndSuite.seconds(clock.now - started))) s)")
            }
            // Up to 500 records per 100 ms tick (SOAK_RATE: that rate's share), while the ballots in flight stay below
            // the window.
            let allowed = rate > 0
                ? max(0, Int(EndToEndSuite.seconds(clock.now - started) * Double(rate)) - sent) : 500
            var end = sent
            while end < submissions.count, end - sent < min(500, allowed), inFlight(end) < window { end += 1 }
            for submission in submissions[sent..<end] {
                try await producer.enqueue(OutgoingMessage(topic: settings.topics.ballotsSubmitted, key: submission.key,
                                                           value: submission.value)) { _ in }
            }
            sent = end
            sampler.submitted.store(sent, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(100))
        }
        if sent < submissions.count {
            print("  (deadline of \(minutes) min: \(sent) of \(submissions.count) records submitted; figures are for those)")
        }
        try await producer.flush(timeout: .seconds(60))
        let expected = expectedAt[sent]
        // Drain: until the paced stage has caught up (the assembler: everything folded), at most 5 minutes.
        let drainDeadline = clock.now + .seconds(300)
        while clock.now < drainDeadline {
            lastFolded = (try? await folded()).map { $0 - baseline } ?? lastFolded
            sampler.folded.store(lastFolded, ordering: .relaxed)
            if lastFolded >= expected { break }
            if pace == .validators, try await decided() - decidedBaseline >= forwardedAt[sent] { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let wall = EndToEndSuite.seconds(clock.now - started)
        // A few samples at rest after the last fold.
        try await Task.sleep(for: .seconds(3))
        sampler.stop()
        sampler.sample()
        let samples = sampler.all
        if let csv { try writeCSV(samples, names: sampler.pids.map { $0.name }, to: csv) }

        var counters: [String] = []
        let validatorMetrics = ["scms_validator_verdicts_total", "scms_validator_duplicates_total", "scms_rejected_total"]
        let inspected = [("endorsement-intake", ["scms_intake_accepted_total", "scms_intake_duplicates_total",
                                                 "scms_rejected_total", "scms_intake_known_digests"])]
            + (1...validators).map { ("quorum-validator-\($0)", validatorMetrics) }
            + [("gccf-assembler-1", ["scms_assembler_ballots", "scms_assembler_publications_total",
                                     "scms_assembler_published_version", "scms_assembler_refolds_total",
                                     "scms_assembler_trusted_roots", "scms_assembler_trusted_electors"])]
        for (name, metrics) in inspected {
            guard let port = try? EndToEndSuite.port(stack, name) else { continue }
            var parts: [String] = []
            for metric in metrics {
                if let value = try? await EndToEndSuite.metric(port: port, metric) { parts.append("\(metric) \(Int(value))") }
            }
            counters.append("\(name): " + parts.joined(separator: ", "))
        }
        return SoakFigures(pace: pace, ballots: sent, expected: expected, folded: lastFolded,
                      rate: Double(sent) / wall, generation: generation, wall: wall,
                      processes: figures(samples, names: sampler.pids.map { $0.name }, ballots: sent),
                      counters: counters)
    }

    // MARK: - Figures

    /// Warm, final, peak and slope per process.
    static func figures(_ samples: [Sample], names: [String], ballots: Int) -> [ProcessFigures] {
        let mib = 1024.0
        let warmAt = Int(Double(ballots) * warmUpFraction)
        let half = ballots / 2
        return names.map { name in
            let series = samples.compactMap { sample in sample.memory[name].map { (sample.submitted, $0) } }
            let warm = series.first { $0.0 >= warmAt }?.1.rss ?? series.first?.1.rss ?? 0
            let final = series.last?.1.rss ?? 0
            let peak = series.map(\.1.hwm).max() ?? 0
            let second = series.filter { $0.0 >= half }
            let slopePerBallot = leastSquaresSlope(second.map { (Double($0.0), Double($0.1.rss)) })
            let allowance = max(4 * mib, 0.05 * Double(warm))
            let secondHalfBallots = Double(max(1, ballots - half))
            return ProcessFigures(name: name, warm: Double(warm) / mib, final: Double(final) / mib, peak: Double(peak) / mib,
                                  slope: slopePerBallot * 10_000 / mib,
                                  slopeCeiling: allowance / secondHalfBallots * 10_000 / mib)
        }
    }

    /// The least-squares slope of y on x (0 with fewer than two distinct x).
    static func leastSquaresSlope(_ points: [(Double, Double)]) -> Double {
        guard points.count >= 2 else { return 0 }
        let n = Double(points.count)
        let meanX = points.map(\.0).reduce(0, +) / n
        let meanY = points.map(\.1).reduce(0, +) / n
        let sxx = points.map { ($0.0 - meanX) * ($0.0 - meanX) }.reduce(0, +)
        guard sxx > 0 else { return 0 }
        return points.map { ($0.0 - meanX) * ($0.1 - meanY) }.reduce(0, +) / sxx
    }

    static func writeCSV(_ samples: [Sample], names: [String], to path: String) throws {
        var text = "seconds,submitted,folded," + names.flatMap { ["\($0)_rss_kib", "\($0)_hwm_kib"] }.joined(separator: ",") + "\n"
        for sample in samples {
            var cells = [String(format: "%.1f", sample.seconds), String(sample.submitted), String(sample.folded)]
            for name in names {
                cells.append(sample.memory[name].map { String($0.rss) } ?? "")
                cells.append(sample.memory[name].map { String($0.hwm) } ?? "")
            }
            text += cells.joined(separator: ",") + "\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
