/// Conversion between Unix time and IEEE 1609.2 `Time32`: TAI seconds since 2004-01-01T00:00:00Z.
///
/// `unix = time32 + 1072915200 − leapSeconds`, where `leapSeconds` is the number of leap seconds inserted since
/// 2004 (5 since 2017-01-01). The offset is a setting because the standard leaves it to implementations.
///
/// ```swift
/// let clock = Time32Conversion()               // leapSeconds 5
/// clock.unixSeconds(fromTime32: 600_000_000)   // 1672915195 (2023-01-05T10:39:55Z)
/// try clock.parse("2023-01-05T10:39:55Z")      // 600000000
/// try clock.parse("600000000")                 // 600000000 (a bare integer is already Time32)
/// ```
public struct Time32Conversion: Sendable, Hashable {
    /// Unix time of the Time32 epoch, 2004-01-01T00:00:00Z.
    public static let epochUnixSeconds: Int64 = 1_072_915_200
    /// Leap seconds inserted between 2004-01-01 and today (the last one at the end of 2016).
    public static let defaultLeapSeconds = 5

    /// Leap seconds between the Time32 epoch and the times being converted.
    public var leapSeconds: Int

    /// Creates a conversion with the given leap-second offset.
    public init(leapSeconds: Int = Time32Conversion.defaultLeapSeconds) {
        self.leapSeconds = leapSeconds
    }

    /// Unix seconds for a Time32 value.
    public func unixSeconds(fromTime32 time32: UInt32) -> Int64 {
        Int64(time32) + Self.epochUnixSeconds - Int64(leapSeconds)
    }

    /// Time32 for Unix seconds; throws if the instant is outside Time32's range.
    public func time32(fromUnixSeconds unix: Int64) throws(TimeParseError) -> UInt32 {
        let value = unix - Self.epochUnixSeconds + Int64(leapSeconds)
        guard value >= 0, value <= Int64(UInt32.max) else {
            throw .outOfRange(ISO8601.format(unixSeconds: unix), reason: "Time32 covers 2004-01-01 to 2140-02-07")
        }
        return UInt32(value)
    }

    /// Parses a CLI time: an ISO-8601 UTC timestamp (see ``ISO8601``) or a bare decimal integer that is already a
    /// Time32 value.
    public func parse(_ text: some StringProtocol) throws(TimeParseError) -> UInt32 {
        let trimmed = String(text)
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard let value = UInt32(trimmed) else {
                throw .outOfRange(trimmed, reason: "a bare integer is Time32 and must be at most \(UInt32.max)")
            }
            return value
        }
        return try time32(fromUnixSeconds: ISO8601.parse(trimmed))
    }

    /// Formats a Time32 value as an ISO-8601 UTC timestamp.
    public func format(_ time32: UInt32) -> String {
        ISO8601.format(unixSeconds: unixSeconds(fromTime32: time32))
    }
}

/// Durations written the way operators type them: `30s`, `15m`, `12h`, `90d`, `2w`, `6y`, or combinations such as
/// `1d12h`. A year is 31556952 s (the mean Gregorian year, as 1609.2 `Duration` uses).
public enum DurationText {
    /// Seconds per unit letter.
    public static let units: [(Character, Int64)] = [
        ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800), ("y", 31_556_952),
    ]

    /// Parses `text` to whole seconds.
    public static func seconds(_ text: some StringProtocol) throws(TimeParseError) -> Int64 {
        let source = String(text)
        var total: Int64 = 0
        var number: Int64?
        var sawUnit = false
        for ch in source {
            if let d = ch.wholeNumberValue, ch.isASCII {
                let (mul, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (sum, o2) = mul.addingReportingOverflow(Int64(d))
                guard !o1, !o2 else { throw .outOfRange(source, reason: "too large") }
                number = sum
            } else if let unit = units.first(where: { $0.0 == ch }) {
                guard let n = number else { throw .malformed(source, reason: "unit '\(ch)' without a number") }
                let (part, o1) = n.multipliedReportingOverflow(by: unit.1)
                let (sum, o2) = total.addingReportingOverflow(part)
                guard !o1, !o2 else { throw .outOfRange(source, reason: "too large") }
                total = sum
                number = nil
                sawUnit = true
            } else {
                throw .malformed(source, reason: "expected a number and a unit (s, m, h, d, w, y), e.g. 90d")
            }
        }
        guard number == nil else {
            throw .malformed(source, reason: "number without a unit (s, m, h, d, w, y)")
        }
        guard sawUnit else { throw .malformed(source, reason: "empty duration") }
        return total
    }

    /// Parses `text` to a `Duration`.
    public static func duration(_ text: some StringProtocol) throws(TimeParseError) -> Duration {
        .seconds(try seconds(text))
    }
}
