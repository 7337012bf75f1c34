import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import ServiceKit

/// `electorctl dev`
struct DevGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev", abstract: "Run the whole pipeline on the embedded dev broker: up, status, down, restart.",
        subcommands: CommandTree.dev)
    let path: [String]
    init(arguments: ParsedArguments) { path = arguments.commandPath }
    func run() async throws { throw CommandLineError(.missingSubcommand, "Missing subcommand", commandPath: path) }
}

/// The `--dir` option of the dev commands.
private let devDirectoryOption = ArgumentSpec.option("dir", valueName: "dir", help: "The dev stack's directory.", required: true)

/// `electorctl dev up`
struct DevUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start scms-devbroker, the four services and lag-monitor as background processes.",
        discussion: """
            Starts scms-devbroker (in-memory mock Kafka, the scms.* topics) and endorsement-intake, quorum-validator, \
            gccf-assembler, expiry-watcher and lag-monitor (the pipeline groups' lag and health, with a status page at \
            its HTTP root) as processes that keep running after electorctl exits (each in its own \
            session, output in DIR/logs/NAME.log, pid in DIR/run/NAME.pid, HTTP port in DIR/run/NAME.port, settings in \
            DIR/config/NAME.conf). Creates the Policy Generator's key and certificate (DIR/pg), a demo root CA and the MA \
            certificate the GCCF carries (DIR/ca), and publishes an initial signed GPF with --quorum; the services' \
            quorum floor is --quorum-floor (default: the quorum). Without --anchors three demo electors are created \
            (DIR/electors, keys included) and installed with the root CA as the trust anchors (DIR/anchors); with \
            --anchors that directory's certificates are. Keys already in DIR are kept. Waits until every service \
            answers /healthz, then prints the stack as JSON. The bootstrap servers are in DIR/bootstrap.servers; every \
            online command takes --dir DIR instead of --bootstrap. Stop it with 'electorctl dev down --dir DIR'. Exit 0 \
            up, 1 already running, 69 a process did not start (everything started is stopped again).
            """)

    static let arguments: [ArgumentSpec] = [
        devDirectoryOption,
        .option("anchors", valueName: "dir", help: Anchors.help + " Default: three new demo electors and a demo root CA."),
        .option("quorum", valueName: "n", help: "Quorum of the initial GPF.", default: "2"),
        .option("quorum-floor", valueName: "n", help: "The services' quorum floor (at most --quorum; default: the quorum)."),
        .option("validators", valueName: "n", help: "quorum-validator instances sharing the work.", default: "1"),
        .option("assemblers", valueName: "n", help: "gccf-assembler instances (one active, the others standing by).",
                default: "1"),
        .option("max-electors", valueName: "n", help: "Most trusted electors a GCCF may grow to.", default: "10"),
        .option("lead-times", valueName: "list", help: "The expiry watcher's expiring-soon lead times.", default: "7d,1d"),
        .option("brokers", valueName: "n", help: "Mock brokers (1-3).", default: "1"),
        .option("topic-prefix", valueName: "prefix", help: "Prefix of every topic and group name.", default: ""),
        .option("session-timeout", valueName: "span",
                help: "Consumer group session timeout of the services (how soon a killed instance's partitions move).",
                default: "6s"),
        .option("log-level", valueName: "level", help: "The services' log level.", default: "info"),
        .option("bin-dir", valueName: "dir", help: "Where the executables are (default: next to electorctl, then PATH)."),
        .option("timeout", valueName: "span", help: "How long to wait for every service to be healthy.", default: "60s"),
    ]

    let context: CLIContext
    let layout: DevStackLayout
    let anchors: String?
    let quorum: Int
    let quorumFloor: Int
    let validators: Int
    let assemblers: Int
    let maxElectors: Int
    let leadTimes: String
    let brokers: Int
    let topicPrefix: String
    let sessionTimeout: String
    let logLevel: String
    let binDirectory: String?
    let timeout: Swift.Duration

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        layout = DevStackLayout(directory: try arguments.requiredString("dir"))
        anchors = arguments.string("anchors")
        quorum = try arguments.positiveInt("quorum", max: 255) ?? 2
        quorumFloor = try arguments.positiveInt("quorum-floor", max: 255) ?? quorum
        guard quorumFloor <= quorum else {
            throw CommandLineError(.invalidValue, "Invalid value '\(quorumFloor)' for '--quorum-floor': higher than the quorum \(quorum)",
                                   commandPath: arguments.commandPath)
        }
        validators = try arguments.int("validators", in: 1...8) ?? 1
        assemblers = try arguments.int("assemblers", in: 1...4) ?? 1
        maxElectors = try arguments.int("max-electors", in: 1...1000) ?? 10
        leadTimes = arguments.string("lead-times") ?? "7d,1d"
        brokers = try arguments.int("brokers", in: 1...3) ?? 1
        topicPrefix = arguments.string("topic-prefix") ?? ""
        _ = try arguments.duration("session-timeout")
        sessionTimeout = arguments.string("session-timeout") ?? "6s"
        logLevel = arguments.string("log-level") ?? "info"
        binDirectory = arguments.string("bin-dir")
        timeout = try arguments.duration("timeout") ?? .seconds(60)
    }

    func run() async throws {
        if let manifest = try layout.manifest() {
            let live = manifest.processes.filter { DetachedProcess.isAlive(layout.recordedPID($0.name) ?? 0, program: $0.program) }
            if !live.isEmpty {
                throw CommandFailure(.rejected, "the dev stack in \(layout.directory) is running (\(live.map(\.name).joined(separator: ", "))); "
                                     + "stop it first: electorctl dev down --dir \(layout.directory)")
            }
        }
        for directory in [layout.directory, layout.logsDirectory, layout.runDirectory, layout.configDirectory, layout.gccfDirectory] {
            try FileIO.makeDirectory(directory, mode: 0o755)
        }
        // A new broker is empty: GCCF files and run files of an earlier stack would contradict it.
        for directory in [layout.gccfDirectory, layout.runDirectory] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                try? FileManager.default.removeItem(atPath: directory + "/" + name)
            }
        }
        for stale in [layout.bootstrapFile, layout.controlSocket, layout.path("devbroker.pid")] {
            try? FileManager.default.removeItem(atPath: stale)
        }

        let now = try context.now()
        let created = try DevStackMaterial(layout: layout, start: now > 60 ? now - 60 : now, context: context)
            .prepare(anchors: anchors)

        var manifest = DevStackManifest(processes: [], quorum: quorum, topicPrefix: topicPrefix,
                                        createdAt: ISO8601.format(unixSeconds: Int64(Date().timeIntervalSince1970)))
        do {
            let bootstrap = try await startBroker(&manifest)
            try await publishInitialPolicy(bootstrap: bootstrap, time: now)
            let plan = DevStackPlan(layout: layout, bootstrapServers: bootstrap, quorum: quorum, quorumFloor: quorumFloor,
                                    validators: validators, assemblers: assemblers, maxElectors: maxElectors,
                                    leadTimes: leadTimes, topicPrefix: topicPrefix, sessionTimeout: sessionTimeout,
                                    logLevel: logLevel)
            for service in plan.services {
                try FileIO.writeAtomically(Array(plan.configText(service).utf8), to: layout.configFile(service.name))
                let process = DevStackManifest.Process(
                    name: service.name, program: service.program,
                    executable: try DetachedProcess.locate(service.program, binDirectory: binDirectory),
                    arguments: ["--config", layout.configFile(service.name)], http: true)
                try DevStackRunner(layout: layout).start(process)
                manifest.processes.append(process)
                try layout.writeManifest(manifest)
            }
            try await DevStackRunner(layout: layout).waitHealthy(manifest.processes.filter(\.http), timeout: timeout)
        } catch {
            Output.note("dev up failed; stopping what was started")
            _ = await DevStackRunner(layout: layout).stop(manifest.processes, timeout: .seconds(10))
            throw error
        }

        let statuses = await DevStackRunner(layout: layout).statuses(manifest)
        Output.json(.object([
            ("directory", .string(layout.directory)),
            ("bootstrapServers", .string(try layout.bootstrapServers())),
            ("quorum", .int(Int64(quorum))), ("quorumFloor", .int(Int64(quorumFloor))),
            ("topicPrefix", .string(topicPrefix)),
            ("anchors", .string(layout.anchorsDirectory)),
            ("pgCertificate", .string(layout.pgCertificate)), ("pgKey", .string(layout.pgKey)),
            ("maCertificate", .string(layout.maCertificate)),
            ("gccfDirectory", .string(layout.gccfDirectory)),
            ("created", .array(created.map { .string($0) })),
            ("processes", .array(statuses.map(\.json))),
            ("stop", .string("electorctl dev down --dir \(layout.directory)")),
        ]))
    }

    /// Starts the broker and waits for its bootstrap servers; creates prefixed topics when there is a prefix.
    private func startBroker(_ manifest: inout DevStackManifest) async throws -> String {
        let broker = DevStackManifest.Process(
            name: "devbroker", program: "scms-devbroker",
            executable: try DetachedProcess.locate("scms-devbroker", binDirectory: binDirectory),
            arguments: ["--dir", layout.directory, "--brokers", String(brokers)], http: false)
        try DevStackRunner(layout: layout).start(broker)
        manifest.processes.append(broker)
        try layout.writeManifest(manifest)
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let servers = try? layout.bootstrapServers() {
                if !topicPrefix.isEmpty {
                    let control = DevBrokerControl(directory: layout.directory)
                    for spec in Topics.all {
                        try await kafkaCall("creating \(topicPrefix + spec.name)") {
                            try await control.createTopic(topicPrefix + spec.name, partitions: spec.partitions,
                                                          replicationFactor: Int16(min(Int(spec.replicationFactor), brokers)))
                        }
                    }
                }
                return servers
            }
            guard DetachedProcess.isAlive(layout.recordedPID("devbroker") ?? 0, program: "scms-devbroker") else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw CommandFailure(.unavailable, "scms-devbroker did not start: \(DevStackRunner(layout: layout).logTail("devbroker"))")
    }

    /// The initial GPF with `quorum`, signed with the stack's PG key.
    private func publishInitialPolicy(bootstrap: String, time: UInt32) async throws {
        let bytes = try PolicyPublishCommand.signedGPF(
            quorum: UInt8(quorum), time: time, certificate: try Inputs.certificate(layout.pgCertificate).certificate,
            key: try Inputs.privateKey(layout.pgKey))
        var settings = KafkaSettings(bootstrapServers: bootstrap, clientID: "electorctl-dev", topicPrefix: topicPrefix)
        settings.onError = { _ in }
        let producer = try await kafkaCall("producer") { try KafkaProducer(configuration: settings.producer()) }
        var headers: [KafkaHeader] = []
        headers.append(PipelineHeader.quorum, String(quorum))
        try await kafkaCall("publishing the initial GPF") {
            try await producer.send(OutgoingMessage(topic: settings.topics.policy, key: Array("gpf".utf8), value: bytes,
                                                    headers: headers))
        }
        await producer.close(timeout: .seconds(1))
    }
}

/// `electorctl dev status`
struct DevStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each process of a dev stack: alive or dead, pid, /metrics and /healthz, health.",
        discussion: "With --json, {directory, bootstrapServers, processes: [{name, program, pid, alive, port, metrics, "
            + "healthz, health, log}], statusPage}; metrics, healthz and port are null for the broker (it serves no HTTP) "
            + "and for a service that has not bound its port yet; lag-monitor's entry and the top level carry statusPage, "
            + "the URL of its status page. Exit 0 when every process is alive and every service healthy, 1 otherwise, 69 "
            + "when DIR holds no stack.")

    static let arguments: [ArgumentSpec] = [devDirectoryOption, .flag("json", help: "JSON instead of the table.")]

    let layout: DevStackLayout
    let json: Bool

    init(arguments: ParsedArguments) throws {
        layout = DevStackLayout(directory: try arguments.requiredString("dir"))
        json = arguments.flag("json")
    }

    func run() async throws {
        guard let manifest = try layout.manifest() else {
            throw CommandFailure(.unavailable, "no dev stack in \(layout.directory) (electorctl dev up --dir \(layout.directory))")
        }
        let statuses = await DevStackRunner(layout: layout).statuses(manifest)
        let bootstrap = try? layout.bootstrapServers()
        if json {
            Output.json(.object([("directory", .string(layout.directory)),
                                 ("bootstrapServers", bootstrap.map { .string($0) } ?? .null),
                                 ("processes", .array(statuses.map(\.json))),
                                 ("statusPage", statuses.lazy.compactMap(\.statusPageURL).first.map { .string($0) } ?? .null)]))
        } else {
            var rows = [["NAME", "STATE", "PID", "HEALTH", "METRICS", "HEALTHZ"]]
            for status in statuses {
                rows.append([status.name, status.alive ? "alive" : "dead", status.pid.map(String.init) ?? "-",
                             status.healthText, status.metricsURL ?? "-", status.healthURL ?? "-"])
            }
            var widths = [Int](repeating: 0, count: rows[0].count)
            for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
            var out = ""
            for row in rows {
                out += row.enumerated().map { i, cell in
                    i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                }.joined(separator: "  ") + "\n"
            }
            out += "\nbootstrap servers: \(bootstrap ?? "- (broker down)")\ndirectory: \(layout.directory)\n"
            if let page = statuses.lazy.compactMap(\.statusPageURL).first { out += "lag status page: \(page)\n" }
            StandardStreams.writeOut(out)
        }
        if !statuses.allSatisfy(\.isGood) { throw ExitCode.rejected }
    }
}

/// `electorctl dev down`
struct DevDownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop every process of a dev stack (SIGTERM, then wait).",
        discussion: """
            Sends SIGTERM to the services (newest first), waits for them to commit and exit, then stops the broker. A \
            process still running after --timeout is killed. Keys, anchors, logs and configuration stay in DIR (the \
            broker's topics are gone: it is in memory). Prints {stopped, killed}. Exit 0, 69 when DIR holds no stack.
            """)

    static let arguments: [ArgumentSpec] = [
        devDirectoryOption,
        .option("timeout", valueName: "span", help: "How long to wait for each group of processes.", default: "20s"),
    ]

    let layout: DevStackLayout
    let timeout: Swift.Duration

    init(arguments: ParsedArguments) throws {
        layout = DevStackLayout(directory: try arguments.requiredString("dir"))
        timeout = try arguments.duration("timeout") ?? .seconds(20)
    }

    func run() async throws {
        guard let manifest = try layout.manifest() else {
            throw CommandFailure(.unavailable, "no dev stack in \(layout.directory)")
        }
        let result = await DevStackRunner(layout: layout).stop(manifest.processes, timeout: timeout)
        Output.json(.object([("stopped", .array(result.stopped.map { .string($0) })),
                             ("killed", .array(result.killed.map { .string($0) }))]))
    }
}

/// `electorctl dev restart`
struct DevRestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Start processes of a dev stack again (after a crash, or to apply an edited DIR/config file).",
        discussion: """
            Each NAME (as in 'dev status') that is running gets SIGTERM and is waited for; then it is started again with \
            the same program and configuration file, and its /healthz waited for. The broker cannot be restarted (its \
            topics would be gone): use dev down and dev up. Exit 0, 69 a process did not come back.
            """)

    static let arguments: [ArgumentSpec] = [
        devDirectoryOption,
        .option("timeout", valueName: "span", help: "How long to wait for each to stop and to be healthy again.",
                default: "30s"),
        .flag("no-wait", help: "Do not wait for /healthz."),
        .variadicArgument("names", help: "Process names (e.g. quorum-validator-1).", required: true),
    ]

    let layout: DevStackLayout
    let timeout: Swift.Duration
    let wait: Bool
    let names: [String]

    init(arguments: ParsedArguments) throws {
        layout = DevStackLayout(directory: try arguments.requiredString("dir"))
        timeout = try arguments.duration("timeout") ?? .seconds(30)
        wait = !arguments.flag("no-wait")
        names = arguments.strings("names")
    }

    func run() async throws {
        guard let manifest = try layout.manifest() else {
            throw CommandFailure(.unavailable, "no dev stack in \(layout.directory)")
        }
        let runner = DevStackRunner(layout: layout)
        var selected: [DevStackManifest.Process] = []
        for name in names {
            guard let process = manifest.processes.first(where: { $0.name == name }) else {
                throw CommandFailure(.usage, "no process '\(name)' in \(layout.manifestFile) "
                                     + "(\(manifest.processes.map(\.name).joined(separator: ", ")))")
            }
            guard process.http else { throw CommandFailure(.usage, "the broker cannot be restarted; use dev down and dev up") }
            selected.append(process)
        }
        _ = await runner.stop(selected, timeout: timeout)
        for process in selected {
            try? FileManager.default.removeItem(atPath: layout.portFile(process.name))
            try runner.start(process)
        }
        if wait { try await runner.waitHealthy(selected, timeout: timeout) }
        let statuses = await runner.statuses(DevStackManifest(processes: selected, quorum: manifest.quorum,
                                                              topicPrefix: manifest.topicPrefix, createdAt: manifest.createdAt))
        Output.json(.object([("restarted", .array(statuses.map(\.json)))]))
    }
}

/// Starting, probing and stopping the processes of a stack's manifest.
struct DevStackRunner {
    let layout: DevStackLayout

    /// What `dev status` shows for one process.
    struct Status: Sendable {
        var name: String
        var program: String
        var pid: Int32?
        var alive: Bool
        var http: Bool
        var port: Int?
        var health: LocalHTTPClient.Response?
        var log: String

        var metricsURL: String? { port.map { "http://127.0.0.1:\($0)/metrics" } }
        /// The lag monitor's status page.
        var statusPageURL: String? { program == DevStackPlan.lagMonitor ? port.map { "http://127.0.0.1:\($0)/" } : nil }
        var healthURL: String? { port.map { "http://127.0.0.1:\($0)/healthz" } }
        var isHealthy: Bool { health?.status == 200 }
        var isGood: Bool { alive && (!http || isHealthy) }
        var healthText: String {
            guard http else { return alive ? "-" : "dead" }
            guard alive else { return "dead" }
            guard let health else { return port == nil ? "starting" : "no answer" }
            return health.status == 200 ? "healthy" : "unhealthy (\(health.status))"
        }

        var json: JSONValue {
            var members: [(String, JSONValue)] = [("name", .string(name)), ("program", .string(program)),
                                                  ("pid", pid.map { .int(Int64($0)) } ?? .null), ("alive", .bool(alive))]
            members += [("port", port.map { .int(Int64($0)) } ?? .null),
                        ("metrics", metricsURL.map { .string($0) } ?? .null),
                        ("healthz", healthURL.map { .string($0) } ?? .null)]
            if let statusPageURL { members.append(("statusPage", .string(statusPageURL))) }
            if http {
                members.append(("health", .string(healthText)))
                if let body = health?.body, !body.isEmpty {
                    members.append(("healthDetail", .string(body.trimmingCharacters(in: .whitespacesAndNewlines))))
                }
            }
            members.append(("log", .string(log)))
            return .object(members)
        }
    }

    /// Spawns `process` detached and records its pid.
    func start(_ process: DevStackManifest.Process) throws {
        let pid = try DetachedProcess.spawn(process.executable, process.arguments, logPath: layout.logFile(process.name))
        try FileIO.writeAtomically(Array("\(pid)\n".utf8), to: layout.pidFile(process.name))
    }

    func status(_ process: DevStackManifest.Process) async -> Status {
        let pid = layout.recordedPID(process.name)
        let alive = pid.map { DetachedProcess.isAlive($0, program: process.program) } ?? false
        let port = process.http ? layout.recordedPort(process.name) : nil
        var health: LocalHTTPClient.Response?
        if alive, let port { health = await LocalHTTPClient.get(port: port, path: "/healthz", timeout: .seconds(2)) }
        return Status(name: process.name, program: process.program, pid: pid, alive: alive, http: process.http,
                      port: port, health: health, log: layout.logFile(process.name))
    }

    func statuses(_ manifest: DevStackManifest) async -> [Status] {
        var out: [Status] = []
        for process in manifest.processes { out.append(await status(process)) }
        return out
    }

    /// Waits until every process answers `/healthz` with 200.
    ///
    /// - Throws: exit 69 naming the processes that died (with their log tail) or stayed unhealthy.
    func waitHealthy(_ processes: [DevStackManifest.Process], timeout: Swift.Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        var pending = processes
        while !pending.isEmpty {
            var still: [DevStackManifest.Process] = []
            for process in pending {
                let status = await status(process)
                if !status.alive {
                    throw CommandFailure(.unavailable, "\(process.name) exited during startup: \(logTail(process.name))")
                }
                if !status.isHealthy { still.append(process) }
            }
            pending = still
            if pending.isEmpty { break }
            if ContinuousClock.now >= deadline {
                throw CommandFailure(.unavailable, "not healthy within \(timeout): "
                                     + pending.map(\.name).joined(separator: ", ") + " (see \(layout.logsDirectory))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Stops the services newest first, then the broker; SIGKILL after `timeout`. Removes their pid and port files.
    func stop(_ processes: [DevStackManifest.Process], timeout: Swift.Duration) async -> (stopped: [String], killed: [String]) {
        var stopped: [String] = []
        var killed: [String] = []
        let groups = [processes.filter(\.http).reversed(), processes.filter { !$0.http }]
        for group in groups {
            let entries = group.compactMap { process -> (name: String, pid: Int32, program: String)? in
                guard let pid = layout.recordedPID(process.name), DetachedProcess.isAlive(pid, program: process.program) else {
                    return nil
                }
                return (process.name, pid, process.program)
            }
            killed += await DetachedProcess.terminate(entries, timeout: timeout)
            stopped += entries.map(\.name)
            for process in group {
                try? FileManager.default.removeItem(atPath: layout.pidFile(process.name))
                try? FileManager.default.removeItem(atPath: layout.portFile(process.name))
            }
        }
        return (stopped, killed)
    }

    /// The last lines of `name`'s log, for error messages.
    func logTail(_ name: String, lines: Int = 8) -> String {
        guard let text = try? FileIO.readText(layout.logFile(name), limit: 16 << 20) else { return "(no log)" }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
