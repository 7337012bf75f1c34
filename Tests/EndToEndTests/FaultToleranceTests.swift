import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Testing

/// kill -9 of every service at random points while 1,000 ballots flow, each restarted: the final GCCF is byte-identical
/// to the one of a run without faults, every ballot got exactly its verdict (none lost), and nothing was counted twice
/// (the same version, which counts content changes only).
///
/// The workload respects the elector cap of 10: five anchors and five elector targets, each target with a ballot for
/// every non-empty subset of the anchors (31 per target; the 5 single-endorser ones are rejected for quorum 2), plus
/// two ballots (a 2- and a 3-endorser subset) for each of 150 distinct root CAs, which the cap does not limit. That is
/// 455 distinct ballots; 545 exact duplicates of them, each after its original, make up the 1,000. All ballots for
/// one target share its record key, so they keep their order through the pipeline, and targets are independent (all
/// endorsers are anchors), so the GCCF's content — and the number of content changes that is its version — does not
/// depend on how records of different targets interleave.
@Suite("Faults: kill -9 while 1,000 ballots flow", .timeLimit(.minutes(5)))
struct FaultToleranceTests {
    static let services = ["endorsement-intake", "quorum-validator-1", "gccf-assembler-1", "expiry-watcher"]

    /// The ballots, in submission order, and what each should become.
    struct Workload: Sendable {
        var anchors: [TestIdentity]
        var ballots: [ElectorBallot]
        var valid: Set<String>
        var invalid: Set<String>
        var electorTargets: Set<String>
        var rootTargets: Set<String>
    }

    /// A small deterministic generator (SplitMix64) so a failing schedule can be replayed from its seed.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func workload(_ rng: inout SeededGenerator) throws -> Workload {
        let start = Clock32.now - 60
        let year: Int64 = 365 * 86_400
        let anchors = try (1...5).map { try TestPKI.identity("anchor\($0).fault.test", start: start, seconds: 2 * year) }
        let now = Clock32.now
        var perTarget: [[ElectorBallot]] = []
        var valid: Set<String> = [], invalid: Set<String> = []
        var electorTargets: Set<String> = [], rootTargets: Set<String> = []
        for index in 1...5 {
            let target = try TestPKI.identity("target\(index).fault.test", start: start, seconds: 2 * year)
            electorTargets.insert(target.hash)
            let endorsements = try TestPKI.endorsements(of: target.certificate, type: .addElector, by: anchors, time: now)
            var ballots: [ElectorBallot] = []
            for mask in 1..<32 {
                let subset = (0..<5).filter { mask & (1 << $0) != 0 }.map { endorsements[$0] }
                let ballot = try TestPKI.ballot(target.certificate, subset)
                ballots.append(ballot)
                if subset.count >= 2 { valid.insert(ballot.digest) } else { invalid.insert(ballot.digest) }
            }
            ballots.shuffle(using: &rng)
            perTarget.append(ballots)
        }
        for index in 1...150 {
            let root = try TestPKI.identity("root\(index).fault.test", profile: .root, start: start, seconds: 2 * year)
            rootTargets.insert(root.hash)
            let chosen = Array((0..<5).shuffled(using: &rng).prefix(3))
            let endorsements = try TestPKI.endorsements(of: root.certificate, type: .addRoot, by: chosen.map { anchors[$0] },
                                                        time: now)
            let ballots = [try TestPKI.ballot(root.certificate, Array(endorsements.prefix(2))),
                           try TestPKI.ballot(root.certificate, endorsements)].shuffled(using: &rng)
            for ballot in ballots { valid.insert(ballot.digest) }
            perTarget.append(ballots)
        }
        // Interleave the targets (each keeps its own order), sprinkling duplicates of ballots already sent.
        var queues = perTarget
        var sent: [ElectorBallot] = []
        var order: [ElectorBallot] = []
        let distinct = queues.reduce(0) { $0 + $1.count }
        while order.count < 1000 {
            let remaining = queues.indices.filter { !queues[$0].isEmpty }
            let duplicatesLeft = 1000 - distinct - (order.count - sent.count)
            if !sent.isEmpty && duplicatesLeft > 0 && (remaining.isEmpty || Double.random(in: 0..<1, using: &rng) < 0.55) {
                order.append(sent.randomElement(using: &rng)!)
            } else if let pick = remaining.randomElement(using: &rng) {
                let ballot = queues[pick].removeFirst()
                sent.append(ballot)
                order.append(ballot)
            }
        }
        return Workload(anchors: anchors, ballots: order, valid: valid, invalid: invalid, electorTargets: electorTargets,
                        rootTargets: rootTargets)
    }

    /// What one run ended with.
    struct Outcome: Sendable {
        var gccf: PublishedGCCF
        var validated: [String: Int]
        var rejectedByValidator: Set<String>
        var kills: [String]
    }

    @Test("kill -9 of each service at random points: byte-identical GCCF, nothing lost or counted twice")
    func killNineEachService() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("FaultToleranceTests seed \(seed)")
        var rng = SeededGenerator(state: seed)
        let workload = try Self.workload(&rng)
        #expect(workload.ballots.count == 1000)
        #expect(workload.valid.count == 430 && workload.invalid.count == 25)
        let (anchors, ca) = try await Self.sharedConfiguration(workload, label: "fault")
        defer { for path in [anchors, ca] { try? FileManager.default.removeItem(atPath: path) } }
        // Each service is killed once, after a random batch, and restarted after a random pause.
        var schedule: [Int: [(String, Int)]] = [:]
        for service in Self.services {
            schedule[Int.random(in: 1...8, using: &rng), default: []].append((service, Int.random(in: 100...1200, using: &rng)))
        }

        async let reference = Self.run(workload, anchors: anchors, ca: ca, schedule: [:], label: "fault-ref")
        async let faulty = Self.run(workload, anchors: anchors, ca: ca, schedule: schedule, label: "fault-kill")
        let (clean, crashed) = try await (reference, faulty)

        #expect(crashed.kills.sorted() == Self.services.sorted(), "every service was killed once")
        for outcome in [clean, crashed] {
            #expect(Set(outcome.validated.keys) == workload.valid, "a verdict for every valid ballot and nothing else")
            #expect(outcome.rejectedByValidator == workload.invalid, "every invalid ballot rejected")
            #expect(outcome.gccf.electors == workload.electorTargets)
            #expect(outcome.gccf.roots == workload.rootTargets)
        }
        #expect(clean.validated.values.allSatisfy { $0 == 1 }, "a fault-free run validates each ballot once")
        let onlyCrashed = crashed.gccf.ballots.subtracting(clean.gccf.ballots)
        let onlyClean = clean.gccf.ballots.subtracting(crashed.gccf.ballots)
        let difference = "ballots only in the faulty run \(onlyCrashed.count) (valid: \(onlyCrashed.isSubset(of: workload.valid))), "
            + "only in the clean run \(onlyClean.count); versions \(crashed.gccf.version) vs \(clean.gccf.version); "
            + "sizes \(crashed.gccf.bytes.count) vs \(clean.gccf.bytes.count)"
        #expect(crashed.gccf.content == clean.gccf.content, "the final GCCF content differs: \(difference)")
        // The version counts content changes only (in the assembler's canonical fold order), so redeliveries and
        // restarts never bump it: the final GCCF is byte-identical, version included.
        #expect(crashed.gccf.version == clean.gccf.version, "the same version: no content change counted twice")
        #expect(crashed.gccf.bytes == clean.gccf.bytes, "the final GCCF is byte-identical to the fault-free run's")
        let redelivered = crashed.validated.values.reduce(0) { $0 + $1 - 1 }
        print("FaultToleranceTests: final GCCF v\(clean.gccf.version), \(clean.gccf.bytes.count) bytes; "
              + "verdicts redelivered after kills (dropped by readers): \(redelivered)")
    }

    /// One stack: submit the workload in 10 batches, killing and restarting services per `schedule` (batch → services
    /// with the pause before their restart), then wait until everything is decided and the GCCF is stable.
    static func run(_ workload: Workload, anchors: String, ca: String, schedule: [Int: [(String, Int)]],
                    label: String) async throws -> Outcome {
        try await E2EStack.with(["--anchors", anchors, "--quorum", "2", "--lead-times", "1h"], label: label, ca: ca) { stack in
            var kills: [String] = []
            var restarts: [Task<Void, any Error>] = []
            for batch in 0..<10 {
                try await stack.submit(Array(workload.ballots[(batch * 100)..<((batch + 1) * 100)]))
                for (service, pause) in schedule[batch] ?? [] {
                    try await stack.kill9(service)
                    kills.append(service)
                    restarts.append(Task {
                        try await Task.sleep(for: .milliseconds(pause))
                        try await stack.restart([service], wait: false)
                    })
                }
                try await Task.sleep(for: .milliseconds(150))
            }
            for restart in restarts { try await restart.value }

            let settled = try await settle(stack, workload, label: label)
            let final = settled.gccf
            // The GCCF directory holds the same bytes.
            let file = try Data(contentsOf: URL(fileURLWithPath: stack.gccfDirectory + "/gccf-latest.coer"))
            #expect(Array(file) == final.bytes, "\(label): gccf-latest.coer differs from the topic's newest GCCF")
            return Outcome(gccf: final, validated: settled.validated, rejectedByValidator: settled.rejected, kills: kills)
        }
    }

    /// The anchors directory of `workload` and one root CA and MA certificate for two stacks (the GCCF carries the MA
    /// certificate, so both must have the same one to publish the same bytes). The caller removes both directories.
    static func sharedConfiguration(_ workload: Workload, label: String) async throws -> (anchors: String, ca: String) {
        let anchors = try temporaryDirectory("scms-\(label)-anchors")
        try TestPKI.writeCertificates(workload.anchors, to: anchors)
        let ca = anchors + "-ca"
        let root = try await Subprocess.electorctl(["root", "init", "--name", "rootca", "--out", ca])
        let ma = try await Subprocess.electorctl(["ma", "init", "--issuer-key", ca + "/rootca.key", "--issuer-cert",
                                                  ca + "/rootca.cert", "--name", "ma", "--out", ca])
        guard root.status == 0, ma.status == 0 else { throw HarnessError("root/ma init failed: \(root.stderr) \(ma.stderr)") }
        return (anchors, ca)
    }

    /// What a stack ended with once everything was decided and the GCCF stopped changing.
    struct Settled: Sendable {
        var gccf: PublishedGCCF
        var validated: [String: Int]
        var rejected: Set<String>
        /// `scms_assembler_ballots` of the active assembler.
        var folded: Int
    }

    /// Waits until every ballot of `workload` is decided (a verdict for every valid ballot, a validator rejection for
    /// every invalid one) and the GCCF settles: the active assembler has folded every valid ballot and published its
    /// newest content, and no newer GCCF follows for 2 s.
    static func settle(_ stack: E2EStack, _ workload: Workload, label: String) async throws -> Settled {
        var validated: [String: Int] = [:]
        var rejected: Set<String> = []
        try await eventually("\(label): every ballot decided", timeout: .seconds(150), every: .milliseconds(500), describe: {
            "validated \(validated.count)/\(workload.valid.count), rejected \(rejected.count)/\(workload.invalid.count)\n"
                + E2EStack.logs(stack.directory, lines: 5)
        }) {
            validated = try await stack.validatedDigests()
            rejected = Set(try await stack.rejections().filter { $0.stage == "validator" }.map(\.digest))
            return workload.valid.isSubset(of: Set(validated.keys)) && workload.invalid.isSubset(of: rejected)
        }
        var last: PublishedGCCF?
        var folded = 0.0, published = 0.0, active = 0.0
        var stableSince = ContinuousClock.now
        try await eventually("\(label): a stable final GCCF", timeout: .seconds(90), every: .milliseconds(500), describe: {
            "latest v\(last.map { String($0.version) } ?? "-"): \(last?.electors.count ?? 0) electors, "
                + "\(last?.roots.count ?? 0) roots; assembler active \(active), folded \(folded), published v\(published)"
        }) {
            active = (try? await stack.metric("gccf-assembler-1", "scms_assembler_active")) ?? 0
            folded = (try? await stack.metric("gccf-assembler-1", "scms_assembler_ballots")) ?? 0
            published = (try? await stack.metric("gccf-assembler-1", "scms_assembler_published_version")) ?? 0
            let latest = try await stack.latestGCCF()
            if latest?.digest != last?.digest {
                last = latest
                stableSince = ContinuousClock.now
                return false
            }
            guard let latest, active == 1, Int(folded) == workload.valid.count, Double(latest.version) == published
            else { return false }
            return ContinuousClock.now - stableSince >= .seconds(2)
        }
        guard let final = last else { throw HarnessError("no GCCF") }
        return Settled(gccf: final, validated: validated, rejected: rejected, folded: Int(folded))
    }
}
