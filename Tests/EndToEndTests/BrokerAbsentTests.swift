import Foundation
import Kafka
import Testing
import TestSupport

/// A follower service started while its broker is away waits for it (before, it exited 70), catches up once the
/// broker is back, and exits 0 on SIGTERM.
@Suite("A service outlives its broker's absence")
struct BrokerAbsentTests {
    @Test("expiry-watcher: started with the broker down it waits, catches up when it returns, exits 0 on SIGTERM")
    func startsWhileBrokerIsDown() async throws {
        try await withDevBroker { broker in
            let control = DevBrokerControl(socketPath: broker.controlSocketPath)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scms-absent-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("anchors"),
                                                    withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let anchor = try TestPKI.identity("absent.test", start: Clock32.now - 60, seconds: 86_400)
            try TestPKI.writeCertificates([anchor], to: directory.appendingPathComponent("anchors").path)

            try await control.setBrokerDown(1)
            let watcher = try IV.ServiceProcess.start("expiry-watcher", name: "expiry-watcher", directory: directory,
                                                      arguments: ["--bootstrap-servers", broker.bootstrapServers,
                                                                  "--anchors", directory.appendingPathComponent("anchors").path],
                                                      logLevel: "info")
            try await watcher.waitForLog("waiting for the broker", timeout: .seconds(40))
            #expect(watcher.isRunning, "the watcher gave up while the broker was away:\n\(watcher.log.suffix(2000))")

            try await control.setBrokerUp(1)
            // Ready means both reads are done: scms.gccf caught up and scms.expiry read back (either may finish last).
            try await watcher.waitForLog("trust view caught up with scms.gccf", timeout: .seconds(40))
            try await watcher.waitForLog("emitted events read back from scms.expiry", timeout: .seconds(40))
            #expect(try watcher.get("/healthz").contains("\"ok\""), "healthz: \((try? watcher.get("/healthz")) ?? "?")")

            #expect(await watcher.terminate() == 0, "SIGTERM:\n\(watcher.log.suffix(2000))")
        }
    }
}
