import Foundation
import Kafka
import ServiceKit
import Synchronization
import Testing
import TestSupport

@Suite struct PipelineHeaderTests {
    @Test func recordPositionRoundTrip() throws {
        let position = RecordPosition(topic: "p.scms.ballots.submitted", partition: 3, offset: 42)
        #expect(position.description == "p.scms.ballots.submitted/3/42")
        #expect(RecordPosition(parsing: position.description) == position)
        #expect(RecordPosition(parsing: "a/b/1/2") == RecordPosition(topic: "a/b", partition: 1, offset: 2))
        for bad in ["", "t/1", "/1/2", "t/x/2", "t/1/-3", "t/-1/2"] {
            #expect(RecordPosition(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func rejectionRecordRoundTripsThroughItsMessage() throws {
        let digest = String(repeating: "ab", count: 32)
        let rejection = RejectionRecord(stage: .validator, reason: "insufficientQuorum",
                                        reasons: ["insufficientQuorum", "signerExpired[1]"], detail: "1 of 2",
                                        source: RecordPosition(topic: "scms.ballots.accepted", partition: 0, offset: 7),
                                        inputDigest: digest, input: [1, 2, 3])
        let message = rejection.message(topic: "scms.ballots.rejected")
        #expect(message.key == Array(digest.utf8))
        #expect(message.value == [1, 2, 3])
        let consumed = ConsumedMessage(topic: message.topic, partition: 0, offset: 0, key: message.key, value: message.value,
                                       headers: message.headers, timestamp: nil)
        #expect(consumed.headerText(PipelineHeader.stage) == "validator")
        #expect(consumed.headerText(PipelineHeader.reasons) == "insufficientQuorum,signerExpired[1]")
        #expect(consumed.pipelineDigest == digest)
        #expect(consumed.pipelineSource == rejection.source)
        #expect(RejectionRecord(consumed) == rejection)
    }

    @Test func longDetailsAreClippedOnACharacterBoundary() throws {
        let detail = String(repeating: "é", count: 5_000)
        let message = RejectionRecord(stage: .intake, reason: "malformed", detail: detail, source: nil,
                                      inputDigest: String(repeating: "0", count: 64), input: nil).message(topic: "r")
        let header = try #require(message.headers.first { $0.key == PipelineHeader.detail }?.value)
        #expect(header.count <= PipelineHeader.maxDetailBytes)
        let text = try #require(String(validating: header, as: UTF8.self))
        #expect(text.hasSuffix("…"))
        #expect(message.value == nil)
    }

    @Test func digestsMustBeLowercaseHex() {
        #expect(PipelineDigest.isValid(String(repeating: "0f", count: 32)))
        #expect(!PipelineDigest.isValid(String(repeating: "0F", count: 32)))
        #expect(!PipelineDigest.isValid(String(repeating: "0", count: 63)))
    }
}

@Suite struct KafkaSettingsTests {
    static let schema = ConfigurationSchema.service(PipelineConfiguration.keys)

    @Test func readsPrefixBackoffsAndPassthrough() throws {
        let file = try ConfigurationFile(parsing: """
            kafka.security.protocol = SASL_SSL
            kafka.sasl.password = "p#ss"
            topic-prefix = staging.
            """, path: "test.conf")
        let config = try ConfigurationSource(schema: Self.schema,
                                             flags: ["bootstrap-servers": "k1:9092,k2:9092", "kafka-reconnect-backoff": "20ms"],
                                             environment: ["SCMS_KAFKA_RECONNECT_BACKOFF_MAX": "2s"], file: file)
        let settings = try KafkaSettings(configuration: config, clientID: "svc")
        #expect(settings.bootstrapServers == "k1:9092,k2:9092")
        #expect(settings.topics.ballotsAccepted == "staging.scms.ballots.accepted")
        #expect(settings.topics.groupID(ConsumerGroups.quorumValidator) == "staging.scms-quorum-validator")
        #expect(settings.reconnectBackoff == .milliseconds(20))
        #expect(settings.reconnectBackoffMax == .seconds(2))
        #expect(settings.properties == ["security.protocol": "SASL_SSL", "sasl.password": "p#ss"])
        let consumer = settings.consumer(group: ConsumerGroups.quorumValidator)
        #expect(consumer.groupID == "staging.scms-quorum-validator")
        #expect(consumer[property: "security.protocol"] == "SASL_SSL")
        #expect(consumer.enableAutoCommit == false)
        let producer = settings.producer(messageMaxBytes: Topics.maxGCCFRecordBytes)
        #expect(producer.idempotence && producer.acks == .all)
        #expect(producer.messageMaxBytes == Topics.maxGCCFRecordBytes)
        #expect(producer[property: "sasl.password"] == "p#ss")
        #expect(settings.topics.specs.map(\.name) == Topics.all.map { "staging." + $0.name })
    }

    @Test func refusesAnEmptyBootstrapAndBadDurations() throws {
        let empty = try ConfigurationSource(schema: Self.schema, flags: ["bootstrap-servers": " "])
        #expect(throws: ConfigurationError.self) { try KafkaSettings(configuration: empty, clientID: "x") }
        let bad = try ConfigurationSource(schema: Self.schema, flags: ["kafka-reconnect-backoff": "soon"])
        let error = try #require(throws: ConfigurationError.self) { try KafkaSettings(configuration: bad, clientID: "x") }
        #expect(error.code == .invalidValue && error.key == "kafka-reconnect-backoff")
    }

    @Test func readinessGateWaitsForEveryCondition() async throws {
        let gate = ReadinessGate(["gccf", "policy"])
        #expect(!gate.isReady && gate.pending == ["gccf", "policy"])
        #expect(!gate.healthCheck().isHealthy)
        let waiter = Task { try await gate.wait(interval: .milliseconds(1)) }
        gate.markReady("policy")
        #expect(!gate.isReady)
        gate.markReady("gccf")
        try await waiter.value
        #expect(gate.healthCheck().isHealthy)
    }
}

/// StreamProcessor and TopicFollower against an scms-devbroker process.
@Suite(.serialized) struct PipelineKafkaTests {
    static func settings(_ broker: DevBrokerProcess, prefix: String = "") -> KafkaSettings {
        KafkaSettings(bootstrapServers: broker.bootstrapServers, clientID: "pipeline-test", topicPrefix: prefix,
                      reconnectBackoff: .milliseconds(10), reconnectBackoffMax: .milliseconds(100))
    }

    static func produce(_ broker: DevBrokerProcess, _ messages: [OutgoingMessage]) async throws {
        let producer = try KafkaProducer(configuration: settings(broker).producer())
        for message in messages { _ = try await producer.send(message) }
        await producer.close()
    }

    static func read(_ broker: DevBrokerProcess, _ topic: String) async throws -> [ConsumedMessage] {
        let out = Mutex<[ConsumedMessage]>([])
        try await TopicFollower(topics: [topic], settings: settings(broker), logger: Logger(label: "t")).readToEnd { record in
            out.withLock { $0.append(record) }
        }
        return out.withLock { $0 }
    }

    final class Seen: Sendable {
        private let items = Mutex<[String]>([])
        func append(_ item: String) { items.withLock { $0.append(item) } }
        func reset() { items.withLock { $0 = [] } }
        var all: [String] { items.withLock { $0 } }
    }

    /// Upper-cases values into `out`; a value "boom" makes it throw (a poison record).
    struct Upper: StreamHandler {
        let out: String
        let rejected: String
        let seen: Seen

        func process(_ record: ConsumedMessage) async throws -> [OutgoingMessage] {
            let text = String(decoding: record.value ?? [], as: UTF8.self)
            seen.append(text)
            if text == "boom" { throw CocoaError(.featureUnsupported) }
            return [OutgoingMessage(topic: out, key: record.key, value: Array(text.uppercased().utf8))]
        }

        func poisonOutputs(for record: ConsumedMessage, error: any Error) -> [OutgoingMessage] {
            [RejectionRecord(stage: .intake, reason: "internalError", detail: "\(error)", source: RecordPosition(record),
                             inputDigest: String(repeating: "0", count: 64), input: record.value).message(topic: rejected)]
        }
    }

    @Test("records → outputs acknowledged → offsets committed; poison records become rejections; stop commits; a new run resumes")
    func streamProcessorCommitsAfterOutputs() async throws {
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let control = DevBrokerControl(socketPath: broker.controlSocketPath)
        try await control.createTopic("in", partitions: 2)
        try await control.createTopic("out", partitions: 2)
        try await control.createTopic("rejected", partitions: 1)
        let inputs = ["a", "b", "boom", "c", "d", "e"]
        try await Self.produce(broker, inputs.enumerated().map {
            OutgoingMessage(topic: "in", key: Array("k\($0.offset)".utf8), value: Array($0.element.utf8))
        })

        let seen = Seen()
        let handler = Upper(out: "out", rejected: "rejected", seen: seen)
        var configuration = StreamProcessorConfiguration(inputTopics: ["in"], group: "g")
        configuration.sessionTimeout = .seconds(6)
        let registry = MetricsRegistry()
        let processor = StreamProcessor(configuration: configuration, settings: Self.settings(broker), handler: handler,
                                        logger: Logger(label: "t"), registry: registry)
        let run = Task { try await processor.run() }
        let deadline = ContinuousClock.now + .seconds(30)
        while processor.status.processed < Int64(inputs.count) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        processor.stop()
        try await run.value
        #expect(processor.status.processed == Int64(inputs.count))
        #expect(processor.status.poison == 1)
        #expect(!processor.status.running)

        let outputs = try await Self.read(broker, "out").map { String(decoding: $0.value ?? [], as: UTF8.self) }
        #expect(outputs.sorted() == ["A", "B", "C", "D", "E"])
        let rejections = try await Self.read(broker, "rejected").compactMap(RejectionRecord.init)
        #expect(rejections.map(\.reason) == ["internalError"])
        #expect(rejections.first?.input == Array("boom".utf8))

        let admin = try KafkaAdmin(configuration: Self.settings(broker).admin())
        let partitions = [TopicPartition("in", 0), TopicPartition("in", 1)]
        let marks = try await admin.watermarks(for: partitions)
        let committed = try await admin.committedOffsets(group: "g", partitions: partitions)
        for partition in partitions {
            #expect(committed[partition] == .some(marks[partition]?.high), "\(partition)")
        }
        #expect((IVMetric.value(registry.render(), "scms_pipeline_commits_total") ?? 0) >= 1)

        // A second run of the same group resumes after the committed offsets: only the new record is processed.
        try await Self.produce(broker, [OutgoingMessage(topic: "in", key: Array("k9".utf8), value: Array("f".utf8))])
        seen.reset()
        let again = StreamProcessor(configuration: configuration, settings: Self.settings(broker), handler: handler,
                                    logger: Logger(label: "t"), registry: MetricsRegistry())
        let rerun = Task { try await again.run() }
        let deadline2 = ContinuousClock.now + .seconds(30)
        while again.status.processed < 1 && ContinuousClock.now < deadline2 { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(300))
        again.stop()
        try await rerun.value
        #expect(seen.all == ["f"])
    }

    @Test("TopicFollower reports caught up at the start-time end of every partition, then keeps following")
    func followerCatchesUpAndFollows() async throws {
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let control = DevBrokerControl(socketPath: broker.controlSocketPath)
        try await control.createTopic("f", partitions: 3)
        try await control.createTopic("empty", partitions: 2)
        try await Self.produce(broker, (0..<9).map {
            OutgoingMessage(topic: "f", partition: Int32($0 % 2), key: nil, value: Array("r\($0)".utf8))
        })
        let follower = TopicFollower(topics: ["f", "empty"], settings: Self.settings(broker), logger: Logger(label: "t"))
        let events = Mutex<[String]>([])
        let run = Task {
            try await follower.run(onCaughtUp: { events.withLock { $0.append("caught-up") } }) { record in
                events.withLock { $0.append(String(decoding: record.value ?? [], as: UTF8.self)) }
            }
        }
        let deadline = ContinuousClock.now + .seconds(20)
        while !follower.isCaughtUp && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(follower.isCaughtUp)
        var snapshot = events.withLock { $0 }
        #expect(snapshot.last == "caught-up")
        #expect(Set(snapshot.dropLast()) == Set((0..<9).map { "r\($0)" }))
        try await Self.produce(broker, [OutgoingMessage(topic: "f", partition: 2, key: nil, value: Array("live".utf8))])
        while events.withLock({ $0.count }) < 11 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        follower.stop()
        try await run.value
        snapshot = events.withLock { $0 }
        #expect(snapshot.last == "live")
        #expect(follower.deliveredCount == 10)

        let count = try await TopicFollower(topics: ["f"], settings: Self.settings(broker), logger: Logger(label: "t"))
            .readToEnd { _ in }
        #expect(count == 10)
        let none = try await TopicFollower(topics: ["empty"], settings: Self.settings(broker), logger: Logger(label: "t"))
            .readToEnd { _ in }
        #expect(none == 0)
    }
}

enum IVMetric {
    /// The first sample of `name` in Prometheus text.
    static func value(_ text: String, _ name: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return nil
    }
}
