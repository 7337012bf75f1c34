import Foundation
import Kafka
import Testing

/// Broker faults through `scms-devbroker`'s control socket while the 1,000 ballots of ``FaultToleranceTests`` flow:
/// injected request errors, added latency, a flapping broker and the broker down for 30 s. Nothing is restarted by
/// hand: the pipeline has to recover by itself, and the final GCCF must be byte-identical to the one of a fault-free
/// run of the same workload, with every ballot decided exactly as there and nothing counted twice.
@Suite("Faults: broker errors, latency, flapping and 30 s down while 1,000 ballots flow", .timeLimit(.minutes(6)))
struct BrokerFaultCampaignTests {
    /// What the campaign does after each batch of 100 ballots (the batch is in the pipeline by then).
    static func faults(after batch: Int, _ stack: E2EStack) async throws {
        let control = DevBrokerControl(directory: stack.directory)
        switch batch {
        case 1:
            // Retriable errors on the requests every service makes: produce, fetch, commit, metadata.
            let errors: [(KafkaAPI, String, Int)] = [
                (.produce, "NOT_LEADER_FOR_PARTITION", 3), (.produce, "REQUEST_TIMED_OUT", 2),
                (.fetch, "NOT_LEADER_FOR_PARTITION", 3), (.offsetCommit, "COORDINATOR_NOT_AVAILABLE", 2),
                (.metadata, "LEADER_NOT_AVAILABLE", 2),
            ]
            for (api, name, count) in errors {
                try await control.injectErrors(api: api, code: try #require(KafkaError.Code(name)), count: count)
            }
        case 3:
            try await control.setRoundTripTime(broker: nil, milliseconds: 250)
        case 5:
            try await control.setRoundTripTime(broker: nil, milliseconds: 0)
            // Flapping: down and up again three times, a second each.
            for _ in 0..<3 {
                try await control.setBrokerDown(1)
                try await Task.sleep(for: .seconds(1))
                try await control.setBrokerUp(1)
                try await Task.sleep(for: .seconds(1))
            }
        case 7:
            // The broker gone for 30 s while batch 7 is being processed.
            try await control.setBrokerDown(1)
            try await Task.sleep(for: .seconds(30))
            try await control.setBrokerUp(1)
        default:
            break
        }
    }

    @Test("the pipeline recovers by itself; the final GCCF is byte-identical to a fault-free run; nothing lost or doubled")
    func brokerFaults() async throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("BrokerFaultCampaignTests seed \(seed)")
        var rng = FaultToleranceTests.SeededGenerator(state: seed)
        let workload = try FaultToleranceTests.workload(&rng)
        let anchors = try temporaryDirectory("scms-broker-fault-anchors")
        defer { try? FileManager.default.removeItem(atPath: anchors) }
        try TestPKI.writeCertificates(workload.anchors, to: anchors)
        let ca = anchors + "-ca"
        defer { try? FileManager.default.removeItem(atPath: ca) }
        #expect(try await Subprocess.electorctl(["root", "init", "--name", "rootca", "--out", ca]).status == 0)
        #expect(try await Subprocess.electorctl(["ma", "init", "--issuer-key", ca + "/rootca.key", "--issuer-cert",
                                                 ca + "/rootca.cert", "--name", "ma", "--out", ca]).status == 0)

        async let reference = FaultToleranceTests.run(workload, anchors: anchors, ca: ca, label: "broker-ref",
                                                      afterBatch: { _, _ in }, settle: { _ in })
        async let faulty = FaultToleranceTests.run(workload, anchors: anchors, ca: ca, label: "broker-fault",
                                                   afterBatch: Self.faults(after:_:), settle: { stack in
            // Every service is still the process dev up started: none gave up while the broker was away.
            for service in FaultToleranceTests.services {
                let health = try await stack.ctl(["dev", "status", "--json"])
                #expect(health.status == 0)
                #expect(stack.pid(service).map { kill($0, 0) == 0 } ?? false, "\(service) is still running")
            }
        })
        let (clean, broken) = try await (reference, faulty)

        for outcome in [clean, broken] {
            #expect(Set(outcome.validated.keys) == workload.valid, "a verdict for every valid ballot and nothing else")
            #expect(outcome.rejectedByValidator == workload.invalid, "every invalid ballot rejected")
            #expect(outcome.gccf.electors == workload.electorTargets)
            #expect(outcome.gccf.roots == workload.rootTargets)
        }
        #expect(broken.gccf.content == clean.gccf.content, "the final GCCF content differs")
        #expect(broken.gccf.version == clean.gccf.version, "the same version: no content change counted twice")
        #expect(broken.gccf.bytes == clean.gccf.bytes, "the final GCCF is byte-identical to the fault-free run's")
        let redelivered = broken.validated.values.reduce(0) { $0 + $1 - 1 }
        print("BrokerFaultCampaignTests: final GCCF v\(clean.gccf.version), \(clean.gccf.bytes.count) bytes; "
              + "verdicts redelivered after faults (dropped by readers): \(redelivered)")
    }
}
