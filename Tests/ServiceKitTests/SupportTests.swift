import Foundation
import ServiceKit
import Testing
import TestSupport

@Suite struct TimeTests {
    @Test func time32ArithmeticAgainstTheStandardEpoch() throws {
        let clock = Time32Conversion()
        // 2004-01-01T00:00:00Z is Unix 1072915200; Time32 counts TAI seconds, 5 leap seconds ahead since 2017.
        #expect(ISO8601.format(unixSeconds: 1_072_915_200) == "2004-01-01T00:00:00Z")
        #expect(clock.unixSeconds(fromTime32: 600_000_000) == 1_672_915_195)
        #expect(clock.format(600_000_000) == "2023-01-05T10:39:55Z")
        #expect(try clock.parse("2023-01-05T10:39:55Z") == 600_000_000)
        #expect(try clock.parse("600000000") == 600_000_000)
        #expect(Time32Conversion(leapSeconds: 0).format(600_000_000) == "2023-01-05T10:40:00Z")
        #expect(try Time32Conversion(leapSeconds: 0).parse("2023-01-05T10:40:00Z") == 600_000_000)
        #expect(clock.format(0) == "2003-12-31T23:59:55Z")
        #expect(throws: TimeParseError.self) { try clock.parse("2003-12-31T00:00:00Z") }
        #expect(throws: TimeParseError.self) { try clock.parse("4294967296") }
        for t: UInt32 in [5, 1, 123_456_789, 600_000_000, 4_000_000_000, UInt32.max] {
            #expect(try clock.parse(clock.format(t)) == t)
        }
    }

    @Test func iso8601Forms() throws {
        #expect(try ISO8601.parse("1970-01-01T00:00:00Z") == 0)
        #expect(try ISO8601.parse("2024-02-29") == 1_709_164_800)
        #expect(try ISO8601.parse("2023-01-05T12:39:55+02:00") == 1_672_915_195)
        #expect(try ISO8601.parse("2023-01-05T05:39:55-0500") == 1_672_915_195)
        #expect(try ISO8601.parse("2023-01-05T10:39:55.999Z") == 1_672_915_195)
        #expect(try ISO8601.parseDate("2023-01-05T10:39:55.250Z").timeIntervalSince1970 == 1_672_915_195.25)
        #expect(ISO8601.format(Date(timeIntervalSince1970: 1_672_915_195.25)) == "2023-01-05T10:39:55.250Z")
        #expect(ISO8601.format(unixSeconds: -1) == "1969-12-31T23:59:59Z")
        #expect(ISO8601.format(unixSeconds: 4_102_444_800) == "2100-01-01T00:00:00Z")
        for bad in ["2023-01-05T10:39:55", "2023-02-29", "2023-13-01", "2023-01-05T24:00:00Z", "2023-1-5",
                    "2023-01-05T10:39:55Zjunk", "", "yesterday", "2023-01-05T10:39:55.Z"] {
            #expect(throws: TimeParseError.self, "\(bad)") { try ISO8601.parse(bad) }
        }
        // Every day of a leap-year span round-trips through the civil calendar.
        var t: Int64 = 946_684_800  // 2000-01-01
        while t < 1_009_843_200 {  // 2002-01-01
            #expect(try ISO8601.parse(ISO8601.format(unixSeconds: t)) == t)
            t += 86_400 + 3_661
        }
    }

    @Test func durations() throws {
        #expect(try DurationText.seconds("30s") == 30)
        #expect(try DurationText.seconds("15m") == 900)
        #expect(try DurationText.seconds("12h") == 43_200)
        #expect(try DurationText.seconds("90d") == 7_776_000)
        #expect(try DurationText.seconds("6y") == 189_341_712)
        #expect(try DurationText.seconds("1d12h") == 129_600)
        #expect(try DurationText.duration("2w") == .seconds(1_209_600))
        for bad in ["", "90", "d", "1.5h", "10 m", "5x", "-3s", "99999999999999999999s"] {
            #expect(throws: TimeParseError.self, "\(bad)") { try DurationText.seconds(bad) }
        }
    }
}

@Suite struct HexTests {
    @Test func strictRoundTrip() throws {
        let bytes: [UInt8] = [0x00, 0x01, 0x7f, 0x80, 0xab, 0xff]
        #expect(Hex.encode(bytes) == "00017f80abff")
        #expect(try Hex.decode("00017F80ABff") == bytes)
        #expect(try Hex.decode("") == [])
        #expect(throws: HexError.oddDigitCount) { try Hex.decode("abc") }
        #expect(throws: HexError.invalidCharacter("g", line: 1, column: 2)) { try Hex.decode("ag") }
        #expect(throws: HexError.self) { try Hex.decode("ab cd") }
    }

    @Test func vectorTextFormat() throws {
        let text = """
            # ElectorBallot (comment line)
              # indented comment
            80 03\t01
            02ab   # trailing comment ff ff
            \r
            CD
            """
        #expect(try Hex.decodeVectorText(text) == [0x80, 0x03, 0x01, 0x02, 0xab, 0xcd])
        #expect(throws: HexError.invalidCharacter("z", line: 2, column: 4)) { try Hex.decodeVectorText("# c\nab z1") }
        #expect(throws: HexError.oddDigitCount) { try Hex.decodeVectorText("abc # x\n") }
    }

    @Test func agreesWithTheFixtureLoaderOnEveryVector() throws {
        let names = try Fixtures.names(withSuffix: ".hex")
        #expect(names.count > 20)
        for name in names {
            let text = try String(contentsOf: Fixtures.url(name), encoding: .utf8)
            #expect(try Hex.decodeVectorText(text) == Fixtures.decodeHexText(text), "\(name)")
        }
    }
}

@Suite struct FileIOTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "servicekit-files-\(UInt64.random(in: 0...UInt64.max))"
        try FileIO.makeDirectory(directory + "/nested/deeper")
    }

    @Test func atomicWriteSetsExactModeWhateverTheUmask() throws {
        let key = directory + "/elector.key"
        let old = umask(0o077)
        defer { umask(old) }
        try FileIO.writeAtomically([1, 2, 3], to: key, mode: 0o600)
        #expect(try FileIO.permissions(of: key) == 0o600)
        #expect(try FileIO.read(key) == [1, 2, 3])
        let cert = directory + "/elector.cert"
        try FileIO.writeAtomically([4], to: cert, mode: 0o644)
        #expect(try FileIO.permissions(of: cert) == 0o644)
        // Replacing keeps the new mode and content; no temporary files are left behind.
        try FileIO.writeAtomically([9, 9], to: key, mode: 0o400)
        #expect(try FileIO.permissions(of: key) == 0o400)
        #expect(try FileIO.read(key) == [9, 9])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func refusingToOverwrite() throws {
        let path = directory + "/nested/once"
        try FileIO.writeAtomically(text: "first", to: path, overwrite: false)
        #expect(throws: FileIOError.exists(path: path)) { try FileIO.writeAtomically(text: "second", to: path, overwrite: false) }
        #expect(try FileIO.readText(path) == "first")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory + "/nested").filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func boundedReadsAndTypedErrors() throws {
        let path = directory + "/big"
        try FileIO.writeAtomically([UInt8](repeating: 7, count: 1000), to: path)
        #expect(try FileIO.read(path, limit: 1000).count == 1000)
        #expect(throws: FileIOError.tooLarge(path: path, limit: 999)) { try FileIO.read(path, limit: 999) }
        #expect(FileIOError.tooLarge(path: path, limit: 999).exitCode == .dataError)
        #expect(throws: FileIOError.notFound(path: directory + "/missing")) { try FileIO.read(directory + "/missing") }
        #expect(throws: FileIOError.isDirectory(path: directory)) { try FileIO.read(directory) }
        #expect(throws: FileIOError.self) { try FileIO.writeAtomically([1], to: directory + "/no/such/dir/f") }
        try FileIO.writeAtomically([0xff, 0xfe], to: path)
        #expect(throws: FileIOError.notUTF8(path: path)) { try FileIO.readText(path) }
    }

    @Test func readingStandardInputWithALimit() throws {
        // `read("-")` is `readAll(fd: 0, path: "-", …)`; feed the same function a pipe instead of our own stdin.
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let payload = [UInt8](repeating: 0x41, count: 5000)
        #expect(StandardStreams.write(bytes: payload, to: fds[1]))
        close(fds[1])
        #expect(throws: FileIOError.tooLarge(path: "-", limit: 4096)) { try FileIO.readAll(fd: fds[0], path: "-", limit: 4096) }
        close(fds[0])
        var again: [Int32] = [0, 0]
        #expect(pipe(&again) == 0)
        #expect(StandardStreams.write(bytes: payload, to: again[1]))
        close(again[1])
        #expect(try FileIO.readAll(fd: again[0], path: "-", limit: 8192) == payload)
        close(again[0])
    }
}
