import CKafkaReference
import Dispatch
import Foundation
import Kafka
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `kafka`: the wrapper's produce and consume rates against a `scms-devbroker` process, next to plain C
/// librdkafka loops (`Benchmarks/CKafkaReference`) doing the same work in the same run. Each round
/// produces `records` keyed 64-byte records with one header to a fresh 16-partition topic, once per
/// client, then reads each topic back from the beginning; the best of `rounds` counts, because the
/// machine is shared and noisy. Floor: 0.8× C. `KAFKA_BENCH_DEBUG=1` prints every round.
enum KafkaSuite {
    static let records = 200_000
    static let valueSize = 64
    static let partitions: Int32 = 16
    static let rounds = 7
    static let debug = ProcessInfo.processInfo.environment["KAFKA_BENCH_DEBUG"] != nil

    static func run(_ report: inout BenchReport) throws {
        let broker = try BenchBroker.start()
        defer { broker.stop() }
        let control = DevBrokerControl(socketPath: broker.directory + "/control.sock")
        var best = (cProduce: 0.0, swiftProduce: 0.0, cConsume: 0.0, swiftConsume: 0.0)
        for round in 0..<rounds {
            let cTopic = "bench.c.\(round)", swiftTopic = "bench.swift.\(round)"
            try blocking {
                try await control.createTopic(cTopic, partitions: partitions)
                try await control.createTopic(swiftTopic, partitions: partitions)
            }
            // Alternate the order so neither side always runs on a warmer (or busier) machine.
            let cFirst = round % 2 == 0
            for side in cFirst ? [true, false] : [false, true] {
                if side {
                    best.cProduce = max(best.cProduce, try cProduce(broker.bootstrap, cTopic))
                } else {
                    best.swiftProduce = max(best.swiftProduce, try blocking { try await swiftProduce(broker.bootstrap, swiftTopic) })
                }
            }
            for side in cFirst ? [false, true] : [true, false] {
                if side {
                    best.cConsume = max(best.cConsume, try cConsume(broker.bootstrap, cTopic))
                } else {
                    best.swiftConsume = max(best.swiftConsume, try blocking { try await swiftConsume(broker.bootstrap, swiftTopic) })
                }
            }
        }
        report.record(metric: "kafka produce \(records / 1000)k x \(valueSize) B (key+header)", value: best.swiftProduce,
                      unit: "msg/s", reference: best.cProduce, referenceLabel: "C librdkafka loop", floor: 0.8)
        report.record(metric: "kafka consume \(records / 1000)k x \(valueSize) B (key+header)", value: best.swiftConsume,
                      unit: "msg/s", reference: best.cConsume, referenceLabel: "C librdkafka loop", floor: 0.8)
    }

    // MARK: C reference

    private static func cProduce(_ bootstrap: String, _ topic: String) throws -> Double {
        var result = ckref_result()
        guard ckref_produce(bootstrap, topic, records, Int32(valueSize), &result) == 0, result.failed == 0 else {
            throw BenchFailure("C produce: \(errorText(&result)) (failed \(result.failed))")
        }
        if debug { print("  c produce round: \(Double(result.delivered) / result.seconds)") }
        return Double(result.delivered) / result.seconds
    }

    private static func cConsume(_ bootstrap: String, _ topic: String) throws -> Double {
        var result = ckref_result()
        guard ckref_consume(bootstrap, topic, partitions, records, &result) == 0 else {
            throw BenchFailure("C consume: \(errorText(&result))")
        }
        if debug { print("  c consume round: \(Double(result.delivered) / result.seconds)") }
        return Double(result.delivered) / result.seconds
    }

    private static func errorText(_ result: inout ckref_result) -> String {
        withUnsafeBytes(of: &result.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    // MARK: Wrapper

    private static func swiftProduce(_ bootstrap: String, _ topic: String) async throws -> Double {
        let counts = DeliveryCounts()
        var configuration = ProducerConfiguration(bootstrapServers: bootstrap)
        configuration.client.logLevel = 3
        configuration.onDelivery = { result in
            if case .success = result { counts.delivered.add(1, ordering: .relaxed) } else { counts.failed.add(1, ordering: .relaxed) }
        }
        let producer = try KafkaProducer(configuration: configuration)
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueSize)
        let keys = (0..<1024).map { Array("key-\($0)".utf8) }
        _ = try await producer.send(OutgoingMessage(topic: topic, key: keys[0], value: value))  // warm-up
        let start = ContinuousClock.now
        for i in 0..<records {
            let seq = withUnsafeBytes(of: UInt64(i).bigEndian, Array.init)
            try await producer.enqueue(OutgoingMessage(topic: topic, key: keys[i % 1024], value: value,
                                                       headers: [KafkaHeader("seq", seq)]))
        }
        try await producer.flush(timeout: .seconds(60))
        let elapsed = start.duration(to: .now)
        await producer.close()
        if debug { print("  swift produce round: \(Double(counts.delivered.load(ordering: .relaxed)) / elapsed.seconds)") }
        guard counts.failed.load(ordering: .relaxed) == 0 else { throw BenchFailure("wrapper produce: \(counts.failed.load(ordering: .relaxed)) failed") }
        return Double(counts.delivered.load(ordering: .relaxed)) / elapsed.seconds
    }

    private static func swiftConsume(_ bootstrap: String, _ topic: String) async throws -> Double {
        var configuration = ConsumerConfiguration(bootstrapServers: bootstrap, groupID: "bench-\(UInt32.random(in: 0...UInt32.max))")
        configuration.client.logLevel = 3
        let consumer = try KafkaConsumer(configuration: configuration)
        let start = ContinuousClock.now
        try await consumer.assign((0..<partitions).map { TopicPartitionOffset(topic, $0, .beginning) })
        // Ends the read if the records never all arrive: closing the consumer ends `messages`.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            await consumer.close()
        }
        var count = 0
        var checksum = 0
        for try await message in consumer.messages {
            count += 1
            checksum &+= (message.value?.count ?? 0) + (message.key?.count ?? 0) + (message.headers.first?.value?.count ?? 0)
            if count == records { break }
        }
        let elapsed = start.duration(to: .now)
        watchdog.cancel()
        await consumer.close()
        if debug { print("  swift consume round: \(Double(count) / elapsed.seconds)") }
        guard count == records, checksum > 0 else { throw BenchFailure("wrapper consume: read \(count) of \(records)") }
        return Double(count) / elapsed.seconds
    }
}

/// Delivery counters shared with the producer's report handler.
private final class DeliveryCounts: Sendable {
    let delivered = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
}

private extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs async work from the synchronous suite entry point and waits for it on this thread.
private func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        box.withLock { $0 = result }
        done.signal()
    }
    done.wait()
    return try box.withLock { $0! }.get()
}

/// A `scms-devbroker` process next to this executable, in a temporary directory.
private struct BenchBroker {
    let process: Process
    let directory: String
    let bootstrap: String

    static func start() throws -> BenchBroker {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("scms-devbroker")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw BenchFailure("\(executable.path) not found: build the package first")
        }
        var template = Array("/tmp/scms-bench-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw BenchFailure("mkdtemp failed") }
        let directory = String(cString: created)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--dir", directory, "--exit-on-stdin-eof"]
        process.standardInput = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<500 {
            if let text = try? String(contentsOfFile: directory + "/bootstrap.servers", encoding: .utf8),
               !text.isEmpty {
                return BenchBroker(process: process, directory: directory,
                                   bootstrap: text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            usleep(20_000)
        }
        process.terminate()
        throw BenchFailure("scms-devbroker did not start")
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
