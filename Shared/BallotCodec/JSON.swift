/// A JSON value with ordered object keys (so output follows ASN.1 component order).
public enum JSONValue: Sendable, Hashable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case int(Int64)
    case uint(UInt64)
    case bool(Bool)
    case null

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let a), .array(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.uint(let a), .uint(let b)): return a == b
        case (.int(let a), .uint(let b)), (.uint(let b), .int(let a)): return a >= 0 && UInt64(a) == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .object(let members):
            hasher.combine(0)
            for (k, v) in members {
                hasher.combine(k)
                hasher.combine(v)
            }
        case .array(let a): hasher.combine(1); hasher.combine(a)
        case .string(let s): hasher.combine(2); hasher.combine(s)
        case .int(let i): hasher.combine(3); hasher.combine(i)
        case .uint(let u): hasher.combine(3); hasher.combine(Int64(exactly: u) ?? -1)
        case .bool(let b): hasher.combine(4); hasher.combine(b)
        case .null: hasher.combine(5)
        }
    }

    /// Member `key` of an object (first match), or nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// Element `index` of an array, or nil.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }

    /// The string, if this is one.
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    /// The integer, if this is one that fits.
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .uint(let u): return Int64(exactly: u)
        default: return nil
        }
    }

    /// JSON text. `pretty` indents by two spaces, one member per line.
    public func serialized(pretty: Bool = false) -> String {
        var out = ""
        write(into: &out, pretty: pretty, indent: 0)
        return out
    }

    private func write(into out: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in members.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                JSONValue.writeString(k, into: &out)
                out += pretty ? ": " : ":"
                v.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "}"
        case .array(let elements):
            if elements.isEmpty { out += "[]"; return }
            out += "["
            for (i, v) in elements.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: indent + 1) }
                v.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: indent) }
            out += "]"
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    private static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// Options for JSON rendering.
public struct JSONOptions: Sendable, Hashable {
    /// TAI − UTC leap seconds used to render `Time32`/`Time64` as ISO 8601 (default 5, valid since 2017).
    public var leapSeconds: Int
    /// Whether to decode and show contained values (e.g. the `ScmsPDU` inside `unsecuredData`, the
    /// `ScmsSsp` inside a psid-35 SSP) next to their hex.
    public var decodeContained: Bool
    /// How many levels of contained values to decode (a contained ScmsPDU can carry ballots whose
    /// endorsements contain ScmsPDUs again); deeper ones are shown as hex only. Default 4.
    public var maxContainedDepth: Int
    /// The current contained level (internal bookkeeping while rendering).
    var containedLevel = 0

    public init(leapSeconds: Int = Time32.defaultLeapSeconds, decodeContained: Bool = true, maxContainedDepth: Int = 4) {
        self.leapSeconds = leapSeconds
        self.decodeContained = decodeContained
        self.maxContainedDepth = maxContainedDepth
    }

    /// Whether one more level of contained values may be decoded, and the options to render it with.
    var enteringContained: JSONOptions? {
        guard decodeContained, containedLevel < maxContainedDepth else { return nil }
        var next = self
        next.containedLevel += 1
        return next
    }
}

/// A value that renders itself as JSON: field names as in the ASN.1, bytes as lowercase hex,
/// CHOICEs as `{"<alternative>": value}`, ENUMERATED values by name.
public protocol JSONRepresentable {
    func jsonValue(_ options: JSONOptions) -> JSONValue
}

extension JSONRepresentable {
    /// JSON text with default options.
    public func jsonString(pretty: Bool = true, options: JSONOptions = .init()) -> String {
        jsonValue(options).serialized(pretty: pretty)
    }
}

// MARK: - Building helpers

extension JSONValue {
    /// Lowercase hex string of bytes.
    static func hex(_ bytes: [UInt8]) -> JSONValue { .string(HexCoding.encode(bytes)) }

    /// `{"name": value}` — one CHOICE alternative.
    static func choice(_ name: String, _ value: JSONValue) -> JSONValue { .object([(name, value)]) }

    /// `{"unknownExtension": {"tag": n, "hex": "…"}}`.
    static func unknownAlternative(tag: UInt, encoding: [UInt8]) -> JSONValue {
        .choice("unknownExtension", .object([("tag", .uint(UInt64(tag))), ("hex", .hex(encoding))]))
    }

    /// The unknown-additions member list (empty if none).
    static func additions(_ unknown: [COERUnknownAddition]) -> [(String, JSONValue)] {
        if unknown.isEmpty { return [] }
        return [("unknownExtensionAdditions", .array(unknown.map {
            .object([("index", .int(Int64($0.index))), ("hex", .hex($0.encoding))])
        }))]
    }
}

extension Array where Element: JSONRepresentable {
    func json(_ options: JSONOptions) -> JSONValue { .array(map { $0.jsonValue(options) }) }
}

extension UInt8: JSONRepresentable {
    public func jsonValue(_ options: JSONOptions) -> JSONValue { .int(Int64(self)) }
}

extension UInt16: JSONRepresentable {
    public func jsonValue(_ options: JSONOptions) -> JSONValue { .int(Int64(self)) }
}

extension UInt32: JSONRepresentable {
    public func jsonValue(_ options: JSONOptions) -> JSONValue { .int(Int64(self)) }
}

extension UInt64: JSONRepresentable {
    public func jsonValue(_ options: JSONOptions) -> JSONValue { .uint(self) }
}
