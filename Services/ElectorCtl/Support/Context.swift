import BallotCodec
import Foundation
import ServiceKit

/// What every command takes from the global options: the leap-second offset, TIME parsing and JSON rendering.
///
/// TIME values are parsed with ServiceKit's `Time32Conversion` (ISO-8601 UTC or a bare Time32 integer) and rendered
/// with BallotCodec's `Time32` JSON (`{"time32": n, "iso8601": "…"}`), both with the same leap-second offset.
struct CLIContext: Sendable {
    /// The `--leap-seconds` conversion.
    let clock: Time32Conversion

    init(_ arguments: ParsedArguments) throws(CommandLineError) {
        let leap = try arguments.int("leap-seconds", in: 0...1000) ?? Time32Conversion.defaultLeapSeconds
        clock = Time32Conversion(leapSeconds: leap)
    }

    /// JSON options for decoded values.
    var json: JSONOptions { JSONOptions(leapSeconds: clock.leapSeconds) }

    /// The value of the TIME option `name`, or now.
    func time(_ arguments: ParsedArguments, _ name: String) throws -> UInt32 {
        if let value = try arguments.time32(name, conversion: clock) { return value }
        return try now()
    }

    /// The current time as Time32.
    func now() throws -> UInt32 {
        do {
            return try clock.time32(fromUnixSeconds: Int64(Date().timeIntervalSince1970.rounded(.down)))
        } catch {
            throw CommandFailure(.software, "the system clock is outside the Time32 range: \(error)")
        }
    }

    /// `{"time32": n, "iso8601": "…"}`.
    func timeJSON(_ time: UInt32) -> JSONValue { Time32(time).jsonValue(json) }
}

/// Writes JSON documents to standard output.
enum Output {
    /// Pretty JSON and a newline.
    static func json(_ value: JSONValue) {
        StandardStreams.writeOut(value.serialized(pretty: true) + "\n")
    }

    /// A note for people on standard error (standard output stays machine-readable).
    static func note(_ text: String) {
        StandardStreams.writeError("electorctl: \(text)\n")
    }
}

extension ParsedArguments {
    /// A positive integer option (a quorum, a version): a usage error otherwise.
    func positiveInt(_ name: String, max: Int = Int(UInt16.max)) throws(CommandLineError) -> Int? {
        try int(name, in: 1...max)
    }

    /// A required positive integer option.
    func requiredPositiveInt(_ name: String, max: Int = Int(UInt16.max)) throws(CommandLineError) -> Int {
        _ = try requiredString(name)
        guard let value = try positiveInt(name, max: max) else {
            throw CommandLineError(.missingRequired, "Missing expected argument '--\(name)'", commandPath: commandPath)
        }
        return value
    }
}
