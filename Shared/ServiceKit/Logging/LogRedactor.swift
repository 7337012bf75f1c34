/// Keeps secrets out of logs: metadata values under sensitive keys are replaced by `"[REDACTED]"`, at any depth.
///
/// Keys are compared after lower-casing and removing `-`, `_` and `.`. A key is sensitive when
/// - it equals one of ``exactKeys`` (`key`, `secret`, `password`, ...), or its last dotted component does
///   (`kafka.key` but not `recordKey`), or
/// - it ends with one of ``suffixes`` (`privateKey`, `signingPrivateKey`, `saslPassword`, `apiToken`, ...).
///
/// So name harmless values unambiguously (`recordKey`, `keyId`), and add a ``custom`` hook for anything else.
public struct LogRedactor: Sendable {
    /// The replacement text.
    public static let replacement = "[REDACTED]"

    /// Normalized keys redacted on exact match.
    public var exactKeys: Set<String>
    /// Normalized suffixes redacted on suffix match.
    public var suffixes: [String]
    /// An extra hook: return a replacement value to redact (or rewrite) the value, `nil` to keep it.
    public var custom: (@Sendable (_ key: String, _ value: Logger.MetadataValue) -> Logger.MetadataValue?)?

    /// Creates a redactor.
    public init(exactKeys: Set<String>, suffixes: [String],
                custom: (@Sendable (String, Logger.MetadataValue) -> Logger.MetadataValue?)? = nil) {
        self.exactKeys = Set(exactKeys.map(Self.normalize))
        self.suffixes = suffixes.map(Self.normalize)
        self.custom = custom
    }

    /// `key`, `secret`, `password`, `passphrase`, `token`, `credentials` exactly; `privatekey`, `secretkey`,
    /// `password`, `passphrase`, `secret`, `token` as suffixes.
    public static let `default` = LogRedactor(
        exactKeys: ["key", "secret", "password", "passphrase", "token", "credentials", "pem", "der"],
        suffixes: ["privatekey", "secretkey", "password", "passphrase", "secret", "token", "keymaterial"])

    /// Redacts nothing.
    public static let none = LogRedactor(exactKeys: [], suffixes: [])

    static func normalize(_ key: String) -> String {
        String(key.lowercased().filter { $0 != "-" && $0 != "_" && $0 != "." })
    }

    /// Whether values under `key` are redacted.
    public func isSensitive(_ key: String) -> Bool {
        let whole = Self.normalize(key)
        if exactKeys.contains(whole) { return true }
        if let last = key.split(separator: ".").last, exactKeys.contains(Self.normalize(String(last))) { return true }
        return suffixes.contains { whole.hasSuffix($0) }
    }

    /// `value` as it may be logged under `key`.
    public func redact(_ key: String, _ value: Logger.MetadataValue) -> Logger.MetadataValue {
        if isSensitive(key) { return .string(Self.replacement) }
        if let custom, let replaced = custom(key, value) { return replaced }
        switch value {
        case .dictionary(let dict):
            return .dictionary(Dictionary(uniqueKeysWithValues: dict.map { ($0.key, redact($0.key, $0.value)) }))
        case .array(let items):
            return .array(items.map { redact(key, $0) })
        case .string, .stringConvertible:
            return value
        }
    }
}
