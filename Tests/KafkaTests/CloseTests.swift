import Foundation
import Kafka
import Testing
import TestSupport

/// Closing clients whose broker went away is bounded by their close timeout.
@Suite("Close with the broker gone")
struct CloseTests {
    @Test("a group consumer and a producer with a record in flight close within their close timeout after the broker went away")
    func closeWithBrokerGone() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("closegone")
            try await control.createTopic(topic, partitions: 1)
            let closeTimeout = Duration.seconds(2)
            var producerSettings = producerConfiguration(broker)
            producerSettings.client.closeTimeout = closeTimeout
            let producer = try KafkaProducer(configuration: producerSettings)
            _ = try await producer.send(OutgoingMessage(topic: topic, value: bytes("first")))

            var consumerSettings = consumerConfiguration(broker, group: "closegone-\(UInt32.random(in: 0...UInt32.max))")
            consumerSettings.client.closeTimeout = closeTimeout
            let revokes = Recorder<[TopicPartition]>()
            var consumer: KafkaConsumer? = try KafkaConsumer(configuration: consumerSettings)
            try await consumer?.subscribe(topics: [topic], rebalance: RebalanceHandler(onRevoke: { context, partitions in
                revokes.append(partitions)
                try? context.commit(Dictionary(uniqueKeysWithValues: partitions.map { ($0, 1) }))
            }))
            let first = try await consumer?.poll(timeout: .seconds(15))
            #expect(first?.value == bytes("first"))
            try await consumer?.commit([TopicPartition(topic, 0): 1])

            try await control.setBrokerDown(1)
            try await Task.sleep(for: .milliseconds(300))
            // A record that can no longer be delivered: its send waits until close purges it.
            let pending = Task { try await producer.send(OutgoingMessage(topic: topic, value: bytes("lost"))) }
            try await Task.sleep(for: .milliseconds(100))

            let clock = ContinuousClock()
            let closeOnly = await clock.measure { await consumer?.close() }
            let consumerClose = closeOnly + clock.measure { consumer = nil }   // destroys the handle
            let producerClose = await clock.measure { await producer.close() }
            let outcome = await pending.result
            print("close with the broker gone: consumer \(consumerClose) (close \(closeOnly)), producer \(producerClose)")
            #expect(consumerClose < closeTimeout + .seconds(2), "consumer close took \(consumerClose)")
            #expect(producerClose < closeTimeout + .seconds(2), "producer close took \(producerClose)")
            #expect(throws: KafkaError.self) { try outcome.get() }
            #expect(revokes.count == 1, "the revoke handler still ran once during close")
        }
    }
}
