import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Synchronization
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

// Local helpers of IntakeValidatorTests (kept in one namespace so they never clash with the shared E2E harness).
enum IV {
    // MARK: - Service processes

    /// A service executable running as a child process, its JSON log in a file.
    final class ServiceProcess: Sendable {
        let name: String
        let logPath: String
        let portFile: String
        let pid: Int32
        private let process: Process

        private init(name: String, logPath: String, portFile: String, process: Process) {
            self.name = name
            self.logPath = logPath
            self.portFile = portFile
            self.pid = process.processIdentifier
            self.process = process
        }

        /// Starts `executable` with `arguments` plus `--http-port 0 --port-file …`, logging to `directory/name.log`.
        static func start(_ executable: String, name: String, directory: URL, arguments: [String],
                          logLevel: String = "debug") throws -> ServiceProcess {
            let log = directory.appendingPathComponent("\(name).log")
            let portFile = directory.appendingPathComponent("\(name).port").path
            try? FileManager.default.removeItem(atPath: portFile)
            if !FileManager.default.fileExists(atPath: log.path) {
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: log)
            handle.seekToEndOfFile()
            let process = Process()
            process.executableURL = try Binaries.url(executable)
            process.arguments = arguments + ["--http-port", "0", "--http-host", "127.0.0.1", "--port-file", portFile,
                                             "--log-level", logLevel]
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SCMS_") }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = handle
            try process.run()
            return ServiceProcess(name: name, logPath: log.path, portFile: portFile, process: process)
        }

        var isRunning: Bool { process.isRunning }

        /// The log so far.
        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        /// Log lines whose `msg` is `message`.
        func logLines(_ message: String) -> [String] {
            log.split(separator: "\n").map(String.init).filter { $0.contains("\"msg\":\"\(message)\"") }
        }

        /// The HTTP port from the port file, once written.
        var httpPort: Int? {
            (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }

        /// Waits until the log has a line with `message` (at least `count` of them).
        func waitForLog(_ message: String, count: Int = 1, timeout: Swift.Duration = .seconds(30)) async throws {
            let deadline = ContinuousClock.now + timeout
            while logLines(message).count < count {
                guard process.isRunning else { throw Failure("\(name) exited (\(process.terminationStatus)) before logging '\(message)':\n\(log.suffix(3000))") }
                guard ContinuousClock.now < deadline else { throw Failure("\(name) did not log '\(message)' ×\(count) in time:\n\(log.suffix(3000))") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        /// GET `path` on the service's HTTP port.
        func get(_ path: String) throws -> String {
            guard let port = httpPort else { throw Failure("\(name) wrote no port file") }
            return try IV.httpGet(port: port, path: path)
        }

        /// SIGTERM, then the exit status (nil if it had to be killed after `timeout`).
        func terminate(timeout: Swift.Duration = .seconds(20)) async -> Int32? {
            await signal(SIGTERM, timeout: timeout)
        }

        /// SIGKILL and reap.
        func kill9() async { _ = await signal(SIGKILL, timeout: .seconds(5)) }

        private func signal(_ number: Int32, timeout: Swift.Duration) async -> Int32? {
            guard process.isRunning else { return process.terminationStatus }
            kill(process.processIdentifier, number)
            let deadline = ContinuousClock.now + timeout
            while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return nil
            }
            process.waitUntilExit()
            return process.terminationReason == .exit ? process.terminationStatus : -process.terminationStatus
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A plain HTTP/1.1 GET against 127.0.0.1 (the services' `/metrics` and `/healthz`); returns the body.
    static func httpGet(port: Int, path: String) throws -> String {
        guard let response = LocalHTTPClient.blockingGet(port: port, path: path, timeout: .seconds(5)) else {
            throw Failure("GET \(path) on port \(port) failed")
        }
        return response.body
    }

    /// The value of the Prometheus series `name{labels}` in `metrics` (labels as written, e.g. `stage="intake"`).
    static func metric(_ metrics: String, _ name: String, _ labels: [String] = []) -> Double? {
        for line in metrics.split(separator: "\n") where line.hasPrefix(name) && !line.hasPrefix("#") {
            let rest = line.dropFirst(name.count)
            guard rest.first == " " || rest.first == "{" else { continue }
            guard labels.allSatisfy({ rest.contains($0) }) else { continue }
            if let value = rest.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return nil
    }

    // MARK: - Kafka

    static func kafka(_ broker: DevBrokerProcess, prefix: String) -> KafkaSettings {
        KafkaSettings(bootstrapServers: broker.bootstrapServers, clientID: "iv-test", topicPrefix: prefix,
                      reconnectBackoff: .milliseconds(10), reconnectBackoffMax: .milliseconds(200))
    }

    /// Creates the pipeline's topics with `prefix` on the dev broker (partition counts of ``Topics``).
    static func createTopics(_ broker: DevBrokerProcess, prefix: String) async throws {
        let control = DevBrokerControl(socketPath: broker.controlSocketPath)
        for spec in TopicNames(prefix: prefix).specs {
            try await control.createTopic(spec.name, partitions: spec.partitions)
        }
    }

    /// Produces `messages` and waits for every acknowledgement.
    static func produce(_ broker: DevBrokerProcess, _ messages: [OutgoingMessage]) async throws {
        let producer = try KafkaProducer(configuration: kafka(broker, prefix: "").producer())
        for message in messages { _ = try await producer.send(message) }
        await producer.close()
    }

    /// Every record of `topic` (all partitions, from the beginning) up to its current end.
    static func readAll(_ broker: DevBrokerProcess, topic: String) async throws -> [ConsumedMessage] {
        let recorder = Recorder<ConsumedMessage>()
        let logger = Logger(label: "iv-test")
        try await TopicFollower(topics: [topic], settings: kafka(broker, prefix: ""), logger: logger).readToEnd { record in
            recorder.append(record)
        }
        return recorder.all
    }

    /// Reads `topic` until `condition` holds for its records, or `timeout`.
    static func waitForRecords(_ broker: DevBrokerProcess, topic: String, timeout: Swift.Duration = .seconds(30),
                               _ condition: ([ConsumedMessage]) -> Bool) async throws -> [ConsumedMessage] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let records = try await readAll(broker, topic: topic)
            if condition(records) { return records }
            guard ContinuousClock.now < deadline else { return records }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    final class Recorder<Element: Sendable>: Sendable {
        private let items = Mutex<[Element]>([])
        func append(_ item: Element) { items.withLock { $0.append(item) } }
        var all: [Element] { items.withLock { $0 } }
    }

    // MARK: - Material

    /// Time32 now (5 leap seconds, the services' default).
    static var now: UInt32 { (try? Time32Conversion().time32(fromUnixSeconds: Int64(Date().timeIntervalSince1970))) ?? 0 }

    /// An elector (or root) with its key.
    struct Party: Sendable {
        var certificate: Certificate
        var key: PrivateKey
        var id: String { Hex.encode(Digest.sha256(certificate.coerEncoded)) }
    }

    /// A fresh self-signed elector valid from an hour ago for `years`.
    static func elector(_ name: String, years: UInt16 = 5) throws -> Party {
        let key = try PrivateKey.generate()
        let certificate = try ElectorCeremony.selfSignedCertificate(.elector, name: name, key: key,
                                                                    start: Time32(now - 3600),
                                                                    duration: BallotCodec.Duration.years(years)).get()
        return Party(certificate: certificate, key: key)
    }

    /// A fresh self-signed root CA.
    static func root(_ name: String) throws -> Party {
        let key = try PrivateKey.generate()
        let certificate = try ElectorCeremony.selfSignedCertificate(.root, name: name, key: key, start: Time32(now - 3600),
                                                                    duration: BallotCodec.Duration.years(10)).get()
        return Party(certificate: certificate, key: key)
    }

    /// A self-signed PG certificate.
    static func policyGenerator() throws -> Party {
        let key = try PrivateKey.generate()
        let tbs = CertificateSigning.pgTemplate(name: "pg.test", key: key.publicKey, start: Time32(now - 3600))
        return Party(certificate: try CertificateSigning.selfSigned(tbs, key: key), key: key)
    }

    /// A ballot of `type` for `target` endorsed by `endorsers`, generated a minute ago.
    static func ballot(_ target: Certificate, _ type: EndorsementAction = .addElector, by endorsers: [Party],
                       form: EndorsementSigning.SignerForm = .certificate) throws -> ElectorBallot {
        let time = now - 60   // one time for every endorsement: they must sign the same statement
        let endorsements = try endorsers.map {
            try ElectorCeremony.endorse(target: target, type: type, signer: $0.certificate, key: $0.key, form: form,
                                        time: time).get()
        }
        return try ElectorCeremony.assemble(target: target, endorsements: endorsements).get()
    }

    /// A signed GPF with `quorum`.
    static func gpf(quorum: UInt8, pg: Party, generatedSecondsAgo: UInt32 = 30) throws -> [UInt8] {
        try PolicyDocuments.signedGPF(quorum: quorum, generationTime: Time64(Time32(now - generatedSecondsAgo)),
                                      pgCertificate: pg.certificate, pgKey: pg.key).coerEncoded
    }

    /// Writes the anchors' certificates as `.cert` files into a new directory below `base`.
    static func anchorDirectory(_ anchors: [Party], in base: URL) throws -> String {
        let directory = base.appendingPathComponent("anchors-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (index, anchor) in anchors.enumerated() {
            try Data(anchor.certificate.coerEncoded).write(to: directory.appendingPathComponent("anchor\(index).cert"))
        }
        return directory.path
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("iv-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Hex SHA-256.
    static func sha256(_ bytes: [UInt8]) -> String { Hex.encode(Digest.sha256(bytes)) }
}
