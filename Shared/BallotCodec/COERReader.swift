/// A cursor over COER bytes with the X.696 primitives, canonical-form checks, hard limits and a
/// component path for error messages.
///
/// Types decode themselves with `init(from:)`, calling the primitives below in ASN.1 order and
/// wrapping each named component in `decode(_:)` (or, by hand, `enter(_:)`/`leave()`), so a
/// `COERError` can name where it happened. Every length and count is checked against the bytes that
/// remain *before* anything is allocated.
///
/// ## How the path is kept
///
/// A reader made with `init(_:limits:)` keeps the component path as it goes, so `pathString` and every
/// error name the full path. A successful decode passes through a few hundred components, though, so
/// the complete-input entry points (`init(coer:limits:)`, `decodeContained`) first decode with a reader
/// that only counts the nesting depth; if that fails they decode the same bytes again with a reader that
/// keeps the path, and throw its error. Decoding is a deterministic function of the bytes and the
/// limits, so the second run fails at the same place, for the same reason, with the full path.
public struct COERReader: Sendable {
    /// One step of the component path.
    @usableFromInline
    enum PathComponent: Sendable {
        case name(String)
        case index(Int)
    }

    /// The whole top-level input (offsets are always relative to it).
    public let bytes: [UInt8]
    /// The limits in force.
    public let limits: COERLimits
    /// Position of the next byte to read.
    public var offset: Int
    /// One past the last byte this reader may read (less than `bytes.count` inside an open type).
    public private(set) var end: Int
    /// Whether components opened by `decode(_:)` and SEQUENCE OF elements go on `path` (always true for
    /// readers made with the public initialiser; false for the first, fast run of a complete decode).
    @usableFromInline let keepsPath: Bool
    /// The open components (only those entered with `enter(_:)` unless `keepsPath`).
    @usableFromInline var path: [PathComponent] = []
    /// Named components currently open, checked against `limits.maxDepth`.
    @usableFromInline var depth = 0

    /// A reader over `bytes`. An input larger than `limits.maxInputBytes` fails on the first read with
    /// `limitExceeded` (use `checkInputSize()` to fail early).
    public init(_ bytes: [UInt8], limits: COERLimits = .init()) {
        self.init(bytes, limits: limits, keepsPath: true)
    }

    init(_ bytes: [UInt8], limits: COERLimits, keepsPath: Bool) {
        self.bytes = bytes
        self.limits = limits
        self.keepsPath = keepsPath
        self.offset = 0
        self.end = bytes.count
    }

    /// Bytes left before `end`.
    public var remaining: Int { end - offset }
    /// Whether every byte up to `end` was consumed.
    public var isAtEnd: Bool { offset >= end }

    /// The bytes read since `start` (an earlier `offset`): the encoding of the value just decoded,
    /// canonical because the decoder accepts nothing else. A slice of the input, so it shares (and keeps
    /// alive) the input's storage instead of copying it.
    @inlinable
    func consumedBytes(since start: Int) -> ArraySlice<UInt8> { bytes[start..<offset] }

    // MARK: - Complete inputs

    /// Decodes all of `bytes` with `body` inside the top-level component `name`, first without keeping
    /// the path and, if that fails, again keeping it (see "How the path is kept").
    static func decodeComplete<T>(_ bytes: [UInt8], limits: COERLimits, name: () -> String,
                                  _ body: (inout COERReader) throws(COERError) -> T) throws(COERError) -> T {
        func run(keepingPath: Bool) throws(COERError) -> T {
            var reader = COERReader(bytes, limits: limits, keepsPath: keepingPath)
            try reader.checkInputSize()
            return try reader.component(name()) { (r: inout COERReader) throws(COERError) in
                let value = try body(&r)
                try r.expectEnd()
                return value
            }
        }
        do throws(COERError) {
            return try run(keepingPath: false)
        } catch {
            return try rerunForPath(error) { () throws(COERError) in try run(keepingPath: true) }
        }
    }

    /// Runs the path-keeping decode after `fastError` and throws its error (or `fastError`, should the
    /// second run not fail, which a deterministic decoder cannot do).
    @inline(never)
    static func rerunForPath<T>(_ fastError: COERError, _ run: () throws(COERError) -> T) throws(COERError) -> T {
        _ = try run()
        throw fastError
    }

    // MARK: - Path and errors

    /// The current component path, dotted (`Root.a[1].b`).
    public var pathString: String {
        var out = ""
        for component in path {
            switch component {
            case .name(let name):
                if !out.isEmpty { out += "." }
                out += name
            case .index(let i):
                out += "[\(i)]"
            }
        }
        return out
    }

    /// Builds an error at the current path.
    public func error(_ reason: COERError.Reason, at offset: Int? = nil, _ detail: String) -> COERError {
        COERError(reason: reason, path: pathString, offset: offset ?? self.offset, detail: detail)
    }

    /// Enters a named component (a SEQUENCE field or a CHOICE alternative); checks the depth limit.
    public mutating func enter(_ name: String) throws(COERError) {
        path.append(.name(name))
        depth += 1
        if depth > limits.maxDepth {
            throw error(.limitExceeded, "nesting deeper than \(limits.maxDepth)")
        }
    }

    /// Leaves the component entered last.
    public mutating func leave() {
        if case .name = path.last { depth -= 1 }
        path.removeLast()
    }

    /// Runs `body` inside the named component `name`: `enter(name)` … `leave()`, except that the name is
    /// only evaluated and kept when `keepsPath`.
    @inlinable @inline(__always)
    mutating func component<T>(_ name: @autoclosure () -> String,
                               _ body: (inout COERReader) throws(COERError) -> T) throws(COERError) -> T {
        if keepsPath { push(.name(name())) }
        depth += 1
        if depth > limits.maxDepth { throw depthExceeded() }
        let value = try body(&self)
        depth -= 1
        if keepsPath { pop() }
        return value
    }

    /// Puts a scoped component on the path (out of line: only path-keeping readers get here).
    @usableFromInline @inline(never)
    mutating func push(_ component: PathComponent) { path.append(component) }

    /// Takes the last scoped component off the path.
    @usableFromInline @inline(never)
    mutating func pop() { path.removeLast() }

    /// The error for a tag that names no alternative of a CHOICE without an extension marker.
    @inline(never)
    func unknownAlternative(_ tag: UInt, of type: @autoclosure () -> String, at start: Int) -> COERError {
        error(.invalidValue, at: start, "unknown \(type()) alternative [\(tag)]")
    }

    /// The error for a component nested deeper than `limits.maxDepth`.
    @usableFromInline @inline(never)
    func depthExceeded() -> COERError { error(.limitExceeded, "nesting deeper than \(limits.maxDepth)") }

    /// Decodes a named component of type `T`.
    @inlinable @inline(__always)
    public mutating func decode<T: COERCodable>(_ name: String, as type: T.Type = T.self) throws(COERError) -> T {
        // `component(name) { try T(from: &$0) }`, written out so that `T.init(from:)` is called directly.
        if keepsPath { push(.name(name)) }
        depth += 1
        if depth > limits.maxDepth { throw depthExceeded() }
        let value = try T(from: &self)
        depth -= 1
        if keepsPath { pop() }
        return value
    }

    /// Decodes a named OPTIONAL component of type `T` when its preamble bit says it is present.
    @inlinable @inline(__always)
    public mutating func decode<T: COERCodable>(_ name: String, if present: Bool, as type: T.Type = T.self) throws(COERError) -> T? {
        guard present else { return nil }
        return try decode(name, as: T.self)
    }

    /// Decodes a named SEQUENCE OF component (`readSequenceOf` inside `name`).
    mutating func decodeSequenceOf<T: COERCodable>(_ name: String, _ type: T.Type, size: ClosedRange<Int>? = nil,
                                                   minElementSize: Int = 1) throws(COERError) -> [T] {
        try component(name) { (r: inout COERReader) throws(COERError) in
            try r.readSequenceOf(T.self, size: size, minElementSize: minElementSize)
        }
    }

    /// Decodes a named SEQUENCE OF component whose elements `element` decodes.
    mutating func decodeSequenceOf<T>(_ name: String, minElementSize: Int = 1,
                                      element: (inout COERReader) throws(COERError) -> T) throws(COERError) -> [T] {
        try component(name) { (r: inout COERReader) throws(COERError) in
            try r.readSequenceOf(minElementSize: minElementSize, element: element)
        }
    }

    /// Decodes a named 4-octet two's-complement integer component.
    mutating func decodeInt32(_ name: String) throws(COERError) -> Int32 {
        try component(name) { (r: inout COERReader) throws(COERError) in try r.readInt32() }
    }

    /// Decodes a named DEFAULT component that is present in the encoding, which canonical form allows only
    /// when its value is not the default (`nonCanonical` otherwise; `shown` is the default as the error names it).
    mutating func decodeNonDefault<T: Equatable>(_ name: String, default defaultValue: T, shown: String? = nil,
                                                 _ read: (inout COERReader) throws(COERError) -> T) throws(COERError) -> T {
        try component(name) { (r: inout COERReader) throws(COERError) in
            let start = r.offset
            let value = try read(&r)
            if value == defaultValue {
                throw r.error(.nonCanonical, at: start, "DEFAULT value \(shown.map { $0 + " " } ?? "")encoded explicitly")
            }
            return value
        }
    }

    /// Decodes a named length-prefixed OCTET STRING component.
    mutating func decodeOctetString(_ name: String, size: ClosedRange<Int>? = nil) throws(COERError) -> [UInt8] {
        try component(name) { (r: inout COERReader) throws(COERError) in try r.readOctetString(size: size) }
    }

    /// Fails with `limitExceeded` if the top-level input is larger than the limit.
    public func checkInputSize() throws(COERError) {
        if bytes.count > limits.maxInputBytes {
            throw COERError(reason: .limitExceeded, path: pathString, offset: 0,
                            detail: "input of \(bytes.count) bytes exceeds the limit of \(limits.maxInputBytes)")
        }
    }

    /// Fails with `trailingBytes` unless every byte was consumed.
    public func expectEnd() throws(COERError) {
        if offset < end {
            throw error(.trailingBytes, "\(end - offset) byte(s) left after a complete value")
        }
    }

    // MARK: - Raw octets

    @inline(__always)
    mutating func need(_ n: Int, _ what: @autoclosure () -> String) throws(COERError) {
        if n > end - offset { throw truncated(n, what()) }
    }

    @inline(never)
    func truncated(_ n: Int, _ what: String) -> COERError {
        error(.truncated, "\(what) needs \(n) byte(s), \(end - offset) left")
    }

    /// One octet.
    @inline(__always)
    public mutating func readByte() throws(COERError) -> UInt8 {
        try need(1, "octet")
        let b = bytes[offset]
        offset += 1
        return b
    }

    /// Exactly `count` octets (a fixed-size OCTET STRING or the body of a variable one).
    public mutating func readOctets(_ count: Int) throws(COERError) -> [UInt8] {
        try need(count, "octet string")
        let out = Array(bytes[offset..<(offset + count)])
        offset += count
        return out
    }

    /// Exactly `count` octets into inline storage (the rest of it zero): a fixed-size OCTET STRING
    /// without allocating.
    mutating func readInlineOctets<Storage: InlineOctetStorage>(_ count: Int, as type: Storage.Type = Storage.self)
    throws(COERError) -> Storage {
        precondition(count <= Storage.capacity)
        try need(count, "octet string")
        let start = offset
        offset += count
        if count == Storage.capacity {
            // The octets fill the storage: load them in one go (in bounds: `need` checked start + count <= end).
            return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: start, as: Storage.self) }
        }
        var storage = Storage()
        withUnsafeMutableBytes(of: &storage) { destination in
            bytes.withUnsafeBytes { source in
                // In bounds: `need` checked start + count <= end <= bytes.count, and count fits the
                // storage (precondition above).
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[start..<(start + count)]))
            }
        }
        return storage
    }

    // MARK: - Integers

    /// A fixed-size unsigned integer of `width` octets (1, 2, 4 or 8: `Uint8` … `Uint64`).
    @inline(__always)
    public mutating func readFixedUnsigned(width: Int) throws(COERError) -> UInt64 {
        try need(width, "\(width)-octet integer")
        var v: UInt64 = 0
        for i in 0..<width { v = v << 8 | UInt64(bytes[offset + i]) }
        offset += width
        return v
    }

    public mutating func readUInt8() throws(COERError) -> UInt8 { try readByte() }
    public mutating func readUInt16() throws(COERError) -> UInt16 { UInt16(try readFixedUnsigned(width: 2)) }
    public mutating func readUInt32() throws(COERError) -> UInt32 { UInt32(try readFixedUnsigned(width: 4)) }
    public mutating func readUInt64() throws(COERError) -> UInt64 { try readFixedUnsigned(width: 8) }

    /// A fixed-size 4-octet two's-complement integer (constrained ranges with a negative lower bound).
    public mutating func readInt32() throws(COERError) -> Int32 {
        Int32(bitPattern: UInt32(try readFixedUnsigned(width: 4)))
    }

    /// A length determinant (X.696 §8.6): short form below 128, else `0x80+n` and n big-endian octets,
    /// minimal. The returned length is *not* yet checked against the bytes left (see `readLengthChecked`).
    @inline(__always)
    public mutating func readLength() throws(COERError) -> Int {
        if offset < end, bytes[offset] < 0x80 {
            offset += 1
            return Int(bytes[offset - 1])
        }
        return try readLongLength()
    }

    /// `readLength` past its one-octet fast path (long forms and every error).
    @inline(never)
    mutating func readLongLength() throws(COERError) -> Int {
        let start = offset
        let first = try readByte()
        if first < 0x80 { return Int(first) }
        let n = Int(first & 0x7f)
        if n == 0 { throw error(.invalidValue, at: start, "length determinant 0x80 (long form with no octets)") }
        if n > 8 { throw error(.limitExceeded, at: start, "length determinant of \(n) octets") }
        try need(n, "length determinant")
        if bytes[offset] == 0 {
            throw error(.nonCanonical, at: start, "length determinant has a leading zero octet")
        }
        var v: UInt64 = 0
        for i in 0..<n { v = v << 8 | UInt64(bytes[offset + i]) }
        offset += n
        if v < 0x80 { throw error(.nonCanonical, at: start, "long-form length determinant for length \(v)") }
        if v > UInt64(Int.max) { throw error(.limitExceeded, at: start, "length \(v)") }
        return Int(v)
    }

    /// A length determinant that must fit in the bytes that remain (checked before any allocation).
    @inline(__always)
    public mutating func readLengthChecked() throws(COERError) -> Int {
        let start = offset
        let length = try readLength()
        if length > end - offset { throw lengthExceeds(length, at: start) }
        return length
    }

    @inline(never)
    func lengthExceeds(_ length: Int, at start: Int) -> COERError {
        error(.truncated, at: start, "length \(length) exceeds the \(end - offset) byte(s) left")
    }

    /// Length-prefixed unsigned integer (semi-constrained `(0..MAX)` such as `Psid`): minimal octets.
    public mutating func readUnsignedInteger() throws(COERError) -> UInt64 {
        let start = offset
        let n = try readLengthChecked()
        if n == 0 { throw error(.invalidValue, at: start, "integer with zero length") }
        if n > 1 && bytes[offset] == 0 {
            throw error(.nonCanonical, at: start, "unsigned integer has a leading zero octet")
        }
        if n > 8 { throw error(.unsupported, at: start, "unsigned integer of \(n) octets exceeds 64 bits") }
        return try readFixedUnsigned(width: n)
    }

    /// Length-prefixed two's-complement integer (unconstrained `INTEGER`): minimal octets.
    public mutating func readSignedInteger() throws(COERError) -> Int64 {
        let start = offset
        let n = try readLengthChecked()
        if n == 0 { throw error(.invalidValue, at: start, "integer with zero length") }
        if n > 1 {
            let b0 = bytes[offset], b1 = bytes[offset + 1]
            if (b0 == 0x00 && b1 & 0x80 == 0) || (b0 == 0xff && b1 & 0x80 != 0) {
                throw error(.nonCanonical, at: start, "signed integer is not in minimal octets")
            }
        }
        if n > 8 { throw error(.unsupported, at: start, "signed integer of \(n) octets exceeds 64 bits") }
        let raw = try readFixedUnsigned(width: n)
        // Sign-extend from n octets.
        let shift = UInt64(64 - 8 * n)
        return Int64(bitPattern: raw << shift) >> Int64(shift)
    }

    /// ENUMERATED (X.696 §11): one octet for 0…127, else `0x80+n` and n two's-complement octets,
    /// minimal. OER has no extension bit for ENUMERATED.
    @inline(__always)
    public mutating func readEnumerated() throws(COERError) -> Int {
        if offset < end, bytes[offset] < 0x80 {
            offset += 1
            return Int(bytes[offset - 1])
        }
        return try readLongEnumerated()
    }

    /// `readEnumerated` past its one-octet fast path.
    @inline(never)
    mutating func readLongEnumerated() throws(COERError) -> Int {
        let start = offset
        let first = try readByte()
        if first < 0x80 { return Int(first) }
        let n = Int(first & 0x7f)
        if n == 0 { throw error(.invalidValue, at: start, "ENUMERATED long form with no octets") }
        if n > 8 { throw error(.limitExceeded, at: start, "ENUMERATED of \(n) octets") }
        try need(n, "ENUMERATED")
        if n > 1 {
            let b0 = bytes[offset], b1 = bytes[offset + 1]
            if (b0 == 0x00 && b1 & 0x80 == 0) || (b0 == 0xff && b1 & 0x80 != 0) {
                throw error(.nonCanonical, at: start, "ENUMERATED value is not in minimal octets")
            }
        }
        let raw = try readFixedUnsigned(width: n)
        let shift = UInt64(64 - 8 * n)
        let value = Int64(bitPattern: raw << shift) >> Int64(shift)
        if value >= 0 && value < 128 {
            throw error(.nonCanonical, at: start, "long-form ENUMERATED for value \(value)")
        }
        guard let v = Int(exactly: value) else { throw error(.limitExceeded, at: start, "ENUMERATED value") }
        return v
    }

    /// BOOLEAN: `00` false, `ff` true; anything else is not canonical.
    public mutating func readBoolean() throws(COERError) -> Bool {
        let start = offset
        switch try readByte() {
        case 0x00: return false
        case 0xff: return true
        case let b: throw error(.nonCanonical, at: start, "BOOLEAN octet 0x\(hexByte(b)) (canonical: 00 or ff)")
        }
    }

    // MARK: - Strings

    /// A length-prefixed OCTET STRING, optionally with a SIZE constraint.
    public mutating func readOctetString(size: ClosedRange<Int>? = nil) throws(COERError) -> [UInt8] {
        let start = offset
        let n = try readLengthChecked()
        if let size, !size.contains(n) {
            throw error(.constraintViolation, at: start, "size \(n) outside SIZE(\(size.lowerBound)..\(size.upperBound))")
        }
        return try readOctets(n)
    }

    /// A fixed-size BIT STRING of `bits` bits (no length, no unused-bits octet); unused trailing bits
    /// must be zero.
    public mutating func readFixedBitString(bits: Int) throws(COERError) -> [UInt8] {
        let start = offset
        let octets = try readOctets((bits + 7) / 8)
        let unused = octets.count * 8 - bits
        if unused > 0, let last = octets.last, last & UInt8((1 << unused) - 1) != 0 {
            throw error(.nonCanonical, at: start, "unused bits of a fixed BIT STRING are set")
        }
        return octets
    }

    // MARK: - Constructed

    /// The preamble of a SEQUENCE: one extension bit if `extensible`, then one bit per OPTIONAL/DEFAULT
    /// root component, MSB first, zero-padded to whole octets. Padding bits must be zero.
    @inline(__always)
    public mutating func readPreamble(extensible: Bool, optionalCount: Int) throws(COERError) -> COERPreamble {
        let bitCount = (extensible ? 1 : 0) + optionalCount
        if bitCount == 0 { return COERPreamble(bits: 0, count: 0) }
        // Fast path: a one-octet preamble whose padding bits are zero.
        if bitCount <= 8, offset < end, bytes[offset] & UInt8(truncatingIfNeeded: (1 << (8 - bitCount)) - 1) == 0 {
            offset += 1
            return COERPreamble(bits: UInt64(bytes[offset - 1]) << 56, count: bitCount)
        }
        return try readLongPreamble(bitCount: bitCount)
    }

    /// `readPreamble` past its one-octet fast path.
    @inline(never)
    mutating func readLongPreamble(bitCount: Int) throws(COERError) -> COERPreamble {
        let start = offset
        let octets = (bitCount + 7) / 8
        if octets > 8 { throw error(.unsupported, at: start, "preamble of \(bitCount) bits") }
        let raw = try readFixedUnsigned(width: octets)
        let padding = octets * 8 - bitCount
        if padding > 0 && raw & ((1 << UInt64(padding)) - 1) != 0 {
            throw error(.nonCanonical, at: start, "preamble padding bits are set")
        }
        // Left-align so that bit 0 of the preamble is the MSB of a UInt64.
        return COERPreamble(bits: raw << UInt64(64 - octets * 8), count: bitCount)
    }

    /// A CHOICE tag (X.696 §20): must be context-specific; number < 63 in the first octet, else
    /// `0xbf` plus minimal base-128 octets for numbers ≥ 63.
    @inline(__always)
    public mutating func readChoiceTag() throws(COERError) -> UInt {
        if offset < end, bytes[offset] & 0xc0 == 0x80, bytes[offset] & 0x3f < 63 {
            offset += 1
            return UInt(bytes[offset - 1] & 0x3f)
        }
        return try readLongChoiceTag()
    }

    /// `readChoiceTag` past its one-octet fast path (numbers from 63, and every error).
    @inline(never)
    mutating func readLongChoiceTag() throws(COERError) -> UInt {
        let start = offset
        let first = try readByte()
        if first & 0xc0 != 0x80 {
            throw error(.invalidValue, at: start, "CHOICE tag 0x\(hexByte(first)) is not context-specific")
        }
        let low = UInt(first & 0x3f)
        if low < 63 { return low }
        var value: UInt = 0
        var octets = 0
        while true {
            let b = try readByte()
            octets += 1
            if octets == 1 && b == 0x80 {
                throw error(.nonCanonical, at: start, "CHOICE tag number has a leading zero group")
            }
            if octets > 4 { throw error(.limitExceeded, at: start, "CHOICE tag number too large") }
            value = value << 7 | UInt(b & 0x7f)
            if b & 0x80 == 0 { break }
        }
        if value < 63 { throw error(.nonCanonical, at: start, "long-form CHOICE tag for number \(value)") }
        return value
    }

    /// The quantity of a SEQUENCE OF (X.696 §19): one octet L, then the count in L octets, minimal.
    /// The count is checked against `maxElements` and against the bytes left (every element of the
    /// types in this codec takes at least `minElementSize` octets) before anything is allocated.
    @inline(__always)
    public mutating func readQuantity(minElementSize: Int = 1) throws(COERError) -> Int {
        // Fast path: `01 n` with n elements that pass the limit and fit in the bytes left.
        if end - offset >= 2, bytes[offset] == 1 {
            let n = Int(bytes[offset + 1])
            if n <= limits.maxElements && (n == 0 || n <= (end - offset - 2) / max(minElementSize, 1)) {
                offset += 2
                return n
            }
        }
        return try readLongQuantity(minElementSize: minElementSize)
    }

    /// `readQuantity` past its two-octet fast path.
    @inline(never)
    mutating func readLongQuantity(minElementSize: Int) throws(COERError) -> Int {
        let start = offset
        let l = Int(try readByte())
        if l == 0 { throw error(.invalidValue, at: start, "SEQUENCE OF quantity with zero-length count") }
        if l > 8 { throw error(.limitExceeded, at: start, "SEQUENCE OF quantity of \(l) octets") }
        try need(l, "SEQUENCE OF quantity")
        if l > 1 && bytes[offset] == 0 {
            throw error(.nonCanonical, at: start, "SEQUENCE OF quantity has a leading zero octet")
        }
        let count = try readFixedUnsigned(width: l)
        if count > UInt64(limits.maxElements) {
            throw error(.limitExceeded, at: start, "\(count) elements exceed the limit of \(limits.maxElements)")
        }
        let n = Int(count)
        if n > 0 && n > (end - offset) / max(minElementSize, 1) {
            throw error(.truncated, at: start, "\(n) elements cannot fit in the \(end - offset) byte(s) left")
        }
        return n
    }

    /// A SEQUENCE OF `T`, with an optional SIZE constraint; each element is pathed `[i]`.
    public mutating func readSequenceOf<T: COERCodable>(_ type: T.Type = T.self, size: ClosedRange<Int>? = nil,
                                                       minElementSize: Int = 1) throws(COERError) -> [T] {
        let start = offset
        let n = try readQuantity(minElementSize: minElementSize)
        if let size, !size.contains(n) {
            throw error(.constraintViolation, at: start,
                        "\(n) elements outside SIZE(\(size.lowerBound)..\(size.upperBound == Int.max ? "MAX" : String(size.upperBound)))")
        }
        var out: [T] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            if keepsPath { push(.index(i)) }
            out.append(try T(from: &self))
            if keepsPath { pop() }
        }
        return out
    }

    /// A SEQUENCE OF whose elements `element` decodes; each element is pathed `[i]`.
    public mutating func readSequenceOf<T>(size: ClosedRange<Int>? = nil, minElementSize: Int = 1,
                                          element: (inout COERReader) throws(COERError) -> T) throws(COERError) -> [T] {
        let start = offset
        let n = try readQuantity(minElementSize: minElementSize)
        if let size, !size.contains(n) {
            throw error(.constraintViolation, at: start,
                        "\(n) elements outside SIZE(\(size.lowerBound)..\(size.upperBound == Int.max ? "MAX" : String(size.upperBound)))")
        }
        var out: [T] = []
        out.reserveCapacity(n)
        for i in 0..<n {
            if keepsPath { push(.index(i)) }
            out.append(try element(&self))
            if keepsPath { pop() }
        }
        return out
    }

    /// Decodes a known CHOICE extension alternative `name`: an open type holding a `T`.
    public mutating func decodeExtensionAlternative<T: COERCodable>(_ name: String, as type: T.Type = T.self) throws(COERError) -> T {
        try component(name) { (r: inout COERReader) throws(COERError) in
            try r.readOpenType { (inner: inout COERReader) throws(COERError) in try T(from: &inner) }
        }
    }

    /// An open type (length determinant + encoding): `body` decodes from a reader confined to the
    /// open type's contents and must consume all of them.
    public mutating func readOpenType<T>(_ body: (inout COERReader) throws(COERError) -> T) throws(COERError) -> T {
        let n = try readLengthChecked()
        return try readConfined(length: n, body)
    }

    /// Decodes `length` bytes with a reader confined to them (same offsets, same path); they must all
    /// be consumed.
    public mutating func readConfined<T>(length n: Int, _ body: (inout COERReader) throws(COERError) -> T) throws(COERError) -> T {
        try need(n, "contained value")
        let savedEnd = end
        end = offset + n
        let value = try body(&self)
        if offset != end {
            throw error(.trailingBytes, "\(end - offset) byte(s) left inside a length-delimited value")
        }
        end = savedEnd
        return value
    }

    /// The raw contents of an open type (length determinant + encoding), kept byte-exact.
    public mutating func readOpenTypeBytes() throws(COERError) -> [UInt8] {
        let n = try readLengthChecked()
        return try readOctets(n)
    }

    /// The extension-addition presence bitmap and the additions of a SEQUENCE whose extension bit is
    /// set (X.696 §16.4–16.5). `knownCount` additions are known to the caller, which `decodeKnown`
    /// decodes (index, reader confined to the open type); the others are kept raw.
    ///
    /// Canonical form required: the bitmap has exactly `max(knownCount, highest present index + 1)`
    /// bits, the unused-bits octet matches, unused bits are zero, and at least one addition is present.
    public mutating func readExtensionAdditions(
        knownCount: Int,
        _ decodeKnown: (Int, inout COERReader) throws(COERError) -> Void
    ) throws(COERError) -> [COERUnknownAddition] {
        let start = offset
        let length = try readLengthChecked()
        if length == 0 { throw error(.invalidValue, at: start, "empty extension presence bitmap") }
        let unusedBits = Int(try readByte())
        if unusedBits > 7 { throw error(.invalidValue, at: start, "bitmap unused-bits octet \(unusedBits) > 7") }
        let bitmap = try readOctets(length - 1)
        if bitmap.isEmpty && unusedBits != 0 {
            throw error(.invalidValue, at: start, "empty bitmap with \(unusedBits) unused bits")
        }
        if let last = bitmap.last, unusedBits > 0, last & UInt8((1 << unusedBits) - 1) != 0 {
            throw error(.nonCanonical, at: start, "bitmap unused bits are set")
        }
        let bitCount = bitmap.count * 8 - unusedBits
        if bitCount > limits.maxElements {
            throw error(.limitExceeded, at: start, "\(bitCount) extension additions")
        }
        var present: [Int] = []
        for i in 0..<bitCount where bitmap[i / 8] & (0x80 >> UInt8(i % 8)) != 0 { present.append(i) }
        guard let highest = present.last else {
            throw error(.nonCanonical, at: start, "extension bit set but no extension addition present")
        }
        let canonicalCount = max(knownCount, highest + 1)
        if bitCount != canonicalCount {
            throw error(.nonCanonical, at: start,
                        "extension bitmap has \(bitCount) bits; canonical is \(canonicalCount) (trailing zero bits or missing known bits)")
        }
        var unknown: [COERUnknownAddition] = []
        for index in present {
            if index < knownCount {
                try readOpenType { (r: inout COERReader) throws(COERError) in try decodeKnown(index, &r) }
            } else {
                unknown.append(COERUnknownAddition(index: index, encoding: try readOpenTypeBytes()))
            }
        }
        return unknown
    }

    /// The extension additions of a SEQUENCE that knows none, kept raw (nothing read if `present` is false).
    public mutating func readUnknownExtensionAdditions(if present: Bool) throws(COERError) -> [COERUnknownAddition] {
        guard present else { return [] }
        return try readExtensionAdditions(knownCount: 0) { _, _ throws(COERError) in }
    }

    /// Reads a CHOICE extension alternative (an open type) as raw bytes.
    public mutating func readUnknownAlternative(tag: UInt) throws(COERError) -> (tag: UInt, encoding: [UInt8]) {
        (tag, try readOpenTypeBytes())
    }
}

/// The decoded preamble bits of a SEQUENCE.
public struct COERPreamble: Sendable {
    /// Left-aligned bits: bit 0 is the MSB.
    let bits: UInt64
    let count: Int

    init(bits: UInt64, count: Int) {
        self.bits = bits
        self.count = count
    }

    /// Bit `i` of the preamble (0 = first bit: the extension bit when the type is extensible).
    public subscript(_ i: Int) -> Bool { i < count && bits & (UInt64(1) << UInt64(63 - i)) != 0 }
}

/// An extension addition this codec does not know, kept so it re-encodes byte-exactly.
public struct COERUnknownAddition: Sendable, Hashable {
    /// Position in the extension-addition list (0 = first addition after `...`).
    public var index: Int
    /// The open type's contents (the addition's own encoding, without the length determinant).
    public var encoding: [UInt8]

    public init(index: Int, encoding: [UInt8]) {
        self.index = index
        self.encoding = encoding
    }
}

@inline(__always)
func hexByte(_ b: UInt8) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
    return String([digits[Int(b >> 4)], digits[Int(b & 0xf)]])
}
