import Foundation
import Kafka
import Testing
import TestSupport

@Suite("Produce and consume against scms-devbroker")
struct ProduceConsumeTests {
    @Test("round trip keeps keys, values, headers, empty values and tombstones")
    func roundTrip() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("roundtrip")
            try await control.createTopic(topic, partitions: 3)
            let producer = try KafkaProducer(configuration: producerConfiguration(broker))
            var sent: [OutgoingMessage] = []
            for i in 0..<30 {
                let headers = [KafkaHeader("seq", text: String(i)), KafkaHeader("kind", text: i % 2 == 0 ? "even" : "odd"),
                               KafkaHeader("null-valued", nil)]
                let value: [UInt8]? = i == 7 ? nil : (i == 8 ? [] : bytes("value-\(i)") + [0, 255, UInt8(i)])
                sent.append(OutgoingMessage(topic: topic, partition: Int32(i % 3), key: bytes("key-\(i)"), value: value,
                                            headers: headers))
            }
            var reports: [DeliveryReport] = []
            for message in sent { reports.append(try await producer.send(message)) }
            await producer.close()
            #expect(reports.allSatisfy { $0.topic == topic && $0.offset != nil })

            let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker))
            try await consumer.assign((0..<3).map { TopicPartitionOffset(topic, $0, .beginning) })
            let received = try await collect(consumer, count: sent.count)
            await consumer.close()
            #expect(received.count == sent.count)
            let byKey = Dictionary(uniqueKeysWithValues: received.map { ($0.key ?? [], $0) })
            for (message, report) in zip(sent, reports) {
                let got = try #require(byKey[message.key ?? []])
                #expect(got.value == message.value)
                #expect(got.headers == message.headers)
                #expect(got.partition == message.partition)
                #expect(got.offset == report.offset)
                #expect(got.timestamp != nil)
            }
            #expect(byKey[bytes("key-7")]?.isTombstone == true)
            #expect(byKey[bytes("key-8")]?.value == [])
        }
    }

    @Test("headers to a partition that does not exist fail cleanly (2.0.2 header double free avoided)")
    func headersToMissingPartition() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("badpartition")
            try await control.createTopic(topic, partitions: 2)
            let producer = try KafkaProducer(configuration: producerConfiguration(broker))
            // Learn the topic's metadata first, so the partitioner can reject partition 9 synchronously.
            _ = try await producer.send(OutgoingMessage(topic: topic, partition: 0, value: bytes("warm-up")))
            for _ in 0..<20 {
                let message = OutgoingMessage(topic: topic, partition: 9, key: bytes("k"), value: bytes("v"),
                                              headers: [KafkaHeader("a", text: "1"), KafkaHeader("b", text: "2")])
                let error = await #expect(throws: KafkaError.self) { try await producer.send(message) }
                #expect(error?.code == .unknownPartition)
            }
            #expect(producer.inFlightCount == 0)
            _ = try await producer.send(OutgoingMessage(topic: topic, partition: 1, value: bytes("still works"),
                                                        headers: [KafkaHeader("a", text: "1")]))
            await producer.close()
        }
    }

    @Test("back-pressure: never more than maxInFlight records outstanding")
    func backPressure() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("backpressure")
            try await control.createTopic(topic, partitions: 1)
            var configuration = producerConfiguration(broker)
            configuration.maxInFlight = 8
            let producer = try KafkaProducer(configuration: configuration)
            _ = try await producer.send(OutgoingMessage(topic: topic, value: bytes("warm-up")))
            try await control.setRoundTripTime(broker: 1, milliseconds: 20)
            let delivered = Recorder<Int64>()
            var highest = 0
            for i in 0..<100 {
                try await producer.enqueue(OutgoingMessage(topic: topic, value: bytes("m\(i)"))) { result in
                    if case .success(let report) = result, let offset = report.offset { delivered.append(offset) }
                }
                highest = max(highest, producer.inFlightCount)
            }
            try await producer.flush(timeout: .seconds(30))
            try await control.setRoundTripTime(broker: 1, milliseconds: 0)
            await producer.close()
            #expect(highest <= 8)
            #expect(highest >= 2)
            #expect(Set(delivered.all).count == 100)
        }
    }

    @Test("flush honours its deadline while the broker is down, then completes")
    func flushDeadline() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("flush")
            try await control.createTopic(topic, partitions: 1)
            let producer = try KafkaProducer(configuration: producerConfiguration(broker))
            _ = try await producer.send(OutgoingMessage(topic: topic, value: bytes("warm-up")))
            try await control.setBrokerDown(1)
            let report = Recorder<Result<DeliveryReport, KafkaError>>()
            try await producer.enqueue(OutgoingMessage(topic: topic, value: bytes("waits"))) { report.append($0) }
            let error = await #expect(throws: KafkaError.self) { try await producer.flush(timeout: .milliseconds(300)) }
            #expect(error?.code == .timedOut)
            #expect(report.count == 0)
            try await control.setBrokerUp(1)
            try await producer.flush(timeout: .seconds(20))
            await producer.close()
            #expect(report.count == 1)
            if case .success(let r)? = report.all.first { #expect(r.offset == 1) } else { Issue.record("not delivered") }
        }
    }

    @Test("seek, pause and resume: no record skipped or repeated")
    func seekPauseResume() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("seek")
            try await control.createTopic(topic, partitions: 1)
            let producer = try KafkaProducer(configuration: producerConfiguration(broker))
            for i in 0..<100 {
                try await producer.enqueue(OutgoingMessage(topic: topic, value: bytes("\(i)"))) { _ in }
            }
            try await producer.flush(timeout: .seconds(10))
            await producer.close()

            let tp = TopicPartition(topic, 0)
            let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker))
            try await consumer.assign([TopicPartitionOffset(tp, .beginning)])
            let first = try await collect(consumer, count: 10)
            #expect(first.map(\.offset) == Array(0..<10))
            try await consumer.seek([TopicPartitionOffset(tp, .exactly(5))])
            let afterSeek = try await collect(consumer, count: 10)
            #expect(afterSeek.map(\.offset) == Array(5..<15))
            try await consumer.pause([tp])
            #expect(try await consumer.poll(timeout: .milliseconds(300)) == nil)
            try await consumer.resume([tp])
            let rest = try await collect(consumer, count: 85)
            #expect(rest.map(\.offset) == Array(15..<100))
            await consumer.close()
        }
    }
}
