public import Foundation

/// ISO-8601 timestamps in UTC, parsed and formatted without locales, calendars or formatters.
///
/// Accepted input:
/// - `2023-01-05` (midnight UTC),
/// - `2023-01-05T10:39:55Z`, with optional fraction `…:55.250Z`,
/// - a numeric offset instead of `Z` (`+00:00`, `-0500`), converted to UTC.
///
/// A date-time without `Z` or an offset is rejected: local time is never guessed. Output is always
/// `YYYY-MM-DDTHH:MM:SSZ` (or with `.fff` milliseconds for logs).
public enum ISO8601 {
    /// Parses `text` to whole seconds since the Unix epoch; a fraction is truncated toward the past.
    public static func parse(_ text: some StringProtocol) throws(TimeParseError) -> Int64 {
        try parseComponents(String(text)).seconds
    }

    /// Parses `text` to a `Date`, keeping any fraction of a second.
    public static func parseDate(_ text: some StringProtocol) throws(TimeParseError) -> Date {
        let parsed = try parseComponents(String(text))
        return Date(timeIntervalSince1970: Double(parsed.seconds) + Double(parsed.nanoseconds) / 1e9)
    }

    /// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func format(unixSeconds: Int64) -> String {
        render(seconds: unixSeconds, milliseconds: nil)
    }

    /// Formats a `Date` as `YYYY-MM-DDTHH:MM:SS.fffZ` (milliseconds), or without the fraction.
    public static func format(_ date: Date, milliseconds: Bool = true) -> String {
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        let seconds = Int64(whole)
        var millis = Int((interval - whole) * 1000)
        if millis > 999 { millis = 999 }
        if millis < 0 { millis = 0 }
        return render(seconds: seconds, milliseconds: milliseconds ? millis : nil)
    }

    // MARK: - Civil calendar (proleptic Gregorian), after H. Hinnant's days_from_civil / civil_from_days.

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func render(seconds: Int64, milliseconds: Int?) -> String {
        var days = seconds / 86400
        var rem = seconds % 86400
        if rem < 0 {
            rem += 86400
            days -= 1
        }
        let (y, m, d) = civilFromDays(days)
        var out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T"
        out += pad(rem / 3600, 2) + ":" + pad(rem % 3600 / 60, 2) + ":" + pad(rem % 60, 2)
        if let ms = milliseconds { out += "." + pad(Int64(ms), 3) }
        return out + "Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func parseComponents(_ text: String) throws(TimeParseError) -> (seconds: Int64, nanoseconds: Int64) {
        let b = Array(text.utf8)
        var i = 0
        func fail(_ reason: String) -> TimeParseError { .malformed(text, reason: reason) }
        func digits(_ count: Int) -> Int64? {
            guard i + count <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<count {
                let c = b[i + k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += count
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2) else {
            throw fail("expected YYYY-MM-DD")
        }
        guard (1...12).contains(month) else { throw fail("month \(month) out of range") }
        guard day >= 1 && day <= daysIn(month: month, year: year) else { throw fail("day \(day) out of range") }
        let days = daysFromCivil(year: year, month: month, day: day)
        if i == b.count { return (days * 86400, 0) }
        guard b[i] == 84 || b[i] == 116 else { throw fail("expected 'T' after the date") }
        i += 1
        guard let hour = digits(2), expect(58), let minute = digits(2), expect(58), let second = digits(2) else {
            throw fail("expected HH:MM:SS")
        }
        guard hour < 24, minute < 60, second < 60 else { throw fail("time of day out of range") }
        var nanos: Int64 = 0
        if i < b.count && (b[i] == 46 || b[i] == 44) {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if count < 9 { nanos = nanos * 10 + Int64(b[i] - 48) }
                count += 1
                i += 1
            }
            guard count > 0 else { throw fail("empty fraction of a second") }
            if count < 9 { for _ in count..<9 { nanos *= 10 } }
        }
        guard i < b.count else { throw fail("missing 'Z' or UTC offset (local time is not accepted)") }
        var offset: Int64 = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45 {
            let sign: Int64 = b[i] == 45 ? -1 : 1
            i += 1
            guard let oh = digits(2) else { throw fail("malformed UTC offset") }
            _ = expect(58)
            guard let om = digits(2), oh < 24, om < 60 else { throw fail("malformed UTC offset") }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            throw fail("expected 'Z' or a UTC offset")
        }
        guard i == b.count else { throw fail("unexpected characters after the time") }
        return (days * 86400 + hour * 3600 + minute * 60 + second - offset, nanos)
    }
}

/// Why a time or duration could not be parsed.
public enum TimeParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text is not in an accepted form.
    case malformed(String, reason: String)
    /// The value parsed but does not fit the target (e.g. before the Time32 epoch or past 2140).
    case outOfRange(String, reason: String)

    /// A stable reason code.
    public var code: String {
        switch self {
        case .malformed: return "time.malformed"
        case .outOfRange: return "time.out-of-range"
        }
    }

    public var description: String {
        switch self {
        case .malformed(let text, let reason): return "invalid time '\(text)': \(reason)"
        case .outOfRange(let text, let reason): return "time '\(text)' out of range: \(reason)"
        }
    }
}
