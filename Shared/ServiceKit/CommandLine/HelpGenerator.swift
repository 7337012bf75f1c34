/// Renders help screens and usage lines in swift-argument-parser's layout.
struct HelpGenerator {
    static let labelColumn = 26
    static let width = 80

    static let helpSpec = ArgumentSpec.flag("help", short: "h", help: "Show help information.")

    let parser: CommandParser

    /// `electorctl elector init --name <name> [--out <dir>] <input>`
    func usage(_ type: any ParsableCommand.Type, path: [String]) -> String {
        var parts = [path.joined(separator: " ")]
        let visible = type.arguments.filter { !$0.isHidden }
        parts += visible.filter { $0.kind != .positional }.map(\.usageFragment)
        parts += visible.filter { $0.kind == .positional }.map(\.usageFragment)
        if !type.configuration.subcommands.isEmpty {
            parts.append(type.configuration.defaultSubcommand == nil ? "<subcommand>" : "[<subcommand>]")
        }
        return parts.joined(separator: " ")
    }

    func help(_ type: any ParsableCommand.Type) -> String {
        let path = parser.path(to: type)
        let config = type.configuration
        var out = ""
        if !config.abstract.isEmpty { out += "OVERVIEW: \(config.abstract)\n\n" }
        if !config.discussion.isEmpty { out += wrap(config.discussion, indent: 0) + "\n\n" }
        out += "USAGE: \(usage(type, path: path))\n"

        let visible = type.arguments.filter { !$0.isHidden }
        let positionals = visible.filter { $0.kind == .positional }
        if !positionals.isEmpty {
            out += "\nARGUMENTS:\n"
            for spec in positionals { out += row(spec.helpLabel, describe(spec)) }
        }
        out += "\nOPTIONS:\n"
        for spec in visible where spec.kind != .positional { out += row(spec.helpLabel, describe(spec)) }
        if path.count == 1, config.version != nil { out += row("--version", "Show the version.") }
        out += row(Self.helpSpec.helpLabel, Self.helpSpec.help)

        let subs = config.subcommands.filter { $0.configuration.shouldDisplay }
        if !subs.isEmpty {
            out += "\nSUBCOMMANDS:\n"
            for sub in subs {
                var name = CommandParser.name(of: sub)
                if let d = config.defaultSubcommand, d == sub { name += " (default)" }
                out += row(name, sub.configuration.abstract)
            }
            out += "\n  See '\(path[0]) help \((path.dropFirst() + ["<subcommand>"]).joined(separator: " "))' for detailed help.\n"
        }
        return out
    }

    private func describe(_ spec: ArgumentSpec) -> String {
        var text = spec.help
        if let allowed = spec.allowedValues { text += " (values: \(allowed.joined(separator: ", ")))" }
        if let d = spec.defaultValue { text += " (default: \(d))" }
        if spec.kind == .option && spec.isRepeating { text += " (repeatable)" }
        return text
    }

    private func row(_ label: String, _ text: String) -> String {
        let lead = "  " + label
        let body = wrap(text, indent: Self.labelColumn)
        if lead.count + 2 > Self.labelColumn {
            return lead + "\n" + String(repeating: " ", count: Self.labelColumn) + body + "\n"
        }
        return lead + String(repeating: " ", count: Self.labelColumn - lead.count) + body + "\n"
    }

    /// Greedy word wrap; continuation lines are indented by `indent`.
    private func wrap(_ text: String, indent: Int) -> String {
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            for word in paragraph.split(separator: " ") {
                if !line.isEmpty, indent + line.count + 1 + word.count > Self.width {
                    lines.append(line)
                    line = String(word)
                } else {
                    line += line.isEmpty ? String(word) : " " + word
                }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n" + String(repeating: " ", count: indent))
    }
}
