import Foundation
@testable import Kafka
import Synchronization
import Testing
import TestSupport

@Suite("Configuration and errors")
struct ConfigurationTests {
    /// Nothing listens here; constructing clients never needs a connection.
    let nowhere = "127.0.0.1:1"

    @Test("an unknown property fails at construction with librdkafka's message")
    func unknownProperty() {
        var configuration = ProducerConfiguration(bootstrapServers: nowhere)
        configuration[property: "no.such.property"] = "1"
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(configuration: configuration) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("No such configuration property") == true)
        #expect(error?.message.contains("no.such.property") == true)
    }

    @Test("an invalid value fails at construction", arguments: [("acks", "banana"), ("linger.ms", "-5"),
                                                                  ("compression.codec", "brotli")])
    func invalidValue(property: String, value: String) {
        var configuration = ProducerConfiguration(bootstrapServers: nowhere)
        configuration[property: property] = value
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(configuration: configuration) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.hasPrefix("\(property)=\(value)") == true)
    }

    @Test("a conflicting combination is refused by rd_kafka_new with its message")
    func conflict() {
        var configuration = ProducerConfiguration(bootstrapServers: nowhere)
        configuration.acks = .leader   // idempotence (the default) requires acks=all
        let error = #expect(throws: KafkaError.self) { try KafkaProducer(configuration: configuration) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("acks") == true)
    }

    @Test("TLS and SASL properties pass through untouched")
    func securityPassThrough() async throws {
        var configuration = ConsumerConfiguration(bootstrapServers: nowhere, groupID: "g")
        configuration.client.securityProtocol = .saslSSL
        configuration[property: "sasl.mechanism"] = "SCRAM-SHA-512"
        configuration[property: "sasl.username"] = "elector"
        configuration[property: "sasl.password"] = "s3cret"
        configuration[property: "ssl.endpoint.identification.algorithm"] = "https"
        let properties = configuration.properties()
        #expect(properties.contains { $0 == ("security.protocol", "sasl_ssl") })
        #expect(properties.contains { $0 == ("sasl.password", "s3cret") })
        let consumer = try KafkaConsumer(configuration: configuration)
        await consumer.close()
        // A raw property wins over the typed one (it comes last).
        configuration[property: "security.protocol"] = "plaintext"
        #expect(configuration.properties().last { $0.0 == "security.protocol" }?.1 == "plaintext")
    }

    @Test("producer defaults: idempotence on, bounded queue")
    func producerDefaults() {
        let properties = Dictionary(ProducerConfiguration(bootstrapServers: nowhere).properties(), uniquingKeysWith: { $1 })
        #expect(properties["enable.idempotence"] == "true")
        // The wrapper bounds in-flight records at maxInFlight (100,000); librdkafka's queue gets twice that.
        #expect(properties["queue.buffering.max.messages"] == "200000")
    }

    @Test("consumer without group.id cannot subscribe")
    func subscribeNeedsGroup() async throws {
        let consumer = try KafkaConsumer(configuration: ConsumerConfiguration(bootstrapServers: nowhere))
        let error = await #expect(throws: KafkaError.self) { try await consumer.subscribe(topics: ["t"]) }
        #expect(error?.code == .invalidArgument)
        await consumer.close()
    }

    @Test("error codes and API keys by name")
    func names() {
        #expect(KafkaError.Code("NOT_LEADER_FOR_PARTITION")?.rawValue == 6)
        #expect(KafkaError.Code("_TRANSPORT") == .transport)
        #expect(KafkaError.Code("RD_KAFKA_RESP_ERR__TIMED_OUT") == .timedOut)
        #expect(KafkaError.Code("-165") == .unsupportedByBroker)
        #expect(KafkaError.Code("NO_SUCH_ERROR") == nil)
        #expect(KafkaError.Code.unsupportedByBroker.name == "_UNSUPPORTED_FEATURE")
        #expect(KafkaAPI("Produce") == .produce)
        #expect(KafkaAPI("offsetcommit") == .offsetCommit)
        #expect(KafkaAPI("18") == .apiVersions)
        #expect(KafkaAPI("Bogus") == nil)
    }

    @Test("durations become whole milliseconds, rounded up")
    func milliseconds() {
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.microseconds(1).milliseconds == 1)
        #expect(Duration.seconds(0).milliseconds == 0)
        #expect(Duration.seconds(1_000_000_000).timeoutMilliseconds == Int32.max)
    }

    @Test("statistics arrive parsed, with per-partition counters", .timeLimit(.minutes(1)))
    func statistics() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("stats")
            try await control.createTopic(topic, partitions: 2)
            let seen = Recorder<KafkaStatistics>()
            var configuration = producerConfiguration(broker)
            configuration.client.statisticsInterval = .seconds(1)
            configuration.client.onStatistics = { seen.append($0) }
            let producer = try KafkaProducer(configuration: configuration)
            for i in 0..<10 { _ = try await producer.send(OutgoingMessage(topic: topic, partition: Int32(i % 2), value: bytes("\(i)"))) }
            let arrived = await eventually(timeout: .seconds(10)) {
                seen.all.contains { ($0.messagesSent ?? 0) >= 10 && $0.topics[topic] != nil }
            }
            await producer.close()
            #expect(arrived)
            let statistics = try #require(seen.all.last { ($0.messagesSent ?? 0) >= 10 })
            #expect(statistics.type == "producer")
            #expect(statistics.brokers.values.contains { $0.nodeID == 1 && $0.state == "UP" })
            let partitions = try #require(statistics.topics[topic]?.partitions)
            #expect(partitions[0]?.messagesSent == 5)
            #expect(partitions[1]?.messagesSent == 5)
        }
    }
}
