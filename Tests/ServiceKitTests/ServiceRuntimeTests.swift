import ServiceKit
import Synchronization
import Testing

/// Serialized: a runtime bootstraps the process-wide logging and metrics systems.
@Suite(.serialized) struct ServiceRuntimeTests {
    /// Scrapes the runtime's own server, then returns (which ends the group: default `.cancelGroup`).
    struct Probe: Service {
        let runtime: ServiceRuntime
        let box: Box

        func run() async throws {
            var port: Int?
            for _ in 0..<1000 where port == nil {
                port = runtime.httpServer.boundPort
                if port == nil { try await Task.sleep(for: .milliseconds(5)) }
            }
            guard let port else { return }
            Counter(label: "probe_runs_total", help: "Probe runs.").increment()  // the default registry is the runtime's
            let metrics = try RawClient.get(port: port, "/metrics")
            let health = try RawClient.get(port: port, "/healthz")
            box.results.withLock { $0 = ["\(metrics.status)", metrics.body, "\(health.status)", health.body] }
        }
    }

    final class Box: Sendable {
        let results = Mutex<[String]>([])
    }

    @Test func runtimeServesMetricsAndHealthFromConfiguration() async throws {
        let config = try ConfigurationSource(schema: .service(), flags: ["http-host": "127.0.0.1", "http-port": "0",
                                                                         "log-level": "critical"])
        let runtime = try ServiceRuntime(name: "probe-service", configuration: config)
        #expect(runtime.logger.logLevel == .critical)
        #expect(runtime.time.leapSeconds == 5)
        runtime.health.set("self", .healthy())
        let box = Box()
        try await runtime.run([Probe(runtime: runtime, box: box)])
        let results = box.results.withLock { $0 }
        #expect(results.count == 4)
        #expect(results.first == "200")
        #expect(results.dropFirst().first?.contains("# TYPE probe_runs_total counter\nprobe_runs_total 1\n") == true)
        #expect(results.dropFirst(2).first == "200")
        #expect(results.last == #"{"status":"ok","service":"probe-service","checks":{"self":{"status":"ok"}}}"# + "\n")
        #expect(runtime.httpServer.boundPort == nil)
    }

    @Test func badPortInConfigurationIsReported() throws {
        let config = try ConfigurationSource(schema: .service(), environment: ["SCMS_HTTP_PORT": "99999"])
        #expect(throws: ConfigurationError.self) { try ServiceRuntime(name: "x", configuration: config) }
    }
}
