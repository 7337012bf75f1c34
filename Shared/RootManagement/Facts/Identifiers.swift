/// Byte-string identifiers used by the rules engine. Each is a fixed-size byte string with a lowercase-hex
/// text form (also its `Codable` form), ordered byte-wise so that every output built from them is deterministic.
public protocol ByteIdentifier: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The number of bytes every value has (nil: any length).
    static var byteCount: Int? { get }
    /// The raw bytes.
    var bytes: [UInt8] { get }
    /// Wraps bytes already checked for length.
    init(uncheckedBytes: [UInt8])
}

extension ByteIdentifier {
    /// Wraps `bytes`, or nil when the length is wrong.
    public init?(bytes: [UInt8]) {
        if let count = Self.byteCount, bytes.count != count { return nil }
        self.init(uncheckedBytes: bytes)
    }

    /// Parses lowercase or uppercase hex, or nil when it is not hex or has the wrong length.
    public init?(hex: String) {
        guard let bytes = HexText.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// Lowercase hex.
    public var hex: String { HexText.encode(bytes) }

    public var description: String { hex }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a valid \(Self.self) hex string")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

/// A certificate's identity: SHA-256 of its canonical COER encoding (the `HashedId32` a `TbsElectorEndorsement`
/// names as `certificateHash`, and the `SHA256(signer certificate)` half of the 1609.2 signing input).
public struct CertificateID: ByteIdentifier {
    public static let byteCount: Int? = 32
    public let bytes: [UInt8]
    public init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }
    public func hash(into hasher: inout Hasher) { hasher.combineBytes(bytes) }

    /// The certificate's `HashedId8`: the low-order (last) 8 bytes of its SHA-256.
    public var shortID: CertificateShortID { CertificateShortID(uncheckedBytes: Array(bytes.suffix(8))) }
}

/// A certificate's `HashedId8` (what a `SignerIdentifier.digest` carries). Several certificates may share one.
public struct CertificateShortID: ByteIdentifier {
    public static let byteCount: Int? = 8
    public let bytes: [UInt8]
    public init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }
    public func hash(into hasher: inout Hasher) { hasher.combineBytes(bytes) }
}

/// A verification key's identity: its compressed point (`02`/`03` ‖ x for P-256), so two certificates for one
/// key compare equal.
public struct PublicKeyID: ByteIdentifier {
    public static let byteCount: Int? = nil
    public let bytes: [UInt8]
    public init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }
    public func hash(into hasher: inout Hasher) { hasher.combineBytes(bytes) }
}

/// A ballot's identity: SHA-256 of its canonical COER encoding.
public struct BallotID: ByteIdentifier {
    public static let byteCount: Int? = 32
    public let bytes: [UInt8]
    public init(uncheckedBytes: [UInt8]) { self.bytes = uncheckedBytes }
    public func hash(into hasher: inout Hasher) { hasher.combineBytes(bytes) }
}

extension Hasher {
    /// Feeds `bytes` (and their count) in one call: an `[UInt8]`'s own `hash(into:)` feeds them one at a time, which
    /// dominates dictionary lookups keyed by digests.
    @inlinable
    public mutating func combineBytes(_ bytes: [UInt8]) {
        combine(bytes.count)
        bytes.withUnsafeBytes { combine(bytes: $0) }
    }
}

/// A byte string as a dictionary key, hashed in one call (see ``Swift/Hasher/combineBytes(_:)``).
public struct ByteKey: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func hash(into hasher: inout Hasher) { hasher.combineBytes(bytes) }
}

/// Hex helpers (no Foundation formatting, so they are cheap and locale-free).
public enum HexText {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`.
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes of an even-length hex string, or nil.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }
}
