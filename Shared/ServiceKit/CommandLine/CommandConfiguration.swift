/// The static description of a command, mirroring swift-argument-parser's `CommandConfiguration`.
public struct CommandConfiguration: Sendable {
    /// The word that selects the command (`init` in `electorctl elector init`). Required for subcommands; the root
    /// defaults to the executable name.
    public var commandName: String?
    /// One line shown in the parent's subcommand list and as `OVERVIEW:`.
    public var abstract: String
    /// Longer text shown below the overview.
    public var discussion: String
    /// Printed by `--version` (root command only) when set.
    public var version: String?
    /// The subcommands, each a ``ParsableCommand`` type.
    public var subcommands: [any ParsableCommand.Type]
    /// The subcommand chosen when none is named.
    public var defaultSubcommand: (any ParsableCommand.Type)?
    /// Hidden commands parse but are not listed in the parent's help.
    public var shouldDisplay: Bool

    /// Creates a configuration.
    public init(commandName: String? = nil, abstract: String = "", discussion: String = "", version: String? = nil,
                shouldDisplay: Bool = true, subcommands: [any ParsableCommand.Type] = [],
                defaultSubcommand: (any ParsableCommand.Type)? = nil) {
        self.commandName = commandName
        self.abstract = abstract
        self.discussion = discussion
        self.version = version
        self.shouldDisplay = shouldDisplay
        self.subcommands = subcommands
        self.defaultSubcommand = defaultSubcommand
    }
}

/// A command (or a group of subcommands) of a scms-electors executable.
///
/// The hand-written counterpart of swift-argument-parser's `AsyncParsableCommand`: instead of property wrappers
/// a command lists ``arguments`` and reads them in ``init(arguments:)``.
///
/// ```swift
/// struct ElectorCtl: ParsableCommand {
///     static let configuration = CommandConfiguration(commandName: "electorctl", abstract: "Operate electors.",
///                                                     subcommands: [Elector.self])
///     init(arguments: ParsedArguments) {}
/// }
///
/// struct Elector: ParsableCommand {
///     static let configuration = CommandConfiguration(commandName: "elector", abstract: "Manage elector keys.",
///                                                     subcommands: [Init.self])
///     init(arguments: ParsedArguments) {}
///
///     struct Init: ParsableCommand {
///         static let configuration = CommandConfiguration(commandName: "init", abstract: "Create an elector.")
///         static let arguments: [ArgumentSpec] = [
///             .option("name", help: "The elector's name.", required: true),
///             .option("out", valueName: "dir", help: "Output directory.", default: "."),
///         ]
///         var name: String
///         var out: String
///         init(arguments: ParsedArguments) throws {
///             name = try arguments.requiredString("name")
///             out = arguments.string("out", default: ".")
///         }
///         func run() async throws { ... }
///     }
/// }
///
/// // main.swift
/// await ElectorCtl.main()
/// ```
public protocol ParsableCommand: Sendable {
    /// Name, help text and subcommands.
    static var configuration: CommandConfiguration { get }
    /// The options, flags and positionals this command accepts (`--help` is implicit). Defaults to none.
    static var arguments: [ArgumentSpec] { get }
    /// Builds the command from parsed values. Throw ``ValidationError`` for a usage problem.
    init(arguments: ParsedArguments) throws
    /// Checks combinations of values after parsing. Throw ``ValidationError`` for a usage problem.
    mutating func validate() throws
    /// Does the work. The default (for command groups) prints the help screen.
    mutating func run() async throws
}

extension ParsableCommand {
    public static var arguments: [ArgumentSpec] { [] }

    public mutating func validate() throws {}

    public mutating func run() async throws {
        throw CleanExit.helpRequest(Self.self)
    }
}

/// A usage problem found after parsing (bad combination of values); ends the process with status 64 and the usage.
public struct ValidationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The message shown after `Error:`.
    public var message: String

    /// Creates a validation error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// A request to end the process successfully with output on stdout (help, version).
public enum CleanExit: Error, Sendable, CustomStringConvertible {
    /// Print the help screen of the given command type.
    case helpRequest((any ParsableCommand.Type)?)
    /// Print a message.
    case message(String)

    public var description: String {
        switch self {
        case .helpRequest(let type): return "help requested for \(type.map { String(describing: $0) } ?? "the root command")"
        case .message(let text): return text
        }
    }
}

/// A command-line error found while parsing: unknown option, missing value, bad value, ...
///
/// It carries the path of the command being parsed so the right usage line is shown.
public struct CommandLineError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable reason codes.
    public enum Code: String, Sendable, Hashable {
        case unknownOption = "cli.unknown-option"
        case unknownSubcommand = "cli.unknown-subcommand"
        case missingSubcommand = "cli.missing-subcommand"
        case missingValue = "cli.missing-value"
        case missingRequired = "cli.missing-required"
        case unexpectedArgument = "cli.unexpected-argument"
        case unexpectedValue = "cli.unexpected-value"
        case duplicateOption = "cli.duplicate-option"
        case invalidValue = "cli.invalid-value"
        case validation = "cli.validation"
    }

    /// Why parsing failed.
    public var code: Code
    /// The message shown after `Error:`.
    public var message: String
    /// Command names from the root to the command being parsed (`["electorctl", "elector", "init"]`).
    public var commandPath: [String]

    /// Creates an error.
    public init(_ code: Code, _ message: String, commandPath: [String]) {
        self.code = code
        self.message = message
        self.commandPath = commandPath
    }

    public var description: String { message }
}

/// A service's command: every option comes from one ``ConfigurationSchema``, and the command keeps the resolved
/// ``ConfigurationSource`` (flags > `SCMS_*` environment > `--config` file > defaults) for `run()`.
public protocol ServiceCommand: ParsableCommand {
    /// The service's settings.
    static var schema: ConfigurationSchema { get }
    /// The command, holding its resolved configuration.
    init(config: ConfigurationSource)
}

extension ServiceCommand {
    public static var arguments: [ArgumentSpec] { schema.argumentSpecs }

    public init(arguments: ParsedArguments) throws {
        self.init(config: try ConfigurationSource(schema: Self.schema, arguments: arguments))
    }
}
