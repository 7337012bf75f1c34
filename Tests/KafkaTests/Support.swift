import Foundation
import Kafka
import Synchronization
import Testing
import TestSupport

/// A producer configuration for tests: fast reconnects, short linger.
func producerConfiguration(_ broker: DevBrokerProcess) -> ProducerConfiguration {
    var configuration = ProducerConfiguration(bootstrapServers: broker.bootstrapServers)
    configuration.client.reconnectBackoff = .milliseconds(10)
    configuration.client.reconnectBackoffMax = .milliseconds(100)
    configuration.linger = .milliseconds(1)
    configuration.client.onLog = { _ in }
    return configuration
}

/// A consumer configuration for tests.
func consumerConfiguration(_ broker: DevBrokerProcess, group: String? = nil) -> ConsumerConfiguration {
    var configuration = ConsumerConfiguration(bootstrapServers: broker.bootstrapServers, groupID: group)
    configuration.client.reconnectBackoff = .milliseconds(10)
    configuration.client.reconnectBackoffMax = .milliseconds(100)
    configuration.client.onLog = { _ in }
    return configuration
}

/// An admin configuration for tests.
func adminConfiguration(_ broker: DevBrokerProcess) -> AdminConfiguration {
    var configuration = AdminConfiguration(bootstrapServers: broker.bootstrapServers)
    configuration.client.onLog = { _ in }
    return configuration
}

/// A topic name no other test uses.
func uniqueTopic(_ stem: String) -> String { "test.\(stem).\(UInt32.random(in: 0...UInt32.max))" }

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Reads records until `count` arrived or `timeout` passed without any.
func collect(_ consumer: KafkaConsumer, count: Int, idle timeout: Duration = .seconds(10)) async throws -> [ConsumedMessage] {
    var out: [ConsumedMessage] = []
    while out.count < count, let message = try await consumer.poll(timeout: timeout) {
        out.append(message)
    }
    return out
}

/// A thread-safe collection for callbacks.
final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])
    func append(_ item: Element) { items.withLock { $0.append(item) } }
    var all: [Element] { items.withLock { $0 } }
    var count: Int { items.withLock { $0.count } }
}

/// Polls `condition` until true or `timeout`; returns the last value.
func eventually(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
