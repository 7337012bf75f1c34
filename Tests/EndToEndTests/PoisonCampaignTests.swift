import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Testing
import TestSupport

/// The reliability campaign of issue #6: poison at every stage of a running pipeline (intake, validator, assembler,
/// expiry watcher against a real scms-devbroker). Every poison record on a ballot stage's input lands in
/// scms.ballots.rejected with its stage and a reason code; poison on the followed topics (scms.gccf, scms.policy) is
/// counted with its reason and ignored; replays are dropped or folded idempotently; and a good ballot submitted
/// afterwards still reaches a GCCF with every service healthy.
@Suite(.serialized)
struct PoisonCampaignTests {
    /// Deterministic pseudo-random bytes (SplitMix64), so a failing input can be reproduced.
    struct Bytes {
        var state: UInt64
        mutating func next(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return UInt8(truncatingIfNeeded: z ^ (z >> 31))
            }
        }
    }

    /// One poison record and the reasons its stage may give.
    struct Poison {
        var label: String
        var message: OutgoingMessage
        var stage: PipelineStage
        var reasons: Set<String>
        var digest: String { IV.sha256(message.value ?? []) }
    }

    static let coerReasons: Set<String> = ["malformed", "nonCanonical", "unsupported"]

    @Test("poison on every input topic is rejected with stage and reason or counted and ignored; the pipeline keeps working")
    func poisonEveryStage() async throws {
        let setup = try AssemblerExpiryTests.Setup()
        defer { try? FileManager.default.removeItem(at: setup.work) }
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let prefix = "poison."
        let topics = TopicNames(prefix: prefix)
        try await IV.createTopics(broker, prefix: prefix)
        try await IV.produce(broker, [OutgoingMessage(topic: topics.policy, key: Array("gpf".utf8),
                                                      value: try IV.gpf(quorum: 2, pg: setup.pg, generatedSecondsAgo: 600))])

        let common = IntakeValidatorTests.common(broker, prefix: prefix)
        let floor = ["--quorum-floor", "2"]
        let intake = try IV.ServiceProcess.start("endorsement-intake", name: "intake", directory: setup.work, arguments: common)
        let validator = try IV.ServiceProcess.start(
            "quorum-validator", name: "validator", directory: setup.work,
            arguments: IntakeValidatorTests.validatorArguments(broker, prefix: prefix, anchors: setup.anchorsDirectory,
                                                              pgCert: setup.pgPath))
        let assembler = try IV.ServiceProcess.start("gccf-assembler", name: "assembler", directory: setup.work,
                                                    arguments: setup.assemblerArguments(broker, prefix: prefix) + floor)
        let watcher = try IV.ServiceProcess.start("expiry-watcher", name: "watcher", directory: setup.work,
                                                  arguments: common + ["--anchors", setup.anchorsDirectory])
        let services = [intake, validator, assembler, watcher]

        // A first good ballot flows through: the baseline.
        let first = try IV.elector("first.test")
        let firstBallot = try IV.ballot(first.certificate, by: setup.anchors)
        try await IV.produce(broker, [IntakeValidatorTests.submitted(topics, firstBallot.coerEncoded)])
        let baseline = try await AssemblerExpiryTests.waitForGCCF(broker, topics, timeout: .seconds(60)) {
            AssemblerExpiryTests.targets($0.certStore.electorEndorsements).contains(first.id)
        }
        let acceptedBefore = try await IV.readAll(broker, topic: topics.ballotsAccepted)
        let firstAccepted = try #require(acceptedBefore.first { $0.pipelineDigest == IV.sha256(firstBallot.coerEncoded) })
        let validatedBefore = try await IV.readAll(broker, topic: topics.ballotsValidated)
        let firstValidated = try #require(validatedBefore.first)

        // The poison, per stage.
        var random = Bytes(state: 0x5c35_e1ec_7025)
        let ballotBytes = firstBallot.coerEncoded
        let validatedBytes = try #require(firstValidated.value)
        let event = ExpiryEvent(kind: .expiringSoon, certificateHash: HashedId32(uncheckedBytes: Digest.sha256(Array("x".utf8))),
                                role: .elector, expiryTime: Time32(IV.now + 86_400), effectiveTime: Time32(IV.now),
                                leadSeconds: 86_400).coerEncoded
        let certificate = first.certificate.coerEncoded
        let gccfBytes = baseline.1.coerEncoded
        func message(_ topic: String, _ value: [UInt8], key: String = "poison") -> OutgoingMessage {
            OutgoingMessage(topic: topic, key: Array(key.utf8), value: value)
        }
        var poisons: [Poison] = []
        for (topic, stage) in [(topics.ballotsSubmitted, PipelineStage.intake), (topics.ballotsAccepted, .validator)] {
            let tag = stage.rawValue
            poisons += [
                Poison(label: "\(tag) random", message: message(topic, random.next(97)), stage: stage, reasons: Self.coerReasons),
                Poison(label: "\(tag) random large", message: message(topic, random.next(20_000)), stage: stage,
                       reasons: Self.coerReasons),
                Poison(label: "\(tag) truncated", message: message(topic, Array(ballotBytes.prefix(ballotBytes.count / 2))),
                       stage: stage, reasons: Self.coerReasons),
                Poison(label: "\(tag) truncated by one", message: message(topic, Array(ballotBytes.dropLast())), stage: stage,
                       reasons: Self.coerReasons),
                Poison(label: "\(tag) certificate", message: message(topic, certificate), stage: stage,
                       reasons: stage == .intake ? ["notBallot"] : Self.coerReasons),
                // Records of this project's own types are not a ballot form either; intake may not recognize them.
                Poison(label: "\(tag) ValidatedBallot", message: message(topic, validatedBytes), stage: stage,
                       reasons: Self.coerReasons.union(["notBallot"])),
                Poison(label: "\(tag) ExpiryEvent", message: message(topic, event), stage: stage,
                       reasons: Self.coerReasons.union(["notBallot"])),
                Poison(label: "\(tag) empty", message: message(topic, []), stage: stage, reasons: ["emptyRecord"]),
            ]
        }
        poisons.append(Poison(label: "intake oversized", message: message(topics.ballotsSubmitted, random.next(70_000)),
                              stage: .intake, reasons: ["oversized"]))
        // The assembler's inputs: scms.ballots.validated and scms.expiry.
        for (topic, tag) in [(topics.ballotsValidated, "validated"), (topics.expiry, "expiry")] {
            let valid = tag == "validated" ? validatedBytes : event
            poisons += [
                Poison(label: "\(tag) random", message: message(topic, random.next(64)), stage: .assembler,
                       reasons: Self.coerReasons),
                Poison(label: "\(tag) random large", message: message(topic, random.next(20_000)), stage: .assembler,
                       reasons: Self.coerReasons),
                Poison(label: "\(tag) truncated", message: message(topic, Array(valid.dropLast(3))), stage: .assembler,
                       reasons: Self.coerReasons),
                Poison(label: "\(tag) a ballot", message: message(topic, ballotBytes), stage: .assembler,
                       reasons: Self.coerReasons),
                Poison(label: "\(tag) certificate", message: message(topic, certificate), stage: .assembler,
                       reasons: Self.coerReasons),
                Poison(label: "\(tag) empty", message: message(topic, []), stage: .assembler, reasons: ["emptyRecord"]),
            ]
        }
        // scms.policy: the assembler rejects what is not a GPF of the configured PG, or one below the floor.
        let stranger = try IV.policyGenerator()
        poisons += [
            Poison(label: "policy random", message: message(topics.policy, random.next(80), key: "gpf"), stage: .assembler,
                   reasons: ["malformed"]),
            Poison(label: "policy a GCCF", message: message(topics.policy, gccfBytes, key: "gpf"), stage: .assembler,
                   reasons: ["malformed", "notSignedData", "wrongFileKind"]),
            Poison(label: "policy forged GPF", message: message(topics.policy, try IV.gpf(quorum: 1, pg: stranger), key: "gpf"),
                   stage: .assembler, reasons: ["unknownSigner", "badSignature"]),
            Poison(label: "policy quorum below the floor",
                   message: message(topics.policy, try IV.gpf(quorum: 1, pg: setup.pg, generatedSecondsAgo: 5), key: "gpf"),
                   stage: .assembler, reasons: ["invalidQuorum", "quorumBelowFloor"]),
        ]
        // Replayed out of order: the first ballot's records again, after later ones; an older GPF after the newer one.
        let olderGPF = try IV.gpf(quorum: 3, pg: setup.pg, generatedSecondsAgo: 3_600)
        let replays = [
            IntakeValidatorTests.submitted(topics, ballotBytes),
            OutgoingMessage(topic: topics.ballotsAccepted, key: firstAccepted.key, value: firstAccepted.value,
                            headers: firstAccepted.headers),
            OutgoingMessage(topic: topics.ballotsValidated, key: firstValidated.key, value: firstValidated.value,
                            headers: firstValidated.headers),
            message(topics.policy, olderGPF, key: "gpf"),
        ]
        // scms.gccf (followed by the validator and the expiry watcher, never a ballot stage).
        let gccfPoison = [message(topics.gccf, random.next(120), key: "gccf"),
                          message(topics.gccf, Array(gccfBytes.dropLast(5)), key: "gccf"),
                          message(topics.gccf, ballotBytes, key: "gccf")]

        try await IV.produce(broker, poisons.map(\.message) + replays + gccfPoison)

        // Every poison record of a ballot stage is on scms.ballots.rejected, keyed by its digest, with stage and reason.
        let expected = Set(poisons.map(\.digest))
        let rejected = try await IV.waitForRecords(broker, topic: topics.ballotsRejected, timeout: .seconds(60)) { records in
            expected.isSubset(of: Set(records.compactMap { RejectionRecord($0)?.inputDigest }))
        }
        let rejections = rejected.compactMap { record in RejectionRecord(record).map { (record, $0) } }
        for poison in poisons {
            let found = rejections.filter { $0.1.inputDigest == poison.digest && $0.1.stage == poison.stage }
            #expect(!found.isEmpty, "\(poison.label): not rejected by \(poison.stage.rawValue)")
            guard let (record, rejection) = found.first else { continue }
            #expect(poison.reasons.contains(rejection.reason), "\(poison.label): reason \(rejection.reason)")
            #expect(record.keyText == poison.digest, "\(poison.label)")
            #expect(record.headerText(PipelineHeader.stage) == poison.stage.rawValue)
            #expect(!(record.headerText(PipelineHeader.detail) ?? "").isEmpty, "\(poison.label): no detail")
            #expect(record.value ?? [] == poison.message.value ?? [], "\(poison.label): the input is quoted unchanged")
        }
        // Nothing else was rejected: the replays were dropped as duplicates or folded idempotently.
        let unexpected = rejections.filter { !expected.contains($0.1.inputDigest) }.map { "\($0.1.stage.rawValue) \($0.1.reason)" }
        #expect(unexpected.isEmpty, "\(unexpected)")

        try await intake.waitForLog("duplicate ballot dropped")
        try await watcher.waitForLog("a record on scms.gccf is not a GCCF", count: gccfPoison.count)
        try await validator.waitForLog("GCCF refused", count: gccfPoison.count)
        try await validator.waitForLog("GPF refused", count: 3)

        // A good ballot afterwards still reaches a GCCF, next to the first one.
        let second = try IV.elector("second.test")
        let secondBallot = try IV.ballot(second.certificate, by: Array(setup.anchors.prefix(2)))
        try await IV.produce(broker, [IntakeValidatorTests.submitted(topics, secondBallot.coerEncoded, key: second.id)])
        let (_, final) = try await AssemblerExpiryTests.waitForGCCF(broker, topics, timeout: .seconds(60)) {
            AssemblerExpiryTests.targets($0.certStore.electorEndorsements).isSuperset(of: [first.id, second.id])
        }
        #expect(final.certStore.electorEndorsements.count == 2, "the replayed ballot was not folded in twice")

        // Each replay was dropped: one accepted and one verdict per ballot.
        let accepted = try await IV.readAll(broker, topic: topics.ballotsAccepted)
        #expect(accepted.filter { $0.pipelineDigest == IV.sha256(ballotBytes) }.count == 2, "intake's record and the replay")
        let validated = try await IV.readAll(broker, topic: topics.ballotsValidated)
        let verdicts = validated.filter { $0.value.flatMap { try? ValidatedBallot(coer: $0) } != nil }
        #expect(Set(verdicts.compactMap(\.pipelineDigest)) == [IV.sha256(ballotBytes), IV.sha256(secondBallot.coerEncoded)])
        #expect(verdicts.filter { $0.pipelineDigest == IV.sha256(ballotBytes) }.count == 2, "the verdict and its replay only")

        // Metrics: counted by reason; the quorum is still the newest GPF's 2 (neither the forged, the below-floor nor the
        // older GPF took effect).
        let validatorMetrics = try validator.get("/metrics")
        #expect(IV.metric(validatorMetrics, "scms_validator_quorum") == 2)
        #expect((IV.metric(validatorMetrics, "scms_validator_gccf_refused_total") ?? 0) >= Double(gccfPoison.count))
        #expect((IV.metric(validatorMetrics, "scms_validator_duplicates_total") ?? 0) >= 1)
        #expect(IV.metric(validatorMetrics, "scms_validator_policy_refused_total", ["reason=\"unknownSigner\""]) != nil)
        let watcherMetrics = try watcher.get("/metrics")
        #expect((IV.metric(watcherMetrics, "scms_expiry_gccf_refused_total") ?? 0) == Double(gccfPoison.count))
        let intakeMetrics = try intake.get("/metrics")
        #expect(IV.metric(intakeMetrics, "scms_intake_duplicates_total") == 1)
        #expect(IV.metric(intakeMetrics, "scms_rejected_total", ["stage=\"intake\"", "reason=\"oversized\""]) == 1)

        // Everyone is still up and healthy, and stops cleanly.
        for service in services {
            #expect(service.isRunning, "\(service.name) exited:\n\(service.log.suffix(3000))")
            #expect(try service.get("/healthz").contains("\"status\":\"ok\""), "\(service.name)")
        }
        for service in services { #expect(await service.terminate() == 0, "\(service.name)") }
    }
}
