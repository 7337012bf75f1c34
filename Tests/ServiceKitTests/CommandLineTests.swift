import ServiceKit
import Testing

// A small command tree shaped like electorctl.
struct CtlRoot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "electorctl", abstract: "Operate SCMS electors.", version: "electorctl 0.1.0",
        subcommands: [CtlElector.self, CtlBallot.self, CtlInspect.self])
    static let arguments: [ArgumentSpec] = [.flag("verbose", short: "v", help: "Print more.")]
    init(arguments: ParsedArguments) {}
}

struct CtlElector: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "elector", abstract: "Manage elector keys.",
                                                    subcommands: [CtlElectorInit.self])
    init(arguments: ParsedArguments) {}
}

struct CtlElectorInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create an elector key and self-signed certificate.",
        discussion: "The private key is written with mode 0600.")
    static let arguments: [ArgumentSpec] = [
        .option("name", help: "The elector's name.", required: true),
        .option("out", valueName: "dir", help: "Output directory.", default: "."),
        .option("validity", valueName: "duration", help: "Certificate lifetime.", default: "6y"),
        .option("curve", help: "Key curve.", default: "p256", allowedValues: ["p256", "p384"]),
        .flag("force", short: "f", help: "Overwrite existing files."),
    ]
    var name: String
    var out: String
    var validity: Int64
    var force: Bool
    init(arguments: ParsedArguments) throws {
        name = try arguments.requiredString("name")
        out = arguments.string("out", default: ".")
        validity = try arguments.durationSeconds("validity") ?? 0
        force = arguments.flag("force")
    }
}

struct CtlBallot: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ballot", abstract: "Assemble and verify ballots.",
                                                    subcommands: [CtlBallotVerify.self])
    init(arguments: ParsedArguments) {}
}

struct CtlBallotVerify: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Verify a ballot.")
    static let arguments: [ArgumentSpec] = [
        .option("quorum", short: "q", valueName: "n", help: "Distinct endorsers needed.", required: true),
        .repeatableOption("anchor", short: "a", valueName: "file", help: "A trusted elector certificate."),
        .option("at", valueName: "time", help: "Processing time (ISO-8601 UTC or Time32)."),
        .argument("ballot", help: "The ballot file, or - for standard input."),
    ]
    var quorum: Int
    init(arguments: ParsedArguments) throws {
        quorum = try arguments.int("quorum", in: 1...255) ?? 0
    }
    func validate() throws {
        if quorum > 100 { throw ValidationError("quorum \(quorum) is unreasonably large") }
    }
}

struct CtlInspect: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Print COER files as JSON.")
    static let arguments: [ArgumentSpec] = [.variadicArgument("files", help: "Files to inspect.", required: true)]
    init(arguments: ParsedArguments) {}
}

@Suite struct CommandLineTests {
    func parse(_ args: [String]) throws -> (any ParsableCommand.Type, ParsedArguments) {
        let r = try CtlRoot.parseArguments(args)
        return (r.command, r.arguments)
    }

    func usageError(_ args: [String]) -> CommandLineError? {
        do {
            _ = try CtlRoot.parseAsRoot(args)
            return nil
        } catch let error as CommandLineError {
            return error
        } catch {
            return nil
        }
    }

    @Test func nestedSubcommandWithOptionsInBothSpellings() throws {
        let command = try CtlRoot.parseAsRoot(["elector", "init", "--name", "alice", "--out=/tmp/keys", "-f"])
        let initCommand = try #require(command as? CtlElectorInit)
        #expect(initCommand.name == "alice")
        #expect(initCommand.out == "/tmp/keys")
        #expect(initCommand.force)
        #expect(initCommand.validity == 6 * 31_556_952)
        let (_, args) = try parse(["elector", "init", "--name", "alice"])
        #expect(args.commandPath == ["electorctl", "elector", "init"])
        #expect(args.string("out") == ".")
        #expect(!args.isGiven("out"))
        #expect(!args.flag("force"))
    }

    @Test func parentOptionsBeforeSubcommandAreVisible() throws {
        let (type, args) = try parse(["-v", "elector", "init", "--name", "bob"])
        #expect(type is CtlElectorInit.Type)
        #expect(args.flag("verbose"))
    }

    @Test func dashIsAPositionalAndRepeatableOptionsCollect() throws {
        let (type, args) = try parse(["ballot", "verify", "-q", "3", "-a", "e1.cert", "--anchor=e2.cert",
                                      "--anchor", "e3.cert", "-"])
        #expect(type is CtlBallotVerify.Type)
        #expect(args.string("ballot") == "-")
        #expect(args.strings("anchor") == ["e1.cert", "e2.cert", "e3.cert"])
        #expect(try args.int("quorum") == 3)
    }

    @Test func variadicPositionalAndTerminator() throws {
        let (_, args) = try parse(["inspect", "a.oer", "b.oer", "--", "-weird-name", "--help"])
        #expect(args.strings("files") == ["a.oer", "b.oer", "-weird-name", "--help"])
        #expect(usageError(["inspect"])?.code == .missingRequired)
    }

    @Test func helpOnEverySubcommandHasAbstractUsageAndArguments() throws {
        for args in [["elector", "init", "--help"], ["elector", "init", "-h"], ["help", "elector", "init"]] {
            do {
                _ = try CtlRoot.parseAsRoot(args)
                Issue.record("expected a help request for \(args)")
            } catch {
                let message = CtlRoot.fullMessage(for: error)
                #expect(message.toStandardOutput)
                #expect(CtlRoot.exitCode(for: error) == .ok)
                let text = message.text
                #expect(text.contains("OVERVIEW: Create an elector key and self-signed certificate."))
                #expect(text.contains("The private key is written with mode 0600."))
                #expect(text.contains("USAGE: electorctl elector init --name <name> [--out <dir>] [--validity <duration>] [--curve <curve>] [--force]"))
                #expect(text.contains("  --name <name>           The elector's name.\n"))
                #expect(text.contains("  --out <dir>             Output directory. (default: .)\n"))
                #expect(text.contains("(values: p256, p384) (default: p256)"))
                #expect(text.contains("  -f, --force             Overwrite existing files.\n"))
                #expect(text.contains("  -h, --help              Show help information.\n"))
            }
        }
        let group = CtlRoot.helpMessage(for: ["elector"])
        #expect(group.contains("USAGE: electorctl elector <subcommand>"))
        #expect(group.contains("SUBCOMMANDS:\n  init                    Create an elector key"))
        let root = CtlRoot.helpMessage()
        #expect(root.contains("  elector                 Manage elector keys.\n"))
        #expect(root.contains("  ballot                  Assemble and verify ballots.\n"))
        #expect(root.contains("--version"))
        let verify = CtlRoot.helpMessage(for: ["ballot", "verify"])
        #expect(verify.contains("ARGUMENTS:\n  <ballot>                The ballot file, or - for standard input.\n"))
        #expect(verify.contains("  -a, --anchor <file>     A trusted elector certificate. (repeatable)\n"))
    }

    @Test func groupWithoutSubcommandShowsItsHelp() async throws {
        var command = try CtlRoot.parseAsRoot(["elector"])
        do {
            try await command.run()
            Issue.record("a command group should ask for help")
        } catch {
            let text = CtlRoot.fullMessage(for: error).text
            #expect(text.contains("USAGE: electorctl elector <subcommand>"))
        }
    }

    @Test func versionFlag() throws {
        do {
            _ = try CtlRoot.parseAsRoot(["--version"])
            Issue.record("expected the version")
        } catch {
            #expect(CtlRoot.fullMessage(for: error).text == "electorctl 0.1.0\n")
        }
    }

    @Test func unknownOptionSuggestsTheClosestName() throws {
        let error = try #require(usageError(["ballot", "verify", "--quorom", "3", "b.oer"]))
        #expect(error.code == .unknownOption)
        #expect(error.message == "Unknown option '--quorom'. Did you mean '--quorum'?")
        #expect(error.commandPath == ["electorctl", "ballot", "verify"])
        #expect(CtlRoot.exitCode(for: error) == .usage)
        let message = CtlRoot.fullMessage(for: error)
        #expect(!message.toStandardOutput)
        #expect(message.text == """
            Error: Unknown option '--quorom'. Did you mean '--quorum'?
            Usage: electorctl ballot verify --quorum <n> [--anchor <file> ...] [--at <time>] <ballot>
              See 'electorctl ballot verify --help' for more information.

            """)
        #expect(usageError(["ballot", "verify", "--zzz", "b"])?.message == "Unknown option '--zzz'")
    }

    @Test func unknownSubcommandSuggests() {
        let error = usageError(["elector", "int"])
        #expect(error?.code == .unknownSubcommand)
        #expect(error?.message == "Unknown subcommand 'int'. Did you mean 'init'?")
    }

    @Test func missingRequiredAndOtherUsageErrors() {
        let missing = usageError(["elector", "init", "--out", "x"])
        #expect(missing?.code == .missingRequired)
        #expect(missing?.message == "Missing expected argument '--name <name>'")
        #expect(usageError(["ballot", "verify", "-q", "2"])?.message == "Missing expected argument '<ballot>'")
        #expect(usageError(["elector", "init", "--name"])?.code == .missingValue)
        #expect(usageError(["elector", "init", "--name", "--force"])?.code == .missingValue)
        #expect(usageError(["elector", "init", "--name", "a", "--name", "b"])?.code == .duplicateOption)
        #expect(usageError(["elector", "init", "--name", "a", "--force=yes"])?.code == .unexpectedValue)
        #expect(usageError(["elector", "init", "--name", "a", "extra"])?.code == .unexpectedArgument)
        let curve = usageError(["elector", "init", "--name", "a", "--curve", "p265"])
        #expect(curve?.code == .invalidValue)
        #expect(curve?.message.contains("Did you mean 'p256'?") == true)
    }

    @Test func typedGetterFailuresAreUsageErrors() {
        let bad = usageError(["ballot", "verify", "-q", "three", "b"])
        #expect(bad?.code == .invalidValue)
        #expect(bad?.message == "Invalid value 'three' for '--quorum': expected an integer from 1 to 255")
        let range = usageError(["ballot", "verify", "-q", "0", "b"])
        #expect(range?.code == .invalidValue)
        let duration = usageError(["elector", "init", "--name", "a", "--validity", "6 years"])
        #expect(duration?.code == .invalidValue)
        #expect(duration?.message.hasPrefix("Invalid value '6 years' for '--validity'") == true)
    }

    @Test func validateFailureIsAUsageError() {
        // quorum passes the 1...255 range check in init but fails validate().
        let error = usageError(["ballot", "verify", "-q", "200", "b"])
        #expect(error?.code == .validation)
        #expect(error?.message == "quorum 200 is unreasonably large")
    }

    @Test func numbersLookingNegativeAreValues() throws {
        let (_, args) = try parse(["ballot", "verify", "-q", "2", "--at", "-5", "b"])
        #expect(args.string("at") == "-5")
    }

    @Test func timeAndDurationGetters() throws {
        let (_, args) = try parse(["ballot", "verify", "-q", "2", "--at", "2023-01-05T10:39:55Z", "b"])
        #expect(try args.time32("at") == 600_000_000)
        let (_, bare) = try parse(["ballot", "verify", "-q", "2", "--at", "600000000", "b"])
        #expect(try bare.time32("at") == 600_000_000)
        #expect(try bare.time32("at", conversion: Time32Conversion(leapSeconds: 0)) == 600_000_000)
    }

    @Test func exitCodesMatchTheDesign() {
        #expect(ExitCode.ok.rawValue == 0)
        #expect(ExitCode.rejected.rawValue == 1)
        #expect(ExitCode.usage.rawValue == 64)
        #expect(ExitCode.dataError.rawValue == 65)
        #expect(ExitCode.unavailable.rawValue == 69)
        #expect(ExitCode.software.rawValue == 70)
        #expect(ExitCode.ioError.rawValue == 74)
        #expect(ExitCode.config.rawValue == 78)
        #expect(CtlRoot.exitCode(for: CommandFailure(.rejected, "quorum not met")) == .rejected)
        #expect(CtlRoot.fullMessage(for: CommandFailure(.rejected, "quorum not met")).text == "error: quorum not met\n")
        #expect(CtlRoot.exitCode(for: HexError.oddDigitCount) == .dataError)
        struct Unexpected: Error {}
        #expect(CtlRoot.exitCode(for: Unexpected()) == .software)
    }
}

