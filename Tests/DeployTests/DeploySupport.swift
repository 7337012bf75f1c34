import Foundation
import ServiceKit
import Synchronization
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

// What the deployment tests compare the files under deploy/ with: the package manifest, each service's own `--help`
// (its configuration surface), and ServiceKit's Topics.

/// A failure of the test support itself.
struct DeployTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Files of this checkout.
enum Repository {
    /// The checkout root (this file is Tests/DeployTests/DeploySupport.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// Names of the files in `relative` (a directory), sorted.
    static func files(_ relative: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path(relative)).sorted()
    }
}

/// The executables Package.swift declares, and which of them are services.
enum PackageManifest {
    /// Executable products: `.executable(name: "X", targets: ["Y"])` → X: Y.
    static func executables() throws -> [String: String] {
        let text = try Repository.text("Package.swift")
        let pattern = try Regex(#"\.executable\(name:\s*"([^"]+)",\s*targets:\s*\["([^"]+)"\]\)"#)
        var out: [String: String] = [:]
        for match in text.matches(of: pattern) {
            guard let name = match.output[1].substring, let target = match.output[2].substring else { continue }
            out[String(name)] = String(target)
        }
        return out
    }

    /// Path of each `.executableTarget(name: "Y", ..., path: "P")`.
    static func executableTargetPaths() throws -> [String: String] {
        let text = try Repository.text("Package.swift")
        let pattern = try Regex(#"\.executableTarget\(name:\s*"([^"]+)",[^)]*?path:\s*"([^"]+)""#)
        var out: [String: String] = [:]
        for match in text.matches(of: pattern) {
            guard let name = match.output[1].substring, let path = match.output[2].substring else { continue }
            out[String(name)] = String(path)
        }
        return out
    }

    /// Executables that are tools, not long-running services: the operator CLI, the development broker, benchmarks.
    static let tools: Set<String> = ["electorctl", "scms-devbroker", "scms-bench"]

    /// The services: executable products under Services/ that are not tools.
    static func services() throws -> [String] {
        let paths = try executableTargetPaths()
        return try executables().filter { name, target in
            !tools.contains(name) && (paths[target]?.hasPrefix("Services/") ?? false)
        }.keys.sorted()
    }
}

/// One option of a service's `--help`.
struct ServiceOption: Sendable, Hashable {
    var name: String
    var valueName: String?
    var help: String
    var defaultValue: String?
    var environment: String?
}

/// A service's configuration surface, read from the real binary's `--help`.
struct ServiceSurface: Sendable {
    var service: String
    var options: [ServiceOption]
    /// Whether this came from the binary (false: the binary gave no help, e.g. a placeholder; see ``load(_:)``).
    var fromBinary: Bool

    func option(_ name: String) -> ServiceOption? { options.first { $0.name == name } }
    var environmentNames: Set<String> { Set(options.compactMap(\.environment)) }
    var optionNames: Set<String> { Set(options.map(\.name)) }

    /// Parses the OPTIONS section of a ServiceKit help screen.
    static func parse(help: String) -> [ServiceOption] {
        var blocks: [String] = []
        var inOptions = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("OPTIONS:") { inOptions = true; continue }
            guard inOptions else { continue }
            if !line.hasPrefix(" ") && !line.isEmpty { break }
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("--") || trimmed.hasPrefix("-h,") {
                blocks.append(String(trimmed))
            } else if !trimmed.isEmpty, !blocks.isEmpty {
                blocks[blocks.count - 1] += " " + trimmed
            }
        }
        let head = /^(?:-\w, )?--([a-z0-9-]+)(?: <([^>]+)>)?\s*(.*)$/
        return blocks.compactMap { block in
            guard let match = block.wholeMatch(of: head) else { return nil }
            let help = String(match.output.3)
            let defaultValue = help.firstMatch(of: /default: ([^;)]*)/).map { String($0.output.1) }
            let environment = help.firstMatch(of: /env: (SCMS_[A-Z0-9_]+)/).map { String($0.output.1) }
            return ServiceOption(name: String(match.output.1), valueName: match.output.2.map(String.init), help: help,
                                 defaultValue: defaultValue, environment: environment)
        }.filter { $0.name != "help" }
    }

    /// Runs `<service> --help`. A binary that does not answer (exit ≠ 0, as the `lag-monitor` placeholder does until it
    /// is built) gets the surface every ServiceKit service shares (``sharedSurface``), so the manifests may give it only
    /// those settings.
    static func load(_ service: String) throws -> ServiceSurface {
        let result = try ProcessRunner.run(try Binaries.url(service).path, ["--help"])
        let options = parse(help: result.stdout)
        if result.status == 0, !options.isEmpty {
            return ServiceSurface(service: service, options: options, fromBinary: true)
        }
        return ServiceSurface(service: service, options: sharedSurface, fromBinary: false)
    }

    /// `--config` and the keys of ``ConfigurationSchema/service(_:passthroughPrefixes:)``, from ServiceKit.
    static var sharedSurface: [ServiceOption] {
        let schema = ConfigurationSchema.service()
        return [ServiceOption(name: ConfigurationSchema.configFileKey, valueName: "file", help: "", defaultValue: nil,
                              environment: schema.environmentPrefix + "CONFIG")]
            + schema.keys.map { ServiceOption(name: $0.name, valueName: $0.valueName, help: $0.help,
                                              defaultValue: $0.defaultValue, environment: $0.environmentName()) }
    }

    /// Every service's surface, loaded once per test process.
    static func all() throws -> [String: ServiceSurface] {
        try cache.withLock { cached in
            if let cached { return cached }
            var out: [String: ServiceSurface] = [:]
            for service in try PackageManifest.services() { out[service] = try load(service) }
            cached = out
            return out
        }
    }

    private static let cache = Mutex<[String: ServiceSurface]?>(nil)
}

/// One finished process.
struct ProcessOutput: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to completion, collecting both streams.
enum ProcessRunner {
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    input: String? = nil) throws -> ProcessOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        let collected = Mutex<Data>(Data())
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            collected.withLock { $0 = data }
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        group.wait()
        return ProcessOutput(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                             stderr: String(decoding: collected.withLock { $0 }, as: UTF8.self))
    }
}

/// YAML through python3 + PyYAML (deploy/dev/bootstrap installs python3-yaml): every document of a file as JSON values.
enum YAML {
    static func documents(_ relative: String) throws -> [[String: Any]] {
        let script = "import sys, json, yaml\n"
            + "print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]))\n"
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, Repository.path(relative)])
        guard result.status == 0 else {
            throw DeployTestError("python3 + PyYAML could not load \(relative) (run deploy/dev/bootstrap): \(result.stderr)")
        }
        guard let documents = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] else {
            throw DeployTestError("\(relative): documents are not mappings")
        }
        return documents
    }
}

/// Typed access into JSON-like values.
extension Dictionary where Key == String, Value == Any {
    func map(_ key: String) -> [String: Any] { self[key] as? [String: Any] ?? [:] }
    func list(_ key: String) -> [Any] { self[key] as? [Any] ?? [] }
    func maps(_ key: String) -> [[String: Any]] { list(key).compactMap { $0 as? [String: Any] } }
    func string(_ key: String) -> String? {
        switch self[key] {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }
    /// `a.b.c`.
    func at(_ path: String) -> Any? {
        var current: Any? = self
        for part in path.split(separator: ".") { current = (current as? [String: Any])?[String(part)] }
        return current
    }
}

/// An INI file (systemd units): sections of `Key=Value` lines; a key may repeat.
struct INIFile {
    var sections: [String: [(key: String, value: String)]] = [:]

    init(parsing text: String) throws {
        var section: String?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast())
                continue
            }
            guard let section, let equals = line.firstIndex(of: "=") else {
                throw DeployTestError("line \(index + 1): not 'Key=Value' inside a section: \(line)")
            }
            sections[section, default: []].append((String(line[..<equals]), String(line[line.index(after: equals)...])))
        }
    }

    func values(_ section: String, _ key: String) -> [String] {
        (sections[section] ?? []).filter { $0.key == key }.map(\.value)
    }

    func value(_ section: String, _ key: String) -> String? { values(section, key).last }
}
