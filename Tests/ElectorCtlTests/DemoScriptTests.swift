import Foundation
import Testing

/// `make run` is the README's first command: its offline act (electorctl alone, about 3 s) must run to its end.
/// The online act is covered step by step by EndToEndTests.
@Suite("make run: the offline ceremony script")
struct DemoScriptTests {
    @Test("scripts/demo.sh --offline completes every step with the built electorctl")
    func offlineActCompletes() throws {
        let electorctl = try #require(ElectorCtlBinary.path, "electorctl not built")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scms-demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["bash", root.appendingPathComponent("scripts/demo.sh").path, "--offline", directory.path]
        var environment = ProcessInfo.processInfo.environment
        environment["ELECTORCTL"] = electorctl
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationStatus == 0, "demo.sh --offline failed:\n\(text.suffix(3000))")
        #expect(text.contains("offline ceremony complete"))
        // The steps the README lists: rejection with quorum 3, the GCCF, the refused replay, the LCCF, the what-if.
        for step in ["insufficientQuorum", "rollback refused", "the LCCF is complete", "What if elector1 and elector2"] {
            #expect(text.contains(step), "missing step: \(step)")
        }
    }
}
