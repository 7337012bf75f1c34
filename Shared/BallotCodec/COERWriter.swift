/// Appends canonical COER (X.696 CANONICAL-OER) encodings to a byte buffer.
///
/// Types encode themselves with `encode(to:)`, calling these primitives in ASN.1 order. Every
/// primitive emits the canonical (minimal) form, so decoding canonical input and re-encoding it
/// reproduces the input byte for byte.
public struct COERWriter: Sendable {
    /// The encoding is `buffer[0..<count]`. The buffer is grown ahead of the writes (zero-filled), so a
    /// primitive stores into it: one uniqueness check per primitive instead of an `append` per octet.
    /// Octets past `count` are slack and may hold scribbles from wide stores; they are never exposed.
    private var buffer: [UInt8]
    private var count: Int

    /// Everything written so far.
    public var bytes: [UInt8] { count == buffer.count ? buffer : Array(buffer[..<count]) }

    /// Whether values that came from a decoder (and are unchanged since) emit the canonical bytes they
    /// were decoded from instead of encoding their components again. The output is the same either way;
    /// `false` exercises every encoder (the codec's own round-trip tests use both).
    public var reusesDecodedEncodings: Bool

    public init(reusesDecodedEncodings: Bool = true) {
        buffer = []
        count = 0
        self.reusesDecodedEncodings = reusesDecodedEncodings
    }

    /// A writer whose buffer starts with room for `capacity` bytes.
    public init(reservingCapacity capacity: Int, reusesDecodedEncodings: Bool = true) {
        buffer = [UInt8](repeating: 0, count: max(capacity, 0))
        count = 0
        self.reusesDecodedEncodings = reusesDecodedEncodings
    }

    /// Everything written, without copying it; the writer is left empty.
    mutating func takeBytes() -> [UInt8] {
        var out: [UInt8] = []
        swap(&out, &buffer)
        out.removeLast(out.count - count)
        count = 0
        return out
    }

    // MARK: - Buffer

    /// Claims the next `n` octets of the encoding, with `slack` more room after them that a wide store
    /// may scribble on; returns the offset of the first.
    @inline(__always)
    private mutating func claim(_ n: Int, slack: Int = 0) -> Int {
        let start = count
        if buffer.count - start < n + slack { grow(toHold: start + n + slack) }
        count = start + n
        return start
    }

    @inline(never)
    private mutating func grow(toHold needed: Int) {
        var bigger = [UInt8](repeating: 0, count: max(needed, 2 * buffer.count, 64))
        bigger.withUnsafeMutableBufferPointer { destination in
            buffer.withUnsafeBufferPointer { source in
                // `bigger` is at least as long as `buffer`.
                _ = destination.update(fromContentsOf: source)
            }
        }
        buffer = bigger
    }

    /// Stores the bytes of `value` (a trivial value whose memory image is the octets to write, possibly
    /// followed by slack) so that its first `n` bytes become the next `n` octets of the encoding.
    @inline(__always)
    private mutating func store<T: BitwiseCopyable>(_ value: T, octets n: Int) {
        precondition(n >= 0 && n <= MemoryLayout<T>.size)
        let start = claim(n, slack: MemoryLayout<T>.size - n)
        buffer.withUnsafeMutableBytes { destination in
            // In bounds: `claim` made room for all MemoryLayout<T>.size bytes at `start`; the ones past
            // `n` are slack. storeBytes allows any alignment.
            destination.storeBytes(of: value, toByteOffset: start, as: T.self)
        }
    }

    // MARK: - Raw

    @inline(__always)
    public mutating func writeByte(_ b: UInt8) {
        let i = claim(1)
        buffer[i] = b
    }

    /// Octets as they are (a fixed-size OCTET STRING, or pre-encoded bytes).
    @inline(__always)
    public mutating func writeOctets<C: Collection>(_ octets: C) where C.Element == UInt8 {
        let copied: Void? = octets.withContiguousStorageIfAvailable { source in
            let start = claim(source.count)
            buffer.withUnsafeMutableBufferPointer { destination in
                // In bounds: `claim` made room for source.count octets at `start`.
                _ = UnsafeMutableBufferPointer(rebasing: destination[start..<(start + source.count)])
                    .update(fromContentsOf: source)
            }
        }
        if copied == nil {
            for octet in octets { writeByte(octet) }
        }
    }

    /// The first `count` octets of inline storage (a fixed-size OCTET STRING).
    @inline(__always)
    mutating func writeInlineOctets<Storage: InlineOctetStorage>(_ storage: Storage, count: Int) {
        store(storage, octets: count)
    }

    // MARK: - Integers

    /// A fixed-size unsigned integer of `width` octets, big-endian (octets above the 8 of a UInt64 are zero).
    @inline(__always)
    public mutating func writeFixedUnsigned(_ value: UInt64, width: Int) {
        guard width > 0 else { return }
        if width > 8 { writeZeros(width - 8) }
        let n = min(width, 8)
        // The value's low n octets, most significant first, then slack.
        store((value << UInt64(64 - 8 * n)).bigEndian, octets: n)
    }

    @inline(never)
    private mutating func writeZeros(_ n: Int) {
        for _ in 0..<n { writeByte(0) }
    }

    @inline(__always) public mutating func writeUInt8(_ v: UInt8) { writeByte(v) }
    @inline(__always) public mutating func writeUInt16(_ v: UInt16) { store(v.bigEndian, octets: 2) }
    @inline(__always) public mutating func writeUInt32(_ v: UInt32) { store(v.bigEndian, octets: 4) }
    @inline(__always) public mutating func writeUInt64(_ v: UInt64) { store(v.bigEndian, octets: 8) }
    @inline(__always) public mutating func writeInt32(_ v: Int32) { writeUInt32(UInt32(bitPattern: v)) }

    /// A length determinant in its minimal form.
    @inline(__always)
    public mutating func writeLength(_ length: Int) {
        if length >= 0 && length < 0x80 {
            writeByte(UInt8(length))
        } else {
            writeLongLength(length)
        }
    }

    @inline(never)
    private mutating func writeLongLength(_ length: Int) {
        let n = Self.minimalUnsignedOctets(UInt64(length))
        writeByte(0x80 | UInt8(n))
        writeFixedUnsigned(UInt64(length), width: n)
    }

    /// A length-prefixed unsigned integer in minimal octets (`Psid`).
    @inline(__always)
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
    @inline(__always)
    public mutating func writeEnumerated(_ value: Int) {
        if value >= 0 && value < 128 {
            writeByte(UInt8(value))
        } else {
            writeLongEnumerated(value)
        }
    }

    @inline(never)
    private mutating func writeLongEnumerated(_ value: Int) {
        let n = Self.minimalSignedOctets(Int64(value))
        writeByte(0x80 | UInt8(n))
        writeFixedUnsigned(UInt64(bitPattern: Int64(value)), width: n)
    }

    @inline(__always)
    public mutating func writeBoolean(_ value: Bool) { writeByte(value ? 0xff : 0x00) }

    // MARK: - Strings

    /// A length-prefixed OCTET STRING.
    @inline(__always)
    public mutating func writeOctetString<C: Collection>(_ octets: C) where C.Element == UInt8 {
        writeLength(octets.count)
        writeOctets(octets)
    }

    // MARK: - Constructed

    /// The one-octet preamble of a SEQUENCE with at most 8 preamble bits (extension bit first when
    /// extensible, then one per OPTIONAL/DEFAULT component), zero-padded: `writePreamble([b0, b1, …])`
    /// without building an array.
    @inline(__always)
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
        writeByte(octet)
    }

    /// A SEQUENCE preamble from its bits (extension bit first when extensible), zero-padded.
    public mutating func writePreamble(_ bits: [Bool]) {
        guard !bits.isEmpty else { return }
        var octet: UInt8 = 0
        for (i, bit) in bits.enumerated() {
            if bit { octet |= 0x80 >> UInt8(i % 8) }
            if i % 8 == 7 {
                writeByte(octet)
                octet = 0
            }
        }
        if bits.count % 8 != 0 { writeByte(octet) }
    }

    /// A context-specific CHOICE tag.
    @inline(__always)
    public mutating func writeChoiceTag(_ number: UInt) {
        if number < 63 {
            writeByte(0x80 | UInt8(number))
        } else {
            writeLongChoiceTag(number)
        }
    }

    @inline(never)
    private mutating func writeLongChoiceTag(_ number: UInt) {
        writeByte(0xbf)
        var groups: [UInt8] = []
        var v = number
        repeat {
            groups.append(UInt8(v & 0x7f))
            v >>= 7
        } while v > 0
        for (i, g) in groups.reversed().enumerated() {
            writeByte(i == groups.count - 1 ? g : g | 0x80)
        }
    }

    /// The quantity field of a SEQUENCE OF.
    @inline(__always)
    public mutating func writeQuantity(_ count: Int) {
        if count >= 0 && count < 0x100 {
            store(UInt16(0x0100 | count).bigEndian, octets: 2)
            return
        }
        let n = Self.minimalUnsignedOctets(UInt64(count))
        writeByte(UInt8(n))
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
        let start = count
        body(&self)
        let contents = Array(buffer[start..<count])
        count = start
        writeOctetString(contents)
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
        writeByte(UInt8(octets * 8 - bitCount))
        writeOctets(bitmap)
        for (_, encoding) in present { writeOctetString(encoding) }
    }

    /// Whether a SEQUENCE with these known additions and kept unknown additions sets its extension bit.
    public static func hasExtensions(known: [[UInt8]?], unknown: [COERUnknownAddition]) -> Bool {
        !unknown.isEmpty || known.contains { $0 != nil }
    }

    // MARK: - Helpers

    /// Octets needed for `v` as an unsigned integer (at least 1).
    @inline(__always)
    static func minimalUnsignedOctets(_ v: UInt64) -> Int {
        max(1, (64 - v.leadingZeroBitCount + 7) / 8)
    }

    /// Octets needed for `v` in two's complement (at least 1): its significant bits plus a sign bit.
    @inline(__always)
    static func minimalSignedOctets(_ v: Int64) -> Int {
        let magnitude = v < 0 ? ~v : v
        return max(1, (64 - magnitude.leadingZeroBitCount + 1 + 7) / 8)
    }
}
