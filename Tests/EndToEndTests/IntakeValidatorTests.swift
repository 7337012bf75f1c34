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

    /// An `scms.ballots.accepted` record as intake writes it.
    static func accepted(_ topics: TopicNames, _ ballot: ElectorBallot) -> OutgoingMessage {
        let canonical = ballot.coerEncoded
        var headers: [KafkaHeader] = []
        headers.append(PipelineHeader.digest, IV.sha256(canonical))
        headers.append(PipelineHeader.type, "addElector")
        headers.append(PipelineHeader.receivedAt, ISO8601.format(Date()))
        headers.append(PipelineHeader.form, "ballot")
        headers.append(PipelineHeader.source, "test/0/0")
        return OutgoingMessage(topic: topics.ballotsAccepted, key: Array(IV.sha256(ballot.certificate.coerEncoded).utf8),
                               value: canonical, headers: headers)
    }

    @Test("the validator's trust view follows scms.gccf and its quorum the signed GPFs on scms.policy (never below the floor)")
    func trustViewAndPolicy() async throws {
        let work = try IV.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let prefix = "t2."
        let topics = TopicNames(prefix: prefix)
        try await IV.createTopics(broker, prefix: prefix)

        let electors = try (1...3).map { try IV.elector("e\($0).test") }
        let pg = try IV.policyGenerator()
        let anchors = try IV.anchorDirectory(electors, in: work)
        let pgPath = work.appendingPathComponent("pg.cert").path
        try Data(pg.certificate.coerEncoded).write(to: URL(fileURLWithPath: pgPath))

        // A GCCF (version 1) admitting e4, endorsed by e1 and e2; and the first GPF, quorum 2.
        let e4 = try IV.elector("e4.test")
        let root = try IV.root("root.test")
        let maKey = try PrivateKey.generate()
        let ma = try ElectorCeremony.maCertificate(name: "ma.test", key: maKey.publicKey, issuer: root.certificate,
                                                   issuerKey: root.key, start: Time32(IV.now - 3600),
                                                   duration: BallotCodec.Duration.years(2)).get()
        var signatures = SignatureResolver.crypto()
        let gccf = try GCCFBuilder.build(electorAnchors: electors.map(\.certificate), rootAnchors: [root.certificate],
                                         ballots: [(try IV.ballot(e4.certificate, by: [electors[0], electors[1]]), .addElector)],
                                         maCertificate: ma, policy: TrustPolicy(quorum: 2), time: IV.now, previous: nil,
                                         signatures: &signatures).get()
        var gccfHeaders: [KafkaHeader] = []
        gccfHeaders.append(PipelineHeader.gccfVersion, String(gccf.published.version))
        gccfHeaders.append(PipelineHeader.contentDigest, Hex.encode(Digest.sha256(gccf.bytes)))
        gccfHeaders.append(PipelineHeader.generatedAt, ISO8601.format(Date()))
        try await IV.produce(broker, [
            OutgoingMessage(topic: topics.gccf, key: Array("gccf".utf8), value: gccf.bytes, headers: gccfHeaders),
            OutgoingMessage(topic: topics.policy, key: Array("gpf".utf8), value: try IV.gpf(quorum: 2, pg: pg, generatedSecondsAgo: 600)),
        ])

        let validator = try IV.ServiceProcess.start("quorum-validator", name: "validator", directory: work,
                                                    arguments: Self.validatorArguments(broker, prefix: prefix, anchors: anchors,
                                                                                       pgCert: pgPath))
        try await validator.waitForLog("GCCF folded into the trust view")

        // e4 (trusted only through the GCCF) counts as an endorser.
        let e8 = try IV.elector("e8.test")
        let viaGCCF = try IV.ballot(e8.certificate, by: [e4, electors[0]])
        try await IV.produce(broker, [Self.accepted(topics, viaGCCF)])
        var validated = try await IV.waitForRecords(broker, topic: topics.ballotsValidated) { $0.count >= 1 }
        let first = try ValidatedBallot(coer: try #require(validated.first?.value))
        #expect(Set(first.endorsers.map { Hex.encode($0.bytes) }) == [e4.id, electors[0].id])
        #expect(first.quorum == 2)

        // A newer GPF raises the quorum to 3: two endorsements no longer suffice, three do.
        try await IV.produce(broker, [OutgoingMessage(topic: topics.policy, key: Array("gpf".utf8),
                                                      value: try IV.gpf(quorum: 3, pg: pg, generatedSecondsAgo: 300))])
        try await validator.waitForLog("GPF in force", count: 2)
        let e9 = try IV.elector("e9.test"), e10 = try IV.elector("e10.test")
        let two = try IV.ballot(e9.certificate, by: [electors[0], electors[1]])
        let three = try IV.ballot(e10.certificate, by: [electors[0], electors[1], e4], form: .digest)   // signers by HashedId8
        let removal = try IV.ballot(e4.certificate, .removeElector, by: electors)
        try await IV.produce(broker, [Self.accepted(topics, two), Self.accepted(topics, three), Self.accepted(topics, removal)])
        validated = try await IV.waitForRecords(broker, topic: topics.ballotsValidated) { $0.count >= 3 }
        #expect(validated.count == 3)
        let raised = try ValidatedBallot(coer: try #require(validated.first { $0.pipelineDigest == IV.sha256(three.coerEncoded) }?.value))
        #expect(raised.quorum == 3)
        // The expected type is what the endorsements declare.
        let removed = try #require(validated.first { $0.pipelineDigest == IV.sha256(removal.coerEncoded) })
        #expect(removed.headerText(PipelineHeader.type) == "removeElector")
        #expect(try ValidatedBallot(coer: try #require(removed.value)).type == .removeElector)
        var rejected = try await IV.waitForRecords(broker, topic: topics.ballotsRejected) { $0.count >= 1 }
        let twoRejection = try #require(rejected.compactMap(RejectionRecord.init).first { $0.inputDigest == IV.sha256(two.coerEncoded) })
        #expect(twoRejection.reason == "insufficientQuorum")
        #expect(twoRejection.detail.contains("quorum 3"))

        // A GPF below the floor and one signed by another PG are refused; the quorum stays 3.
        let impostor = try IV.policyGenerator()
        try await IV.produce(broker, [
            OutgoingMessage(topic: topics.policy, key: Array("gpf".utf8), value: try IV.gpf(quorum: 1, pg: pg, generatedSecondsAgo: 100)),
            OutgoingMessage(topic: topics.policy, key: Array("gpf".utf8), value: try IV.gpf(quorum: 2, pg: impostor, generatedSecondsAgo: 50)),
            OutgoingMessage(topic: topics.policy, key: Array("gpf".utf8), value: Array("garbage".utf8)),
        ])
        try await validator.waitForLog("GPF refused", count: 3)
        let e11 = try IV.elector("e11.test")
        let stillTwo = try IV.ballot(e11.certificate, by: [electors[1], electors[2]])
        try await IV.produce(broker, [Self.accepted(topics, stillTwo)])
        rejected = try await IV.waitForRecords(broker, topic: topics.ballotsRejected) { $0.count >= 2 }
        #expect(rejected.compactMap(RejectionRecord.init).first { $0.inputDigest == IV.sha256(stillTwo.coerEncoded) }?.reason
                == "insufficientQuorum")
        let metrics = try validator.get("/metrics")
        #expect(IV.metric(metrics, "scms_validator_policy_refused_total", ["reason=\"invalidQuorum\""]) == 1)
        #expect(IV.metric(metrics, "scms_validator_policy_refused_total", ["reason=\"unknownSigner\""]) == 1)
        #expect(IV.metric(metrics, "scms_validator_policy_refused_total", ["reason=\"malformed\""]) == 1)
        #expect(IV.metric(metrics, "scms_validator_quorum") == 3)
        #expect(IV.metric(metrics, "scms_validator_gccf_version") == 1)
        #expect(await validator.terminate() == 0)
    }

    @Test("two validator instances share the partitions; when one stops the other takes all; no verdict lost or doubled")
    func twoValidatorsSharePartitions() async throws {
        let work = try IV.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let prefix = "t3."
        let topics = TopicNames(prefix: prefix)
        try await IV.createTopics(broker, prefix: prefix)
        let electors = try (1...3).map { try IV.elector("e\($0).test") }
        let pg = try IV.policyGenerator()
        let anchors = try IV.anchorDirectory(electors, in: work)
        let pgPath = work.appendingPathComponent("pg.cert").path
        try Data(pg.certificate.coerEncoded).write(to: URL(fileURLWithPath: pgPath))
        let arguments = Self.validatorArguments(broker, prefix: prefix, anchors: anchors, pgCert: pgPath)

        let v1 = try IV.ServiceProcess.start("quorum-validator", name: "v1", directory: work, arguments: arguments)
        try await v1.waitForLog("partitions assigned")
        let v2 = try IV.ServiceProcess.start("quorum-validator", name: "v2", directory: work, arguments: arguments)
        try await v2.waitForLog("partitions assigned")
        try await v1.waitForLog("partitions assigned", count: 2)

        func batch(_ n: Int) throws -> [ElectorBallot] {
            try (0..<n).map { i in try IV.ballot(try IV.elector("t\(i).test").certificate, by: [electors[i % 3], electors[(i + 1) % 3]]) }
        }
        let firstBatch = try batch(16)
        try await IV.produce(broker, firstBatch.map { Self.accepted(topics, $0) })
        var validated = try await IV.waitForRecords(broker, topic: topics.ballotsValidated) { $0.count >= 16 }
        #expect(validated.count == 16)
        let m1 = IV.metric(try v1.get("/metrics"), "scms_validator_verdicts_total", ["result=\"accepted\""]) ?? 0
        let m2 = IV.metric(try v2.get("/metrics"), "scms_validator_verdicts_total", ["result=\"accepted\""]) ?? 0
        #expect(m1 > 0 && m2 > 0, "both instances decided: \(m1) + \(m2)")
        #expect(m1 + m2 == 16)

        #expect(await v2.terminate() == 0)
        try await v1.waitForLog("partitions assigned", count: 3)
        let secondBatch = try batch(8)
        try await IV.produce(broker, secondBatch.map { Self.accepted(topics, $0) })
        validated = try await IV.waitForRecords(broker, topic: topics.ballotsValidated) { $0.count >= 24 }
        try await Task.sleep(for: .milliseconds(500))
        validated = try await IV.readAll(broker, topic: topics.ballotsValidated)
        #expect(validated.count == 24)
        #expect(Set(validated.compactMap(\.pipelineDigest)) == Set((firstBatch + secondBatch).map { IV.sha256($0.coerEncoded) }))
        #expect(await v1.terminate() == 0)
    }

    @Test("kill -9 of intake and validator while ballots flow; after restart nothing is lost or duplicated downstream")
    func killAndRestart() async throws {
        let work = try IV.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let prefix = "t4."
        let topics = TopicNames(prefix: prefix)
        try await IV.createTopics(broker, prefix: prefix)
        let electors = try (1...3).map { try IV.elector("e\($0).test") }
        let pg = try IV.policyGenerator()
        let anchors = try IV.anchorDirectory(electors, in: work)
        let pgPath = work.appendingPathComponent("pg.cert").path
        try Data(pg.certificate.coerEncoded).write(to: URL(fileURLWithPath: pgPath))
        let intakeArguments = Self.common(broker, prefix: prefix)
        let validatorArguments = Self.validatorArguments(broker, prefix: prefix, anchors: anchors, pgCert: pgPath)

        let ballots = try (0..<120).map { i in
            try IV.ballot(try IV.elector("k\(i).test").certificate, by: [electors[i % 3], electors[(i + 2) % 3]])
        }
        var intake = try IV.ServiceProcess.start("endorsement-intake", name: "intake", directory: work, arguments: intakeArguments)
        var validator = try IV.ServiceProcess.start("quorum-validator", name: "validator", directory: work,
                                                    arguments: validatorArguments)
        try await intake.waitForLog("partitions assigned")
        try await validator.waitForLog("partitions assigned")

        // Produce steadily (each ballot twice, as a careless submitter would); kill both services part-way through.
        let producer = Task {
            let producer = try KafkaProducer(configuration: IV.kafka(broker, prefix: "").producer())
            for (index, ballot) in ballots.enumerated() {
                _ = try await producer.send(Self.submitted(topics, ballot.coerEncoded, key: "s\(index)"))
                _ = try await producer.send(Self.submitted(topics, ScmsPDU.scopedBallot(ballot).coerEncoded))
                try await Task.sleep(for: .milliseconds(20))
            }
            await producer.close()
        }
        _ = try await IV.waitForRecords(broker, topic: topics.ballotsValidated, timeout: .seconds(20)) { $0.count >= 20 }
        await intake.kill9()
        await validator.kill9()
        intake = try IV.ServiceProcess.start("endorsement-intake", name: "intake", directory: work, arguments: intakeArguments)
        validator = try IV.ServiceProcess.start("quorum-validator", name: "validator", directory: work,
                                                arguments: validatorArguments)
        try await producer.value

        let expected = Set(ballots.map { IV.sha256($0.coerEncoded) })
        let validated = try await IV.waitForRecords(broker, topic: topics.ballotsValidated, timeout: .seconds(60)) {
            Set($0.compactMap(\.pipelineDigest)) == expected
        }
        try await Task.sleep(for: .seconds(1))
        let accepted = try await IV.readAll(broker, topic: topics.ballotsAccepted)
        let finalValidated = try await IV.readAll(broker, topic: topics.ballotsValidated)
        #expect(Set(validated.compactMap(\.pipelineDigest)) == expected)
        #expect(accepted.count == ballots.count, "accepted records: \(accepted.count)")
        #expect(Set(accepted.compactMap(\.pipelineDigest)) == expected)
        #expect(finalValidated.count == ballots.count, "validated records: \(finalValidated.count)")
        #expect(try await IV.readAll(broker, topic: topics.ballotsRejected).isEmpty)
        // The restarted intake rebuilt its dedupe state from what the killed one had forwarded.
        let rebuilt = intake.logLines("dedupe state rebuilt")
        #expect(rebuilt.count == 2)
        #expect(rebuilt.last.map { !$0.contains("\"digests\":\"0\"") } == true)
        #expect(await intake.terminate() == 0)
        #expect(await validator.terminate() == 0)
    }
}
