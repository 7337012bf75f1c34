import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Testing

/// Broker faults through scms-devbroker's control socket while 1,000 ballots flow (issue #6): added latency, injected
/// request errors, a flapping broker and the broker down for 30 s, applied in sequence during one run. The pipeline
/// recovers by itself (no restart, no operator action); every valid ballot gets its verdict and every invalid one its
/// rejection (none lost), the assembler folds each ballot once (none counted twice), and the final GCCF is
/// byte-identical, version included, to the one of a fault-free run of the same workload next to it.
@Suite("Broker faults: latency, request errors, flapping, 30 s down", .timeLimit(.minutes(4)))
struct BrokerFaultCampaignTests {
    /// One fault phase: what to do after a batch of 100 ballots was submitted (and what undoes it).
    struct Phase: Sendable {
        var name: String
        var apply: @Sendable (DevBrokerControl) async throws -> Void
    }

    /// batch → phase, for the faulty run. Latency and errors are undone by the next phase.
    static let campaign: [Int: Phase] = [
        1: Phase(name: "200 ms round trip on every request") { try await $0.setRoundTripTime(broker: nil, milliseconds: 200) },
        3: Phase(name: "retriable request errors (Produce, Fetch, OffsetCommit, Heartbeat)") { control in
            try await control.setRoundTripTime(broker: nil, milliseconds: 0)
            try await control.injectErrors(api: .produce, code: KafkaError.Code(rawValue: 6), count: 25)   // NOT_LEADER
            try await control.injectErrors(api: .fetch, code: KafkaError.Code(rawValue: 6), count: 25)
            try await control.injectErrors(api: .offsetCommit, code: KafkaError.Code(rawValue: 7), count: 10)  // TIMED_OUT
            try await control.injectErrors(api: .heartbeat, code: KafkaError.Code(rawValue: 7), count: 5)
        },
        5: Phase(name: "flapping: down and up every second, four times") { control in
            for _ in 0..<4 {
                try await control.setBrokerDown(1)
                try await Task.sleep(for: .seconds(1))
                try await control.setBrokerUp(1)
                try await Task.sleep(for: .seconds(1))
            }
        },
        8: Phase(name: "the broker down for 30 s") { control in
            try await control.setBrokerDown(1)
            try await Task.sleep(for: .seconds(30))
            try await control.setBrokerUp(1)
        },
    ]

    @Test("the pipeline recovers from each broker fault by itself: byte-identical GCCF, nothing lost or counted twice")
    func brokerFaultsWhileBallotsFlow() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("BrokerFaultCampaignTests seed \(seed)")
        var rng = FaultToleranceTests.SeededGenerator(state: seed)
        let workload = try FaultToleranceTests.workload(&rng)
        let (anchors, ca) = try await FaultToleranceTests.sharedConfiguration(workload, label: "broker")
        defer { for path in [anchors, ca] { try? FileManager.default.removeItem(atPath: path) } }

        let started = ContinuousClock.now
        async let reference = Self.run(workload, anchors: anchors, ca: ca, faults: [:], label: "broker-ref")
        async let faulty = Self.run(workload, anchors: anchors, ca: ca, faults: Self.campaign, label: "broker-faults")
        let (clean, broken) = try await (reference, faulty)
        print("BrokerFaultCampaignTests: both runs in \(ContinuousClock.now - started); final GCCF v\(clean.gccf.version), "
              + "\(clean.gccf.bytes.count) bytes; faults: \(broken.applied.joined(separator: "; "))")

        #expect(broken.applied.count == Self.campaign.count, "every fault phase ran")
        for outcome in [clean, broken] {
            #expect(Set(outcome.validated.keys) == workload.valid, "a verdict for every valid ballot and nothing else")
            #expect(outcome.rejectedByValidator == workload.invalid, "every invalid ballot rejected")
            #expect(outcome.folded == workload.valid.count, "the assembler folded each valid ballot exactly once")
            #expect(outcome.gccf.electors == workload.electorTargets)
            #expect(outcome.gccf.roots == workload.rootTargets)
        }
        #expect(clean.validated.values.allSatisfy { $0 == 1 }, "a fault-free run validates each ballot once")
        #expect(broken.gccf.version == clean.gccf.version, "the same version: no content change counted twice")
        #expect(broken.gccf.bytes == clean.gccf.bytes, "the final GCCF is byte-identical to the fault-free run's")
    }

    /// What one run ended with.
    struct Outcome: Sendable {
        var gccf: PublishedGCCF
        var validated: [String: Int]
        var rejectedByValidator: Set<String>
        var folded: Int
        var applied: [String]
    }

    /// One stack: the workload in 10 batches of 100, the fault phase after its batch (the next batch waits for it),
    /// then everything decided and the GCCF stable.
    static func run(_ workload: FaultToleranceTests.Workload, anchors: String, ca: String, faults: [Int: Phase],
                    label: String) async throws -> Outcome {
        try await E2EStack.with(["--anchors", anchors, "--quorum", "2", "--lead-times", "1h"], label: label, ca: ca) { stack in
            let control = DevBrokerControl(directory: stack.directory)
            try await control.ping()
            var applied: [String] = []
            for batch in 0..<10 {
                try await submit(Array(workload.ballots[(batch * 100)..<((batch + 1) * 100)]), to: stack)
                if let phase = faults[batch] {
                    try await phase.apply(control)
                    applied.append(phase.name)
                }
                try await Task.sleep(for: .milliseconds(300))
            }
            let settled = try await FaultToleranceTests.settle(stack, workload, label: label)
            return Outcome(gccf: settled.gccf, validated: settled.validated, rejectedByValidator: settled.rejected,
                           folded: settled.folded, applied: applied)
        }
    }

    /// Submits `ballots` keyed by target, waiting (through any fault) until the broker acknowledged every one.
    static func submit(_ ballots: [ElectorBallot], to stack: E2EStack) async throws {
        let producer = try KafkaProducer(configuration: stack.settings.producer())
        for ballot in ballots {
            try await producer.enqueue(OutgoingMessage(topic: stack.topics.ballotsSubmitted, key: Array(ballot.targetHash.utf8),
                                                       value: ballot.coerEncoded)) { _ in }
        }
        try await producer.flush(timeout: .seconds(90))
        await producer.close()
    }
}
