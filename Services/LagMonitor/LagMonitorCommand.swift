import Foundation
import Kafka
import ServiceKit

/// `lag-monitor`: configuration and wiring.
struct LagMonitorCommand: ServiceCommand {
    static let schema = ConfigurationSchema.service(KafkaSettings.configurationKeys + [.portFile] + [
        ConfigurationKey("groups", help: "Groups to watch, as GROUP:TOPIC[+TOPIC...] entries, comma-separated "
                         + "(default: the pipeline's groups and their input topics, with --topic-prefix).",
                         valueName: "list"),
        ConfigurationKey("discover", help: "Also watch every group the broker lists (ListConsumerGroups), with the topics "
                         + "its members are assigned; skipped, logged once, where the broker cannot list groups.",
                         default: "true", valueName: "bool"),
        ConfigurationKey("poll-interval", help: "How often committed offsets and log end offsets are read.",
                         default: "5s", valueName: "duration"),
        ConfigurationKey("window", help: "Commits kept per partition for the health rules (Burrow's intervals).",
                         default: "10", valueName: "n"),
        ConfigurationKey("allowed-lag", help: "Lag at or below this counts as no lag for the health rules.",
                         default: "0", valueName: "n"),
        ConfigurationKey("min-distance", help: "A commit seen sooner than this after the previous one replaces it "
                         + "(keep it below --poll-interval).", default: "1s", valueName: "duration"),
        ConfigurationKey("minimum-complete", help: "Fill of the window (0 to 1) below which a partition is OK whatever "
                         + "its commits show.", default: "0", valueName: "fraction"),
        ConfigurationKey("history-points", help: "Log end offsets kept per partition for lag in seconds.",
                         default: "60", valueName: "n"),
        ConfigurationKey("chart-points", help: "Total-lag points kept per group for the status page chart.",
                         default: "120", valueName: "n"),
        ConfigurationKey("cluster-name", help: "The cluster_name label of the metrics and the name on the status page.",
                         default: "scms", valueName: "name"),
    ])
    static let configuration = CommandConfiguration(
        commandName: "lag-monitor",
        abstract: "Watch the consumer lag and health of the pipeline's consumer groups.",
        discussion: "Every --poll-interval, reads each watched group's committed offsets and its topics' log end offsets "
            + "(partitions named explicitly, so the dev broker works too), and computes per partition the lag, the lag "
            + "in seconds (interpolated from the recorded log end history) and the owner where the broker describes "
            + "groups. Health follows Burrow's rules over the last --window commits of each partition: REWIND (the "
            + "committed offset went back), STOP (lagging, no commit for longer than the window spans), STALL (lagging, "
            + "committing the same offset), WARN (lag never decreased across the window), else OK; a group is ERR when "
            + "a partition is STOP, STALL or REWIND. Serves Prometheus text at /metrics (kafka-lag-exporter's metric "
            + "names), Burrow-like JSON at /v1/status (?group=NAME for one), a status page at / and /healthz. "
            + "SIGTERM exits 0.")
    let config: ConfigurationSource

    init(config: ConfigurationSource) { self.config = config }

    func run() async throws {
        var kafka = try KafkaSettings(configuration: config, clientID: "lag-monitor")
        let settings = try pollerSettings(topics: kafka.topics)
        let runtime = try ServiceRuntime(name: "lag-monitor", configuration: config)
        let logger = runtime.logger
        kafka.onError = { error in logger.warning("kafka client error", metadata: ["error": .string("\(error)")]) }
        if settings.policy.minDistance > LagPoller.milliseconds(settings.pollInterval) / 1000 {
            logger.warning("min-distance exceeds poll-interval: every poll replaces the previous commit, so windows never grow")
        }
        let admin = try KafkaAdmin(configuration: kafka.admin())
        let store = LagStore(MonitorSnapshot(cluster: settings.cluster, policy: settings.policy,
                                             pollInterval: settings.pollInterval,
                                             discovery: settings.discover ? .pending : .disabled))
        let exporter = LagMetrics(registry: runtime.metrics, cluster: settings.cluster)
        runtime.health.register("poll") { store.healthCheck() }
        runtime.router.add("GET", "/v1/status") { request in StatusDocument.response(store.snapshot, request: request) }
        runtime.router.add("GET", "/") { _ in .html(StatusPage.render(store.snapshot, now: Date())) }
        logger.info("watching", metadata: [
            "groups": .array(settings.configured.map { .string("\($0.group):\($0.topics.joined(separator: "+"))") }),
            "discover": .string("\(settings.discover)")])

        var services: [any Service] = [LagPoller(admin: admin, settings: settings, store: store, exporter: exporter,
                                                 logger: logger)]
        if let path = config.string(ConfigurationKey.portFile.name), !path.isEmpty {
            services.append(PortFileService(server: runtime.httpServer, path: path, logger: logger))
        }
        try await runtime.run(services)
    }

    /// The settings of the poller, validated.
    func pollerSettings(topics: TopicNames) throws(ConfigurationError) -> PollerSettings {
        let interval = try config.fineDuration("poll-interval")
        guard interval > .zero else {
            throw ConfigurationError(.invalidValue, key: "poll-interval", origin: config.lookup("poll-interval")?.origin,
                                     "'poll-interval' must be positive")
        }
        let minDistance = try config.fineDuration("min-distance")
        let minimumComplete = try config.requiredValue("minimum-complete", expected: "a fraction from 0 to 1") { text in
            Double(text.trimmingCharacters(in: .whitespaces)).flatMap { (0...1).contains($0) ? $0 : nil }
        }
        let allowedLag = try config.requiredValue("allowed-lag", expected: "a non-negative integer") { text in
            Int64(text.trimmingCharacters(in: .whitespaces)).flatMap { $0 >= 0 ? $0 : nil }
        }
        let policy = LagEvaluationPolicy(intervals: try config.int("window", in: 1...1000), allowedLag: allowedLag,
                                         minDistance: LagPoller.milliseconds(minDistance) / 1000,
                                         minimumComplete: minimumComplete)
        let groups = try GroupList.parse(try config.strings("groups"), topics: topics, key: "groups",
                                         origin: config.lookup("groups")?.origin)
        return PollerSettings(configured: groups, discover: try config.bool("discover"), pollInterval: interval,
                              policy: policy, historyPoints: try config.int("history-points", in: 2...100_000),
                              chartPoints: try config.int("chart-points", in: 2...100_000),
                              cluster: try config.requiredString("cluster-name"))
    }
}
