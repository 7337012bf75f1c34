import Foundation
import Kafka
import Testing
import TestSupport

/// Runs a command, feeding `input` on stdin, and returns its stdout.
private func run(_ path: String, _ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let stdout = Pipe()
    process.standardOutput = stdout
    process.standardError = FileHandle.nullDevice
    let stdin = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
    try process.run()
    if let input {
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
    }
    let data = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// kcat from the Debian package (deploy/dev/bootstrap installs it).
private let kcat = ["/usr/bin/kcat", "/usr/local/bin/kcat", "/usr/bin/kafkacat"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

@Suite("kcat interoperability")
struct InteropTests {
    @Test("kcat reads what the wrapper wrote: keys, values, headers, partitions, offsets")
    func kcatReadsWrapper() async throws {
        let kcat = try #require(kcat, "kcat is not installed (run deploy/dev/bootstrap)")
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("tokcat")
            try await control.createTopic(topic, partitions: 2)
            let producer = try KafkaProducer(configuration: producerConfiguration(broker))
            var sent: [String: (DeliveryReport, OutgoingMessage)] = [:]
            for i in 0..<10 {
                let message = OutgoingMessage(topic: topic, key: bytes("key-\(i)"), value: bytes("value \(i)"),
                                              headers: [KafkaHeader("origin", text: "swift"), KafkaHeader("n", text: "\(i)")])
                sent["key-\(i)"] = (try await producer.send(message), message)
            }
            await producer.close()
            let (status, output) = try run(kcat, ["-b", broker.bootstrapServers, "-C", "-t", topic, "-o", "beginning",
                                                  "-e", "-J", "-q"])
            #expect(status == 0)
            let lines = output.split(separator: "\n")
            #expect(lines.count == 10)
            for line in lines {
                let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let key = try #require(record["key"] as? String)
                let (report, message) = try #require(sent[key])
                #expect(record["payload"] as? String == String(decoding: message.value ?? [], as: UTF8.self))
                #expect(record["partition"] as? Int == Int(report.partition))
                #expect((record["offset"] as? Int).map(Int64.init) == report.offset)
                // kcat prints headers as a flat [name, value, name, value…] array.
                let headers = try #require(record["headers"] as? [String])
                #expect(headers == message.headers.flatMap { [$0.key, String(decoding: $0.value ?? [], as: UTF8.self)] })
            }
        }
    }

    @Test("the wrapper reads what kcat wrote: keys, values, headers")
    func wrapperReadsKcat() async throws {
        let kcat = try #require(kcat, "kcat is not installed (run deploy/dev/bootstrap)")
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let topic = uniqueTopic("fromkcat")
            try await control.createTopic(topic, partitions: 1)
            let input = (0..<8).map { "k\($0):v\($0)" }.joined(separator: "\n") + "\n"
            let (status, _) = try run(kcat, ["-b", broker.bootstrapServers, "-P", "-t", topic, "-p", "0", "-K", ":",
                                             "-H", "origin=kcat", "-H", "second=2"], input: input)
            #expect(status == 0)
            let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker))
            try await consumer.assign([TopicPartitionOffset(topic, 0, .beginning)])
            let records = try await collect(consumer, count: 8)
            await consumer.close()
            #expect(records.map { String(decoding: $0.key ?? [], as: UTF8.self) } == (0..<8).map { "k\($0)" })
            #expect(records.map { String(decoding: $0.value ?? [], as: UTF8.self) } == (0..<8).map { "v\($0)" })
            #expect(records.map(\.offset) == Array(0..<8))
            for record in records {
                #expect(record.headers == [KafkaHeader("origin", text: "kcat"), KafkaHeader("second", text: "2")])
            }
        }
    }
}
