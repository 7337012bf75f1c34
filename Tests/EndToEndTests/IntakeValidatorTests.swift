import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Testing
import TestSupport

/// endorsement-intake and quorum-validator as processes against a real scms-devbroker process.
@Suite(.serialized)
struct IntakeValidatorTests {
    /// Arguments every service of a test pipeline takes.
    static func common(_ broker: DevBrokerProcess, prefix: String) -> [String] {
        ["--bootstrap-servers", broker.bootstrapServers, "--topic-prefix", prefix, "--group-session-timeout", "4s",
         "--kafka-reconnect-backoff", "10ms", "--kafka-reconnect-backoff-max", "200ms"]
    }

    static func validatorArguments(_ broker: DevBrokerProcess, prefix: String, anchors: String, pgCert: String,
                                   quorum: Int = 2, floor: Int = 2) -> [String] {
        common(broker, prefix: prefix) + ["--anchors", anchors, "--pg-cert", pgCert, "--quorum", String(quorum),
                                          "--quorum-floor", String(floor)]
    }

    static func submitted(_ topics: TopicNames, _ value: [UInt8]?, key: String = "k") -> OutgoingMessage {
        OutgoingMessage(topic: topics.ballotsSubmitted, key: Array(key.utf8), value: value)
    }

    @Test("intake accepts the three forms once, rejects bad input with reason codes; the validator decides; SIGTERM commits and a restart resumes")
    func pipelineEndToEnd() async throws {
        let work = try IV.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let prefix = "t1."
        let topics = TopicNames(prefix: prefix)
        try await IV.createTopics(broker, prefix: prefix)

        let electors = try (1...3).map { try IV.elector("e\($0).test") }
        let pg = try IV.policyGenerator()
        let anchors = try IV.anchorDirectory(electors, in: work)
        let pgPath = work.appendingPathComponent("pg.cert").path
        try Data(pg.certificate.coerEncoded).write(to: URL(fileURLWithPath: pgPath))
        try await IV.produce(broker, [OutgoingMessage(topic: topics.policy, key: Array("gpf".utf8),
                                                      value: try IV.gpf(quorum: 2, pg: pg))])

        let e4 = try IV.elector("e4.test")
        let good = try IV.ballot(e4.certificate, by: electors)                        // 3 of 3: valid
        let e5 = try IV.elector("e5.test")
        let weak = try IV.ballot(e5.certificate, by: [electors[0]])                   // 1 < quorum 2
        let outsider = try IV.elector("outsider.test")
        let e6 = try IV.elector("e6.test")
        let untrusted = try IV.ballot(e6.certificate, by: [electors[1], outsider])   // 1 trusted + 1 unknown
        let scoped = ScmsPDU.scopedBallot(good).coerEncoded
        let unsecured = Ieee1609Dot2Data(content: .unsecuredData(scoped)).coerEncoded
        let oversized = [UInt8](repeating: 0x80, count: 70_000)

        let intake = try IV.ServiceProcess.start("endorsement-intake", name: "intake", directory: work,
                                                 arguments: Self.common(broker, prefix: prefix))
        let validator = try IV.ServiceProcess.start("quorum-validator", name: "validator", directory: work,
                                                    arguments: Self.validatorArguments(broker, prefix: prefix, anchors: anchors,
                                                                                       pgCert: pgPath))
        try await IV.produce(broker, [
            Self.submitted(topics, good.coerEncoded),
            Self.submitted(topics, scoped),                                   // same ballot, scoped form: duplicate
            Self.submitted(topics, Array("not a ballot at all".utf8)),        // poison: malformed
            Self.submitted(topics, unsecured),                                // same ballot, unsecured form: duplicate
            Self.submitted(topics, []),                                       // emptyRecord
            Self.submitted(topics, nil),                                      // tombstone: emptyRecord
            Self.submitted(topics, oversized),                                // oversized
            Self.submitted(topics, e4.certificate.coerEncoded),               // a certificate: notBallot
            Self.submitted(topics, weak.coerEncoded),
            Self.submitted(topics, untrusted.coerEncoded),
        ])

        // Accepted: the good ballot once (whatever the form), then the two weak ones; canonical, keyed by target.
        let accepted = try await IV.waitForRecords(broker, topic: topics.ballotsAccepted) { $0.count >= 3 }
        #expect(accepted.count == 3)
        let goodDigest = IV.sha256(good.coerEncoded)
        let goodRecord = try #require(accepted.first { $0.pipelineDigest == goodDigest })
        #expect(goodRecord.value == good.coerEncoded)
        #expect(goodRecord.keyText == e4.id)
        #expect(goodRecord.headerText(PipelineHeader.type) == "addElector")
        #expect(goodRecord.headerText(PipelineHeader.form) == "ballot")
        #expect(goodRecord.pipelineSource?.topic == topics.ballotsSubmitted)
        let receivedAt = try #require(goodRecord.headerText(PipelineHeader.receivedAt))
        #expect(abs(try ISO8601.parse(receivedAt) - Int64(Date().timeIntervalSince1970)) < 120)
        #expect(Set(accepted.compactMap(\.pipelineDigest)) == [goodDigest, IV.sha256(weak.coerEncoded),
                                                               IV.sha256(untrusted.coerEncoded)])

        // Validated: only the good ballot, with the verdict facts.
        let validated = try await IV.waitForRecords(broker, topic: topics.ballotsValidated) { $0.count >= 1 }
        #expect(validated.count == 1)
        let verdictRecord = try #require(validated.first)
        let verdict = try ValidatedBallot(coer: try #require(verdictRecord.value))
        #expect(verdict.ballot.coerEncoded == good.coerEncoded)
        #expect(verdict.quorum == 2)
        #expect(verdict.endorsers.map { Hex.encode($0.bytes) } == electors.map(\.id).sorted())
        #expect(Hex.encode(verdict.targetHash.bytes) == e4.id)
        #expect(Hex.encode(verdict.ballotDigest.bytes) == goodDigest)
        #expect(abs(Int64(verdict.processingTime.seconds) - Int64(IV.now)) < 120)
        #expect(verdictRecord.pipelineDigest == goodDigest)
        #expect(verdictRecord.keyText == e4.id)
        #expect(verdictRecord.headerText(PipelineHeader.type) == "addElector")
        #expect(verdictRecord.pipelineSource?.topic == topics.ballotsAccepted)

        // Rejected: every bad input with stage, reason, digest of the input as key.
        let rejected = try await IV.waitForRecords(broker, topic: topics.ballotsRejected) { $0.count >= 7 }
        let rejections = rejected.compactMap(RejectionRecord.init)
        #expect(rejections.count == 7)
        let intakeReasons = rejections.filter { $0.stage == .intake }.map(\.reason).sorted()
        #expect(intakeReasons == ["emptyRecord", "emptyRecord", "malformed", "notBallot", "oversized"])
        let malformed = try #require(rejected.first { RejectionRecord($0)?.reason == "malformed" })
        #expect(malformed.value == Array("not a ballot at all".utf8))
        #expect(malformed.keyText == IV.sha256(Array("not a ballot at all".utf8)))
        #expect(malformed.headerText(PipelineHeader.detail)?.contains("offset") == true)
        let weakRejection = try #require(rejections.first { $0.inputDigest == IV.sha256(weak.coerEncoded) })
        #expect(weakRejection.stage == .validator)
        #expect(weakRejection.reason == "insufficientQuorum")
        let untrustedRejection = try #require(rejections.first { $0.inputDigest == IV.sha256(untrusted.coerEncoded) })
        #expect(untrustedRejection.reason == "insufficientQuorum")
        #expect(untrustedRejection.reasons.contains("signerUnknown[1]"))

        // Metrics and health.
        let intakeMetrics = try intake.get("/metrics")
        #expect(IV.metric(intakeMetrics, "scms_rejected_total", ["stage=\"intake\"", "reason=\"emptyRecord\""]) == 2)
        #expect(IV.metric(intakeMetrics, "scms_intake_duplicates_total") == 2)
        #expect(IV.metric(intakeMetrics, "scms_intake_accepted_total", ["form=\"ballot\""]) == 3)
        let validatorMetrics = try validator.get("/metrics")
        #expect(IV.metric(validatorMetrics, "scms_validator_verdicts_total", ["result=\"accepted\""]) == 1)
        #expect(IV.metric(validatorMetrics, "scms_rejected_total", ["stage=\"validator\"", "reason=\"insufficientQuorum\""]) == 2)
        #expect(IV.metric(validatorMetrics, "scms_validator_quorum") == 2)
        #expect(try validator.get("/healthz").contains("\"status\":\"ok\""))

        // SIGTERM: clean exit after committing everything consumed.
        #expect(await intake.terminate() == 0)
        #expect(await validator.terminate() == 0)
        let admin = try KafkaAdmin(configuration: IV.kafka(broker, prefix: prefix).admin())
        let submittedPartitions = (0..<Topics.ballotsSubmitted.partitions).map { TopicPartition(topics.ballotsSubmitted, $0) }
        let marks = try await admin.watermarks(for: submittedPartitions)
        let committed = try await admin.committedOffsets(group: topics.groupID(ConsumerGroups.endorsementIntake),
                                                         partitions: submittedPartitions)
        for partition in submittedPartitions where (marks[partition]?.high ?? 0) > 0 {
            #expect(committed[partition] == .some(marks[partition]?.high), "\(partition)")
        }

        // Restart: nothing re-forwarded or re-validated; a resubmission is still a duplicate; new work flows.
        let e7 = try IV.elector("e7.test")
        let fresh = try IV.ballot(e7.certificate, by: [electors[0], electors[2]])
        let intake2 = try IV.ServiceProcess.start("endorsement-intake", name: "intake", directory: work,
                                                  arguments: Self.common(broker, prefix: prefix))
        let validator2 = try IV.ServiceProcess.start("quorum-validator", name: "validator", directory: work,
                                                     arguments: Self.validatorArguments(broker, prefix: prefix,
                                                                                        anchors: anchors, pgCert: pgPath))
        try await IV.produce(broker, [Self.submitted(topics, unsecured), Self.submitted(topics, fresh.coerEncoded)])
        let validatedAfter = try await IV.waitForRecords(broker, topic: topics.ballotsValidated) { $0.count >= 2 }
        try await intake2.waitForLog("duplicate ballot dropped")
        let acceptedAfter = try await IV.readAll(broker, topic: topics.ballotsAccepted)
        #expect(acceptedAfter.count == 4)
        #expect(Set(acceptedAfter.compactMap(\.pipelineDigest)).count == 4)
        #expect(validatedAfter.count == 2)
        #expect(validatedAfter.compactMap(\.pipelineDigest) == [goodDigest, IV.sha256(fresh.coerEncoded)])
        #expect(try await IV.readAll(broker, topic: topics.ballotsRejected).count == 7)
        #expect(await intake2.terminate() == 0)
        #expect(await validator2.terminate() == 0)
    }
}
