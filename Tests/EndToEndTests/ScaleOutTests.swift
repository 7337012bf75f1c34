import BallotCodec
import ElectorCrypto
import Foundation
import ServiceKit
import Testing

/// Two validator instances share the partitions of `scms.ballots.accepted` (and one takes over the other's after a
/// kill -9); the GCCF never grows past the elector cap (`electorCapacityExceeded`); a standby assembler takes over
/// from a killed active one without re-issuing a version.
@Suite("Scale-out: two validators, the elector cap, a standby assembler", .timeLimit(.minutes(4)))
struct ScaleOutTests {
    @Test("validators share partitions, the cap holds, the standby assembler takes over")
    func twoValidatorsCapAndStandby() async throws {
        try await E2EStack.with(["--validators", "2", "--assemblers", "2", "--max-electors", "5"], label: "scale") { stack in
            // The dev stack's three demo electors (keys in DIR/electors) endorse everything.
            let electors = try (1...3).map { n -> TestIdentity in
                let base = stack.electorsDirectory + "/elector\(n).dev.test"
                let certificate = try Certificate(coer: Array(try Data(contentsOf: URL(fileURLWithPath: base + ".cert"))))
                return TestIdentity(name: "elector\(n).dev.test", certificate: certificate, key: try KeyFile.read(from: base + ".key"))
            }
            var rootNumber = 0
            func rootBallots(_ count: Int) throws -> [(String, ElectorBallot)] {
                try (0..<count).map { _ in
                    rootNumber += 1
                    let root = try TestPKI.identity("root\(rootNumber).scale.test", profile: .root, start: Clock32.now - 10,
                                                    seconds: 86_400)
                    return (root.hash, try TestPKI.ballot(root.certificate, type: .addRoot, by: [electors[0], electors[1]],
                                                          time: Clock32.now))
                }
            }
            let accepted = "scms_pipeline_records_total{topic=\"\(stack.topics.ballotsAccepted)\""
            var submittedRoots: Set<String> = []
            var submittedDigests: [String] = []

            // 1. Both validators get partitions and work: submit rounds of ballots (spread over the four partitions by
            //    their target keys) until each instance has processed some.
            var counts = (0.0, 0.0)
            try await eventually("both validators processing", timeout: .seconds(45), every: .seconds(1),
                                 describe: { "processed: \(counts)" }) {
                let batch = try rootBallots(8)
                try await stack.submit(batch.map(\.1))
                submittedRoots.formUnion(batch.map(\.0))
                submittedDigests += batch.map(\.1.digest)
                counts = (try await stack.metric("quorum-validator-1", accepted),
                          try await stack.metric("quorum-validator-2", accepted))
                return counts.0 > 0 && counts.1 > 0
            }
            let beforeKill = try await stack.waitForGCCF("every root so far") { submittedRoots.isSubset(of: $0.roots) }
            let verdicts = try await stack.validatedDigests()
            #expect(submittedDigests.allSatisfy { verdicts[$0] == 1 }, "each ballot validated by exactly one instance")

            // 2. kill -9 of one validator: the other takes over its partitions.
            try await stack.kill9("quorum-validator-2")
            let afterKill = try rootBallots(12)
            try await stack.submit(afterKill.map(\.1))
            submittedRoots.formUnion(afterKill.map(\.0))
            try await stack.waitForGCCF("the roots submitted after the kill", timeout: .seconds(60)) {
                submittedRoots.isSubset(of: $0.roots)
            }
            let survivor = try await stack.metric("quorum-validator-1", accepted)
            #expect(survivor >= counts.0 + 1, "the surviving validator processed the new ballots")

            // 3. The elector cap: 3 anchors + 2 admitted = 5; a sixth is refused with electorCapacityExceeded.
            let newcomers = try (4...6).map { try TestPKI.identity("elector\($0).scale.test", start: Clock32.now - 10, seconds: 86_400) }
            let admitted = try newcomers.prefix(2).map { try TestPKI.ballot($0.certificate, by: [electors[0], electors[1]], time: Clock32.now) }
            try await stack.submit(admitted)
            try await stack.waitForGCCF("two more electors") { Set(newcomers.prefix(2).map(\.hash)).isSubset(of: $0.electors) }
            let overflow = try TestPKI.ballot(newcomers[2].certificate, by: [electors[0], electors[1]], time: Clock32.now)
            try await stack.submit([overflow])
            let ballots = admitted + [overflow]
            var refused: [Rejection] = []
            try await eventually("an electorCapacityExceeded rejection", timeout: .seconds(30)) {
                refused = try await stack.rejections().filter { rejection in
                    rejection.stage == "assembler" && rejection.reasons.contains("electorCapacityExceeded")
                        && ballots.contains { rejection.concerns($0.digest) }
                }
                return !refused.isEmpty
            }
            #expect(refused.count == 1, "one of the three ballots refused")
            let capped = try #require(try await stack.latestGCCF())
            #expect(capped.electors.intersection(newcomers.map(\.hash)).count == 2, "the GCCF holds 2 of the 3: the cap holds")
            // Electors keep their places in admission order: the newcomer is the one refused, whatever the IDs.
            #expect(refused.first?.concerns(overflow.digest) == true, "the newcomer is the one refused")
            #expect(!capped.electors.contains(newcomers[2].hash), "the earlier-admitted electors stay")
            #expect(Set(newcomers.prefix(2).map(\.hash)).isSubset(of: capped.electors))

            // 4. kill -9 of the active assembler: the standby takes over and continues the versions.
            let assemblers = ["gccf-assembler-1", "gccf-assembler-2"]
            var active: String?
            try await eventually("one active assembler", timeout: .seconds(20)) {
                for name in assemblers where try await stack.metric(name, "scms_assembler_active") == 1 { active = name }
                return active != nil
            }
            let killed = try #require(active)
            let standby = assemblers.first { $0 != killed }!
            #expect(try await stack.metric(standby, "scms_assembler_active") == 0, "exactly one active assembler")
            let lastBefore = try #require(try await stack.latestGCCF())
            try await stack.kill9(killed)
            let late = try rootBallots(5)
            try await stack.submit(late.map(\.1))
            submittedRoots.formUnion(late.map(\.0))
            let takenOver = try await stack.waitForGCCF("the standby's GCCF with the late roots", timeout: .seconds(60)) {
                submittedRoots.isSubset(of: $0.roots)
            }
            #expect(try await stack.metric(standby, "scms_assembler_active") == 1)
            #expect(takenOver.version > lastBefore.version && lastBefore.version >= beforeKill.version)
            let published = try await stack.gccfs()
            var contents: [UInt16: Set<String>] = [:]
            for gccf in published { contents[gccf.version, default: []].insert(gccf.digest) }
            #expect(contents.values.allSatisfy { $0.count == 1 }, "no version re-issued with other content")
            let versions = published.map(\.version)
            #expect(zip(versions, versions.dropFirst()).allSatisfy { $0 <= $1 }, "versions never go back: \(versions)")

            // The killed assembler comes back; after the rebalance exactly one of the two is active again.
            try await stack.restart([killed])
            try await eventually("exactly one active assembler after the restart", timeout: .seconds(30)) {
                var count = 0.0
                for name in assemblers { count += try await stack.metric(name, "scms_assembler_active") }
                return count == 1
            }
        }
    }
}
