import Kafka
import ServiceKit

/// `endorsement-intake`: reads operator submissions, forwards canonical ballots, rejects the rest.
struct EndorsementIntakeCommand: ServiceCommand {
    static let schema = ConfigurationSchema.service(PipelineConfiguration.keys + [
        ConfigurationKey("max-record-bytes", help: "Largest submitted record accepted, in bytes.", default: "65536",
                         valueName: "bytes"),
        ConfigurationKey("max-endorsements", help: "Most endorsements a ballot may carry.", default: "10", valueName: "n"),
        ConfigurationKey("dedupe-digests", help: "Most forwarded ballot digests remembered to drop duplicates (the oldest "
                         + "forgotten first; about 150 bytes each).", default: "20000", valueName: "n"),
    ])
    static let configuration = CommandConfiguration(
        commandName: "endorsement-intake",
        abstract: "Accept elector ballots from scms.ballots.submitted.",
        discussion: "Consumes scms.ballots.submitted in group scms-endorsement-intake; decodes each record as an "
            + "ElectorBallot, ScopedElectorBallot or UnsecuredElectorBallot; forwards the canonical ElectorBallot keyed by "
            + "the target certificate's SHA-256 to scms.ballots.accepted, dropping exact duplicates by digest (also across "
            + "restarts: the digests are rebuilt from scms.ballots.accepted); sends anything empty, oversized, malformed or "
            + "not a ballot to scms.ballots.rejected with stage, reason code and detail headers. SIGTERM finishes the "
            + "current record, commits and exits 0.")
    let config: ConfigurationSource

    init(config: ConfigurationSource) { self.config = config }

    func run() async throws {
        let maxBytes = try config.int("max-record-bytes", in: 1...(16 << 20))
        let maxEndorsements = try config.int("max-endorsements", in: 1...255)
        let sessionTimeout = try config.fineDuration(ConfigurationKey.groupSessionTimeout.name)
        var kafka = try KafkaSettings(configuration: config, clientID: "endorsement-intake")
        let runtime = try ServiceRuntime(name: "endorsement-intake", configuration: config)
        let logger = runtime.logger
        kafka.onError = { error in logger.warning("kafka client error", metadata: ["error": .string("\(error)")]) }

        let forwarded = ForwardedDigests(capacity: try config.int("dedupe-digests", in: 1...100_000_000))
        runtime.metrics.registerGauge("scms_intake_known_digests", help: "Ballot digests known as forwarded.") {
            Double(forwarded.count)
        }
        runtime.metrics.registerGauge("scms_intake_forgotten_digests",
                                      help: "Digests forgotten to stay within dedupe-digests.") { Double(forwarded.forgotten) }
        let handler = IntakeHandler(classifier: IntakeClassifier(maxRecordBytes: maxBytes, maxEndorsements: maxEndorsements),
                                    topics: kafka.topics, forwarded: forwarded, logger: logger, registry: runtime.metrics)
        var processorConfiguration = StreamProcessorConfiguration(inputTopics: [kafka.topics.ballotsSubmitted],
                                                                  group: ConsumerGroups.endorsementIntake)
        processorConfiguration.sessionTimeout = sessionTimeout
        let processor = StreamProcessor(configuration: processorConfiguration, settings: kafka, handler: handler,
                                        logger: logger, registry: runtime.metrics)
        let follower = TopicFollower(topics: [kafka.topics.ballotsAccepted], settings: kafka, logger: logger)
        runtime.health.register("consumer") { processor.healthCheck() }
        runtime.health.register("dedupe-state") {
            forwarded.isReady ? .healthy(detail: "\(forwarded.count) digests") : .unhealthy(reason: "rebuilding from scms.ballots.accepted")
        }
        var services: [any Service] = [
            FollowerService(follower: follower, name: "accepted-digests", logger: logger, onCaughtUp: {
                forwarded.markReady()
                logger.info("dedupe state rebuilt", metadata: ["digests": .string("\(forwarded.count)")])
            }) { record in
                if let digest = record.pipelineDigest { forwarded.learn(digest) }
            },
            processor,
        ]
        if let path = config.string(ConfigurationKey.portFile.name), !path.isEmpty {
            services.append(PortFileService(server: runtime.httpServer, path: path, logger: logger))
        }
        try await runtime.run(services)
    }
}
