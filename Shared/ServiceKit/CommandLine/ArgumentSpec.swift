/// One thing a command accepts on its command line: an option with a value, a flag, or a positional argument.
///
/// This is the property-wrapper-free stand-in for swift-argument-parser's `@Option`, `@Flag` and `@Argument`;
/// a command lists its specs in ``ParsableCommand/arguments`` and reads the values from ``ParsedArguments``.
///
/// ```swift
/// static let arguments: [ArgumentSpec] = [
///     .option("name", help: "The elector's name.", required: true),
///     .option("out", valueName: "dir", help: "Where to write the key and certificate.", default: "."),
///     .repeatableOption("endorsement", short: "e", valueName: "file", help: "A signed endorsement (repeatable)."),
///     .flag("force", short: "f", help: "Overwrite existing files."),
///     .argument("input", help: "The COER file, or - for standard input."),
/// ]
/// ```
public struct ArgumentSpec: Sendable, Hashable {
    /// What kind of command-line element this is.
    public enum Kind: Sendable, Hashable {
        /// `--name VALUE` or `--name=VALUE`.
        case option
        /// `--name`, present or absent.
        case flag
        /// A bare word matched by position.
        case positional
    }

    /// The kind of element.
    public var kind: Kind
    /// The long name without dashes (`bootstrap-servers`), or the positional's name.
    public var name: String
    /// An optional one-letter alias (`-f`).
    public var short: Character?
    /// The placeholder in help (`--out <dir>`).
    public var valueName: String
    /// One or more sentences for the help screen.
    public var help: String
    /// Whether parsing fails when the element is absent.
    public var isRequired: Bool
    /// For options: may be given several times. For positionals: takes all remaining words (must be last).
    public var isRepeating: Bool
    /// The value used when the option or positional is absent.
    public var defaultValue: String?
    /// When set, the only values accepted (checked while parsing, listed in help).
    public var allowedValues: [String]?
    /// Hidden elements are parsed but not shown in help.
    public var isHidden: Bool

    /// Creates a spec; prefer the static factories.
    public init(kind: Kind, name: String, short: Character? = nil, valueName: String? = nil, help: String,
                isRequired: Bool = false, isRepeating: Bool = false, defaultValue: String? = nil,
                allowedValues: [String]? = nil, isHidden: Bool = false) {
        self.kind = kind
        self.name = name
        self.short = short
        self.valueName = valueName ?? name
        self.help = help
        self.isRequired = isRequired
        self.isRepeating = isRepeating
        self.defaultValue = defaultValue
        self.allowedValues = allowedValues
        self.isHidden = isHidden
    }

    /// `--name VALUE` / `--name=VALUE`, given at most once.
    public static func option(_ name: String, short: Character? = nil, valueName: String? = nil, help: String,
                              default defaultValue: String? = nil, required: Bool = false,
                              allowedValues: [String]? = nil, hidden: Bool = false) -> ArgumentSpec {
        ArgumentSpec(kind: .option, name: name, short: short, valueName: valueName, help: help, isRequired: required,
                     defaultValue: defaultValue, allowedValues: allowedValues, isHidden: hidden)
    }

    /// An option that may be given several times; read it with ``ParsedArguments/strings(_:)``.
    public static func repeatableOption(_ name: String, short: Character? = nil, valueName: String? = nil,
                                        help: String, required: Bool = false) -> ArgumentSpec {
        ArgumentSpec(kind: .option, name: name, short: short, valueName: valueName, help: help, isRequired: required,
                     isRepeating: true)
    }

    /// `--name` with no value; read it with ``ParsedArguments/flag(_:)``.
    public static func flag(_ name: String, short: Character? = nil, help: String, hidden: Bool = false) -> ArgumentSpec {
        ArgumentSpec(kind: .flag, name: name, short: short, help: help, isHidden: hidden)
    }

    /// A positional argument. `-` is an ordinary value (conventionally standard input).
    public static func argument(_ name: String, help: String, required: Bool = true,
                                default defaultValue: String? = nil) -> ArgumentSpec {
        ArgumentSpec(kind: .positional, name: name, help: help, isRequired: required && defaultValue == nil,
                     defaultValue: defaultValue)
    }

    /// A positional argument that takes every remaining word; `required` means at least one.
    public static func variadicArgument(_ name: String, help: String, required: Bool = false) -> ArgumentSpec {
        ArgumentSpec(kind: .positional, name: name, help: help, isRequired: required, isRepeating: true)
    }

    /// How the element appears in a usage line: `--out <dir>`, `[--force]`, `<input>`, `[<files> ...]`.
    var usageFragment: String {
        var core: String
        switch kind {
        case .option: core = "--\(name) <\(valueName)>"
        case .flag: core = "--\(name)"
        case .positional: core = "<\(name)>"
        }
        if isRepeating { core += " ..." }
        return isRequired ? core : "[\(core)]"
    }

    /// The left column of the help screen.
    var helpLabel: String {
        switch kind {
        case .option:
            let long = "--\(name) <\(valueName)>"
            return short.map { "-\($0), \(long)" } ?? long
        case .flag:
            return short.map { "-\($0), --\(name)" } ?? "--\(name)"
        case .positional:
            return isRepeating ? "<\(name)> ..." : "<\(name)>"
        }
    }
}
