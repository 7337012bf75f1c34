import BallotCodec
import Kafka
import RootManagement
import ServiceKit

/// `expiry-watcher`: configuration and wiring.
struct ExpiryWatcherCommand: ServiceCommand {
    static let schema = ConfigurationSchema.service(PipelineConfiguration.keys + [
        ConfigurationKey("anchors", help: "Directory of trust-anchor certificates (elector and root; .cert/.coer/.oer/.hex).",
                         valueName: "dir"),
        ConfigurationKey("lead-times", help: "How long before expiry expiringSoon events are emitted (comma-separated).",
                         default: "7d,1d", valueName: "durations"),
    ])
    static let configuration = CommandConfiguration(
        commandName: "expiry-watcher",
        abstract: "Emit expiringSoon and expired events for the certificates of the trust view.",
        discussion: "Follows scms.gccf from the start; the trust view is the newest GCCF's ballot targets and the "
            + "endorser certificates they embed, plus the --anchors. For each elector and root certificate it schedules "
            + "expiringSoon at expiry minus each --lead-times value and expired at expiry, and emits the event to "
            + "scms.expiry (key: certificate SHA-256 hex, header scms-kind) at that moment by the wall clock (Time32 with "
            + "--leap-seconds). Events already on scms.expiry are not emitted again; a watcher that was down emits, at "
            + "start, the one event for the stage each certificate is in. SIGTERM exits 0.")
    let config: ConfigurationSource

    init(config: ConfigurationSource) { self.config = config }

    func run() async throws {
        let anchorsDirectory = try config.requiredString("anchors")
        let leadTimes: [UInt32] = try config.strings("lead-times").map { text in
            guard let seconds = try? DurationText.seconds(text), seconds > 0, let value = UInt32(exactly: seconds) else {
                throw ConfigurationError(.invalidValue, key: "lead-times", origin: config.lookup("lead-times")?.origin,
                                         "invalid lead time '\(text)': expected a duration like 7d, 12h or 30s")
            }
            return value
        }
        var kafka = try KafkaSettings(configuration: config, clientID: "expiry-watcher")
        let options = ProfileOptions()
        let anchors = try config.loading("anchors") { try LocalCertificates.directory(anchorsDirectory) }
        let runtime = try ServiceRuntime(name: "expiry-watcher", configuration: config)
        let logger = runtime.logger
        kafka.onError = { error in logger.warning("kafka client error", metadata: ["error": .string("\(error)")]) }

        let state = WatcherState(leadTimes: leadTimes, anchors: anchors, options: options)
        logger.info("schedule", metadata: ["leadTimes": .array(state.leadTimes.map { .string("\($0)s") }),
                                           "anchors": .string("\(anchors.count)")])
        let registry = runtime.metrics
        registry.registerGauge("scms_expiry_watched_certificates", help: "Certificates scheduled.") {
            Double(state.watchedCount)
        }
        registry.registerGauge("scms_expiry_gccf_version", help: "Version of the GCCF the trust view comes from.") {
            Double(state.gccfVersion ?? 0)
        }
        runtime.health.register("ready") {
            state.isReady ? .healthy(detail: "\(state.watchedCount) certificates watched")
                : .unhealthy(reason: "reading scms.gccf and scms.expiry")
        }
        let follower = TopicFollower(topics: [kafka.topics.gccf], settings: kafka, logger: logger)
        var services: [any Service] = [
            FollowerService(follower: follower, name: "gccf", logger: logger, onCaughtUp: {
                state.markGCCFCaughtUp()
                logger.info("trust view caught up with scms.gccf", metadata: [
                    "gccfVersion": .string(state.gccfVersion.map { "\($0)" } ?? "none"),
                    "watched": .string("\(state.watchedCount)")])
            }) { record in
                guard let value = record.value, !value.isEmpty else { return }
                // Not a GCCF: counted and logged with its reason, then ignored (the trust view stays as it was).
                func refuse(_ reason: String, _ detail: String) {
                    Counter(label: "scms_expiry_gccf_refused_total", dimensions: [("reason", reason)],
                            help: "Records on scms.gccf that are not a GCCF.", registry: registry).increment()
                    logger.warning("a record on scms.gccf is not a GCCF", metadata: [
                        "offset": .string("\(record.offset)"), "reason": .string(reason), "detail": .string(detail)])
                }
                let file: ScmsFile
                do {
                    file = try ScmsFile(coer: value)
                } catch {
                    refuse((error as? COERError)?.reason.rawValue ?? "malformed", "\(error)")
                    return
                }
                guard let gccf = file.globalCertificateChainFile else {
                    refuse("wrongFileKind", "an ScmsFile that is not a globalCertificateChainFile")
                    return
                }
                if state.apply(gccf: gccf, offset: record.offset) {
                    logger.info("trust view updated", metadata: ["gccfVersion": .string("\(gccf.version)"),
                                                                 "watched": .string("\(state.watchedCount)")])
                }
            },
            ExpiryEmitter(state: state, settings: kafka, time: runtime.time, logger: logger, registry: registry),
        ]
        if let path = config.string(ConfigurationKey.portFile.name), !path.isEmpty {
            services.append(PortFileService(server: runtime.httpServer, path: path, logger: logger))
        }
        try await runtime.run(services)
    }
}
