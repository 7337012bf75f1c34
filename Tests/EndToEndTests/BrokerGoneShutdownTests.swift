import Foundation
import Kafka
import ServiceKit
import Testing
import TestSupport

/// A service whose broker went away after it had been consuming and producing still ends promptly on SIGTERM
/// with exit 0 (before, closing its Kafka handles waited on the unreachable broker and SIGTERM took over 20 s).
@Suite("SIGTERM ends a service promptly after its broker went away")
struct BrokerGoneShutdownTests {
    /// How long a service may take from SIGTERM to exit with its broker gone: the wrapper's close deadline
    /// (``ConsumerConfiguration/closeTimeout``, 10 s by default) plus a margin, well under the 20 s it took before.
    static let exitBound: Duration = .seconds(14)

    /// The service's log without the connection errors an absent broker causes, for failure messages.
    static func lifecycleLog(_ service: IV.ServiceProcess) -> String {
        service.log.split(separator: "\n").filter { !$0.contains("kafka client error") && !$0.hasPrefix("%") }
            .suffix(40).joined(separator: "\n")
    }

    /// Sends SIGTERM and returns the exit status and how long the exit took.
    static func terminateTimed(_ service: IV.ServiceProcess) async -> (status: Int32?, elapsed: Duration) {
        let start = ContinuousClock.now
        let status = await service.terminate(timeout: exitBound + .seconds(6))
        let elapsed = ContinuousClock.now - start
        print("\(service.name): SIGTERM with the broker gone → exit status \(status.map(String.init) ?? "none (killed)") after \(elapsed)")
        return (status, elapsed)
    }

    /// Takes the broker down, then SIGTERMs `service` and expects exit 0 within ``exitBound``.
    static func expectPromptExitWithBrokerGone(_ service: IV.ServiceProcess, broker: DevBrokerProcess) async throws {
        try await DevBrokerControl(socketPath: broker.controlSocketPath).setBrokerDown(1)
        try await Task.sleep(for: .milliseconds(500))
        let (status, elapsed) = await terminateTimed(service)
        #expect(status == 0, "SIGTERM with the broker gone (\(elapsed)):\n\(lifecycleLog(service))")
        #expect(elapsed < exitBound, "exit took \(elapsed):\n\(lifecycleLog(service))")
    }

    @Test("endorsement-intake: consumed and produced, broker taken down, SIGTERM exits 0 in time")
    func intakeExitsWithBrokerGone() async throws {
        try await withDevBroker { broker in
            let work = try IV.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let prefix = "gone."
            let topics = TopicNames(prefix: prefix)
            try await IV.createTopics(broker, prefix: prefix)
            let intake = try IV.ServiceProcess.start("endorsement-intake", name: "intake", directory: work,
                                                     arguments: IntakeValidatorTests.common(broker, prefix: prefix))
            try await intake.waitForLog("partitions assigned", timeout: .seconds(20))
            // Garbage is rejected: the intake consumes it and produces a rejection.
            try await IV.produce(broker, [IntakeValidatorTests.submitted(topics, Array("not a ballot".utf8))])
            let rejected = try await IV.waitForRecords(broker, topic: topics.ballotsRejected, timeout: .seconds(15)) {
                !$0.isEmpty
            }
            #expect(rejected.count == 1)

            try await Self.expectPromptExitWithBrokerGone(intake, broker: broker)
        }
    }

    @Test("quorum-validator: consumed and produced, broker taken down, SIGTERM exits 0 in time")
    func validatorExitsWithBrokerGone() async throws {
        try await withDevBroker { broker in
            let setup = try AssemblerExpiryTests.Setup()
            defer { try? FileManager.default.removeItem(at: setup.work) }
            let prefix = "gone-v."
            let topics = TopicNames(prefix: prefix)
            try await IV.createTopics(broker, prefix: prefix)
            let validator = try IV.ServiceProcess.start(
                "quorum-validator", name: "validator", directory: setup.work,
                arguments: IntakeValidatorTests.validatorArguments(broker, prefix: prefix, anchors: setup.anchorsDirectory,
                                                                   pgCert: setup.pgPath))
            // A record on scms.ballots.accepted that is no ballot: the validator consumes it and produces a rejection.
            try await IV.produce(broker, [OutgoingMessage(topic: topics.ballotsAccepted, key: Array("k".utf8),
                                                          value: Array("not a ballot".utf8))])
            let rejected = try await IV.waitForRecords(broker, topic: topics.ballotsRejected, timeout: .seconds(20)) {
                !$0.isEmpty
            }
            #expect(rejected.count == 1)
            try await Self.expectPromptExitWithBrokerGone(validator, broker: broker)
        }
    }

    @Test("lag-monitor: polled the broker, broker taken down, SIGTERM exits 0 in time")
    func lagMonitorExitsWithBrokerGone() async throws {
        try await withDevBroker { broker in
            let directory = try IV.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let topic = try await LagMonitorServiceTests.topic(broker, records: [3])
            let monitor = try LagMonitorServiceTests.monitor(broker, groups: ["gone-lag:\(topic)"], directory: directory)
            let deadline = ContinuousClock.now + .seconds(20)
            while !((try? monitor.get("/metrics"))?.contains("kafka_partition_latest_offset{") ?? false) {
                guard ContinuousClock.now < deadline else { throw HarnessError("lag-monitor never measured \(topic)") }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Self.expectPromptExitWithBrokerGone(monitor, broker: broker)
        }
    }

    @Test("gccf-assembler: active and published, broker taken down, SIGTERM exits 0 in time")
    func assemblerExitsWithBrokerGone() async throws {
        try await withDevBroker { broker in
            let setup = try AssemblerExpiryTests.Setup()
            defer { try? FileManager.default.removeItem(at: setup.work) }
            let prefix = "gone-a."
            let topics = TopicNames(prefix: prefix)
            try await IV.createTopics(broker, prefix: prefix)
            let assembler = try IV.ServiceProcess.start("gccf-assembler", name: "assembler", directory: setup.work,
                                                        arguments: setup.assemblerArguments(broker, prefix: prefix))
            let elector = try IV.elector("gone-a.test")
            try await IV.produce(broker, [AssemblerExpiryTests.validated(
                try IV.ballot(elector.certificate, by: Array(setup.anchors.prefix(2))), .addElector, topics: topics)])
            _ = try await AssemblerExpiryTests.waitForGCCF(broker, topics) { $0.certStore.electorEndorsements.count == 1 }

            try await Self.expectPromptExitWithBrokerGone(assembler, broker: broker)
        }
    }

    @Test("expiry-watcher: caught up, broker taken down, SIGTERM exits 0 in time")
    func watcherExitsWithBrokerGone() async throws {
        try await withDevBroker { broker in
            let directory = try IV.temporaryDirectory()
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("anchors"),
                                                    withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let anchor = try TestPKI.identity("gone.test", start: Clock32.now - 60, seconds: 86_400)
            try TestPKI.writeCertificates([anchor], to: directory.appendingPathComponent("anchors").path)

            let watcher = try IV.ServiceProcess.start("expiry-watcher", name: "expiry-watcher", directory: directory,
                                                      arguments: ["--bootstrap-servers", broker.bootstrapServers,
                                                                  "--anchors", directory.appendingPathComponent("anchors").path,
                                                                  "--kafka-reconnect-backoff", "10ms",
                                                                  "--kafka-reconnect-backoff-max", "200ms"],
                                                      logLevel: "info")
            try await watcher.waitForLog("trust view caught up with scms.gccf", timeout: .seconds(20))

            try await Self.expectPromptExitWithBrokerGone(watcher, broker: broker)
        }
    }
}
