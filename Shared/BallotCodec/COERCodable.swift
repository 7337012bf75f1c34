/// A value with a canonical OER encoding.
///
/// `init(from:)` decodes one value at the reader's position (rejecting non-canonical forms);
/// `encode(to:)` appends the canonical encoding. For every value `v` produced by decoding,
/// `v.coerEncoded` equals the bytes it was decoded from.
public protocol COERCodable: Sendable, Hashable {
    /// Decodes one value starting at `reader.offset`.
    init(from reader: inout COERReader) throws(COERError)
    /// Appends the canonical encoding.
    func encode(to writer: inout COERWriter)
    /// The name the top-level path starts with (defaults to the Swift type name, which is the ASN.1 name).
    static var asn1TypeName: String { get }
}

extension COERCodable {
    public static var asn1TypeName: String { String(describing: Self.self) }

    /// Decodes a complete value from `bytes`; every byte must be consumed (`trailingBytes` otherwise).
    public init(coer bytes: [UInt8], limits: COERLimits = .init()) throws(COERError) {
        self = try COERReader.decodeComplete(bytes, limits: limits, name: { Self.asn1TypeName }) {
            (r: inout COERReader) throws(COERError) in try Self(from: &r)
        }
    }

    /// The canonical COER encoding.
    public var coerEncoded: [UInt8] {
        // Most values this codec encodes (certificates, SPDUs, ballots) fit; larger ones grow by doubling.
        var writer = COERWriter(reservingCapacity: 1024)
        encode(to: &writer)
        return writer.takeBytes()
    }

    /// The canonical encoding computed component by component, never reusing the bytes a component was
    /// decoded from (``COERWriter/reusesDecodedEncodings``): always equal to `coerEncoded`, slower, and
    /// what a test of the encoders themselves compares.
    public var coerEncodedFromComponents: [UInt8] {
        var writer = COERWriter(reservingCapacity: 1024, reusesDecodedEncodings: false)
        encode(to: &writer)
        return writer.takeBytes()
    }
}

extension Optional where Wrapped: COERCodable {
    /// Encodes the value if there is one: an OPTIONAL component that its preamble bit said is present.
    /// (Called on a component reached through a `Boxed` value, `if let` would copy it first.)
    @inline(__always)
    func encodeIfPresent(to writer: inout COERWriter) {
        switch self {
        case .some(let value): value.encode(to: &writer)
        case .none: break
        }
    }
}

// MARK: - Fixed-size octet strings

/// An `OCTET STRING (SIZE(n))`: exactly `octetCount` bytes, encoded without a length.
public protocol FixedOctetString: COERCodable, JSONRepresentable, CustomStringConvertible {
    /// The fixed size.
    static var octetCount: Int { get }
    /// The octets (always `octetCount` of them).
    var bytes: [UInt8] { get }
    /// Wraps octets whose count the caller has checked.
    init(uncheckedBytes: [UInt8])
}

extension FixedOctetString {
    /// Wraps `bytes`, or nil if there are not exactly `octetCount` of them.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.octetCount else { return nil }
        self.init(uncheckedBytes: bytes)
    }

    /// Wraps the octets of a hex string, or nil if it is not hex of the right size.
    public init?(hex: String) {
        guard let bytes = HexCoding.decode(hex), bytes.count == Self.octetCount else { return nil }
        self.init(uncheckedBytes: bytes)
    }

    public init(from reader: inout COERReader) throws(COERError) {
        self.init(uncheckedBytes: try reader.readOctets(Self.octetCount))
    }

    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeOctets(bytes) }

    public func jsonValue(_ options: JSONOptions) -> JSONValue { .string(HexCoding.encode(bytes)) }

    /// Lowercase hex.
    public var description: String { HexCoding.encode(bytes) }
    /// Lowercase hex.
    public var hex: String { HexCoding.encode(bytes) }
}

/// `HashedId3 ::= OCTET STRING (SIZE(3))` — low-order 3 bytes of a hash (e.g. `cracaId`).
public struct HashedId3: FixedOctetString {
    public static let octetCount = 3
    var storage: OctetWords1
    public var bytes: [UInt8] { storage.octets(Self.octetCount) }
    public init(uncheckedBytes: [UInt8]) { storage = .init(exactly: Self.octetCount, of: uncheckedBytes) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { storage = try reader.readInlineOctets(Self.octetCount) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeInlineOctets(storage, count: Self.octetCount) }
}

/// `HashedId8 ::= OCTET STRING (SIZE(8))` — low-order 8 bytes of a hash (certificate digests).
public struct HashedId8: FixedOctetString {
    public static let octetCount = 8
    var storage: OctetWords1
    public var bytes: [UInt8] { storage.octets(Self.octetCount) }
    public init(uncheckedBytes: [UInt8]) { storage = .init(exactly: Self.octetCount, of: uncheckedBytes) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { storage = try reader.readInlineOctets(Self.octetCount) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeInlineOctets(storage, count: Self.octetCount) }
}

/// `HashedId10 ::= OCTET STRING (SIZE(10))`.
public struct HashedId10: FixedOctetString {
    public static let octetCount = 10
    var storage: OctetWords2
    public var bytes: [UInt8] { storage.octets(Self.octetCount) }
    public init(uncheckedBytes: [UInt8]) { storage = .init(exactly: Self.octetCount, of: uncheckedBytes) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { storage = try reader.readInlineOctets(Self.octetCount) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeInlineOctets(storage, count: Self.octetCount) }
}

/// `HashedId32 ::= OCTET STRING (SIZE(32))` — CAMP `certificateHash`: the full SHA-256 of COER(certificate).
public struct HashedId32: FixedOctetString {
    public static let octetCount = 32
    var storage: OctetWords4
    public var bytes: [UInt8] { storage.octets(Self.octetCount) }
    public init(uncheckedBytes: [UInt8]) { storage = .init(exactly: Self.octetCount, of: uncheckedBytes) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { storage = try reader.readInlineOctets(Self.octetCount) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeInlineOctets(storage, count: Self.octetCount) }
}

/// `LinkageValue ::= OCTET STRING (SIZE(9))`.
public struct LinkageValue: FixedOctetString {
    public static let octetCount = 9
    var storage: OctetWords2
    public var bytes: [UInt8] { storage.octets(Self.octetCount) }
    public init(uncheckedBytes: [UInt8]) { storage = .init(exactly: Self.octetCount, of: uncheckedBytes) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { storage = try reader.readInlineOctets(Self.octetCount) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeInlineOctets(storage, count: Self.octetCount) }
}

/// A 4-octet string (`GroupLinkageValue.jValue`).
public struct Octets4: FixedOctetString {
    public static let octetCount = 4
    var storage: OctetWords1
    public var bytes: [UInt8] { storage.octets(Self.octetCount) }
    public init(uncheckedBytes: [UInt8]) { storage = .init(exactly: Self.octetCount, of: uncheckedBytes) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { storage = try reader.readInlineOctets(Self.octetCount) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeInlineOctets(storage, count: Self.octetCount) }
}

/// A 12-octet string (AES-CCM nonce).
public struct Octets12: FixedOctetString {
    public static let octetCount = 12
    var storage: OctetWords2
    public var bytes: [UInt8] { storage.octets(Self.octetCount) }
    public init(uncheckedBytes: [UInt8]) { storage = .init(exactly: Self.octetCount, of: uncheckedBytes) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { storage = try reader.readInlineOctets(Self.octetCount) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeInlineOctets(storage, count: Self.octetCount) }
}

/// A 16-octet string (AES-128 key, ECIES `c`/`t`).
public struct Octets16: FixedOctetString {
    public static let octetCount = 16
    var storage: OctetWords2
    public var bytes: [UInt8] { storage.octets(Self.octetCount) }
    public init(uncheckedBytes: [UInt8]) { storage = .init(exactly: Self.octetCount, of: uncheckedBytes) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { storage = try reader.readInlineOctets(Self.octetCount) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeInlineOctets(storage, count: Self.octetCount) }
}

/// A 32-octet string (P-256 coordinates and signature `s`).
public struct Octets32: FixedOctetString {
    public static let octetCount = 32
    var storage: OctetWords4
    public var bytes: [UInt8] { storage.octets(Self.octetCount) }
    public init(uncheckedBytes: [UInt8]) { storage = .init(exactly: Self.octetCount, of: uncheckedBytes) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { storage = try reader.readInlineOctets(Self.octetCount) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeInlineOctets(storage, count: Self.octetCount) }
}

/// A 48-octet string (P-384 coordinates and signature `s`).
public struct Octets48: FixedOctetString {
    public static let octetCount = 48
    var storage: OctetWords6
    public var bytes: [UInt8] { storage.octets(Self.octetCount) }
    public init(uncheckedBytes: [UInt8]) { storage = .init(exactly: Self.octetCount, of: uncheckedBytes) }
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { storage = try reader.readInlineOctets(Self.octetCount) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeInlineOctets(storage, count: Self.octetCount) }
}

// MARK: - Plain integers as COER values

extension UInt8: COERCodable {
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { self = try reader.readUInt8() }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeUInt8(self) }
    public static var asn1TypeName: String { "Uint8" }
}

extension UInt16: COERCodable {
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { self = try reader.readUInt16() }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeUInt16(self) }
    public static var asn1TypeName: String { "Uint16" }
}

extension UInt32: COERCodable {
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { self = try reader.readUInt32() }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeUInt32(self) }
    public static var asn1TypeName: String { "Uint32" }
}

extension UInt64: COERCodable {
    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { self = try reader.readUInt64() }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeUInt64(self) }
    public static var asn1TypeName: String { "Uint64" }
}

// MARK: - Hex

/// Lowercase hex encoding and lenient decoding (whitespace ignored).
public enum HexCoding {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of `bytes`.
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes of a hex string (upper or lower case, whitespace ignored), or nil if it is not hex.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8?
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            case 9, 10, 13, 32: continue
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return high == nil ? out : nil
    }
}
