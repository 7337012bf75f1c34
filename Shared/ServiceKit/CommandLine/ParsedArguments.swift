/// The values found on a command line, with typed getters.
///
/// Names are the long option names (without dashes) and positional names of ``ArgumentSpec``s. Values of the
/// command's ancestors (options given before the subcommand word) are visible too. Reading a name that no spec
/// declares is a programming error and traps.
///
/// Getters that convert throw ``CommandLineError`` with code ``CommandLineError/Code/invalidValue`` naming the
/// option and the expected form, so the process ends with status 64 and a helpful message.
public struct ParsedArguments: Sendable {
    /// Command names from the root to the selected command.
    public let commandPath: [String]
    /// Every spec in scope (this command's and its ancestors'), by name.
    let specs: [String: ArgumentSpec]
    /// Values given on the command line, in order, by name (options and positionals).
    let given: [String: [String]]
    /// How often each flag was given.
    let flagCounts: [String: Int]

    init(commandPath: [String], specs: [String: ArgumentSpec], given: [String: [String]], flagCounts: [String: Int]) {
        self.commandPath = commandPath
        self.specs = specs
        self.given = given
        self.flagCounts = flagCounts
    }

    /// An empty value for commands built without parsing (tests, defaults).
    public static func empty(commandPath: [String] = []) -> ParsedArguments {
        ParsedArguments(commandPath: commandPath, specs: [:], given: [:], flagCounts: [:])
    }

    private func spec(_ name: String) -> ArgumentSpec {
        guard let spec = specs[name] else {
            preconditionFailure("ParsedArguments: '\(name)' is not declared by \(commandPath.joined(separator: " "))")
        }
        return spec
    }

    private func label(_ name: String) -> String {
        spec(name).kind == .positional ? "<\(name)>" : "--\(name)"
    }

    /// Whether `name` was given on the command line (defaults do not count).
    public func isGiven(_ name: String) -> Bool {
        _ = spec(name)
        return given[name] != nil || flagCounts[name] != nil
    }

    /// The value of an option or positional, or its default, or `nil`. For repeatable ones, the last value.
    public func string(_ name: String) -> String? {
        given[name]?.last ?? spec(name).defaultValue
    }

    /// The value, or `defaultValue` when absent.
    public func string(_ name: String, default defaultValue: String) -> String {
        string(name) ?? defaultValue
    }

    /// The value; throws a usage error when it is absent.
    public func requiredString(_ name: String) throws(CommandLineError) -> String {
        guard let value = string(name) else {
            throw CommandLineError(.missingRequired, "Missing expected argument '\(spec(name).usageFragment.trimmingBrackets)'",
                                   commandPath: commandPath)
        }
        return value
    }

    /// Every value of a repeatable option or variadic positional, in command-line order (or the default, if any).
    public func strings(_ name: String) -> [String] {
        if let values = given[name] { return values }
        return spec(name).defaultValue.map { [$0] } ?? []
    }

    /// Whether a flag was given.
    public func flag(_ name: String) -> Bool { flagCount(name) > 0 }

    /// How many times a flag was given (`-v -v`).
    public func flagCount(_ name: String) -> Int {
        _ = spec(name)
        return flagCounts[name] ?? 0
    }

    /// Converts the value with `transform`; a thrown error or `nil` becomes an invalid-value usage error that names
    /// the option and `expected`.
    public func value<T>(_ name: String, expected: String, _ transform: (String) throws -> T?) throws(CommandLineError) -> T? {
        guard let text = string(name) else { return nil }
        let converted: T?
        do {
            converted = try transform(text)
        } catch {
            throw CommandLineError(.invalidValue, "Invalid value '\(text)' for '\(label(name))': \(error)",
                                   commandPath: commandPath)
        }
        guard let result = converted else {
            throw CommandLineError(.invalidValue, "Invalid value '\(text)' for '\(label(name))': expected \(expected)",
                                   commandPath: commandPath)
        }
        return result
    }

    /// A decimal integer.
    public func int(_ name: String) throws(CommandLineError) -> Int? {
        try value(name, expected: "an integer") { Int($0) }
    }

    /// A decimal integer, or `defaultValue` when absent.
    public func int(_ name: String, default defaultValue: Int) throws(CommandLineError) -> Int {
        try int(name) ?? defaultValue
    }

    /// A decimal integer within `range`.
    public func int(_ name: String, in range: ClosedRange<Int>) throws(CommandLineError) -> Int? {
        try value(name, expected: "an integer from \(range.lowerBound) to \(range.upperBound)") { text in
            Int(text).flatMap { range.contains($0) ? $0 : nil }
        }
    }

    /// A decimal number.
    public func double(_ name: String) throws(CommandLineError) -> Double? {
        try value(name, expected: "a number") { Double($0) }
    }

    /// A duration such as `6y`, `90d`, `30s`, `15m`, `12h` or `1d12h` (see ``DurationText``).
    public func duration(_ name: String) throws(CommandLineError) -> Duration? {
        try value(name, expected: "a duration like 90d") { try DurationText.duration($0) }
    }

    /// A duration in whole seconds.
    public func durationSeconds(_ name: String) throws(CommandLineError) -> Int64? {
        try value(name, expected: "a duration like 90d") { try DurationText.seconds($0) }
    }

    /// A time: ISO-8601 UTC, or a bare integer that is already Time32 (see ``Time32Conversion/parse(_:)``).
    public func time32(_ name: String, conversion: Time32Conversion = Time32Conversion()) throws(CommandLineError) -> UInt32? {
        try value(name, expected: "an ISO-8601 UTC time or a Time32 integer") { try conversion.parse($0) }
    }

    /// Hex bytes (whitespace allowed).
    public func hex(_ name: String) throws(CommandLineError) -> [UInt8]? {
        try value(name, expected: "hex") { try Hex.decodeVectorText($0) }
    }
}

extension String {
    var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
