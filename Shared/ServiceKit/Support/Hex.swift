/// Hexadecimal encoding and decoding, including the project's test-vector text format.
///
/// The vector format is hex digits in any case with whitespace anywhere, and lines whose first non-blank character
/// is `#` are comments:
///
/// ```
/// # ElectorBallot, 3 endorsements
/// 80 03 01 02
/// ab cd
/// ```
public enum Hex {
    /// Lowercase hex of `bytes`, two digits per byte, no separators.
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        // Contiguous bytes (arrays, slices: every caller on a hot path) are written straight into the string's storage.
        if let encoded = bytes.withContiguousStorageIfAvailable(encode(buffer:)) { return encoded }
        return Array(bytes).withUnsafeBufferPointer(encode(buffer:))
    }

    private static func encode(buffer bytes: UnsafeBufferPointer<UInt8>) -> String {
        @inline(__always) func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var index = 0
            for byte in bytes {
                out[index] = digit(byte >> 4)
                out[index + 1] = digit(byte & 0x0f)
                index += 2
            }
            return index
        }
    }

    /// Decodes a strict hex string (no whitespace, no prefix, even length; either case).
    public static func decode(_ text: some StringProtocol) throws(HexError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        var column = 0
        for ch in text.utf8 {
            column += 1
            guard let value = nibble(ch) else {
                throw .invalidCharacter(Character(Unicode.Scalar(ch)), line: 1, column: column)
            }
            if let h = high {
                out.append(h << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        if high != nil { throw .oddDigitCount }
        return out
    }

    /// Decodes the vector text format: `#` comment lines and all whitespace are ignored.
    ///
    /// A `#` after digits on the same line also starts a comment. Errors name the line and column.
    public static func decodeVectorText(_ text: some StringProtocol) throws(HexError) -> [UInt8] {
        var out: [UInt8] = []
        var high: UInt8?
        var line = 1
        var column = 0
        var inComment = false
        for ch in text.utf8 {
            if ch == 10 { // \n
                line += 1
                column = 0
                inComment = false
                continue
            }
            column += 1
            if inComment { continue }
            if ch == 35 { // #
                inComment = true
                continue
            }
            if ch == 32 || ch == 9 || ch == 13 || ch == 11 || ch == 12 { continue }
            guard let value = nibble(ch) else {
                let scalar = Unicode.Scalar(ch)
                throw .invalidCharacter(Character(scalar), line: line, column: column)
            }
            if let h = high {
                out.append(h << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        if high != nil { throw .oddDigitCount }
        return out
    }

    @inline(__always)
    static func nibble(_ ch: UInt8) -> UInt8? {
        switch ch {
        case 48...57: return ch - 48
        case 97...102: return ch - 87
        case 65...70: return ch - 55
        default: return nil
        }
    }
}

/// Why hex text could not be decoded.
public enum HexError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A character that is not a hex digit (or allowed whitespace/comment), at a 1-based line and column.
    /// Non-ASCII input is reported byte by byte.
    case invalidCharacter(Character, line: Int, column: Int)
    /// The digits do not pair up into whole bytes.
    case oddDigitCount

    /// A stable reason code.
    public var code: String {
        switch self {
        case .invalidCharacter: return "hex.invalid-character"
        case .oddDigitCount: return "hex.odd-digit-count"
        }
    }

    public var description: String {
        switch self {
        case .invalidCharacter(let ch, let line, let column):
            let shown = ch.unicodeScalars.first.map { $0.isASCII && $0.value >= 32 ? String(ch) : "\\u{\(String($0.value, radix: 16))}" } ?? "?"
            return "invalid hex character '\(shown)' at line \(line), column \(column)"
        case .oddDigitCount:
            return "odd number of hex digits"
        }
    }
}

extension HexError: ExitCodeProviding {
    /// Malformed hex is malformed input.
    public var exitCode: ExitCode { .dataError }
}
