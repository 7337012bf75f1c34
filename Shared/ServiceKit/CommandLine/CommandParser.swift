/// Walks a command line through a tree of ``ParsableCommand`` types.
struct CommandParser {
    /// The result of parsing: the selected command type and its values.
    struct Outcome {
        var command: any ParsableCommand.Type
        var arguments: ParsedArguments
    }

    let root: any ParsableCommand.Type
    let rootName: String

    static func name(of type: any ParsableCommand.Type) -> String {
        type.configuration.commandName ?? String(describing: type).lowercased()
    }

    func parse(_ tokens: [String]) throws -> Outcome {
        var command: any ParsableCommand.Type = root
        var path = [rootName]
        var scope: [String: ArgumentSpec] = [:]
        var given: [String: [String]] = [:]
        var flags: [String: Int] = [:]
        var positionalsTaken = 0
        var positionalWords = 0
        var positionalSpecs: [ArgumentSpec] = []
        var endOfOptions = false

        func enter(_ type: any ParsableCommand.Type) {
            command = type
            for spec in type.arguments { scope[spec.name] = spec }
            positionalSpecs = type.arguments.filter { $0.kind == .positional }
            positionalsTaken = 0
            positionalWords = 0
        }
        enter(root)

        func error(_ code: CommandLineError.Code, _ message: String) -> CommandLineError {
            CommandLineError(code, message, commandPath: path)
        }
        func currentSpecs() -> [ArgumentSpec] { command.arguments }

        func optionSpec(long: String) -> ArgumentSpec? {
            currentSpecs().first { $0.kind != .positional && $0.name == long }
                ?? ancestorsSpecs().first { $0.kind != .positional && $0.name == long }
        }
        func optionSpec(short: Character) -> ArgumentSpec? {
            currentSpecs().first { $0.kind != .positional && $0.short == short }
                ?? ancestorsSpecs().first { $0.kind != .positional && $0.short == short }
        }
        func ancestorsSpecs() -> [ArgumentSpec] {
            scope.values.filter { s in !currentSpecs().contains(where: { $0.name == s.name }) }
        }
        func record(_ spec: ArgumentSpec, value: String, as shown: String) throws {
            if let allowed = spec.allowedValues, !allowed.contains(value) {
                var message = "The value '\(value)' is invalid for '\(shown)'. Expected one of: \(allowed.joined(separator: ", "))"
                if let guess = Suggestion.closest(to: value, in: allowed) { message += ". Did you mean '\(guess)'?" }
                throw error(.invalidValue, message)
            }
            if given[spec.name] != nil, !spec.isRepeating {
                throw error(.duplicateOption, "Option '\(shown)' given more than once")
            }
            given[spec.name, default: []].append(value)
        }
        func takePositional(_ token: String) throws {
            positionalWords += 1
            if positionalsTaken < positionalSpecs.count {
                let spec = positionalSpecs[positionalsTaken]
                try record(spec, value: token, as: "<\(spec.name)>")
                if !spec.isRepeating { positionalsTaken += 1 }
                return
            }
            throw error(.unexpectedArgument, "Unexpected argument '\(token)'")
        }
        func unknownOption(_ shown: String) -> CommandLineError {
            var names = currentSpecs().filter { $0.kind != .positional && !$0.isHidden }.map { "--\($0.name)" }
            names += ancestorsSpecs().filter { $0.kind != .positional && !$0.isHidden }.map { "--\($0.name)" }
            names.append("--help")
            var message = "Unknown option '\(shown)'"
            if shown.hasPrefix("--"), let guess = Suggestion.closest(to: shown, in: names) {
                message += ". Did you mean '\(guess)'?"
            }
            return error(.unknownOption, message)
        }

        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            if endOfOptions {
                try takePositional(token)
                continue
            }
            if token == "--" {
                endOfOptions = true
                continue
            }
            if token == "--help" || token == "-h" {
                throw CleanExit.helpRequest(command)
            }
            if token == "--version", command == root, let version = root.configuration.version {
                throw CleanExit.message(version)
            }
            if token.hasPrefix("--") {
                let body = token.dropFirst(2)
                let name: String
                var inline: String?
                if let eq = body.firstIndex(of: "=") {
                    name = String(body[..<eq])
                    inline = String(body[body.index(after: eq)...])
                } else {
                    name = String(body)
                }
                guard let spec = optionSpec(long: name) else { throw unknownOption("--\(name)") }
                switch spec.kind {
                case .flag:
                    if inline != nil { throw error(.unexpectedValue, "Flag '--\(name)' does not take a value") }
                    flags[spec.name, default: 0] += 1
                case .option:
                    let value: String
                    if let inline {
                        value = inline
                    } else {
                        guard index < tokens.count, !looksLikeOption(tokens[index]) else {
                            throw error(.missingValue, "Missing value for '--\(name) <\(spec.valueName)>'")
                        }
                        value = tokens[index]
                        index += 1
                    }
                    try record(spec, value: value, as: "--\(name)")
                case .positional:
                    throw unknownOption("--\(name)")
                }
                continue
            }
            if token.hasPrefix("-"), token.count > 1, !isNumber(token) {
                // -f, -n VALUE, -nVALUE, or grouped flags -fv.
                var letters = Array(token.dropFirst())
                while let letter = letters.first {
                    letters.removeFirst()
                    guard let spec = optionSpec(short: letter) else {
                        if letter == "h" { throw CleanExit.helpRequest(command) }
                        throw unknownOption("-\(letter)")
                    }
                    if spec.kind == .flag {
                        flags[spec.name, default: 0] += 1
                        continue
                    }
                    let value: String
                    if !letters.isEmpty {
                        value = String(letters.first == "=" ? letters.dropFirst() : letters[...])
                        letters.removeAll()
                    } else {
                        guard index < tokens.count, !looksLikeOption(tokens[index]) else {
                            throw error(.missingValue, "Missing value for '-\(letter) <\(spec.valueName)>'")
                        }
                        value = tokens[index]
                        index += 1
                    }
                    try record(spec, value: value, as: "-\(letter)")
                }
                continue
            }
            // A bare word: a subcommand (if none chosen yet at this level), else a positional.
            let subcommands = command.configuration.subcommands
            if !subcommands.isEmpty, positionalWords == 0 {
                if let sub = subcommands.first(where: { Self.name(of: $0) == token }) {
                    path.append(token)
                    enter(sub)
                    continue
                }
                if token == "help", command == root, !subcommands.contains(where: { Self.name(of: $0) == "help" }) {
                    throw CleanExit.helpRequest(resolveHelpPath(Array(tokens[index...])))
                }
                if positionalSpecs.isEmpty {
                    let names = subcommands.map(Self.name(of:))
                    var message = "Unknown subcommand '\(token)'"
                    if let guess = Suggestion.closest(to: token, in: names) { message += ". Did you mean '\(guess)'?" }
                    throw error(.unknownSubcommand, message)
                }
            }
            try takePositional(token)
        }

        // No subcommand named: use the default one, if any.
        if let fallback = command.configuration.defaultSubcommand, positionalWords == 0 {
            path.append(Self.name(of: fallback))
            enter(fallback)
        }

        // Required elements and defaults.
        for spec in command.arguments where spec.isRequired {
            switch spec.kind {
            case .option where given[spec.name] == nil:
                throw error(.missingRequired, "Missing expected argument '--\(spec.name) <\(spec.valueName)>'")
            case .positional where given[spec.name] == nil:
                throw error(.missingRequired, "Missing expected argument '<\(spec.name)>'")
            default:
                break
            }
        }
        return Outcome(command: command,
                       arguments: ParsedArguments(commandPath: path, specs: scope, given: given, flagCounts: flags))
    }

    /// `help a b` → the type at that path (unknown words stop the walk).
    func resolveHelpPath(_ words: [String]) -> any ParsableCommand.Type {
        var type: any ParsableCommand.Type = root
        for word in words {
            guard let sub = type.configuration.subcommands.first(where: { Self.name(of: $0) == word }) else { break }
            type = sub
        }
        return type
    }

    /// The names from the root to `target` (depth-first search), or just the root.
    func path(to target: any ParsableCommand.Type) -> [String] {
        func search(_ type: any ParsableCommand.Type, _ prefix: [String]) -> [String]? {
            if type == target { return prefix }
            for sub in type.configuration.subcommands {
                if let found = search(sub, prefix + [Self.name(of: sub)]) { return found }
            }
            return nil
        }
        return search(root, [rootName]) ?? [rootName]
    }

    /// The type at a name path (the longest prefix that resolves).
    func type(at path: [String]) -> any ParsableCommand.Type {
        resolveHelpPath(Array(path.dropFirst()))
    }

    private func looksLikeOption(_ token: String) -> Bool {
        token.hasPrefix("--") || (token.hasPrefix("-") && token.count == 2 && !isNumber(token))
    }

    private func isNumber(_ token: String) -> Bool {
        Double(token) != nil
    }
}

func == (lhs: any ParsableCommand.Type, rhs: any ParsableCommand.Type) -> Bool {
    ObjectIdentifier(lhs) == ObjectIdentifier(rhs)
}
