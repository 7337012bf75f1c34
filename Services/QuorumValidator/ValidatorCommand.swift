import BallotCodec
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Synchronization

/// `quorum-validator`: verifies accepted ballots against the trust view and the quorum in force.
struct QuorumValidatorCommand: ServiceCommand {
    static let schema = ConfigurationSchema.service(PipelineConfiguration.keys + [
        ConfigurationKey("anchors", help: "Directory of trust-anchor certificates (elector and root; .cert/.coer/.oer/.hex).",
                         valueName: "dir"),
        ConfigurationKey("pg-cert", help: "The Policy Generator certificate GPFs on scms.policy must be signed with (none: GPFs are ignored).",
                         valueName: "file"),
        ConfigurationKey("quorum", help: "Quorum until a valid GPF arrives.", default: "2", valueName: "n"),
        ConfigurationKey("quorum-floor", help: "Lowest quorum any GPF may set; GPFs below it are refused.", default: "1",
                         valueName: "n"),
        ConfigurationKey("max-endorsements", help: "Most endorsements a ballot may carry.", default: "10", valueName: "n"),
        ConfigurationKey("max-electors", help: "Most trusted electors the trust view admits from a GCCF.", default: "10",
                         valueName: "n"),
        ConfigurationKey("clock-skew", help: "How far in the future an endorsement's generation time may be.", default: "5m",
                         valueName: "duration"),
        ConfigurationKey("validated-digests", help: "Most validated ballot digests remembered to drop duplicates (the oldest "
                         + "forgotten first; about 150 bytes each).", default: "20000", valueName: "n"),
        ConfigurationKey("signature-cache-entries", help: "Cached signature results before the cache starts over (about "
                         + "370 bytes each).", default: "20000", valueName: "n"),
    ])
    static let configuration = CommandConfiguration(
        commandName: "quorum-validator",
        abstract: "Verify accepted ballots against the trust view and the quorum.",
        discussion: "Consumes scms.ballots.accepted in group scms-quorum-validator (run several instances to share the "
            + "partitions). The trust view is the relying-party fold of the whole scms.gccf topic from the configured "
            + "anchors; the quorum comes from the latest GPF on scms.policy signed by --pg-cert (never below "
            + "--quorum-floor; --quorum until one arrives). Nothing is decided before both topics are caught up. Each "
            + "ballot is verified at the wall-clock time of the decision, as the type its endorsements declare; a "
            + "verdict goes to scms.ballots.validated, a rejection with stage validator and its reason codes to "
            + "scms.ballots.rejected. Ballots already on scms.ballots.validated are not validated again. SIGTERM "
            + "finishes the current record, commits and exits 0.")
    let config: ConfigurationSource

    init(config: ConfigurationSource) { self.config = config }

    func run() async throws {
        let anchorsDirectory = try config.requiredString("anchors")
        let quorum = try config.int("quorum", in: 1...255)
        let floor = try config.int("quorum-floor", in: 1...255)
        guard quorum >= floor else {
            throw ConfigurationError(.invalidValue, key: "quorum", origin: config.lookup("quorum")?.origin,
                                     "quorum \(quorum) is below quorum-floor \(floor)")
        }
        let maxEndorsements = try config.int("max-endorsements", in: 1...255)
        let maxElectors = try config.int("max-electors", in: 1...10_000)
        let skewSeconds = try config.fineDuration("clock-skew").components.seconds
        let sessionTimeout = try config.fineDuration(ConfigurationKey.groupSessionTimeout.name)
        var kafka = try KafkaSettings(configuration: config, clientID: "quorum-validator")
        let runtime = try ServiceRuntime(name: "quorum-validator", configuration: config)
        let logger = runtime.logger
        kafka.onError = { error in logger.warning("kafka client error", metadata: ["error": .string("\(error)")]) }

        let options = ProfileOptions()
        let anchors: AnchorSet
        do {
            anchors = try AnchorSet.load(anchorsDirectory, options: options)
        } catch {
            throw ConfigurationError(.invalidValue, key: "anchors", origin: config.lookup("anchors")?.origin, "\(error)")
        }
        var pgCertificate: Certificate?
        if let path = config.string("pg-cert"), !path.isEmpty {
            do {
                var bytes = try FileIO.read(path, limit: 1 << 20)
                if path.hasSuffix(".hex"), let text = String(validating: bytes, as: UTF8.self) {
                    bytes = try Hex.decodeVectorText(text)
                }
                pgCertificate = try Certificate(coer: bytes)
            } catch {
                throw ConfigurationError(.invalidValue, key: "pg-cert", origin: config.lookup("pg-cert")?.origin,
                                         "\(path): not a certificate: \(error)")
            }
        } else {
            logger.warning("no --pg-cert: GPFs on scms.policy are ignored and the quorum stays \(quorum)")
        }
        let policy = TrustPolicy(quorum: quorum, quorumFloor: floor, maxEndorsementsPerBallot: maxEndorsements,
                                 maxElectors: maxElectors, clockSkew: UInt32(clamping: max(0, skewSeconds)))
        let engine = ValidatorEngine(anchors: anchors, policy: policy, pgCertificate: pgCertificate, options: options,
                                     logger: logger,
                                     validatedDigests: try config.int("validated-digests", in: 1...100_000_000),
                                     signatureCacheLimit: try config.int("signature-cache-entries", in: 1_000...100_000_000))
        logger.info("trust anchors loaded", metadata: ["electors": .string("\(anchors.electors.count)"),
                                                       "roots": .string("\(anchors.roots.count)")])
        let time = runtime.time
        let registry = runtime.metrics
        let ready = ReadinessGate(["gccf", "policy", "validated"])
        let status = ValidatorStatus()
        registry.registerGauge("scms_validator_quorum", help: "Quorum in force.") { Double(status.snapshot.quorum) }
        registry.registerGauge("scms_validator_gccf_version", help: "Last GCCF version folded into the trust view.") {
            Double(status.snapshot.gccfVersion)
        }
        registry.registerGauge("scms_validator_trusted_electors", help: "Electors trusted at the last update.") {
            Double(status.snapshot.trustedElectors)
        }
        registry.registerGauge("scms_validator_known_digests", help: "Validated ballot digests remembered.") {
            Double(engine.validated.count)
        }
        registry.registerGauge("scms_validator_forgotten_digests", help: "Digests forgotten to stay within validated-digests.") {
            Double(engine.validated.forgotten)
        }
        registry.registerGauge("scms_validator_signature_cache_entries", help: "Cached signature results.") {
            Double(engine.signatureCacheEntries.load(ordering: .relaxed))
        }
        status.update { $0.quorum = quorum; $0.trustedElectors = anchors.electors.count }

        let gccfFollower = TopicFollower(topics: [kafka.topics.gccf], settings: kafka, logger: logger)
        let policyFollower = TopicFollower(topics: [kafka.topics.policy], settings: kafka, logger: logger)
        let validatedFollower = TopicFollower(topics: [kafka.topics.ballotsValidated], settings: kafka, logger: logger)

        let handler = ValidatorHandler(engine: engine, ready: ready, topics: kafka.topics, time: time, logger: logger,
                                       registry: registry)
        var processorConfiguration = StreamProcessorConfiguration(inputTopics: [kafka.topics.ballotsAccepted],
                                                                  group: ConsumerGroups.quorumValidator)
        processorConfiguration.sessionTimeout = sessionTimeout
        let processor = StreamProcessor(configuration: processorConfiguration, settings: kafka, handler: handler,
                                        logger: logger, registry: registry)
        runtime.health.register("ready") { ready.healthCheck() }
        runtime.health.register("consumer") { processor.healthCheck() }

        let nowTime32: @Sendable () -> UInt32 = {
            (try? time.time32(fromUnixSeconds: Int64(Date().timeIntervalSince1970))) ?? 0
        }

        var services: [any Service] = [
            FollowerService(follower: gccfFollower, name: "gccf", logger: logger, onCaughtUp: {
                ready.markReady("gccf")
                let version = await engine.gccfVersion
                logger.info("trust view caught up with scms.gccf",
                            metadata: ["gccfVersion": .string(version.map { String($0) } ?? "none")])
            }) { record in
                guard let value = record.value, !value.isEmpty else { return }
                // The GCCF's own time (the assembler's engine time) keeps the fold deterministic on replay.
                var at = nowTime32()
                if let text = record.headerText(PipelineHeader.generatedAt), let unix = try? ISO8601.parse(text),
                   let t = try? time.time32(fromUnixSeconds: unix) {
                    at = max(t, 0)
                }
                switch await engine.applyGCCF(value, at: at) {
                case .success(let version):
                    let trusted = await engine.trustedElectorCount(at: nowTime32())
                    status.update { $0.gccfVersion = Int(version); $0.trustedElectors = trusted }
                    logger.info("GCCF folded into the trust view", metadata: ["version": .string("\(version)"),
                                                                              "trustedElectors": .string("\(trusted)")])
                case .failure(let rejection):
                    Counter(label: "scms_validator_gccf_refused_total", help: "GCCFs the trust view refused.",
                            registry: registry).increment()
                    logger.warning("GCCF refused", metadata: ["source": .string(RecordPosition(record).description),
                                                              "reasons": .string(rejection.findings.map(\.description).joined(separator: "; "))])
                }
            },
            FollowerService(follower: policyFollower, name: "policy", logger: logger, onCaughtUp: {
                ready.markReady("policy")
            }) { record in
                guard let value = record.value, !value.isEmpty else { return }
                switch await engine.applyPolicy(value) {
                case nil:
                    break
                case .success(let initial)?:
                    let inForce = await engine.policy(at: nowTime32()).quorum
                    status.update { $0.quorum = inForce }
                    logger.info("GPF in force", metadata: ["initialQuorum": .string("\(initial)"), "quorum": .string("\(inForce)")])
                case .failure(let error)?:
                    Counter(label: "scms_validator_policy_refused_total", dimensions: [("reason", error.reason.rawValue)],
                            help: "GPFs refused.", registry: registry).increment()
                    logger.warning("GPF refused", metadata: ["reason": .string(error.reason.rawValue),
                                                             "detail": .string(error.detail),
                                                             "source": .string(RecordPosition(record).description)])
                }
            },
            FollowerService(follower: validatedFollower, name: "validated-digests", logger: logger, onCaughtUp: {
                ready.markReady("validated")
            }) { record in
                if let digest = record.pipelineDigest { engine.learnValidated(digest) }
            },
            processor,
        ]
        if let path = config.string(ConfigurationKey.portFile.name), !path.isEmpty {
            services.append(PortFileService(server: runtime.httpServer, path: path, logger: logger))
        }
        try await runtime.run(services)
    }
}

/// Gauge values, updated by the followers.
final class ValidatorStatus: Sendable {
    struct Snapshot: Sendable {
        var quorum = 0
        var gccfVersion = 0
        var trustedElectors = 0
    }

    private let state = Mutex(Snapshot())
    var snapshot: Snapshot { state.withLock { $0 } }
    func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }
}
