import BallotCodec
import Kafka
import RootManagement
import ServiceKit

/// `gccf-assembler`: configuration and wiring of the Policy Generator's GCCF assembly.
struct GCCFAssemblerCommand: ServiceCommand {
    static let schema = ConfigurationSchema.service(PipelineConfiguration.keys + [
        ConfigurationKey("anchors", help: "Directory of trust-anchor certificates (elector and root; .cert/.coer/.oer/.hex).",
                         valueName: "dir"),
        ConfigurationKey("ma-cert", help: "The MA certificate every GCCF carries.", valueName: "file"),
        ConfigurationKey("certs", help: "Directory of other SCMS component certificates every GCCF carries.",
                         valueName: "dir"),
        ConfigurationKey("pg-cert", help: "The PG certificate GPFs on scms.policy must be signed with (none: GPFs are refused).",
                         valueName: "file"),
        ConfigurationKey("quorum", help: "Quorum until a GPF sets one.", default: "2", valueName: "n"),
        ConfigurationKey("quorum-floor", help: "Lowest quorum any GPF may set; GPFs below it are refused.", default: "1",
                         valueName: "n"),
        ConfigurationKey("max-electors", help: "Most trusted electors a GCCF may make (electorCapacityExceeded above).",
                         default: "10", valueName: "n"),
        ConfigurationKey("max-endorsements", help: "Most endorsements a ballot may carry.", default: "10", valueName: "n"),
        ConfigurationKey("clock-skew", help: "How far beyond the engine time a generation time may be.", default: "5m",
                         valueName: "duration"),
        ConfigurationKey("max-gccf-bytes", help: "Largest GCCF file; the weakest root ballots are left out to fit.",
                         default: "\(Topics.maxGCCFRecordBytes - 64 * 1024)", valueName: "bytes"),
        ConfigurationKey("out-dir", help: "Directory the GCCF files are written to (gccf-<version>.coer, gccf-latest.coer).",
                         valueName: "dir"),
        ConfigurationKey("reverify-signatures",
                         help: "Verify every endorsement and target signature again instead of taking the validator's verdicts.",
                         default: "false", valueName: "bool"),
        ConfigurationKey("publish-linger",
                         help: "How long the first unpublished input waits for more before the newest content is "
                             + "published (one GCCF per batch of inputs).", default: "10ms", valueName: "duration"),
        ConfigurationKey("publish-interval", help: "Older name of publish-linger (used when publish-linger is not given).",
                         valueName: "duration"),
        ConfigurationKey("publish-min-interval",
                         help: "Least time between the starts of two publications (bounds the GCCF rate under load).",
                         default: "0ms", valueName: "duration"),
        ConfigurationKey("max-batch", help: "Most input records folded between two publication decisions.",
                         default: "5000", valueName: "n"),
        ConfigurationKey("superseded-digests",
                         help: "Most forgotten (superseded) ballot IDs remembered, so a copy of one is counted as a "
                             + "duplicate rather than a new ballot (the oldest forgotten first; counting only).",
                         default: "20000", valueName: "n"),
    ])
    static let configuration = CommandConfiguration(
        commandName: "gccf-assembler",
        abstract: "Assemble and publish the GCCF (the Policy Generator).",
        discussion: "Consumes scms.ballots.validated, scms.expiry and scms.policy (one partition each) in group "
            + "scms-gccf-assembler: the member assigned them is the active assembler, others stand by. On every "
            + "assignment it rebuilds its state by folding the three topics from the start in one canonical order "
            + "(recorded time, then topic) and reads the last GCCF from scms.gccf. Engine time is the largest recorded "
            + "time among the inputs (validator processing time, expiry effective time, GPF generation time), never the "
            + "local clock. The inclusion rules of RootManagement decide: one grounded ballot per trusted target, at "
            + "most --max-electors trusted electors (the others are rejected with electorCapacityExceeded, stage "
            + "assembler), weakest root ballots left out when the file would exceed --max-gccf-bytes. The version "
            + "counts the inputs after which the content changed (in the canonical order, so a replay numbers alike); "
            + "inputs are folded in batches and the newest content is published at most once per batch, --publish-linger "
            + "after the batch's first input (key gccf, to scms.gccf and atomically to --out-dir), never reusing a "
            + "version for other content. "
            + "SIGTERM publishes what is pending, commits and exits 0.")
    let config: ConfigurationSource

    init(config: ConfigurationSource) { self.config = config }

    func run() async throws {
        let anchorsDirectory = try config.requiredString("anchors")
        let maPath = try config.requiredString("ma-cert")
        let quorum = try config.int("quorum", in: 1...255)
        let floor = try config.int("quorum-floor", in: 1...255)
        guard quorum >= floor else {
            throw ConfigurationError(.invalidValue, key: "quorum", origin: config.lookup("quorum")?.origin,
                                     "quorum \(quorum) is below quorum-floor \(floor)")
        }
        let maxElectors = try config.int("max-electors", in: 1...10_000)
        let maxEndorsements = try config.int("max-endorsements", in: 1...255)
        let skew = try config.fineDuration("clock-skew").components.seconds
        let maxBytes = try config.int("max-gccf-bytes", in: 1_024...(Topics.maxGCCFRecordBytes - 64 * 1024))
        let linger = config.lookup("publish-linger")?.origin == .defaultValue && config.lookup("publish-interval") != nil
            ? try config.fineDuration("publish-interval") : try config.fineDuration("publish-linger")
        let maxBatch = try config.int("max-batch", in: 1...1_000_000)
        let supersededDigests = try config.int("superseded-digests", in: 1...100_000_000)
        let minInterval = try config.fineDuration("publish-min-interval")
        let sessionTimeout = try config.fineDuration(ConfigurationKey.groupSessionTimeout.name)
        let outDirectory = config.string("out-dir").flatMap { $0.isEmpty ? nil : $0 }
        let reverify = try config.bool("reverify-signatures")
        var kafka = try KafkaSettings(configuration: config, clientID: "gccf-assembler")

        let options = ProfileOptions()
        let anchors = try config.loading("anchors") { try LocalCertificates.directory(anchorsDirectory) }
            .map { CertificateAnalysis.facts($0, options: options) }
        let electorAnchors = anchors.filter { $0.role == .elector }
        let rootAnchors = anchors.filter { $0.role == .root }
        guard !electorAnchors.isEmpty else {
            throw ConfigurationError(.invalidValue, key: "anchors", origin: config.lookup("anchors")?.origin,
                                     "\(anchorsDirectory): no elector certificates")
        }
        let ma = try config.loading("ma-cert") { try LocalCertificates.certificate(maPath) }
        let certificates = try config.string("certs").flatMap { $0.isEmpty ? nil : $0 }.map { directory in
            try config.loading("certs") { try LocalCertificates.directory(directory) }
        } ?? []
        let pgCertificate = try config.string("pg-cert").flatMap { $0.isEmpty ? nil : $0 }.map { path in
            try config.loading("pg-cert") { try LocalCertificates.certificate(path) }
        }
        if let outDirectory { try config.loading("out-dir") { try FileIO.makeDirectory(outDirectory) } }

        let runtime = try ServiceRuntime(name: "gccf-assembler", configuration: config)
        let logger = runtime.logger
        kafka.onError = { error in logger.warning("kafka client error", metadata: ["error": .string("\(error)")]) }
        if pgCertificate == nil { logger.warning("no --pg-cert: GPFs on scms.policy are refused; the quorum stays \(quorum)") }
        logger.info("trust anchors loaded", metadata: ["electors": .string("\(electorAnchors.count)"),
                                                       "roots": .string("\(rootAnchors.count)")])
        let policy = TrustPolicy(quorum: quorum, quorumFloor: floor, maxEndorsementsPerBallot: maxEndorsements,
                                 maxElectors: maxElectors, clockSkew: UInt32(clamping: max(0, skew)))
        let settings = AssemblerSettings(
            kafka: kafka,
            configuration: AssemblerConfiguration(policy: policy, electorAnchors: electorAnchors, rootAnchors: rootAnchors,
                                                  maCertificate: ma, certificates: certificates, maxFileBytes: maxBytes),
            pgCertificate: pgCertificate, options: options, outDirectory: outDirectory,
            publishLinger: linger, publishMinInterval: minInterval, maxBatch: maxBatch, sessionTimeout: sessionTimeout, time: runtime.time,
            reverifySignatures: reverify, supersededDigests: supersededDigests)
        let service = GCCFAssemblerService(settings: settings, logger: logger, registry: runtime.metrics)
        runtime.health.register("assembler") { service.healthCheck() }
        var services: [any Service] = [service]
        if let path = config.string(ConfigurationKey.portFile.name), !path.isEmpty {
            services.append(PortFileService(server: runtime.httpServer, path: path, logger: logger))
        }
        try await runtime.run(services)
    }
}
