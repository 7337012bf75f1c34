import Foundation
import Testing
import TestSupport

/// The built `electorctl` executable, run as a subprocess the way operators run it.
///
/// Located next to the running test bundle (SwiftPM puts every product of a build in one bin directory), else in
/// `.build/debug` of this checkout, else at `$ELECTORCTL`.
enum ElectorCtlBinary {
    static let path: String? = {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["ELECTORCTL"] { candidates.append(explicit) }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("electorctl").path)
        }
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("electorctl").path)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("electorctl").path)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/electorctl").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()
}

/// One finished `electorctl` run.
struct CtlRun {
    let status: Int32
    let stdout: Data
    let stderr: String

    var out: String { String(decoding: stdout, as: UTF8.self) }

    /// Standard output parsed as a JSON object.
    func json() throws -> [String: Any] {
        let value = try JSONSerialization.jsonObject(with: stdout)
        return try #require(value as? [String: Any], "stdout is not a JSON object: \(out)")
    }
}

/// A scratch directory for one test, removed when the test's value goes away.
final class Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("electorctl-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// `name` inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Creates a subdirectory.
    @discardableResult
    func directory(_ name: String) throws -> String {
        let p = path(name)
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    /// Writes bytes.
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// Copies fixtures into a subdirectory (e.g. an anchors directory of `.hex` certificates).
    func fixtures(_ names: [String], into directory: String) throws -> String {
        let dir = try self.directory(directory)
        for name in names {
            try FileManager.default.copyItem(atPath: Fixtures.url(name).path, toPath: dir + "/" + name)
        }
        return dir
    }

    /// The bytes of a file.
    func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
}

/// Runs `electorctl` with `arguments` (and `stdin`), capturing both streams through files (no pipe limits).
func ctl(_ arguments: [String], stdin: [UInt8]? = nil) throws -> CtlRun {
    let binary = try #require(ElectorCtlBinary.path, "electorctl is not built (swift build --product electorctl)")
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("electorctl-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
    process.standardOutput = outHandle
    process.standardError = errHandle
    if let stdin {
        let inURL = scratch.appendingPathComponent("in")
        try Data(stdin).write(to: inURL)
        process.standardInput = try FileHandle(forReadingFrom: inURL)
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return CtlRun(status: process.terminationStatus, stdout: try Data(contentsOf: outURL),
                  stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// JSON navigation helpers for `[String: Any]` trees.
extension Dictionary where Key == String, Value == Any {
    func object(_ key: String) -> [String: Any]? { self[key] as? [String: Any] }
    func array(_ key: String) -> [[String: Any]] { self[key] as? [[String: Any]] ?? [] }
    func string(_ key: String) -> String? { self[key] as? String }
    func int(_ key: String) -> Int? { (self[key] as? Int) ?? (self[key] as? NSNumber)?.intValue }
    func bool(_ key: String) -> Bool? { (self[key] as? Bool) ?? (self[key] as? NSNumber)?.boolValue }
}

/// The reason codes of a verdict's `reasons` (or any findings list), with their endorsement index.
func codes(_ findings: [[String: Any]]) -> [String] {
    findings.map { finding in
        let code = finding.string("code") ?? "?"
        return finding.int("endorsementIndex").map { "\(code)[\($0)]" } ?? code
    }.sorted()
}
