import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the assembler is set up with.
struct AssemblerSettings: Sendable {
    var kafka: KafkaSettings
    var configuration: AssemblerConfiguration
    var pgCertificate: Certificate?
    var options: ProfileOptions
    /// Where GCCF files are written (`gccf-<version>.coer`, `gccf-latest.coer`), if anywhere.
    var outDirectory: String?
    /// How long the first unpublished input waits for more before the content is published (batching).
    var publishLinger: Swift.Duration
    /// The least time from one publication's start to the next one's (bounds the GCCF rate every reader folds).
    var publishMinInterval: Swift.Duration = .zero
    /// The most records folded between two publication decisions.
    var maxBatch: Int
    /// Group session timeout (how long a killed active keeps the assignment).
    var sessionTimeout: Swift.Duration
    /// Leap seconds, for the `scms-generated-at` header.
    var time: Time32Conversion
    /// Verify every signature again instead of taking the validator's verdicts.
    var reverifySignatures: Bool
    /// Most forgotten ballot IDs remembered to tell a copy of a forgotten ballot from a new one (counting only).
    var supersededDigests = 20_000
}

/// The assembler's progress, for metrics, `/healthz` and logs.
struct AssemblerStatus: Sendable {
    var running = false
    var active = false
    var logicalVersion = 0
    var publishedVersion = 0
    var ballots = 0
    var heldBallots = 0
    var trustedElectors = 0
    var trustedRoots = 0
    var quorum = 0
    var engineTime: UInt32 = 0
    var fileBytes = 0
    var sizeDropped = 0
    var capacityExceeded = 0
    var lastFailure: String?
}

/// Rebalance notifications, from the consumer's poll thread to the assembler loop.
final class RebalanceEvents: Sendable {
    enum Event: Sendable {
        case assigned([TopicPartition])
        case revoked([TopicPartition])
    }

    private let events = Mutex<[Event]>([])
    /// Next offsets whose outputs are acknowledged: committed when the partitions are revoked.
    let committable = Mutex<[TopicPartition: Int64]>([:])

    func post(_ event: Event) { events.withLock { $0.append(event) } }
    func drain() -> [Event] { events.withLock { e in defer { e = [] }; return e } }
}

/// `gccf-assembler`: the Policy Generator. One active instance per consumer group folds the validated ballots, GPF
/// quorums and expiry events into an ``AssemblerState`` and publishes a GCCF whenever the content changes; standbys
/// hold no partitions until the active leaves or dies, then rebuild from the topics and continue the numbering.
final class GCCFAssemblerService: Service, Sendable {
    let settings: AssemblerSettings
    let logger: Logger
    let registry: MetricsRegistry
    let status = Mutex(AssemblerStatus())
    private let stopping = Mutex(false)

    init(settings: AssemblerSettings, logger: Logger, registry: MetricsRegistry) {
        self.settings = settings
        self.logger = logger
        self.registry = registry
        registerMetrics()
    }

    var inputTopics: [String] {
        [settings.kafka.topics.policy, settings.kafka.topics.ballotsValidated, settings.kafka.topics.expiry]
    }

    /// The `/healthz` check.
    func healthCheck() -> HealthStatus {
        let s = status.withLock { $0 }
        guard s.running else { return .unhealthy(reason: "not running") }
        if let failure = s.lastFailure { return .unhealthy(reason: failure) }
        return .healthy(detail: s.active ? "active, GCCF version \(s.publishedVersion)" : "standby")
    }

    func run() async throws {
        let kafka = settings.kafka
        let producer = try KafkaProducer(configuration: kafka.producer(messageMaxBytes: Topics.maxGCCFRecordBytes))
        var consumerConfiguration = kafka.consumer(group: ConsumerGroups.gccfAssembler)
        let sessionMs = max(1, Int(settings.sessionTimeout.components.seconds * 1000
                                       + settings.sessionTimeout.components.attoseconds / 1_000_000_000_000_000))
        consumerConfiguration[property: "session.timeout.ms"] = String(sessionMs)
        consumerConfiguration[property: "heartbeat.interval.ms"] = String(max(100, sessionMs / 4))
        // Range puts partition 0 of all three topics on the same member: one active writer.
        consumerConfiguration[property: "partition.assignment.strategy"] = "range"
        let consumer = try KafkaConsumer(configuration: consumerConfiguration)
        let events = RebalanceEvents()
        let logger = self.logger
        try await consumer.subscribe(topics: inputTopics, rebalance: RebalanceHandler(
            onAssign: { _, partitions in events.post(.assigned(partitions)) },
            onRevoke: { context, partitions in
                events.post(.revoked(partitions))
                let offsets = events.committable.withLock { c in defer { c = [:] }; return c }
                guard !context.isAssignmentLost, !offsets.isEmpty else { return }
                do { try context.commit(offsets) } catch {
                    logger.warning("commit on revoke failed", metadata: ["error": .string("\(error)")])
                }
            }))
        status.withLock { $0.running = true }
        logger.info("waiting for the assignment (standby until then)",
                    metadata: ["group": .string(kafka.topics.groupID(ConsumerGroups.gccfAssembler))])
        var loop = AssemblerLoop(service: self, producer: producer, consumer: consumer, events: events)
        do {
            try await withGracefulShutdownHandler {
                try await loop.run()
            } onGracefulShutdown: { [self] in
                self.stopping.withLock { $0 = true }
            }
        } catch {
            status.withLock { $0.running = false }
            await consumer.close()
            await producer.close()
            throw error
        }
        await loop.finish()
        await consumer.close()
        await producer.close()
        status.withLock { $0.running = false; $0.active = false }
        logger.info("stopped")
    }

    var isStopping: Bool { stopping.withLock { $0 } }

    private func registerMetrics() {
        func gauge(_ name: String, _ help: String, _ value: @escaping @Sendable (AssemblerStatus) -> Double) {
            registry.registerGauge(name, help: help) { [self] in value(self.status.withLock { $0 }) }
        }
        gauge("scms_assembler_active", "1 while this instance is the active assembler.") { $0.active ? 1 : 0 }
        gauge("scms_assembler_logical_version", "Logical GCCF version of the folded inputs.") { Double($0.logicalVersion) }
        gauge("scms_assembler_published_version", "Last GCCF version on scms.gccf.") { Double($0.publishedVersion) }
        gauge("scms_assembler_ballots", "Distinct ballots folded (held, or forgotten as superseded).") { Double($0.ballots) }
        gauge("scms_assembler_held_ballots", "Ballots the state holds (the others were superseded).") {
            Double($0.heldBallots)
        }
        gauge("scms_assembler_superseded_ballots",
              "Distinct ballots forgotten because a held ballot for the same target supersedes them.") {
            Double($0.ballots - $0.heldBallots)
        }
        gauge("scms_assembler_trusted_electors", "Electors the last GCCF makes trusted (anchors included).") {
            Double($0.trustedElectors)
        }
        gauge("scms_assembler_trusted_roots", "Roots the last GCCF makes trusted (anchors included).") { Double($0.trustedRoots) }
        gauge("scms_assembler_quorum", "Quorum in force.") { Double($0.quorum) }
        gauge("scms_assembler_engine_time", "Engine time (Time32): the largest recorded input time.") { Double($0.engineTime) }
        gauge("scms_assembler_gccf_bytes", "Size of the last GCCF file.") { Double($0.fileBytes) }
        gauge("scms_assembler_size_dropped_ballots", "Root ballots left out of the last GCCF to fit the size limit.") {
            Double($0.sizeDropped)
        }
        gauge("scms_assembler_capacity_exceeded_ballots",
              "Valid elector ballots left out because of the elector capacity (electorCapacityExceeded).") {
            Double($0.capacityExceeded)
        }
    }
}

/// The GCCF files of `--out-dir`.
enum GCCFFiles {
    /// Writes `gccf-<version>.coer` atomically (synced), then points `gccf-latest.coer` at the same file: a hard link
    /// renamed over the old one (atomic, and the bytes are written and synced once); a plain atomic write where links
    /// are not possible.
    static func write(_ bytes: [UInt8], version: UInt16, to directory: String) throws {
        let versioned = "\(directory)/gccf-\(version).coer"
        let latest = "\(directory)/gccf-latest.coer"
        try FileIO.writeAtomically(bytes, to: versioned)
        let temporary = "\(directory)/.gccf-latest.coer.link-\(UInt64.random(in: 0...UInt64.max))"
        if link(versioned, temporary) == 0 {
            if rename(temporary, latest) == 0 { return }
            unlink(temporary)
        }
        try FileIO.writeAtomically(bytes, to: latest)
    }
}

/// Outputs whose delivery failed (from the producer's delivery reports to the assembler loop).
final class FailedDeliveries: Sendable {
    private let messages = Mutex<[OutgoingMessage]>([])

    func add(_ message: OutgoingMessage) { messages.withLock { $0.append(message) } }
    func take() -> [OutgoingMessage] { messages.withLock { m in defer { m = [] }; return m } }
}

/// The state of an active assembler.
struct ActiveState {
    var state: AssemblerState
    var tracker = AssemblerOrder.Tracker()
    /// Next offset to fold, per input partition.
    var nextOffsets: [TopicPartition: Int64] = [:]
    /// The validated record of each elector ballot (for `electorCapacityExceeded` rejections quoting it).
    var ballotRecords: [BallotID: DecodedRecord] = [:]
    /// Ballots already reported as `electorCapacityExceeded`.
    var reportedCapacity = Set<BallotID>()
    /// Distinct ballots forgotten as superseded (a copy of one still remembered in `forgottenIDs` is not counted).
    var forgottenCount = 0
    /// The IDs of the last forgotten ballots.
    var forgottenIDs: RecentDigests
    /// Inputs folded since the last publication decision.
    var pending = false
    /// When the oldest input not yet published was folded.
    var pendingSince = ContinuousClock.now
    var lastPublication = ContinuousClock.now
    /// How long the last publication decision took; the next one waits at least twice that long, so publishing
    /// never takes more than about a third of the time under continuous input.
    var lastPublicationCost = Swift.Duration.zero
    var lastFailure: String?

    init(state: AssemblerState, supersededDigests: Int) {
        self.state = state
        self.forgottenIDs = RecentDigests(capacity: supersededDigests)
    }

    /// Distinct ballots folded: held, or forgotten as superseded.
    var foldedCount: Int { state.ballotCount + forgottenCount }

    /// Forgets the side records of ballots the state no longer holds (superseded on arrival, or retired by the step);
    /// counts the ones not forgotten before (as far as ``forgottenIDs`` remembers).
    mutating func forget(_ released: [AnalyzedBallot]) {
        for ballot in released {
            ballotRecords[ballot.id] = nil
            reportedCapacity.remove(ballot.id)
            if forgottenIDs.insert(ballot.id.hex) { forgottenCount += 1 }
        }
    }

    /// Marks an input folded (starting the linger if it is the first one since the last publication).
    mutating func notePending() {
        if !pending { pendingSince = ContinuousClock.now }
        pending = true
    }

    /// The earliest time the next publication may start: the linger after the oldest unpublished input, and at
    /// least `minInterval` and twice the last publication's cost after its start.
    func nextPublication(linger: Swift.Duration, minInterval: Swift.Duration) -> ContinuousClock.Instant {
        max(pendingSince + linger, lastPublication + max(minInterval, lastPublicationCost * 2))
    }
}

/// The loop of one assembler process: rebalance events, records, publications.
struct AssemblerLoop {
    let service: GCCFAssemblerService
    let producer: KafkaProducer
    let consumer: KafkaConsumer
    let events: RebalanceEvents
    var decoder: InputDecoder
    var active: ActiveState?
    private var recordCounters: [String: Counter] = [:]
    private let publicationSeconds: MetricsTimer
    /// Rejections whose delivery failed, to produce again before anything is committed.
    let deliveryFailures = FailedDeliveries()
    /// The signature cache (ECDSA, or the validator's verdicts), kept across re-folds and rebuilds.
    var signatures: SignatureResolver

    var settings: AssemblerSettings { service.settings }
    var logger: Logger { service.logger }
    var topics: TopicNames { settings.kafka.topics }

    init(service: GCCFAssemblerService, producer: KafkaProducer, consumer: KafkaConsumer, events: RebalanceEvents) {
        self.service = service
        self.producer = producer
        self.consumer = consumer
        self.events = events
        let verdicts = service.settings.reverifySignatures ? nil : ValidatorVerdicts()
        self.decoder = InputDecoder(topics: service.settings.kafka.topics, pgCertificate: service.settings.pgCertificate,
                                    options: service.settings.options, verdicts: verdicts)
        self.signatures = verdicts.map { SignatureResolver(verifier: $0) } ?? .crypto()
        self.publicationSeconds = MetricsTimer(label: "scms_assembler_publication_seconds",
                                               help: "Publication decisions: content, file, produce, acknowledgements.",
                                               registry: service.registry)
    }

    /// `scms_assembler_records_total{topic}`, looked up once per topic.
    mutating func recordCounter(_ topic: String) -> Counter {
        if let known = recordCounters[topic] { return known }
        let made = counter("scms_assembler_records_total", "Input records read.", [("topic", topic)])
        recordCounters[topic] = made
        return made
    }

    func counter(_ name: String, _ help: String, _ dimensions: [(String, String)] = []) -> Counter {
        Counter(label: name, dimensions: dimensions, help: help, registry: service.registry)
    }

    mutating func run() async throws {
        while !service.isStopping {
            for event in events.drain() {
                switch event {
                case .assigned(let partitions):
                    let wanted = Set(service.inputTopics)
                    let got = Set(partitions.map(\.topic))
                    guard wanted.isSubset(of: got) else {
                        logger.warning("assigned only part of the inputs: standing by",
                                       metadata: ["partitions": .array(partitions.map { .string($0.description) })])
                        continue
                    }
                    try await activate(partitions)
                case .revoked:
                    if active != nil {
                        logger.info("assignment revoked: standing by")
                        active = nil
                        service.status.withLock { $0.active = false }
                    }
                }
            }
            guard active != nil else {
                _ = try await consumer.poll(timeout: .milliseconds(100))
                continue
            }
            let due = active.map { $0.nextPublication(linger: settings.publishLinger, minInterval: settings.publishMinInterval) }
                ?? ContinuousClock.now
            let waiting = active?.pending == true
                ? max(Swift.Duration.milliseconds(1), min(.milliseconds(100), due - ContinuousClock.now))
                : .milliseconds(100)
            // A batch: the record polled and every record already buffered behind it.
            if let record = try await consumer.poll(timeout: waiting) {
                try await handle(record)
                var count = 1
                while count < settings.maxBatch, consumer.bufferedCount > 0, active != nil,
                      let next = try await consumer.poll(timeout: .milliseconds(1)) {
                    try await handle(next)
                    count += 1
                }
            }
            if let a = active, a.pending,
               ContinuousClock.now >= a.nextPublication(linger: settings.publishLinger, minInterval: settings.publishMinInterval) {
                try await publish()
            }
        }
    }

    /// Publishes what is pending and commits (graceful shutdown).
    mutating func finish() async {
        guard active?.pending == true else { return }
        do { try await publish() } catch {
            logger.error("final publication failed", metadata: ["error": .string("\(error)")])
        }
    }

    // MARK: - Activation (rebuild)

    mutating func activate(_ partitions: [TopicPartition]) async throws {
        let started = ContinuousClock.now
        logger.info("assigned the inputs: rebuilding from the topics",
                    metadata: ["partitions": .array(partitions.map { .string($0.description) })])
        // 1. Every input record there is now, folded in the canonical order (with a fresh decoder).
        let rebuilt = try await rebuild(upTo: nil)
        // 2. The last GCCF on the topic.
        let last = try await lastPublished()

        // 3. What the previous owner finished (its outputs are on the topics).
        let committed = (try? await consumer.committed(partitions)) ?? [:]

        // 4. The folded state takes over.
        var fresh = rebuilt.active
        fresh.state.notePublished(last)
        var nextOffsets = fresh.nextOffsets
        for partition in partitions where nextOffsets[partition] == nil { nextOffsets[partition] = 0 }
        fresh.nextOffsets = nextOffsets
        // Capacity rejections of ballots the previous owner had folded were reported by it.
        if case .success(let content) = fresh.state.currentContent() {
            for id in content.capacityExceeded {
                guard let record = fresh.ballotRecords[id],
                      let done = committed[TopicPartition(record.position.topic, record.position.partition)] ?? nil,
                      record.position.offset < done else { continue }
                fresh.reportedCapacity.insert(id)
            }
        }
        fresh.notePending()
        active = fresh

        // 5. Live records continue after the replayed ones. A rebalance while the rebuild ran (another member joined
        //    or left) takes the partitions away first: stand by, and the queued assignment activates again.
        do {
            try await consumer.seek(nextOffsets.sorted { $0.key < $1.key }.map {
                TopicPartitionOffset($0.key, .exactly($0.value))
            })
        } catch {
            guard (error as? KafkaError)?.code == .state else { throw error }
            logger.info("the assignment changed during the rebuild: standing by until the next one",
                        metadata: ["error": .string("\(error)")])
            active = nil
            return
        }
        // 6. Rejections the previous owner may not have produced.
        for (rejection, partition, offset) in rebuilt.rejected {
            if let done = committed[partition] ?? nil, offset < done { continue }
            try await reject(rejection)
        }
        service.status.withLock { $0.active = true }
        counter("scms_assembler_rebuilds_total", "Rebuilds from the topics (on every assignment).").increment()
        let elapsed = ContinuousClock.now - started
        MetricsTimer(label: "scms_assembler_rebuild_seconds", help: "Duration of rebuilds.", registry: service.registry)
            .record(elapsed)
        logger.info("rebuilt", metadata: [
            "inputs": .string("\(rebuilt.inputs)"), "ballots": .string("\(fresh.foldedCount)"),
            "held": .string("\(fresh.state.ballotCount)"),
            "logicalVersion": .string("\(fresh.state.logicalVersion)"),
            "lastPublished": .string(last.map { "\($0.version)" } ?? "none"),
            "seconds": .string(String(format: "%.3f", Double(elapsed.components.attoseconds) / 1e18
                                      + Double(elapsed.components.seconds)))])
        try await publish()
    }

    /// What ``rebuild(upTo:late:)`` read and folded.
    struct Rebuild {
        /// The folded state, its order tracker, the next offsets read and the records of elector ballots.
        var active: ActiveState
        /// Bad input records, with where they are.
        var rejected: [(RejectionRecord, TopicPartition, Int64)] = []
        /// Input records folded.
        var inputs = 0
        /// The step of the input with the `late` key.
        var lateStep = AssemblerStep()
    }

    /// Reads every input record on the topics (only those below `limits`, per partition, when given: what this
    /// instance has handled), decodes them with a fresh decoder, and folds them in the canonical order. The decoder
    /// (and its signature verdicts) then replaces this loop's one.
    ///
    /// The state keeps no input history in memory: a re-fold reads the topics again, as a rebuild after a restart does.
    mutating func rebuild(upTo limits: [TopicPartition: Int64]?, late: AssemblerOrder.Key? = nil) async throws
        -> Rebuild {
        var streams: [AssemblerSource: [DecodedRecord]] = [:]
        var ballotRecords: [BallotID: DecodedRecord] = [:]
        var rejected: [(RejectionRecord, TopicPartition, Int64)] = []
        var nextOffsets: [TopicPartition: Int64] = [:]
        var decoder = self.decoder.restarted()
        let follower = TopicFollower(topics: service.inputTopics, settings: settings.kafka, logger: logger)
        try await follower.readToEnd { record in
            if let limits, record.offset >= limits[record.topicPartition] ?? 0 { return }
            nextOffsets[record.topicPartition] = max(nextOffsets[record.topicPartition] ?? 0, record.nextOffset)
            switch decoder.decode(record) {
            case .input(let decoded)?:
                streams[decoded.input.source, default: []].append(decoded.forFolding)
                if case .ballot(let analyzed, .addElector, _) = decoded.input.payload, ballotRecords[analyzed.id] == nil {
                    ballotRecords[analyzed.id] = decoded
                }
            case .rejected(let rejection)?:
                rejected.append((rejection, record.topicPartition, record.offset))
            case nil:
                break
            }
        }
        for source in streams.keys { streams[source]?.sort { $0.input.offset < $1.input.offset } }
        self.decoder = decoder
        if let verdicts = decoder.verdicts { signatures = SignatureResolver(verifier: verdicts) }
        var result = Rebuild(active: ActiveState(state: AssemblerState(configuration: settings.configuration,
                                                                       signatures: signatures),
                                                 supersededDigests: settings.supersededDigests))
        result.active.ballotRecords = ballotRecords
        result.rejected = rejected
        for record in AssemblerOrder.merge(streams, key: { $0.input.orderKey }) {
            let step = result.active.state.apply(record.input)
            release(step, of: record.input, in: &result.active)
            if record.input.orderKey == late { result.lateStep = step }
            result.active.tracker.note(record.input.orderKey, from: record.input.source)
            result.inputs += 1
        }
        result.active.nextOffsets = nextOffsets
        signatures = result.active.state.engine.signatures
        return result
    }

    /// Lets go of the ballots `step` left unheld: their signature verdicts and analyses in the decoder, their records in
    /// `a`. A duplicate only gives back the verdicts its decoding registered again.
    mutating func release(_ step: AssemblerStep, of input: AssemblerInput, in a: inout ActiveState) {
        guard case .ballot(let analyzed, _, _) = input.payload else { return }
        if step.duplicate {
            decoder.verdicts?.release(analyzed)
            return
        }
        let released = step.forgotten(of: input)
        guard !released.isEmpty else { return }
        for ballot in released { decoder.forget(ballot) }
        a.forget(released)
    }

    /// The version and content digest of the newest GCCF on `scms.gccf`, nil when there is none.
    func lastPublished() async throws -> PublishedVersion? {
        var newest: (Int64, [UInt8])?
        let follower = TopicFollower(topics: [topics.gccf], settings: settings.kafka, logger: logger)
        try await follower.readToEnd { record in
            guard let value = record.value, !value.isEmpty else { return }
            if let current = newest, current.0 > record.offset { return }
            newest = (record.offset, value)
        }
        guard let (offset, bytes) = newest else { return nil }
        guard let file = try? ScmsFile(coer: bytes), let gccf = file.globalCertificateChainFile else {
            logger.error("the newest record on scms.gccf is not a GCCF; numbering continues after its header",
                         metadata: ["offset": .string("\(offset)")])
            return nil
        }
        return PublishedVersion(version: gccf.version, contentDigest: Digest.sha256(gccf.certStore.coerEncoded))
    }

    // MARK: - Records

    mutating func handle(_ record: ConsumedMessage) async throws {
        // Taken out while it changes, so its storage stays uniquely referenced (no copy of the whole state per record).
        guard var a = active.take() else { return }
        defer { active = a }
        let partition = record.topicPartition
        if let next = a.nextOffsets[partition], record.offset < next { return }
        a.nextOffsets[partition] = record.nextOffset
        recordCounter(record.topic).increment()
        switch decoder.decode(record) {
        case nil:
            return
        case .rejected(let rejection)?:
            try await reject(rejection)
            a.notePending()
            return
        case .input(let decoded)?:
            let source = decoded.input.source
            let key = decoded.input.orderKey
            if case .ballot(let analyzed, .addElector, _) = decoded.input.payload, a.ballotRecords[analyzed.id] == nil {
                a.ballotRecords[analyzed.id] = decoded
            }
            let step: AssemblerStep
            if a.tracker.isInOrder(key, from: source) {
                step = a.state.apply(decoded.input)
                release(step, of: decoded.input, in: &a)
                a.tracker.note(key, from: source)
            } else {
                step = try await refold(&a, late: key)
                counter("scms_assembler_refolds_total",
                        "Inputs that arrived out of the canonical order (the state was folded again).").increment()
                logger.info("input out of canonical order: folded again from the start",
                            metadata: ["source": .string(decoded.position.description), "order": .string(key.description)])
            }
            if let refused = step.refusedPolicy {
                logger.warning("GPF quorum refused", metadata: ["reason": .string(refused.finding.description)])
                try await reject(RejectionRecord(stage: .assembler, reason: refused.finding.code.rawValue,
                                                 detail: refused.finding.detail, source: decoded.position,
                                                 inputDigest: HexText.encode(Digest.sha256(decoded.value)),
                                                 input: decoded.value))
            }
            a.notePending()
        }
    }

    /// Folds every input handled so far again in the canonical order (after one arrived late), reading them from the
    /// topics; returns the step of the late input `late` (so a GPF it refuses is still rejected).
    mutating func refold(_ a: inout ActiveState, late: AssemblerOrder.Key) async throws -> AssemblerStep {
        let rebuilt = try await rebuild(upTo: a.nextOffsets, late: late)
        var fresh = rebuilt.active
        fresh.state.notePublished(a.state.lastPublished)
        fresh.nextOffsets = a.nextOffsets
        fresh.reportedCapacity = a.reportedCapacity.filter { fresh.ballotRecords[$0] != nil }
        fresh.pending = a.pending
        fresh.pendingSince = a.pendingSince
        fresh.lastPublication = a.lastPublication
        fresh.lastPublicationCost = a.lastPublicationCost
        fresh.lastFailure = a.lastFailure
        a = fresh
        return rebuilt.lateStep
    }

    /// Produces a rejection without waiting for it; ``publish()`` waits for every delivery before it commits.
    func reject(_ rejection: RejectionRecord) async throws {
        counter("scms_rejected_total", "Inputs rejected.", [("stage", "assembler"), ("reason", rejection.reason)])
            .increment()
        logger.warning("input rejected", metadata: ["reason": .string(rejection.reason), "detail": .string(rejection.detail),
                                                    "source": .string(rejection.source?.description ?? "")])
        let message = rejection.message(topic: topics.ballotsRejected)
        let failed = deliveryFailures
        try await producer.enqueue(message) { result in
            if case .failure = result { failed.add(message) }
        }
    }

    /// Waits until every record produced so far is acknowledged, producing failed rejections again; false when some
    /// are still not delivered (the offsets must not be committed then).
    func awaitDeliveries() async -> Bool {
        do {
            try await producer.flush(timeout: .seconds(30))
        } catch {
            logger.warning("outputs not acknowledged yet", metadata: ["error": .string("\(error)")])
            return false
        }
        let failed = deliveryFailures.take()
        guard !failed.isEmpty else { return true }
        logger.warning("rejections not delivered: producing them again", metadata: ["count": .string("\(failed.count)")])
        for message in failed {
            let failures = deliveryFailures
            do {
                try await producer.enqueue(message) { result in
                    if case .failure = result { failures.add(message) }
                }
            } catch {
                failures.add(message)
            }
        }
        return false
    }

    // MARK: - Publication

    mutating func publish() async throws {
        guard var a = active.take() else { return }
        let started = ContinuousClock.now
        defer {
            a.lastPublication = started
            a.lastPublicationCost = ContinuousClock.now - started
            active = a
        }
        let decision = a.state.preparePublication()
        defer {
            publicationSeconds.record(ContinuousClock.now - started)
        }
        let content: GCCFContent?
        switch decision {
        case .upToDate(let value):
            content = value
        case .publish(let publication):
            do {
                try await produce(publication, state: a.state)
            } catch {
                a.lastFailure = "publishing GCCF version \(publication.version) failed: \(error)"
                service.status.withLock { $0.lastFailure = a.lastFailure }
                counter("scms_assembler_publish_failures_total", "GCCF publications that failed.").increment()
                logger.error("GCCF publication failed; retrying", metadata: ["error": .string("\(error)")])
                try await Task.sleep(for: .milliseconds(200))
                return
            }
            a.state.notePublished(publication.published)
            content = publication.content
        case .failed(let finding):
            content = nil
            if a.lastFailure != finding.description {
                logger.error("the GCCF cannot be published", metadata: ["reason": .string(finding.description)])
                counter("scms_assembler_publish_failures_total", "GCCF publications that failed.").increment()
            }
            a.lastFailure = finding.description
            service.status.withLock { $0.lastFailure = finding.description }
        }
        if let content {
            if a.lastFailure != nil {
                a.lastFailure = nil
                service.status.withLock { $0.lastFailure = nil }
            }
            try await reportCapacity(content, &a)
            service.status.withLock {
                $0.logicalVersion = a.state.effectiveVersion
                $0.publishedVersion = Int(a.state.lastPublished?.version ?? 0)
                $0.ballots = a.foldedCount
                $0.heldBallots = a.state.ballotCount
                $0.trustedElectors = content.trustedElectors
                $0.trustedRoots = content.trustedRoots
                $0.quorum = a.state.quorum
                $0.engineTime = a.state.time
                $0.sizeDropped = content.sizeDropped.count
                $0.capacityExceeded = content.capacityExceeded.count
            }
        }
        // Outputs acknowledged (the GCCF above, the rejections now): the folded offsets may be committed.
        guard await awaitDeliveries() else { return }
        let offsets = a.nextOffsets
        events.committable.withLock { $0 = offsets }
        do {
            try consumer.scheduleCommit(offsets)
        } catch {
            logger.warning("commit failed", metadata: ["error": .string("\(error)")])
        }
        a.pending = false
    }

    func produce(_ publication: GCCFPublication, state: AssemblerState) async throws {
        var headers: [KafkaHeader] = []
        headers.append(PipelineHeader.gccfVersion, String(publication.version))
        headers.append(PipelineHeader.contentDigest, HexText.encode(Digest.sha256(publication.bytes)))
        headers.append(PipelineHeader.generatedAt,
                       ISO8601.format(unixSeconds: settings.time.unixSeconds(fromTime32: state.time)))
        let report = try await producer.send(OutgoingMessage(topic: topics.gccf, key: Array("gccf".utf8),
                                                             value: publication.bytes, headers: headers))
        if let directory = settings.outDirectory {
            try GCCFFiles.write(publication.bytes, version: publication.version, to: directory)
        }
        counter("scms_assembler_publications_total", "GCCF versions published.").increment()
        let content = publication.content
        service.status.withLock { $0.fileBytes = publication.bytes.count }
        for dropped in content.sizeDropped {
            logger.warning("root ballot left out to fit the GCCF size limit", metadata: [
                "ballot": .string(dropped.ballot.hex), "target": .string(dropped.target?.hex ?? ""),
                "bytes": .string("\(dropped.bytes)"), "limit": .string("\(settings.configuration.maxFileBytes)")])
        }
        if !content.sizeDropped.isEmpty {
            counter("scms_assembler_size_dropped_total", "Root ballots left out of a published GCCF to fit the size limit.")
                .increment(by: content.sizeDropped.count)
        }
        logger.info("GCCF published", metadata: [
            "version": .string("\(publication.version)"), "bytes": .string("\(publication.bytes.count)"),
            "electorBallots": .string("\(content.store.electorEndorsements.count)"),
            "rootBallots": .string("\(content.store.rootCAEndorsements.count)"),
            "quorum": .string("\(state.quorum)"), "engineTime": .string("\(state.time)"),
            "offset": .string(report.offset.map { "\($0)" } ?? "?")])
    }

    /// `electorCapacityExceeded` rejections (stage assembler) for valid elector ballots left out, once each.
    func reportCapacity(_ content: GCCFContent, _ a: inout ActiveState) async throws {
        for id in content.capacityExceeded where !a.reportedCapacity.contains(id) {
            guard let record = a.ballotRecords[id] else { continue }
            let detail = "admitting it would exceed \(settings.configuration.policy.maxElectors) trusted electors "
                + "(the electors admitted earlier keep their places)"
            try await reject(RejectionRecord(stage: .assembler, reason: ReasonCode.electorCapacityExceeded.rawValue,
                                             detail: detail, source: record.position,
                                             inputDigest: HexText.encode(Digest.sha256(record.value)), input: record.value))
            a.reportedCapacity.insert(id)
        }
    }
}
