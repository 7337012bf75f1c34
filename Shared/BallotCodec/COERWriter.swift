/// Appends canonical COER (X.696 CANONICAL-OER) encodings to a byte buffer.
///
/// Types encode themselves with `encode(to:)`, calling these primitives in ASN.1 order. Every
/// primitive emits the canonical (minimal) form, so decoding canonical input and re-encoding it
/// reproduces the input byte for byte.
public struct COERWriter: Sendable {
    /// Everything written so far.
    public private(set) var bytes: [UInt8]

    public init() { bytes = [] }

    /// A writer whose buffer starts with room for `capacity` bytes.
    public init(reservingCapacity capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    // MARK: - Raw

    public mutating func writeByte(_ b: UInt8) { bytes.append(b) }

    /// Octets as they are (a fixed-size OCTET STRING, or pre-encoded bytes).
    public mutating func writeOctets<C: Collection>(_ octets: C) where C.Element == UInt8 {
        bytes.append(contentsOf: octets)
    }

    /// Appends raw octets with one capacity check and one copy (the generic `append(contentsOf:)` of a
    /// raw buffer goes octet by octet).
    @inline(__always)
    mutating func appendRaw(_ raw: UnsafeRawBufferPointer) {
        // Binding the octets of a trivial value (an integer, inline octet storage) to UInt8 for the
        // duration of the copy is always valid.
        raw.withMemoryRebound(to: UInt8.self) { bytes.append(contentsOf: $0) }
    }

    /// The first `count` octets of inline storage (a fixed-size OCTET STRING).
    mutating func writeInlineOctets<Storage: InlineOctetStorage>(_ storage: Storage, count: Int) {
        precondition(count <= Storage.capacity)
        withUnsafeBytes(of: storage) { appendRaw(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    // MARK: - Integers

    /// A fixed-size unsigned integer of `width` octets (at most 8), big-endian.
    public mutating func writeFixedUnsigned(_ value: UInt64, width: Int) {
        precondition(width >= 0 && width <= 8, "an unsigned integer of \(width) octets")
        guard width > 0 else { return }
        // The value's low `width` octets, most significant first, appended in one call.
        let bigEndian = (value << UInt64(64 - 8 * width)).bigEndian
        withUnsafeBytes(of: bigEndian) { appendRaw(UnsafeRawBufferPointer(rebasing: $0[0..<width])) }
    }

    public mutating func writeUInt8(_ v: UInt8) { bytes.append(v) }
    public mutating func writeUInt16(_ v: UInt16) { withUnsafeBytes(of: v.bigEndian) { appendRaw($0) } }
    public mutating func writeUInt32(_ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { appendRaw($0) } }
    public mutating func writeUInt64(_ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { appendRaw($0) } }
    public mutating func writeInt32(_ v: Int32) { writeUInt32(UInt32(bitPattern: v)) }

    /// A length determinant in its minimal form.
    public mutating func writeLength(_ length: Int) {
        if length < 0x80 {
            bytes.append(UInt8(length))
            return
        }
        let n = Self.minimalUnsignedOctets(UInt64(length))
        bytes.append(0x80 | UInt8(n))
        writeFixedUnsigned(UInt64(length), width: n)
    }

    /// A length-prefixed unsigned integer in minimal octets (`Psid`).
    public mutating func writeUnsignedInteger(_ value: UInt64) {
        let n = Self.minimalUnsignedOctets(value)
        writeLength(n)
        writeFixedUnsigned(value, width: n)
    }

    /// A length-prefixed two's-complement integer in minimal octets.
    public mutating func writeSignedInteger(_ value: Int64) {
        let n = Self.minimalSignedOctets(value)
        writeLength(n)
        writeFixedUnsigned(UInt64(bitPattern: value), width: n)
    }

    /// ENUMERATED: one octet for 0…127, else `0x80+n` and n two's-complement octets.
    public mutating func writeEnumerated(_ value: Int) {
        if value >= 0 && value < 128 {
            bytes.append(UInt8(value))
            return
        }
        let n = Self.minimalSignedOctets(Int64(value))
        bytes.append(0x80 | UInt8(n))
        writeFixedUnsigned(UInt64(bitPattern: Int64(value)), width: n)
    }

    public mutating func writeBoolean(_ value: Bool) { bytes.append(value ? 0xff : 0x00) }

    // MARK: - Strings

    /// A length-prefixed OCTET STRING.
    public mutating func writeOctetString<C: Collection>(_ octets: C) where C.Element == UInt8 {
        writeLength(octets.count)
        bytes.append(contentsOf: octets)
    }

    // MARK: - Constructed

    /// The one-octet preamble of a SEQUENCE with at most 8 preamble bits (extension bit first when
    /// extensible, then one per OPTIONAL/DEFAULT component), zero-padded: `writePreamble([b0, b1, …])`
    /// without building an array.
    mutating func writePreamble(_ b0: Bool, _ b1: Bool = false, _ b2: Bool = false, _ b3: Bool = false,
                                _ b4: Bool = false, _ b5: Bool = false, _ b6: Bool = false, _ b7: Bool = false) {
        var octet: UInt8 = 0
        if b0 { octet |= 0x80 }
        if b1 { octet |= 0x40 }
        if b2 { octet |= 0x20 }
        if b3 { octet |= 0x10 }
        if b4 { octet |= 0x08 }
        if b5 { octet |= 0x04 }
        if b6 { octet |= 0x02 }
        if b7 { octet |= 0x01 }
        bytes.append(octet)
    }

    /// A SEQUENCE preamble from its bits (extension bit first when extensible), zero-padded.
    public mutating func writePreamble(_ bits: [Bool]) {
        guard !bits.isEmpty else { return }
        var octet: UInt8 = 0
        for (i, bit) in bits.enumerated() {
            if bit { octet |= 0x80 >> UInt8(i % 8) }
            if i % 8 == 7 {
                bytes.append(octet)
                octet = 0
            }
        }
        if bits.count % 8 != 0 { bytes.append(octet) }
    }

    /// A context-specific CHOICE tag.
    public mutating func writeChoiceTag(_ number: UInt) {
        if number < 63 {
            bytes.append(0x80 | UInt8(number))
            return
        }
        bytes.append(0xbf)
        var groups: [UInt8] = []
        var v = number
        repeat {
            groups.append(UInt8(v & 0x7f))
            v >>= 7
        } while v > 0
        for (i, g) in groups.reversed().enumerated() {
            bytes.append(i == groups.count - 1 ? g : g | 0x80)
        }
    }

    /// The quantity field of a SEQUENCE OF.
    public mutating func writeQuantity(_ count: Int) {
        let n = Self.minimalUnsignedOctets(UInt64(count))
        bytes.append(UInt8(n))
        writeFixedUnsigned(UInt64(count), width: n)
    }

    /// A SEQUENCE OF.
    public mutating func writeSequenceOf<T: COERCodable>(_ elements: [T]) {
        writeQuantity(elements.count)
        // By index: `elements[i]` is borrowed in place, where `for e in elements` would copy each element.
        for i in elements.indices { elements[i].encode(to: &self) }
    }

    /// A SEQUENCE OF whose elements `element` writes.
    public mutating func writeSequenceOf<T>(_ elements: [T], element: (inout COERWriter, T) -> Void) {
        writeQuantity(elements.count)
        for i in elements.indices { element(&self, elements[i]) }
    }

    /// An open type whose contents `body` writes: written in place, then the length determinant is
    /// inserted in front of them.
    public mutating func writeOpenType(_ body: (inout COERWriter) -> Void) {
        let start = bytes.count
        body(&self)
        let length = bytes.count - start
        var determinant = COERWriter()
        determinant.writeLength(length)
        bytes.insert(contentsOf: determinant.bytes, at: start)
    }

    /// An open type holding a value.
    public mutating func writeOpenType<T: COERCodable>(_ value: T) {
        writeOpenType { value.encode(to: &$0) }
    }

    /// A CHOICE extension alternative: tag, then the value as an open type.
    public mutating func writeExtensionAlternative<T: COERCodable>(tag: UInt, _ value: T) {
        writeChoiceTag(tag)
        writeOpenType(value)
    }

    /// A kept unknown CHOICE extension alternative.
    public mutating func writeUnknownAlternative(tag: UInt, encoding: [UInt8]) {
        writeChoiceTag(tag)
        writeOctetString(encoding)
    }

    /// The extension-addition bitmap and additions of a SEQUENCE whose extension bit is set.
    /// `known` holds the encodings of the known additions (nil = absent), in order; `unknown` the kept
    /// raw additions (indices ≥ `known.count`). Writes `max(known.count, highest present + 1)` bits.
    public mutating func writeExtensionAdditions(known: [[UInt8]?], unknown: [COERUnknownAddition]) {
        var present: [(Int, [UInt8])] = []
        for (i, k) in known.enumerated() { if let k { present.append((i, k)) } }
        for u in unknown.sorted(by: { $0.index < $1.index }) { present.append((u.index, u.encoding)) }
        let highest = present.map(\.0).max() ?? -1
        let bitCount = max(known.count, highest + 1)
        let octets = (bitCount + 7) / 8
        var bitmap = [UInt8](repeating: 0, count: octets)
        for (i, _) in present { bitmap[i / 8] |= 0x80 >> UInt8(i % 8) }
        writeLength(octets + 1)
        bytes.append(UInt8(octets * 8 - bitCount))
        bytes.append(contentsOf: bitmap)
        for (_, encoding) in present { writeOctetString(encoding) }
    }

    /// Whether a SEQUENCE with these known additions and kept unknown additions sets its extension bit.
    public static func hasExtensions(known: [[UInt8]?], unknown: [COERUnknownAddition]) -> Bool {
        !unknown.isEmpty || known.contains { $0 != nil }
    }

    // MARK: - Helpers

    static func minimalUnsignedOctets(_ v: UInt64) -> Int {
        var n = 1
        while n < 8 && v >> UInt64(8 * n) != 0 { n += 1 }
        return n
    }

    static func minimalSignedOctets(_ v: Int64) -> Int {
        var n = 1
        while n < 8 {
            let shift = Int64(8 * n - 1)
            let hi = v >> shift
            if hi == 0 || hi == -1 { break }
            n += 1
        }
        return n
    }
}
