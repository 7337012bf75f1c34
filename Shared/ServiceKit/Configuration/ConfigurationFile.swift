/// A parsed config file of `key = value` lines.
///
/// Format:
/// - one setting per line: `key = value` (spaces around `=` optional);
/// - `#` starts a comment when it begins a line or follows whitespace;
/// - blank lines are ignored;
/// - a value may be wrapped in double quotes to keep leading/trailing spaces or `#`; inside quotes `\"`, `\\`,
///   `\n` and `\t` are escapes;
/// - keys are the flag names without `--` (`bootstrap-servers`); a key may appear only once.
///
/// ```
/// # /etc/scms/quorum-validator.conf
/// bootstrap-servers = kafka-1:9092,kafka-2:9092
/// http-port = 9102
/// log-level = debug
/// kafka.security.protocol = SASL_SSL
/// kafka.sasl.password = "p#ss word"
/// ```
public struct ConfigurationFile: Sendable, Equatable {
    /// One setting and where it was written.
    public struct Entry: Sendable, Equatable {
        /// The key.
        public var key: String
        /// The value, unquoted.
        public var value: String
        /// 1-based line number.
        public var line: Int
    }

    /// The file's path as given (for messages).
    public var path: String
    /// The settings in file order.
    public var entries: [Entry]

    /// Parses `text`; `path` is only used in error messages.
    public init(parsing text: String, path: String) throws(ConfigurationError) {
        self.path = path
        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let origin = ConfigurationOrigin.file(path: path, line: lineNumber)
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.isEmpty || trimmed.first == "#" { continue }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw ConfigurationError(.malformedFile, key: nil, origin: origin,
                                         "expected 'key = value', got '\(trimmed)'")
            }
            let key = trimmed[..<eq].trimmingCharacters(" \t")
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw ConfigurationError(.malformedFile, key: nil, origin: origin, "invalid key '\(key)'")
            }
            if let first = seen[key] {
                throw ConfigurationError(.duplicateKey, key: key, origin: origin,
                                         "key '\(key)' already set on line \(first)")
            }
            seen[key] = lineNumber
            let value = try Self.parseValue(trimmed[trimmed.index(after: eq)...], origin: origin, key: key)
            entries.append(Entry(key: key, value: value, line: lineNumber))
        }
        self.entries = entries
    }

    /// Reads and parses the file at `path` (at most 1 MiB).
    public init(contentsOf path: String) throws(ConfigurationError) {
        let text: String
        do {
            text = try FileIO.readText(path, limit: 1 << 20)
        } catch {
            throw ConfigurationError(.unreadableFile, key: nil, origin: .file(path: path, line: 0), "\(error)")
        }
        try self.init(parsing: text, path: path)
    }

    /// The entry for `key`.
    public func entry(_ key: String) -> Entry? { entries.first { $0.key == key } }

    static func parseValue(_ raw: Substring, origin: ConfigurationOrigin, key: String) throws(ConfigurationError) -> String {
        let body = raw.drop(while: { $0 == " " || $0 == "\t" })
        if body.first == "\"" {
            var out = ""
            var escaped = false
            var index = body.index(after: body.startIndex)
            while index < body.endIndex {
                let ch = body[index]
                index = body.index(after: index)
                if escaped {
                    switch ch {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "\"", "\\": out.append(ch)
                    default:
                        throw ConfigurationError(.malformedFile, key: key, origin: origin, "unknown escape '\\\(ch)'")
                    }
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    let rest = body[index...].trimmingCharacters(" \t")
                    guard rest.isEmpty || rest.hasPrefix("#") else {
                        throw ConfigurationError(.malformedFile, key: key, origin: origin,
                                                 "unexpected text after the closing quote")
                    }
                    return out
                } else {
                    out.append(ch)
                }
            }
            throw ConfigurationError(.malformedFile, key: key, origin: origin, "missing closing quote")
        }
        // Unquoted: a '#' after whitespace starts a comment.
        var value = ""
        var previous: Character = " "
        for ch in body {
            if ch == "#" && (previous == " " || previous == "\t") { break }
            value.append(ch)
            previous = ch
        }
        return value.trimmingCharacters(" \t")
    }
}

extension StringProtocol {
    func trimmingCharacters(_ set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
