import Glibc

extension ParsableCommand {
    /// The root command's name: its ``CommandConfiguration/commandName`` or the executable's file name.
    static var rootName: String {
        if let name = configuration.commandName { return name }
        if let argv0 = CommandLine.arguments.first, let last = argv0.split(separator: "/").last { return String(last) }
        return String(describing: Self.self).lowercased()
    }

    static var parser: CommandParser { CommandParser(root: Self.self, rootName: rootName) }

    /// Parses `arguments` (without the executable name) into the selected command, built and validated.
    ///
    /// Throws ``CommandLineError``, ``ValidationError`` (from `init(arguments:)`/`validate()`), or ``CleanExit`` for
    /// `--help`/`--version`.
    public static func parseAsRoot(_ arguments: [String]) throws -> any ParsableCommand {
        let outcome = try parser.parse(arguments)
        do {
            var command = try outcome.command.init(arguments: outcome.arguments)
            try command.validate()
            return command
        } catch let error as ValidationError {
            throw CommandLineError(.validation, error.message, commandPath: outcome.arguments.commandPath)
        }
    }

    /// Parses `arguments` to the selected command type and its values without building the command.
    public static func parseArguments(_ arguments: [String]) throws -> (command: any ParsableCommand.Type,
                                                                      arguments: ParsedArguments) {
        let outcome = try parser.parse(arguments)
        return (outcome.command, outcome.arguments)
    }

    /// The help screen of this command, or of the subcommand at `subcommandPath` (names below this one).
    public static func helpMessage(for subcommandPath: [String] = []) -> String {
        let parser = self.parser
        return HelpGenerator(parser: parser).help(parser.resolveHelpPath(subcommandPath))
    }

    /// The help screen of `type`, a command somewhere below this root.
    public static func helpMessage(for type: any ParsableCommand.Type) -> String {
        HelpGenerator(parser: parser).help(type)
    }

    /// The status the process exits with for `error`.
    public static func exitCode(for error: any Error) -> ExitCode {
        switch error {
        case let code as ExitCode: return code
        case is CleanExit: return .ok
        case is CommandLineError, is ValidationError: return .usage
        case let provider as any ExitCodeProviding: return provider.exitCode
        default: return .software
        }
    }

    /// What is printed for `error`, and whether it goes to standard output (help, version) or standard error.
    public static func fullMessage(for error: any Error) -> (text: String, toStandardOutput: Bool) {
        let parser = self.parser
        let help = HelpGenerator(parser: parser)
        switch error {
        case let exit as CleanExit:
            switch exit {
            case .helpRequest(let type): return (help.help(type ?? Self.self), true)
            case .message(let text): return (text.hasSuffix("\n") ? text : text + "\n", true)
            }
        case is ExitCode:
            return ("", false)
        case let usage as CommandLineError:
            let type = parser.type(at: usage.commandPath)
            let path = usage.commandPath.isEmpty ? [parser.rootName] : usage.commandPath
            return ("Error: \(usage.message)\nUsage: \(help.usage(type, path: path))\n"
                    + "  See '\(path.joined(separator: " ")) --help' for more information.\n", false)
        case let validation as ValidationError:
            return ("Error: \(validation.message)\nUsage: \(help.usage(Self.self, path: [parser.rootName]))\n", false)
        default:
            return ("error: \(error)\n", false)
        }
    }

    /// Prints what `error` calls for and ends the process with its status (``exitCode(for:)``).
    public static func exit(withError error: (any Error)?) -> Never {
        guard let error else { Glibc.exit(ExitCode.ok.rawValue) }
        let message = fullMessage(for: error)
        if !message.text.isEmpty {
            if message.toStandardOutput {
                StandardStreams.writeOut(message.text)
            } else {
                StandardStreams.writeError(message.text)
            }
        }
        Glibc.exit(exitCode(for: error).rawValue)
    }

    /// Parses the process's command line (or `arguments`), runs the selected command, and exits: 0 on success,
    /// 64 with the usage on a command-line error, or the status of the thrown error.
    public static func main(_ arguments: [String]? = nil) async -> Never {
        let argv = arguments ?? Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(argv)
            try await command.run()
            exit(withError: nil)
        } catch {
            exit(withError: error)
        }
    }
}
