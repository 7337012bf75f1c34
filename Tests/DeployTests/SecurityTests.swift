import ElectorCrypto
import Foundation
import ServiceKit
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The security properties of the deployment surface (README.md, threat table): no service takes an elector
/// key, trust anchors and the quorum floor are local settings pinned by every manifest, and nothing secret reaches a log.
///
/// `electorctl` refusing group/other-readable key files is covered by ElectorCryptoTests
/// `KeyFileTests.readRefusesGroupOrOtherAccess` and ElectorCtlTests `CeremonyTests` / `SetupTests`
/// (`key_file_too_permissive`).
@Suite
struct SecurityTests {
    /// Words that would mean an option loads signing material.
    static var keyWords: Regex<(Substring, Substring, Substring, Substring)> { /(?i)(^|-)(key|private|secret|password|passphrase|signing|pem)(-|$)/ }

    @Test("no service has a setting that loads a private key (options, their help, the manifests' env)")
    func noServiceLoadsAPrivateKey() throws {
        let surfaces = try ServiceSurface.all()
        for (name, surface) in surfaces {
            for option in surface.options {
                #expect(option.name.firstMatch(of: Self.keyWords) == nil, "\(name) --\(option.name)")
                #expect(option.valueName?.firstMatch(of: Self.keyWords) == nil, "\(name) --\(option.name) <\(option.valueName ?? "")>")
                let help = option.help.lowercased()
                #expect(!help.contains("private key") && !help.contains("signing key") && !help.contains(".key"),
                        "\(name) --\(option.name): \(option.help)")
            }
        }
        // Whatever a manifest sets: no SCMS_* variable and no config key naming a key, no .key file mounted.
        for file in ["deploy/compose/compose.yaml", "deploy/k8s/services.yaml"] {
            let text = try Repository.text(file)
            let scmsVariables = text.matches(of: /SCMS_[A-Z0-9_]+/).map { String($0.output) }
            #expect(!scmsVariables.contains { $0.contains("KEY") }, "\(file): \(scmsVariables)")
            #expect(!text.contains(".key"), "\(file) mounts or names a .key file")
        }
        for file in try Repository.files("deploy/systemd/conf") {
            let entries = try ConfigurationFile(contentsOf: Repository.path("deploy/systemd/conf/" + file)).entries
            #expect(!entries.contains { !$0.key.hasPrefix("kafka.") && $0.key.firstMatch(of: Self.keyWords) != nil }, "\(file)")
            #expect(!entries.contains { $0.value.hasSuffix(".key") }, "\(file)")
        }
    }

    @Test("trust anchors, the PG certificate and the quorum floor are local settings, pinned by every manifest")
    func anchorsAndFloorAreLocal() throws {
        let surfaces = try ServiceSurface.all()
        for name in ["quorum-validator", "gccf-assembler"] {
            let surface = try #require(surfaces[name])
            for (option, value) in [("anchors", "dir"), ("pg-cert", "file"), ("quorum-floor", "n")] {
                #expect(surface.option(option)?.valueName == value, "\(name) --\(option)")
            }
        }
        #expect(surfaces["expiry-watcher"]?.option("anchors")?.valueName == "dir")
        // The deployments set the floor explicitly (the code's default of 1 would let a GPF lower the quorum to 1).
        let compose = try #require(try YAML.documents("deploy/compose/compose.yaml").first).map("services")
        let k8s = try YAML.documents("deploy/k8s/services.yaml")
        for name in ["quorum-validator", "gccf-assembler"] {
            let composeFloor = compose.map(name).map("environment").string("SCMS_QUORUM_FLOOR").flatMap { Int($0) }
            #expect((composeFloor ?? 0) >= 2, "compose \(name)")
            let container = k8s.first { $0.at("metadata.name") as? String == name && $0.string("kind") != "Service" }
                .flatMap { ($0.at("spec.template.spec") as? [String: Any])?.maps("containers").first }
            let k8sFloor = container?.maps("env").first { $0.string("name") == "SCMS_QUORUM_FLOOR" }?.string("value")
            #expect((k8sFloor.flatMap { Int($0) } ?? 0) >= 2, "k8s \(name)")
            let file = try ConfigurationFile(contentsOf: Repository.path("deploy/systemd/conf/\(name).conf"))
            #expect((file.entry("quorum-floor").flatMap { Int($0.value) } ?? 0) >= 2, "systemd \(name)")
            for required in ["anchors", "pg-cert"] { #expect(file.entry(required) != nil, "systemd \(name): \(required)") }
        }
    }

    /// Secrets handed to a service, and the strings that must never appear in its output.
    struct Secrets {
        let scalar: [UInt8]
        let pem: String
        let saslPassword = "sasl-" + UUID().uuidString
        let keyPassword = "keypass-" + UUID().uuidString

        init() throws {
            var scalar = [UInt8](repeating: 0, count: 32)
            for index in scalar.indices { scalar[index] = UInt8.random(in: 0...255) }
            scalar[0] = 0x42   // below the P-256 order for sure
            self.scalar = scalar
            pem = try PrivateKey(rawScalar: scalar).pkcs8PEM
        }

        var pemBody: [String] { pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init) }
        var der: [UInt8] { Array(Data(base64Encoded: pemBody.joined()) ?? Data()) }

        /// Everything that would betray the key or a password.
        var forbidden: [String] {
            let scalarHex = Fixtures.hex(scalar)
            return pemBody + [scalarHex, scalarHex.uppercased(), Fixtures.hex(der), "PRIVATE KEY", saslPassword, keyPassword]
        }
    }

    /// Runs `service` with the secrets in its config file and environment for a moment, then SIGTERM; returns its output.
    static func runBriefly(_ service: String, _ arguments: [String], config: String, environment extra: [String: String],
                           bootstrapServers: String = "127.0.0.1:1") throws -> (Int32, String) {
        let process = Process()
        process.executableURL = try Binaries.url(service)
        process.arguments = ["--config", config, "--bootstrap-servers", bootstrapServers, "--log-level", "trace",
                             "--http-host", "127.0.0.1", "--http-port", "0"] + arguments
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SCMS_") }
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("scms-leak-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Long enough to start, log its configuration, reach the broker (or log why not) and catch up.
        let deadline = Date().addingTimeInterval(2.5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let stop = Date().addingTimeInterval(20)
        while process.isRunning && Date() < stop { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: output, encoding: .utf8))
    }

    @Test("services started with a key PEM and passwords in kafka.* lines and SCMS_* variables never print them")
    func logsNeverCarryKeyMaterial() async throws {
        let secrets = try Secrets()
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let servers = broker.bootstrapServers
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scms-leak-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/anchors", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(try Fixtures.hexBytes("synthetic-camp-cert-elector1.hex")).write(to: URL(fileURLWithPath: directory + "/anchors/e1.cert"))
        try Data(try Fixtures.hexBytes("synthetic-camp-cert-ma1.hex")).write(to: URL(fileURLWithPath: directory + "/ma.cert"))
        // An elector key left next to the anchors by mistake: not an anchor file type, never read.
        try secrets.pem.write(toFile: directory + "/anchors/e1.key", atomically: true, encoding: .utf8)
        let config = directory + "/service.conf"
        try """
            kafka.sasl.password = \(secrets.saslPassword)
            kafka.ssl.key.password = \(secrets.keyPassword)
            kafka.ssl.key.pem = \(secrets.pemBody.joined())
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let environment = ["SCMS_ELECTOR_KEY": Fixtures.hex(secrets.scalar), "SCMS_SIGNING_PASSWORD": secrets.keyPassword]
        let anchors = ["--anchors", directory + "/anchors"]
        let runs: [(String, [String])] = [
            ("endorsement-intake", []),
            ("quorum-validator", anchors),
            ("gccf-assembler", anchors + ["--ma-cert", directory + "/ma.cert", "--out-dir", directory + "/gccf"]),
            ("expiry-watcher", anchors),
        ]
        try await withThrowingTaskGroup(of: (String, Int32, String).self) { group in
            for (service, arguments) in runs {
                group.addTask {
                    let (status, output) = try Self.runBriefly(service, arguments, config: config, environment: environment,
                                                               bootstrapServers: servers)
                    return (service, status, output)
                }
            }
            for try await (service, status, output) in group {
                #expect(status == 0, "\(service) exit \(status):\n\(output.suffix(2000))")
                #expect(output.contains("\"msg\":\"starting\""), "\(service) logged nothing:\n\(output.prefix(2000))")
                #expect(output.contains("SCMS_ELECTOR_KEY"), "\(service) should name the unknown variable (only its name)")
                for secret in secrets.forbidden { #expect(!output.contains(secret), "\(service) printed '\(secret.prefix(12))…'") }
            }
        }
    }

    @Test("a key file given where a certificate belongs is refused without echoing its bytes")
    func keyInPlaceOfACertificate() throws {
        let secrets = try Secrets()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scms-leak-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/anchors", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // As COER bytes and as hex text: both are anchor file types.
        try Data(secrets.der).write(to: URL(fileURLWithPath: directory + "/anchors/elector.cert"))
        try Fixtures.hex(secrets.der).write(toFile: directory + "/pg.hex", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory + "/good-anchors", withIntermediateDirectories: true)
        try Data(try Fixtures.hexBytes("synthetic-camp-cert-elector1.hex"))
            .write(to: URL(fileURLWithPath: directory + "/good-anchors/e1.cert"))
        try "".write(toFile: directory + "/empty.conf", atomically: true, encoding: .utf8)
        for (service, arguments) in [("quorum-validator", ["--anchors", directory + "/anchors"]),
                                     ("gccf-assembler", ["--anchors", directory + "/good-anchors", "--ma-cert", directory + "/pg.hex"])] {
            let (status, output) = try Self.runBriefly(service, arguments, config: directory + "/empty.conf", environment: [:])
            #expect(status == ExitCode.config.rawValue || status == ExitCode.usage.rawValue, "\(service) exit \(status): \(output)")
            #expect(output.contains("not a certificate") || output.contains("COER"), "\(service): \(output)")
            for secret in secrets.forbidden { #expect(!output.contains(secret), "\(service) printed '\(secret.prefix(12))…'") }
        }
    }
}
