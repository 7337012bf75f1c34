import ServiceKit

/// The whole `electorctl` command tree in one place.
///
/// To add a command (e.g. the online `submit`, `gccf fetch`/`follow`, `policy publish`, `lag`, `dev up|down|status`):
/// write it in its own file under `Commands/` as a ``ParsableCommand`` and add its type to the right list here. The
/// groups read their subcommands from these lists, so no other file changes.
enum CommandTree {
    /// Top-level commands and groups, in help order.
    static let topLevel: [any ParsableCommand.Type] = [
        InspectCommand.self,
        ElectorGroup.self,
        RootGroup.self,
        MAGroup.self,
        EndorseCommand.self,
        BallotGroup.self,
        GCCFGroup.self,
        LCCFGroup.self,
        WhatIfCommand.self,
        SubmitCommand.self,
        RecordsCommand.self,
        PolicyGroup.self,
        LagCommand.self,
        DevGroup.self,
    ]

    /// `electorctl elector …`
    static let elector: [any ParsableCommand.Type] = [ElectorInitCommand.self]
    /// `electorctl root …`
    static let rootCA: [any ParsableCommand.Type] = [RootInitCommand.self]
    /// `electorctl ma …`
    static let ma: [any ParsableCommand.Type] = [MAInitCommand.self]
    /// `electorctl ballot …`
    static let ballot: [any ParsableCommand.Type] = [BallotAssembleCommand.self, BallotVerifyCommand.self]
    /// `electorctl gccf …` (online: fetch, follow)
    static let gccf: [any ParsableCommand.Type] = [GCCFBuildCommand.self, GCCFVerifyCommand.self, GCCFFetchCommand.self,
                                                   GCCFFollowCommand.self]
    /// `electorctl policy …`
    static let policy: [any ParsableCommand.Type] = [PolicyPublishCommand.self]
    /// `electorctl dev …`
    static let dev: [any ParsableCommand.Type] = [DevUpCommand.self, DevStatusCommand.self, DevDownCommand.self,
                                                  DevRestartCommand.self]
    /// `electorctl lccf …`
    static let lccf: [any ParsableCommand.Type] = [LCCFDeriveCommand.self, LCCFCheckCommand.self]
}

/// `electorctl`: the root command and its global options.
struct ElectorCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "electorctl",
        abstract: "Operate SCMS electors: inspect COER, set up electors, endorse, assemble and verify ballots, build and check chain files; submit, follow GCCFs, publish policy and run a dev stack over Kafka.",
        discussion: """
            TIME is ISO-8601 UTC (2023-01-05T10:40:00Z, 2023-01-05) or a bare integer meaning Time32 (TAI seconds since \
            2004-01-01); the default is now. Certificate files are binary COER (.cert, .coer) or hex vector text (.hex: \
            '#' comment lines and whitespace ignored). Exit status: 0 ok, 1 rejected or refused, 64 usage, 65 malformed \
            input, 69 unavailable, 70 internal error, 74 file could not be read or written.
            """,
        version: "electorctl 0.1.0",
        subcommands: CommandTree.topLevel)

    static let arguments: [ArgumentSpec] = [
        .option("leap-seconds", valueName: "n",
                help: "Leap seconds between TAI and UTC since 2004, for converting TIME and rendering Time32 (any subcommand).",
                default: String(Time32Conversion.defaultLeapSeconds)),
    ]

    let path: [String]
    init(arguments: ParsedArguments) { path = arguments.commandPath }
    func run() async throws { throw CommandLineError(.missingSubcommand, "Missing subcommand", commandPath: path) }
}

/// `electorctl elector`
struct ElectorGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "elector", abstract: "Set up elector keys and certificates.",
                                                    subcommands: CommandTree.elector)
    let path: [String]
    init(arguments: ParsedArguments) { path = arguments.commandPath }
    func run() async throws { throw CommandLineError(.missingSubcommand, "Missing subcommand", commandPath: path) }
}

/// `electorctl root`
struct RootGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "root", abstract: "Set up root CA keys and certificates.",
                                                    subcommands: CommandTree.rootCA)
    let path: [String]
    init(arguments: ParsedArguments) { path = arguments.commandPath }
    func run() async throws { throw CommandLineError(.missingSubcommand, "Missing subcommand", commandPath: path) }
}

/// `electorctl ma`
struct MAGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ma",
                                                    abstract: "Issue misbehavior-authority (MA) certificates for chain files.",
                                                    subcommands: CommandTree.ma)
    let path: [String]
    init(arguments: ParsedArguments) { path = arguments.commandPath }
    func run() async throws { throw CommandLineError(.missingSubcommand, "Missing subcommand", commandPath: path) }
}

/// `electorctl ballot`
struct BallotGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ballot", abstract: "Assemble and verify elector ballots.",
                                                    subcommands: CommandTree.ballot)
    let path: [String]
    init(arguments: ParsedArguments) { path = arguments.commandPath }
    func run() async throws { throw CommandLineError(.missingSubcommand, "Missing subcommand", commandPath: path) }
}

/// `electorctl gccf`
struct GCCFGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gccf",
                                                    abstract: "Build and verify Global Certificate Chain Files.",
                                                    subcommands: CommandTree.gccf)
    let path: [String]
    init(arguments: ParsedArguments) { path = arguments.commandPath }
    func run() async throws { throw CommandLineError(.missingSubcommand, "Missing subcommand", commandPath: path) }
}

/// `electorctl lccf`
struct LCCFGroup: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lccf",
                                                    abstract: "Derive and check Local Certificate Chain Files.",
                                                    subcommands: CommandTree.lccf)
    let path: [String]
    init(arguments: ParsedArguments) { path = arguments.commandPath }
    func run() async throws { throw CommandLineError(.missingSubcommand, "Missing subcommand", commandPath: path) }
}
