public import Foundation

/// `Time32 ::= Uint32` — TAI seconds since 2004-01-01T00:00:00Z (IEEE 1609.2 §6.4.15).
///
/// Unix time = `seconds + 1072915200 − leapSeconds`, where `leapSeconds` is the TAI−UTC offset
/// accumulated since 2004 (5 since 2017-01-01); it is a parameter because it is a setting.
public struct Time32: COERCodable, JSONRepresentable, Comparable, CustomStringConvertible {
    /// Unix time of the 1609.2 epoch, 2004-01-01T00:00:00Z.
    public static let epochUnixSeconds: Int64 = 1_072_915_200
    /// Leap seconds inserted since 2004 as of 2017-01-01.
    public static let defaultLeapSeconds = 5

    public var seconds: UInt32

    public init(_ seconds: UInt32) { self.seconds = seconds }

    /// The Time32 of a date, or nil if it is outside the Time32 range.
    public init?(_ date: Date, leapSeconds: Int = Time32.defaultLeapSeconds) {
        let unix = date.timeIntervalSince1970.rounded(.down)
        guard unix.isFinite, abs(unix) < 1e15 else { return nil }
        let tai = Int64(unix) - Time32.epochUnixSeconds + Int64(leapSeconds)
        guard let s = UInt32(exactly: tai) else { return nil }
        seconds = s
    }

    /// Unix seconds for this time.
    public func unixSeconds(leapSeconds: Int = Time32.defaultLeapSeconds) -> Int64 {
        Int64(seconds) + Time32.epochUnixSeconds - Int64(leapSeconds)
    }

    /// The date of this time.
    public func date(leapSeconds: Int = Time32.defaultLeapSeconds) -> Date {
        Date(timeIntervalSince1970: TimeInterval(unixSeconds(leapSeconds: leapSeconds)))
    }

    /// ISO 8601 UTC, e.g. `2023-01-05T10:40:00Z`.
    public func iso8601(leapSeconds: Int = Time32.defaultLeapSeconds) -> String {
        CivilTime.iso8601(unixSeconds: unixSeconds(leapSeconds: leapSeconds), microseconds: nil)
    }

    public static func < (a: Time32, b: Time32) -> Bool { a.seconds < b.seconds }

    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { seconds = try reader.readUInt32() }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeUInt32(seconds) }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("time32", .int(Int64(seconds))), ("iso8601", .string(iso8601(leapSeconds: options.leapSeconds)))])
    }

    public var description: String { "\(seconds) (\(iso8601()))" }
}

/// `Time64 ::= Uint64` — TAI microseconds since 2004-01-01T00:00:00Z.
public struct Time64: COERCodable, JSONRepresentable, Comparable, CustomStringConvertible {
    public var microseconds: UInt64

    public init(_ microseconds: UInt64) { self.microseconds = microseconds }

    /// The Time64 of a Time32 (same instant).
    public init(_ time32: Time32) { microseconds = UInt64(time32.seconds) * 1_000_000 }

    /// The Time64 of a date (microsecond precision), or nil if before the epoch.
    public init?(_ date: Date, leapSeconds: Int = Time32.defaultLeapSeconds) {
        let unixMicros = (date.timeIntervalSince1970 * 1_000_000).rounded(.down)
        guard unixMicros.isFinite, abs(unixMicros) < 9e18 else { return nil }
        let tai = Int64(unixMicros) + (Int64(leapSeconds) - Time32.epochUnixSeconds) * 1_000_000
        guard let m = UInt64(exactly: tai) else { return nil }
        microseconds = m
    }

    /// Unix microseconds for this time.
    public func unixMicroseconds(leapSeconds: Int = Time32.defaultLeapSeconds) -> Int64? {
        guard let m = Int64(exactly: microseconds) else { return nil }
        let (r, overflow) = m.addingReportingOverflow((Time32.epochUnixSeconds - Int64(leapSeconds)) * 1_000_000)
        return overflow ? nil : r
    }

    /// The date of this time (nil only for values beyond any real date).
    public func date(leapSeconds: Int = Time32.defaultLeapSeconds) -> Date? {
        unixMicroseconds(leapSeconds: leapSeconds).map { Date(timeIntervalSince1970: TimeInterval($0) / 1_000_000) }
    }

    /// The whole seconds of this time as a Time32 (nil beyond the Time32 range).
    public var time32: Time32? { UInt32(exactly: microseconds / 1_000_000).map(Time32.init) }

    /// ISO 8601 UTC with microseconds, e.g. `2023-01-05T10:56:40.000000Z`.
    public func iso8601(leapSeconds: Int = Time32.defaultLeapSeconds) -> String {
        guard let us = unixMicroseconds(leapSeconds: leapSeconds) else { return "out-of-range" }
        let (s, frac) = us.quotientAndRemainder(dividingBy: 1_000_000)
        let secs = frac < 0 ? s - 1 : s
        let micros = frac < 0 ? frac + 1_000_000 : frac
        return CivilTime.iso8601(unixSeconds: secs, microseconds: Int(micros))
    }

    public static func < (a: Time64, b: Time64) -> Bool { a.microseconds < b.microseconds }

    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { microseconds = try reader.readUInt64() }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeUInt64(microseconds) }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("time64", .uint(microseconds)), ("iso8601", .string(iso8601(leapSeconds: options.leapSeconds)))])
    }

    public var description: String { "\(microseconds) (\(iso8601()))" }
}

/// Proleptic Gregorian calendar arithmetic for ISO 8601 rendering (no locale, no time zone database).
enum CivilTime {
    /// `YYYY-MM-DDThh:mm:ss[.uuuuuu]Z`.
    static func iso8601(unixSeconds: Int64, microseconds: Int?) -> String {
        let (days, secOfDay) = floorDivMod(unixSeconds, 86_400)
        let (y, m, d) = civil(fromDays: days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        var out = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2))"
        if let microseconds { out += "." + pad(Int64(microseconds), 6) }
        return out + "Z"
    }

    static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Days since 1970-01-01 → (year, month, day) (H. Hinnant's algorithm).
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
