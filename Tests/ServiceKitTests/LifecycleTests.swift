import Foundation
import Glibc
import ServiceKit
import Synchronization
import Testing

/// Records lifecycle events in order.
final class EventLog: Sendable {
    private let events = Mutex<[String]>([])
    func add(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.withLock { $0 } }

    /// Waits (bounded) until `event` was recorded.
    func wait(for event: String) async -> Bool {
        for _ in 0..<2000 {
            if all.contains(event) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

/// A service like a consumer loop: works until graceful shutdown, then "commits" and returns.
struct CommittingService: Service {
    let name: String
    let log: EventLog

    func run() async throws {
        log.add("\(name) started")
        let stop = Atomic<Bool>(false)
        try await withGracefulShutdownHandler {
            while !stop.load(ordering: .relaxed) {
                try await Task.sleep(for: .milliseconds(2))
            }
            #expect(Task.isShuttingDownGracefully)
            log.add("\(name) committed")
        } onGracefulShutdown: {
            log.add("\(name) shutdown requested")
            stop.store(true, ordering: .relaxed)
        }
    }
}

/// Ignores graceful shutdown; stops only when cancelled.
struct StubbornService: Service {
    let log: EventLog
    func run() async throws {
        log.add("stubborn started")
        do {
            try await Task.sleep(for: .seconds(60))
        } catch {
            log.add("stubborn cancelled")
            throw error
        }
    }
}

struct FailingService: Service {
    struct Boom: Error, Equatable {}
    let log: EventLog
    func run() async throws {
        _ = await log.wait(for: "a started")
        throw Boom()
    }
}

let quietLogger = Logger(label: "lifecycle") { _ in NoOpLogHandler() }

@Suite(.serialized) struct LifecycleTests {
    @Test func triggeredShutdownStopsServicesInReverseOrder() async throws {
        let log = EventLog()
        let group = ServiceGroup(services: [CommittingService(name: "a", log: log), CommittingService(name: "b", log: log)],
                                 logger: quietLogger)
        let running = Task { try await group.run() }
        #expect(await log.wait(for: "a started"))
        #expect(await log.wait(for: "b started"))
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(log.all.filter { !$0.hasSuffix("started") } == [
            "b shutdown requested", "b committed", "a shutdown requested", "a committed",
        ])
        await #expect(throws: ServiceGroupError.self) { try await group.run() }
    }

    @Test func signalTriggersGracefulShutdown() async throws {
        let log = EventLog()
        let group = ServiceGroup(services: [CommittingService(name: "a", log: log)],
                                 gracefulShutdownSignals: [.sigusr1], logger: quietLogger)
        let running = Task { try await group.run() }
        #expect(await log.wait(for: "a started"))  // the signal is trapped before services start
        kill(getpid(), SIGUSR1)  // process-directed, like a signal from outside (raise() would target this blocked worker thread)
        try await running.value
        #expect(log.all == ["a started", "a shutdown requested", "a committed"])
    }

    @Test func secondSignalCancels() async throws {
        let log = EventLog()
        let group = ServiceGroup(services: [StubbornService(log: log)], gracefulShutdownSignals: [.sigusr2],
                                 logger: quietLogger)
        let running = Task { try await group.run() }
        #expect(await log.wait(for: "stubborn started"))
        kill(getpid(), SIGUSR2)
        try await Task.sleep(for: .milliseconds(50))
        #expect(!log.all.contains("stubborn cancelled"))
        kill(getpid(), SIGUSR2)
        try await running.value
        #expect(log.all.contains("stubborn cancelled"))
    }

    @Test func gracefulShutdownTimeoutCancels() async throws {
        let log = EventLog()
        let group = ServiceGroup(services: [StubbornService(log: log)], maximumGracefulShutdownDuration: .milliseconds(50),
                                 logger: quietLogger)
        let running = Task { try await group.run() }
        #expect(await log.wait(for: "stubborn started"))
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(log.all.contains("stubborn cancelled"))
    }

    @Test func failingServiceCancelsTheGroupAndItsErrorIsRethrown() async throws {
        let log = EventLog()
        let group = ServiceGroup(services: [CommittingService(name: "a", log: log), FailingService(log: log),
                                            StubbornService(log: log)], logger: quietLogger)
        await #expect(throws: FailingService.Boom()) { try await group.run() }
        #expect(log.all.contains("stubborn cancelled"))
    }

    @Test func serviceEndingMayShutDownTheOthersGracefully() async throws {
        struct OneShot: Service { func run() async throws {} }
        let log = EventLog()
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [
            ServiceConfiguration(service: CommittingService(name: "a", log: log)),
            ServiceConfiguration(service: OneShot(), successTerminationBehavior: .gracefullyShutdownGroup),
        ], logger: quietLogger))
        try await group.run()
        #expect(log.all.contains("a committed"))
    }

    @Test func gracefulShutdownHelpersOutsideAGroup() async throws {
        let waiter = Task { try await gracefulShutdown() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(!Task.isShuttingDownGracefully)
        let value = await withGracefulShutdownHandler { 42 } onGracefulShutdown: { Issue.record("no group, no shutdown") }
        #expect(value == 42)
    }

    @Test func shutdownStreamAndCancelWhenGracefulShutdown() async throws {
        struct StreamService: Service {
            let log: EventLog
            func run() async throws {
                log.add("stream started")
                for await _ in gracefulShutdownStream() { log.add("stream got shutdown") }
                let result: Int? = try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .seconds(60))
                    return 1
                }
                log.add("cancelled work returned \(result.map(String.init) ?? "nil")")
            }
        }
        let log = EventLog()
        let group = ServiceGroup(services: [StreamService(log: log)], logger: quietLogger)
        let running = Task { try await group.run() }
        #expect(await log.wait(for: "stream started"))
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(log.all == ["stream started", "stream got shutdown", "cancelled work returned nil"])
    }

    @Test func httpServerRunsAsAService() async throws {
        let router = HTTPRouter()
        router.addStandardRoutes(metrics: MetricsRegistry(), health: HealthMonitor())
        let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), router: router,
                                logger: quietLogger)
        let group = ServiceGroup(services: [server], logger: quietLogger)
        let running = Task { try await group.run() }
        var port: Int?
        for _ in 0..<1000 where port == nil {
            port = server.boundPort
            if port == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        let bound = try #require(port)
        #expect(try RawClient.get(port: bound, "/healthz").status == 200)
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(server.boundPort == nil)
        #expect(RawClient.connect(port: bound) == nil)
    }
}

/// SIGTERM delivered by another process to a real child process: the child is this test binary re-run with only
/// `signalChildProcess` selected.
@Suite(.serialized) struct SignalChildProcessTests {
    static let childMarker = "SERVICEKIT_SIGNAL_CHILD_EVENTS"
    static var isChild: Bool { ProcessInfo.processInfo.environment[childMarker] != nil }
    static var testBinary: String? {
        let path = CommandLine.arguments.first ?? ""
        return path.hasSuffix(".xctest") && FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Runs only inside the child: a service group that stops gracefully on SIGTERM.
    @Test(.enabled(if: SignalChildProcessTests.isChild))
    func signalChildProcess() async throws {
        let path = try #require(ProcessInfo.processInfo.environment[Self.childMarker])
        let log = EventLog()
        let group = ServiceGroup(services: [CommittingService(name: "child", log: log)],
                                 gracefulShutdownSignals: [.sigterm, .sigint], logger: quietLogger)
        let running = Task { try await group.run() }
        _ = await log.wait(for: "child started")
        try FileIO.writeAtomically(text: "ready\n", to: path)
        try await running.value
        try FileIO.writeAtomically(text: log.all.joined(separator: "\n") + "\n", to: path)
    }

    @Test(.enabled(if: !SignalChildProcessTests.isChild && SignalChildProcessTests.testBinary != nil))
    func sigtermToAChildShutsItDownGracefullyWithExitZero() async throws {
        let events = NSTemporaryDirectory() + "servicekit-child-\(UInt64.random(in: 0...UInt64.max))"
        defer { unlink(events) }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try #require(Self.testBinary))
        child.arguments = ["--testing-library", "swift-testing", "--filter", "signalChildProcess"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childMarker] = events
        child.environment = environment
        child.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        child.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try child.run()
        var ready = false
        for _ in 0..<3000 where !ready {  // generous: the child starts a whole test runner
            ready = (try? FileIO.readText(events)) == "ready\n"
            if !ready { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(ready)
        kill(child.processIdentifier, SIGTERM)
        for _ in 0..<3000 where child.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        if child.isRunning {
            kill(child.processIdentifier, SIGKILL)
            Issue.record("child did not exit after SIGTERM")
        }
        child.waitUntilExit()
        #expect(child.terminationReason == .exit)
        #expect(child.terminationStatus == 0)
        #expect(try FileIO.readText(events) == "child started\nchild shutdown requested\nchild committed\n")
    }
}
