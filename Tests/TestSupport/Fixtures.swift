import Foundation

/// Loads the public test vectors kept in `Tests/Fixtures/` (copied from the project's shared research data;
/// tests never read anything outside the repository).
public enum Fixtures {
    /// The `Tests/Fixtures` directory of this checkout.
    public static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The URL of the fixture file `name`.
    public static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// Raw contents of a fixture file.
    public static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    /// Decodes a vector-format `.hex` file: `#` lines are comments, whitespace is ignored.
    public static func hexBytes(_ name: String) throws -> [UInt8] {
        let text = try String(contentsOf: url(name), encoding: .utf8)
        return try decodeHexText(text)
    }

    /// Every fixture file name with the given suffix, sorted.
    public static func names(withSuffix suffix: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// Hex text to bytes, ignoring `#` comment lines and whitespace.
    public static func decodeHexText(_ text: String) throws -> [UInt8] {
        var digits: [UInt8] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if trimmed.first == "#" { continue }
            for ch in trimmed.utf8 where !(ch == 32 || ch == 9 || ch == 13) { digits.append(ch) }
        }
        guard digits.count % 2 == 0 else { throw FixtureError.badHex }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = nibble(digits[i]), let lo = nibble(digits[i + 1]) else { throw FixtureError.badHex }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// Lowercase hex of bytes.
    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    /// A fixture could not be read.
    public enum FixtureError: Error { case badHex }
}
