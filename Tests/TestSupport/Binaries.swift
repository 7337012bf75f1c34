import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds the executables this package builds (`scms-devbroker`, `electorctl`, …) from a test process.
public enum Binaries {
    /// Errors locating or running a built executable.
    public struct NotFound: Error, CustomStringConvertible {
        public var description: String
    }

    /// The directories searched, in order: `$SCMS_BIN_DIR`, the directory of the running test binary (SwiftPM
    /// puts test bundles next to the executables), then `.build/debug` and `.build/release` of this checkout.
    public static var searchDirectories: [URL] {
        var out: [URL] = []
        if let env = ProcessInfo.processInfo.environment["SCMS_BIN_DIR"], !env.isEmpty {
            out.append(URL(fileURLWithPath: env))
        }
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
            // Inside a bundle (macOS-style `X.xctest/Contents/MacOS`), climb to the products directory.
            while dir.path.contains(".xctest") { dir = dir.deletingLastPathComponent() }
            out.append(dir)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        out.append(root.appendingPathComponent(".build/debug"))
        out.append(root.appendingPathComponent(".build/release"))
        return out
    }

    /// The built executable `name`.
    ///
    /// - Throws: ``NotFound`` naming the directories searched (build first: `swift build`).
    public static func url(_ name: String) throws -> URL {
        for dir in searchDirectories {
            let candidate = dir.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw NotFound(description: "\(name) not found in \(searchDirectories.map(\.path)); run `swift build` first")
    }
}

/// A running `scms-devbroker` process with its own temporary state directory.
///
/// Start one with ``start(brokers:)`` or, better, ``withDevBroker(brokers:_:)``, which stops it even when
/// the body throws. Dropping the last reference also stops it.
public final class DevBrokerProcess: Sendable {
    /// The broker's state directory (removed by ``stop()``).
    public let directory: URL
    /// The bootstrap servers it wrote to `DIR/bootstrap.servers`.
    public let bootstrapServers: String
    /// Its control socket (`DIR/control.sock`).
    public let controlSocketPath: String
    /// The process id.
    public let pid: Int32
    private let process: Process
    /// Held open for the broker's lifetime: if this process dies, the broker sees end of file and stops.
    private let lifeline: Pipe

    private init(directory: URL, bootstrapServers: String, process: Process, lifeline: Pipe) {
        self.directory = directory
        self.bootstrapServers = bootstrapServers
        self.controlSocketPath = directory.appendingPathComponent("control.sock").path
        self.pid = process.processIdentifier
        self.process = process
        self.lifeline = lifeline
    }

    /// Launches `scms-devbroker --dir <temp> --brokers N` and waits until it published its bootstrap servers.
    public static func start(brokers: Int = 1, timeout: Duration = .seconds(15)) async throws -> DevBrokerProcess {
        let executable = try Binaries.url("scms-devbroker")
        let template = "/tmp/scms-devbroker-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let created = mkdtemp(&bytes) else { throw Binaries.NotFound(description: "mkdtemp failed") }
        let directory = URL(fileURLWithPath: String(cString: created))
        let log = directory.appendingPathComponent("devbroker.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--dir", directory.path, "--brokers", String(brokers), "--exit-on-stdin-eof"]
        let lifeline = Pipe()
        process.standardInput = lifeline
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let bootstrapFile = directory.appendingPathComponent("bootstrap.servers")
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: bootstrapFile, encoding: .utf8),
               case let servers = text.trimmingCharacters(in: .whitespacesAndNewlines), !servers.isEmpty {
                return DevBrokerProcess(directory: directory, bootstrapServers: servers, process: process,
                                        lifeline: lifeline)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: directory)
        throw Binaries.NotFound(description: "scms-devbroker did not publish bootstrap servers: \(output)")
    }

    /// Whether the process is still running.
    public var isRunning: Bool { process.isRunning }

    /// Sends SIGTERM, waits for the exit (SIGKILL after 10 s) and removes the state directory unless
    /// `keepDirectory`.
    ///
    /// - Returns: the exit status (0 for a clean stop), or nil if it had to be killed.
    @discardableResult
    public func stop(keepDirectory: Bool = false) async -> Int32? {
        let process = self.process
        let status: Int32? = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.terminate(process))
            }
        }
        if !keepDirectory { try? FileManager.default.removeItem(at: directory) }
        return status
    }

    /// The broker's JSON-lines log so far.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("devbroker.log"), encoding: .utf8)) ?? ""
    }

    deinit {
        if process.isRunning { _ = Self.terminate(process) }
        try? FileManager.default.removeItem(at: directory)
    }

    private static func terminate(_ process: Process) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }
}

/// Runs `body` against a fresh `scms-devbroker` process and stops it afterwards, also when `body` throws.
public func withDevBroker<T: Sendable>(brokers: Int = 1,
                                       _ body: (DevBrokerProcess) async throws -> T) async throws -> T {
    let broker = try await DevBrokerProcess.start(brokers: brokers)
    do {
        let result = try await body(broker)
        await broker.stop()
        return result
    } catch {
        await broker.stop()
        throw error
    }
}
