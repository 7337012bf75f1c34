/// Why a COER input was refused, where, and at which byte.
///
/// `reason` is a stable code (its raw value is what logs, rejection records and exit paths print);
/// `path` names the ASN.1 component being decoded, e.g.
/// `ElectorBallot.endorsements[1].content.signedData.tbsData`; `offset` is the byte offset into the
/// top-level input at which the offending construct starts.
public struct COERError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Stable reason codes.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// The input ended before the construct did (also: a length or count larger than the bytes left).
        case truncated
        /// Valid OER, but not the canonical (X.696 CANONICAL-OER) form of the value.
        case nonCanonical
        /// Not a valid encoding of the type at all (bad tag class, unknown root alternative, bad UTF-8, …).
        case invalidValue
        /// A valid encoding this codec cannot decode (e.g. a CHOICE alternative whose type the codec does
        /// not model and that carries no length, so it cannot be skipped).
        case unsupported
        /// A hard limit of `COERLimits` (input size, nesting depth, elements per SEQUENCE OF) or of the
        /// integer widths this codec represents was exceeded.
        case limitExceeded
        /// Bytes left over after a complete top-level value (or inside an open type / contained value).
        case trailingBytes
        /// A structural SIZE constraint of the ASN.1 type is violated (e.g. `SEQUENCE SIZE(1..MAX)` empty).
        case constraintViolation
    }

    public var reason: Reason
    /// Dotted ASN.1 component path, `Type.component[index].alternative…`.
    public var path: String
    /// Byte offset into the top-level input.
    public var offset: Int
    /// Human-readable detail (not stable; for logs).
    public var detail: String

    public init(reason: Reason, path: String, offset: Int, detail: String) {
        self.reason = reason
        self.path = path
        self.offset = offset
        self.detail = detail
    }

    public var description: String {
        "COER \(reason.rawValue) at \(path.isEmpty ? "<root>" : path) (offset \(offset)): \(detail)"
    }
}

/// Hard limits that protect the decoder against hostile input. Every limit is checked before any
/// allocation that the limit is meant to bound.
public struct COERLimits: Sendable, Hashable {
    /// Largest accepted top-level input, in bytes (default 4 MiB).
    public var maxInputBytes: Int
    /// Deepest accepted nesting of named components (default 32).
    public var maxDepth: Int
    /// Most elements accepted in one SEQUENCE OF (default 10 000).
    public var maxElements: Int

    public init(maxInputBytes: Int = 4 * 1024 * 1024, maxDepth: Int = 32, maxElements: Int = 10_000) {
        self.maxInputBytes = maxInputBytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
    }
}
