import Foundation
import Kafka
import Testing
import TestSupport

@Suite("Faults driven through the dev broker's control socket")
struct FaultTests {
    /// Produces `count` numbered records, running `fault` once `faultAt` records are handed over.
    private func produceNumbered(_ producer: KafkaProducer, topic: String, count: Int, faultAt: Int,
                                 fault: () async throws -> Void) async throws -> Recorder<Result<DeliveryReport, KafkaError>> {
        let reports = Recorder<Result<DeliveryReport, KafkaError>>()
        for i in 0..<count {
            if i == faultAt { try await fault() }
            try await producer.enqueue(OutgoingMessage(topic: topic, key: bytes("k\(i % 17)"), value: bytes(String(i)),
                                                       headers: [KafkaHeader("seq", text: String(i))])) { reports.append($0) }
            if i % 100 == 99 { try await Task.sleep(for: .milliseconds(5)) }
        }
        try await producer.flush(timeout: .seconds(30))
        return reports
    }

    /// Reads the whole topic and returns the sequence numbers found, in read order.
    private func readAll(_ broker: DevBrokerProcess, topic: String, partitions: Int32, expect: Int) async throws -> [Int] {
        let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker))
        try await consumer.assign((0..<partitions).map { TopicPartitionOffset(topic, $0, .beginning) })
        let records = try await collect(consumer, count: expect + 1, idle: .seconds(2))
        await consumer.close()
        return records.compactMap { Int(String(decoding: $0.value ?? [], as: UTF8.self)) }
    }

    @Test("broker down and up during production: every record delivered exactly once", arguments: [1, 3])
    func brokerDownUp(brokers: Int) async throws {
        try await withDevBroker(brokers: brokers) { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("downup")
            try await control.createTopic(topic, partitions: 4, replicationFactor: Int16(brokers))
            let producer = try KafkaProducer(configuration: producerConfiguration(broker))
            let reports = try await produceNumbered(producer, topic: topic, count: 3000, faultAt: 1000) {
                for id in 1...Int32(brokers) { try await control.setBrokerDown(id) }
                Task {
                    try await Task.sleep(for: .milliseconds(700))
                    for id in 1...Int32(brokers) { try await control.setBrokerUp(id) }
                }
            }
            await producer.close()
            let failures = reports.all.compactMap { if case .failure(let e) = $0 { e } else { nil } }
            #expect(failures.isEmpty, "\(failures.prefix(3))")
            #expect(reports.count == 3000)
            let seen = try await readAll(broker, topic: topic, partitions: 4, expect: 3000)
            #expect(seen.count == 3000)
            #expect(Set(seen) == Set(0..<3000))
        }
    }

    @Test("retriable injected request errors are retried with no loss and no duplicates")
    func retriableErrors() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("retriable")
            try await control.createTopic(topic, partitions: 4)
            let producer = try KafkaProducer(configuration: producerConfiguration(broker))
            let reports = try await produceNumbered(producer, topic: topic, count: 2000, faultAt: 500) {
                for name in ["NOT_LEADER_FOR_PARTITION", "REQUEST_TIMED_OUT", "NOT_ENOUGH_REPLICAS", "_TRANSPORT"] {
                    try await control.injectErrors(api: .produce, code: try #require(KafkaError.Code(name)), count: 2)
                }
                try await control.injectBrokerError(broker: 1, api: .produce, code: .transport, roundTripMilliseconds: 50)
            }
            await producer.close()
            #expect(reports.all.allSatisfy { if case .success = $0 { true } else { false } })
            let seen = try await readAll(broker, topic: topic, partitions: 4, expect: 2000)
            #expect(seen.count == 2000)
            #expect(Set(seen) == Set(0..<2000))
        }
    }

    @Test("a non-retriable produce error reaches the caller as a typed KafkaError")
    func permanentError() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("permanent")
            try await control.createTopic(topic, partitions: 1)
            var configuration = producerConfiguration(broker)
            configuration.idempotence = false
            let producer = try KafkaProducer(configuration: configuration)
            _ = try await producer.send(OutgoingMessage(topic: topic, value: bytes("first")))
            let code = try #require(KafkaError.Code("TOPIC_AUTHORIZATION_FAILED"))
            try await control.injectErrors(api: .produce, code: code, count: 1)
            let error = await #expect(throws: KafkaError.self) {
                try await producer.send(OutgoingMessage(topic: topic, value: bytes("refused")))
            }
            #expect(error?.code == code)
            #expect(error?.name == "TOPIC_AUTHORIZATION_FAILED")
            #expect(error?.operation == "delivery")
            // librdkafka remembers the authorization failure for that topic until its next metadata refresh;
            // the producer itself stays usable.
            let other = uniqueTopic("permanent-other")
            try await control.createTopic(other, partitions: 1)
            let after = try await producer.send(OutgoingMessage(topic: other, value: bytes("after")))
            #expect(after.offset == 0)
            await producer.close()
        }
    }

    @Test("the control socket reports bad commands as errors")
    func controlErrors() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            try await control.ping()
            await #expect(throws: KafkaError.self) { try await control.send("down 7") }
            await #expect(throws: KafkaError.self) { try await control.send("error NoSuchApi 6 1") }
            await #expect(throws: KafkaError.self) { try await control.send("frobnicate") }
            #expect(try await control.send("ping") == "pong")
        }
    }
}
