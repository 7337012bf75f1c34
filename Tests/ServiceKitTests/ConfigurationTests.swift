import Foundation
import ServiceKit
import Testing

struct ConfiguredService: ParsableCommand {
    static let schema = ConfigurationSchema.service([
        ConfigurationKey("quorum-floor", help: "Lowest quorum any GPF may set.", default: "2", valueName: "n"),
        ConfigurationKey("group-id", help: "Consumer group."),
        ConfigurationKey("sasl-password", help: "SASL password.", secret: true),
        ConfigurationKey("commit-interval", help: "How often to commit.", default: "5s", valueName: "duration"),
    ])
    static let configuration = CommandConfiguration(commandName: "quorum-validator", abstract: "Validates ballots.")
    static var arguments: [ArgumentSpec] { schema.argumentSpecs }
    init(arguments: ParsedArguments) {}
}

@Suite struct ConfigurationTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "servicekit-config-\(UInt64.random(in: 0...UInt64.max))"
        try FileIO.makeDirectory(directory)
    }

    func writeConfig(_ text: String) throws -> String {
        let path = directory + "/service.conf"
        try FileIO.writeAtomically(text: text, to: path)
        return path
    }

    func source(_ args: [String], environment: [String: String]) throws -> ConfigurationSource {
        let parsed = try ConfiguredService.parseArguments(args).arguments
        return try ConfigurationSource(schema: ConfiguredService.schema, arguments: parsed, environment: environment)
    }

    @Test func precedenceIsFlagThenEnvironmentThenFileThenDefault() throws {
        let path = try writeConfig("""
            # test config
            http-port = 9300
            bootstrap-servers = file-broker:9092   # trailing comment
            group-id = "file group #1"
            quorum-floor = 4
            """)
        let env = ["SCMS_HTTP_PORT": "9200", "SCMS_BOOTSTRAP_SERVERS": "env-broker:9092", "HOME": "/root"]
        let config = try source(["--config", path, "--http-port", "9100"], environment: env)

        #expect(config.lookup("http-port") == ConfigurationValue(value: "9100", origin: .flag("--http-port")))
        #expect(try config.int("http-port", in: 0...65535) == 9100)
        #expect(config.lookup("bootstrap-servers")?.origin == .environment("SCMS_BOOTSTRAP_SERVERS"))
        #expect(try config.strings("bootstrap-servers") == ["env-broker:9092"])
        #expect(config.lookup("group-id") == ConfigurationValue(value: "file group #1", origin: .file(path: path, line: 4)))
        #expect(config.lookup("quorum-floor")?.origin == .file(path: path, line: 5))
        #expect(try config.int("quorum-floor") == 4)
        #expect(config.lookup("log-level") == ConfigurationValue(value: "info", origin: .defaultValue))
        #expect(try config.logLevel() == .info)
        #expect(try config.duration("commit-interval") == .seconds(5))
        #expect(config.string("sasl-password") == nil)

        // Without the flag the environment wins; without both the file wins.
        let noFlag = try source(["--config", path], environment: env)
        #expect(try noFlag.int("http-port") == 9200)
        let fileOnly = try source(["--config", path], environment: [:])
        #expect(try fileOnly.int("http-port") == 9300)
        let nothing = try source([], environment: [:])
        #expect(try nothing.int("http-port") == 9090)
    }

    @Test func configFileFromEnvironment() throws {
        let path = try writeConfig("log-level = debug\n")
        let config = try source([], environment: ["SCMS_CONFIG": path])
        #expect(try config.logLevel() == .debug)
        #expect(config.file?.path == path)
    }

    @Test func unknownKeyInFileIsAnErrorWithSuggestion() throws {
        let path = try writeConfig("http-port = 1\nbootstrap-server = x:1\n")
        do {
            _ = try source(["--config", path], environment: [:])
            Issue.record("unknown key accepted")
        } catch let error as ConfigurationError {
            #expect(error.code == .unknownKey)
            #expect(error.key == "bootstrap-server")
            #expect(error.origin == .file(path: path, line: 2))
            #expect(error.description == "configuration: unknown key 'bootstrap-server'; did you mean 'bootstrap-servers'? (from \(path) line 2)")
            #expect(error.exitCode == .config)
        }
    }

    @Test func passthroughKeysAreAcceptedAndHandedOver() throws {
        let path = try writeConfig("kafka.security.protocol = SASL_SSL\nkafka.sasl.mechanism = PLAIN\n")
        let config = try source(["--config", path], environment: [:])
        #expect(config.passthrough(prefix: "kafka.") == ["security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN"])
    }

    @Test func badValuesNameTheKeyAndTheirOrigin() throws {
        let fromEnv = try source([], environment: ["SCMS_HTTP_PORT": "ninety"])
        #expect(throws: ConfigurationError.self) { try fromEnv.int("http-port", in: 0...65535) }
        do {
            _ = try fromEnv.int("http-port", in: 0...65535)
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.description == "configuration: invalid value 'ninety' for 'http-port': expected an integer from 0 to 65535 (from environment variable SCMS_HTTP_PORT)")
            #expect(error.exitCode == .config)
        }
        let fromFlag = try source(["--http-port", "70000"], environment: [:])
        do {
            _ = try fromFlag.int("http-port", in: 0...65535)
            Issue.record("out-of-range port accepted")
        } catch {
            #expect(error.origin == .flag("--http-port"))
            #expect(error.exitCode == .usage)
        }
        let secret = try source(["--sasl-password", "hunter2"], environment: [:])
        do {
            _ = try secret.int("sasl-password")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
        #expect(secret.describe().first { $0.key == "sasl-password" }?.value == "[REDACTED]")
        let level = try source(["--log-level", "loud"], environment: [:])
        #expect(throws: ConfigurationError.self) { try level.logLevel() }
    }

    @Test func missingRequiredValueSaysHowToSetIt() throws {
        let config = try source([], environment: [:])
        do {
            _ = try config.requiredString("group-id")
            Issue.record("missing key accepted")
        } catch {
            #expect(error.code == .missingValue)
            #expect(error.message.contains("--group-id"))
            #expect(error.message.contains("SCMS_GROUP_ID"))
        }
    }

    @Test func fileSyntaxErrors() {
        #expect(throws: ConfigurationError.self) { try ConfigurationFile(parsing: "just words\n", path: "f") }
        #expect(throws: ConfigurationError.self) { try ConfigurationFile(parsing: "a = 1\na = 2\n", path: "f") }
        #expect(throws: ConfigurationError.self) { try ConfigurationFile(parsing: "a = \"open\n", path: "f") }
        #expect(throws: ConfigurationError.self) { try ConfigurationFile(parsing: "bad key = 1\n", path: "f") }
        do {
            _ = try ConfigurationFile(parsing: "ok = 1\n\nbroken\n", path: "/etc/x.conf")
        } catch {
            #expect(error.code == .malformedFile)
            #expect(error.origin == .file(path: "/etc/x.conf", line: 3))
        }
        #expect(throws: ConfigurationError.self) { try ConfigurationFile(contentsOf: "/nonexistent/servicekit.conf") }
    }

    @Test func fileValueForms() throws {
        let file = try ConfigurationFile(parsing: """
            plain=value
              spaced   =   padded value   
            quoted = "  keep \\"spaces\\" \\\\ #not-comment  "  # comment
            hash = a#b
            empty =
            crlf = yes\r
            """, path: "f")
        #expect(file.entry("plain")?.value == "value")
        #expect(file.entry("spaced")?.value == "padded value")
        #expect(file.entry("quoted")?.value == "  keep \"spaces\" \\ #not-comment  ")
        #expect(file.entry("hash")?.value == "a#b")
        #expect(file.entry("empty")?.value == "")
        #expect(file.entry("crlf")?.value == "yes")
    }

    @Test func environmentNamesAndHelp() {
        #expect(ConfigurationKey.bootstrapServers.environmentName() == "SCMS_BOOTSTRAP_SERVERS")
        #expect(ConfigurationKey("kafka.group-id", help: "").environmentName() == "SCMS_KAFKA_GROUP_ID")
        let help = ConfiguredService.helpMessage()
        #expect(help.contains("--config <file>"))
        #expect(help.contains("(default: 9090; env: SCMS_HTTP_PORT)"))
        #expect(!help.contains("default: hunter"))
        let source = try? ConfigurationSource(schema: ConfiguredService.schema,
                                              environment: ["SCMS_HTTP_PROT": "1", "SCMS_CONFIG": "x"])
        #expect(source?.unknownEnvironmentVariables == ["SCMS_HTTP_PROT"])
    }
}
