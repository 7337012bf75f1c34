import Foundation
import Kafka
import Testing
import TestSupport

@Suite("scms-devbroker process")
struct DevBrokerTests {
    @Test("publishes bootstrap servers and pid, serves N brokers, stops cleanly on SIGTERM")
    func lifecycle() async throws {
        let broker = try await DevBrokerProcess.start(brokers: 3)
        let directory = broker.directory
        let files = ["bootstrap.servers", "devbroker.pid", "control.sock"].map { directory.appendingPathComponent($0).path }
        do {
            let pid = try String(contentsOfFile: files[1], encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(pid == String(broker.pid))
            #expect(broker.bootstrapServers.split(separator: ",").count == 3)
            #expect(broker.bootstrapServers.split(separator: ",").allSatisfy { $0.hasPrefix("127.0.0.1:") })
            let admin = try KafkaAdmin(configuration: adminConfiguration(broker))
            let metadata = try await admin.metadata()
            #expect(metadata.brokers.count == 3)
            let topics = try await DevBrokerControl(socketPath: broker.controlSocketPath).topics()
            #expect(Dictionary(uniqueKeysWithValues: metadata.topics.map { ($0.name, Int32($0.partitions.count)) }) == topics)
        } catch {
            await broker.stop()
            throw error
        }
        let status = await broker.stop(keepDirectory: true)
        #expect(status == 0)
        for file in files { #expect(!FileManager.default.fileExists(atPath: file), "\(file) left behind") }
        #expect(broker.log.contains("\"msg\":\"stopped\""))
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("usage errors exit 64", arguments: [["--brokers", "2"], ["--dir", "/tmp/x", "--brokers", "4"], ["--bogus"]])
    func usageErrors(arguments: [String]) throws {
        let process = Process()
        process.executableURL = try Binaries.url("scms-devbroker")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 64)
    }
}
