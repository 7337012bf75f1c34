import Foundation
import ServiceKit
import Testing

/// `ParsableCommand.main` in a real process: this test binary re-run with only `mainChild` selected, which calls
/// `main` with the arguments from the environment and so ends the process with main's exit status.
@Suite struct MainProcessTests {
    static let argumentsVariable = "SERVICEKIT_MAIN_CHILD_ARGS"
    static var childArguments: [String]? {
        ProcessInfo.processInfo.environment[argumentsVariable].map { $0.split(separator: "\u{1f}").map(String.init) }
    }

    @Test(.enabled(if: MainProcessTests.childArguments != nil))
    func mainChild() async {
        await CtlRoot.main(Self.childArguments ?? [])
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func runMain(_ arguments: [String]) throws -> Outcome {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try #require(SignalChildProcessTests.testBinary))
        child.arguments = ["--testing-library", "swift-testing", "--filter", "mainChild"]
        var environment = ProcessInfo.processInfo.environment
        environment[argumentsVariable] = arguments.joined(separator: "\u{1f}")
        child.environment = environment
        let out = Pipe(), err = Pipe()
        child.standardOutput = out
        child.standardError = err
        try child.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        return Outcome(status: child.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    static var canSpawn: Bool { childArguments == nil && SignalChildProcessTests.testBinary != nil }

    @Test(.enabled(if: MainProcessTests.canSpawn))
    func usageErrorGoesToStderrWithStatus64() throws {
        let outcome = try Self.runMain(["ballot", "verify", "--quorom", "3", "b.oer"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("Error: Unknown option '--quorom'. Did you mean '--quorum'?\nUsage: electorctl ballot verify"))
        #expect(!outcome.stdout.contains("Unknown option"))
    }

    @Test(.enabled(if: MainProcessTests.canSpawn))
    func helpGoesToStdoutWithStatus0() throws {
        let outcome = try Self.runMain(["elector", "init", "--help"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("USAGE: electorctl elector init --name <name>"))
        #expect(!outcome.stderr.contains("USAGE:"))
    }
}
