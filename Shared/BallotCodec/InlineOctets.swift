/// Allocation-free storage for the octets of a fixed-size OCTET STRING: a few 64-bit words, filled and
/// read as raw memory (octet i at byte offset i). Bytes past the string's size stay zero, so the
/// synthesized `==` and `hash(into:)` compare exactly the string's octets.
///
/// Words rather than SIMD vectors keep the alignment at 8, so arrays and boxes of values that hold
/// them are allocated with plain `malloc`. The order in which a struct lays out its words does not
/// matter: octets are only ever copied in and out of the same memory image.
protocol InlineOctetStorage: Hashable, Sendable, BitwiseCopyable {
    init()
}

extension InlineOctetStorage {
    /// How many octets fit.
    static var capacity: Int { MemoryLayout<Self>.size }

    /// Storage holding `octets`, which must number exactly `count` (at most `capacity`).
    init(exactly count: Int, of octets: [UInt8]) {
        precondition(octets.count == count && count <= Self.capacity,
                     "a fixed-size octet string needs exactly \(count) octets, got \(octets.count)")
        self.init()
        withUnsafeMutableBytes(of: &self) { $0.copyBytes(from: octets) }
    }

    /// The first `count` octets.
    func octets(_ count: Int) -> [UInt8] {
        withUnsafeBytes(of: self) { Array($0.prefix(count)) }
    }
}

/// Up to 8 octets.
struct OctetWords1: InlineOctetStorage {
    var w0: UInt64 = 0
}

/// Up to 16 octets.
struct OctetWords2: InlineOctetStorage {
    var w0: UInt64 = 0, w1: UInt64 = 0
}

/// Up to 32 octets.
struct OctetWords4: InlineOctetStorage {
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0
}

/// Up to 48 octets.
struct OctetWords6: InlineOctetStorage {
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0, w4: UInt64 = 0, w5: UInt64 = 0
}
