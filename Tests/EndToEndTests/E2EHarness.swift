import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

// The end-to-end harness: real processes (scms-devbroker and the four services, started by `electorctl dev up`), real
// Kafka traffic, deadlines instead of sleeps, kill -9 and restart. Shared by every end-to-end test file.

/// A failure of the harness itself (a process that did not start, a deadline that passed), with what it saw.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

// MARK: - Processes

/// One finished subprocess.
struct ProcessResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Standard output as one JSON object.
    func json() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
        guard let object = value as? [String: Any] else { throw HarnessError("stdout is not a JSON object: \(stdout)") }
        return object
    }

    /// Standard output as JSON lines (one object per line).
    func jsonLines() -> [[String: Any]] {
        stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }
}

/// Runs built executables of this package.
enum Subprocess {
    /// Runs `program` (a product of this package, e.g. `electorctl`) with `arguments` and waits for it.
    static func run(_ program: String, _ arguments: [String], timeout: Swift.Duration = .seconds(120)) async throws -> ProcessResult {
        let executable = try Binaries.url(program)
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = executable
                process.arguments = arguments
                let out = Pipe(), err = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let collected = Mutex<(Data, Data)>((Data(), Data()))
                let group = DispatchGroup()
                group.enter()
                DispatchQueue.global().async {
                    let data = out.fileHandleForReading.readDataToEndOfFile()
                    collected.withLock { $0.0 = data }
                    group.leave()
                }
                group.enter()
                DispatchQueue.global().async {
                    let data = err.fileHandleForReading.readDataToEndOfFile()
                    collected.withLock { $0.1 = data }
                    group.leave()
                }
                let seconds = Double(timeout.components.seconds)
                if group.wait(timeout: .now() + seconds) == .timedOut {
                    process.terminate()
                    kill(process.processIdentifier, SIGKILL)
                }
                process.waitUntilExit()
                group.wait()
                let (stdout, stderr) = collected.withLock { $0 }
                continuation.resume(returning: ProcessResult(status: process.terminationStatus,
                                                             stdout: String(decoding: stdout, as: UTF8.self),
                                                             stderr: String(decoding: stderr, as: UTF8.self)))
            }
        }
    }

    /// `electorctl ARGS`.
    static func electorctl(_ arguments: [String], timeout: Swift.Duration = .seconds(120)) async throws -> ProcessResult {
        try await run("electorctl", arguments, timeout: timeout)
    }
}

/// A long-running subprocess (e.g. `electorctl gccf follow`) whose output goes to a file.
final class BackgroundProcess: Sendable {
    let outputPath: String
    private let process: Process

    init(_ program: String, _ arguments: [String], outputPath: String) throws {
        self.outputPath = outputPath
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let process = Process()
        process.executableURL = try Binaries.url(program)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
    }

    var isRunning: Bool { process.isRunning }

    /// The output so far.
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then wait (SIGKILL after 10 s).
    func stop() async {
        let process = self.process
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                if process.isRunning {
                    kill(process.processIdentifier, SIGTERM)
                    let deadline = Date().addingTimeInterval(10)
                    while process.isRunning && Date() < deadline { usleep(10_000) }
                    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                }
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
///
/// - Throws: ``HarnessError`` with `what` and the last `describe()` when the deadline passes.
func eventually(_ what: String, timeout: Swift.Duration, every interval: Swift.Duration = .milliseconds(200),
                describe: () async -> String = { "" }, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        if ContinuousClock.now >= deadline {
            throw HarnessError("timed out after \(timeout) waiting for \(what). \(await describe())")
        }
        try await Task.sleep(for: interval)
    }
}

/// A fresh temporary directory.
func temporaryDirectory(_ prefix: String) throws -> String {
    var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
    return String(cString: created)
}

// MARK: - Time and certificates

/// Wall-clock Time32 (with the default leap seconds, as the services use).
enum Clock32 {
    static var now: UInt32 {
        (try? Time32Conversion().time32(fromUnixSeconds: Int64(Date().timeIntervalSince1970.rounded(.down)))) ?? 0
    }
}

/// A key and its self-signed elector (or root) certificate.
struct TestIdentity: Sendable {
    var name: String
    var certificate: Certificate
    var key: PrivateKey

    /// SHA-256 of the certificate, hex: the record key and `CertificateID` of the pipeline.
    var hash: String { HexCoding.encode(Digest.sha256(certificate.coerEncoded)) }
    var expiry: UInt32 { UInt32(clamping: certificate.toBeSigned.validityPeriod.endSeconds) }
}

/// Building test certificates and ballots in process (the same library calls `electorctl` makes).
enum TestPKI {
    /// A new elector (or root) valid from `start` for `seconds`.
    static func identity(_ name: String, profile: SelfSignedProfile = .elector, start: UInt32,
                         seconds: Int64) throws -> TestIdentity {
        let key = try PrivateKey.generate()
        guard let duration = CertificateSigning.duration(seconds: seconds) else { throw HarnessError("duration \(seconds)") }
        let certificate = try ElectorCeremony.selfSignedCertificate(profile, name: name, key: key, start: Time32(start),
                                                                    duration: duration).get()
        return TestIdentity(name: name, certificate: certificate, key: key)
    }

    /// The `type` endorsements of `target` by `endorsers` at `time`, in order.
    static func endorsements(of target: Certificate, type: EndorsementAction, by endorsers: [TestIdentity],
                             time: UInt32) throws -> [SignedElectorEndorsement] {
        try endorsers.map {
            try ElectorCeremony.endorse(target: target, type: type, signer: $0.certificate, key: $0.key, time: time).get()
        }
    }

    /// One ballot of `target` from `endorsements`.
    static func ballot(_ target: Certificate, _ endorsements: [SignedElectorEndorsement]) throws -> ElectorBallot {
        try ElectorCeremony.assemble(target: target, endorsements: endorsements).get()
    }

    /// A ballot of `target` endorsed (`type`) by `endorsers` at `time`.
    static func ballot(_ target: Certificate, type: EndorsementAction = .addElector, by endorsers: [TestIdentity],
                       time: UInt32) throws -> ElectorBallot {
        try ballot(target, try endorsements(of: target, type: type, by: endorsers, time: time))
    }

    /// Writes the certificates into `directory` as NAME.cert (a trust-anchor directory).
    static func writeCertificates(_ identities: [TestIdentity], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for identity in identities {
            try Data(identity.certificate.coerEncoded).write(to: URL(fileURLWithPath: "\(directory)/\(identity.name).cert"))
        }
    }

    /// Writes `bytes` to `path`.
    @discardableResult
    static func write(_ bytes: [UInt8], to path: String) throws -> String {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

extension ElectorBallot {
    /// Hex SHA-256 of the canonical COER: the pipeline's `scms-digest`.
    var digest: String { HexCoding.encode(Digest.sha256(coerEncoded)) }
    /// Hex SHA-256 of the target certificate.
    var targetHash: String { HexCoding.encode(Digest.sha256(certificate.coerEncoded)) }
}

// MARK: - The stack

/// One GCCF record of `scms.gccf`.
struct PublishedGCCF: Sendable {
    var offset: Int64
    var version: UInt16
    var bytes: [UInt8]
    var digest: String { HexCoding.encode(Digest.sha256(bytes)) }
    /// Target hashes of the elector endorsements.
    var electors: Set<String>
    /// Target hashes of the root CA endorsements.
    var roots: Set<String>
    /// Ballot digests in the file.
    var ballots: Set<String>
    /// COER of the certificate store: the content without the version (the assembler's content digest is its SHA-256).
    var content: [UInt8]

    init?(_ record: ConsumedMessage) {
        guard let value = record.value, let file = try? ScmsFile(coer: value),
              let gccf = file.globalCertificateChainFile else { return nil }
        offset = record.offset
        version = gccf.version
        bytes = value
        electors = Set(gccf.certStore.electorEndorsements.map(\.targetHash))
        roots = Set(gccf.certStore.rootCAEndorsements.map(\.targetHash))
        ballots = Set((gccf.certStore.electorEndorsements + gccf.certStore.rootCAEndorsements).map(\.digest))
        content = gccf.certStore.coerEncoded
    }
}

/// A record of `scms.ballots.rejected`, as the tests look at it.
struct Rejection: Sendable {
    var stage: String
    var reason: String
    var reasons: [String]
    /// `scms-digest`: SHA-256 of the rejected input record's bytes.
    var digest: String
    /// For the assembler's rejections (whose input is a `ValidatedBallot` record), the ballot's digest.
    var ballotDigest: String?

    init?(_ record: ConsumedMessage) {
        guard let parsed = RejectionRecord(record) else { return nil }
        stage = parsed.stage.rawValue
        reason = parsed.reason
        reasons = parsed.reasons
        digest = parsed.inputDigest
        if let value = record.value, let verdict = try? ValidatedBallot(coer: value) {
            ballotDigest = HexCoding.encode(verdict.ballotDigest.bytes)
        }
    }

    /// Whether this rejects the input (or, for the assembler, the ballot) with digest `digest`.
    func concerns(_ digest: String) -> Bool { self.digest == digest || ballotDigest == digest }
}

/// A dev stack started with `electorctl dev up` in its own directory, and everything tests do with it.
final class E2EStack: Sendable {
    let directory: String
    let bootstrapServers: String
    let topics: TopicNames

    private init(directory: String, bootstrapServers: String, topicPrefix: String) {
        self.directory = directory
        self.bootstrapServers = bootstrapServers
        self.topics = TopicNames(prefix: topicPrefix)
    }

    /// `electorctl dev up --dir <new temp dir> ARGS`; `ca`, when given, is copied to DIR/ca first (dev up keeps the root
    /// CA and MA certificate it finds there, so two stacks can publish GCCFs with the same MA certificate).
    static func up(_ arguments: [String] = [], label: String = "e2e", ca: String? = nil) async throws -> E2EStack {
        let directory = try temporaryDirectory("scms-\(label)")
        if let ca { try FileManager.default.copyItem(atPath: ca, toPath: directory + "/ca") }
        let result = try await Subprocess.electorctl(["dev", "up", "--dir", directory] + arguments, timeout: .seconds(90))
        guard result.status == 0 else {
            _ = try? await Subprocess.electorctl(["dev", "down", "--dir", directory])
            throw HarnessError("dev up failed (\(result.status)): \(result.stderr)\n\(Self.logs(directory))")
        }
        let json = try result.json()
        guard let servers = json["bootstrapServers"] as? String else { throw HarnessError("dev up printed no bootstrap: \(json)") }
        return E2EStack(directory: directory, bootstrapServers: servers, topicPrefix: json["topicPrefix"] as? String ?? "")
    }

    /// Runs `body` against a new stack and always stops it (removing its directory when `body` succeeded).
    static func with<T: Sendable>(_ arguments: [String] = [], label: String = "e2e", ca: String? = nil,
                                  _ body: (E2EStack) async throws -> T) async throws -> T {
        let stack = try await up(arguments, label: label, ca: ca)
        do {
            let result = try await body(stack)
            await stack.down(remove: true)
            return result
        } catch {
            Issue.record("stack \(stack.directory) logs:\n\(Self.logs(stack.directory))")
            await stack.down(remove: false)
            throw error
        }
    }

    /// `electorctl dev down`.
    func down(remove: Bool) async {
        _ = try? await Subprocess.electorctl(["dev", "down", "--dir", directory, "--timeout", "15s"])
        if remove { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// The last lines of every log of the stack in `directory`.
    static func logs(_ directory: String, lines: Int = 15) -> String {
        let logs = directory + "/logs"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? []).sorted()
        return names.map { name in
            let text = (try? String(contentsOfFile: logs + "/" + name, encoding: .utf8)) ?? ""
            return "--- \(name)\n" + text.split(separator: "\n").suffix(lines).joined(separator: "\n")
        }.joined(separator: "\n")
    }

    // Paths.
    var anchorsDirectory: String { directory + "/anchors" }
    var electorsDirectory: String { directory + "/electors" }
    var pgCertificate: String { directory + "/pg/pg.cert" }
    var gccfDirectory: String { directory + "/gccf" }
    func path(_ relative: String) -> String { directory + "/" + relative }

    /// The pid `dev up`/`dev restart` recorded for process `name`.
    func pid(_ name: String) -> Int32? {
        (try? String(contentsOfFile: path("run/\(name).pid"), encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The HTTP port of `name`.
    func port(_ name: String) -> Int? {
        (try? String(contentsOfFile: path("run/\(name).port"), encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// kill -9 of process `name`; waits until it is gone.
    func kill9(_ name: String) async throws {
        guard let pid = pid(name) else { throw HarnessError("no pid for \(name)") }
        kill(pid, SIGKILL)
        try await eventually("\(name) (pid \(pid)) to die", timeout: .seconds(10), every: .milliseconds(20)) {
            kill(pid, 0) != 0
        }
        try? FileManager.default.removeItem(atPath: path("run/\(name).port"))
    }

    /// `electorctl dev restart NAMES` (waiting for health unless `wait` is false).
    func restart(_ names: [String], wait: Bool = true) async throws {
        var arguments = ["dev", "restart", "--dir", directory]
        if !wait { arguments.append("--no-wait") }
        let result = try await Subprocess.electorctl(arguments + names)
        guard result.status == 0 else { throw HarnessError("dev restart \(names) failed: \(result.stderr)") }
    }

    /// `electorctl ARGS --dir DIR` (the subcommand words first).
    func ctl(_ arguments: [String], timeout: Swift.Duration = .seconds(60)) async throws -> ProcessResult {
        try await Subprocess.electorctl(arguments + ["--dir", directory], timeout: timeout)
    }

    /// `GET /metrics` of `name`.
    func metrics(_ name: String) async throws -> String {
        guard let port = port(name) else { throw HarnessError("no port for \(name)") }
        return try await HTTPGet.text(port: port, path: "/metrics")
    }

    /// The value of one metric line `name{labels}` (summed over all lines starting with `prefix`).
    func metric(_ service: String, _ prefix: String) async throws -> Double {
        let text = try await metrics(service)
        return text.split(separator: "\n").filter { $0.hasPrefix(prefix) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    // Kafka.

    var settings: KafkaSettings {
        KafkaSettings(bootstrapServers: bootstrapServers, clientID: "e2e-tests", topicPrefix: topics.prefix)
    }

    /// Every record of `topic` now.
    func records(_ topic: String) async throws -> [ConsumedMessage] {
        var logger = Logger(label: "e2e")
        logger.logLevel = .error
        let follower = TopicFollower(topics: [topic], settings: settings, logger: logger)
        let collected = Mutex<[ConsumedMessage]>([])
        try await follower.readToEnd { record in collected.withLock { $0.append(record) } }
        return collected.withLock { $0 }.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    /// Every GCCF on `scms.gccf`, in order.
    func gccfs() async throws -> [PublishedGCCF] {
        try await records(topics.gccf).compactMap(PublishedGCCF.init)
    }

    /// The GCCF with the highest version.
    func latestGCCF() async throws -> PublishedGCCF? {
        try await gccfs().max { $0.version < $1.version }
    }

    /// Waits for a GCCF satisfying `predicate`; returns it.
    @discardableResult
    func waitForGCCF(_ what: String, timeout: Swift.Duration = .seconds(30),
                     _ predicate: @escaping (PublishedGCCF) -> Bool) async throws -> PublishedGCCF {
        var found: PublishedGCCF?
        try await eventually("a GCCF where \(what)", timeout: timeout, every: .milliseconds(250), describe: {
            let latest = try? await self.latestGCCF()
            return "latest: version \(latest.map { String($0.version) } ?? "none"), electors \(latest?.electors.count ?? 0), "
                + "roots \(latest?.roots.count ?? 0)\n\(Self.logs(self.directory, lines: 6))"
        }) {
            guard let latest = try await latestGCCF(), predicate(latest) else { return false }
            found = latest
            return true
        }
        guard let found else { throw HarnessError("unreachable") }
        return found
    }

    /// The rejections on `scms.ballots.rejected`.
    func rejections() async throws -> [Rejection] {
        try await records(topics.ballotsRejected).compactMap(Rejection.init)
    }

    /// Waits until a rejection of `digest` arrives; returns it.
    func waitForRejection(of digest: String, timeout: Swift.Duration = .seconds(30)) async throws -> Rejection {
        var found: Rejection?
        try await eventually("a rejection of \(digest.prefix(16))…", timeout: timeout, every: .milliseconds(250)) {
            found = try await rejections().first { $0.concerns(digest) }
            return found != nil
        }
        return found!
    }

    /// Digests on `scms.ballots.validated`, with how often each appears.
    func validatedDigests() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for record in try await records(topics.ballotsValidated) {
            if let digest = record.pipelineDigest { counts[digest, default: 0] += 1 }
        }
        return counts
    }

    /// Produces ballots to `scms.ballots.submitted` keyed by their target (in process; `electorctl submit` is tested
    /// separately), in order, waiting for every acknowledgement.
    func submit(_ ballots: [ElectorBallot]) async throws {
        let producer = try KafkaProducer(configuration: settings.producer())
        for ballot in ballots {
            try await producer.enqueue(OutgoingMessage(topic: topics.ballotsSubmitted, key: Array(ballot.targetHash.utf8),
                                                       value: ballot.coerEncoded)) { _ in }
        }
        try await producer.flush(timeout: .seconds(30))
        await producer.close()
    }

    /// Writes `ballot` into the stack directory and submits it with `electorctl submit --dir`.
    func submitWithCLI(_ ballots: [ElectorBallot], name: String) async throws -> ProcessResult {
        try FileManager.default.createDirectory(atPath: path("ballots"), withIntermediateDirectories: true)
        var files: [String] = []
        for (index, ballot) in ballots.enumerated() {
            files.append(try TestPKI.write(ballot.coerEncoded, to: path("ballots/\(name)-\(index).coer")))
        }
        let result = try await ctl(["submit"] + files)
        guard result.status == 0 else { throw HarnessError("electorctl submit failed (\(result.status)): \(result.stderr)") }
        return result
    }
}

/// A GET against a local service.
enum HTTPGet {
    static func text(port: Int, path: String) async throws -> String {
        guard let response = await LocalHTTPClient.get(port: port, path: path, timeout: .seconds(5)) else {
            throw HarnessError("GET \(path) on port \(port) failed")
        }
        return response.body
    }
}

/// A relying party following the stack's GCCFs (`electorctl gccf follow`) into a trust store.
final class FollowingRelyingParty: Sendable {
    let stateDirectory: String
    let process: BackgroundProcess

    init(stack: E2EStack, name: String, extra: [String] = []) throws {
        stateDirectory = stack.path("rp-\(name)")
        process = try BackgroundProcess("electorctl", ["gccf", "follow", "--dir", stack.directory, "--state", stateDirectory]
                                            + extra, outputPath: stack.path("logs/rp-\(name).out"))
    }

    /// The trust store's state, if any.
    func state() -> RelyingPartyState? {
        guard let data = FileManager.default.contents(atPath: stateDirectory + "/state.json") else { return nil }
        return try? JSONDecoder().decode(RelyingPartyState.self, from: data)
    }

    /// Target hashes (hex) of the trusted electors now.
    func trustedElectors() -> Set<String> {
        guard let state = state() else { return [] }
        return Set(state.trustedElectors(at: Clock32.now).map(\.hex))
    }

    var acceptedVersion: UInt16? { state()?.lastGCCFVersion }

    /// Waits until the trust store holds `version` (or later) and `condition` holds for it.
    func waitFor(_ what: String, timeout: Swift.Duration = .seconds(30), _ condition: @escaping (Set<String>, RelyingPartyState) -> Bool) async throws {
        try await eventually("the relying party: \(what)", timeout: timeout, every: .milliseconds(200),
                             describe: { "state version \(self.acceptedVersion.map(String.init) ?? "none"); output:\n"
                                 + self.process.output.split(separator: "\n").suffix(8).joined(separator: "\n") }) {
            guard let state = state() else { return false }
            return condition(Set(state.trustedElectors(at: Clock32.now).map(\.hex)), state)
        }
    }

    func stop() async { await process.stop() }
}
