import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit

/// `scms.ballots.accepted` → `scms.ballots.validated` | `scms.ballots.rejected`.
struct ValidatorHandler: StreamHandler {
    let engine: ValidatorEngine
    let ready: ReadinessGate
    let topics: TopicNames
    let time: Time32Conversion
    let logger: Logger
    let registry: MetricsRegistry
    /// Per-record metrics, looked up once.
    private let decisionSeconds: Histogram
    private let duplicates: Counter
    private let acceptedVerdicts: Counter
    private let rejectedVerdicts: Counter

    init(engine: ValidatorEngine, ready: ReadinessGate, topics: TopicNames, time: Time32Conversion, logger: Logger,
         registry: MetricsRegistry) {
        self.engine = engine
        self.ready = ready
        self.topics = topics
        self.time = time
        self.logger = logger
        self.registry = registry
        decisionSeconds = Histogram(label: "scms_validator_decision_seconds", help: "Time to decide one ballot.",
                                    registry: registry)
        duplicates = Counter(label: "scms_validator_duplicates_total", help: "Ballots dropped as already validated.",
                             registry: registry)
        acceptedVerdicts = Counter(label: "scms_validator_verdicts_total", dimensions: [("result", "accepted")],
                                   help: "Verdicts.", registry: registry)
        rejectedVerdicts = Counter(label: "scms_validator_verdicts_total", dimensions: [("result", "rejected")],
                                   help: "Verdicts.", registry: registry)
    }

    func process(_ record: ConsumedMessage) async throws -> [OutgoingMessage] {
        try await processBatch([record]).first?.get() ?? []
    }

    /// Decides the records in one call to the engine (one actor hop for the batch), all at the same processing time.
    func processBatch(_ records: [ConsumedMessage]) async -> [Result<[OutgoingMessage], any Error>] {
        let now: UInt32
        do {
            try await ready.wait()
            now = try time.time32(fromUnixSeconds: Int64(Date().timeIntervalSince1970))
        } catch {
            return records.map { _ in .failure(error) }
        }
        let inputs = records.map { record -> (bytes: [UInt8], digest: String?)? in
            guard let value = record.value, !value.isEmpty else { return nil }
            return (value, record.pipelineDigest)
        }
        let start = ContinuousClock.now
        let verdicts = await engine.decide(inputs.compactMap { $0 }, at: now)
        let elapsed = start.duration(to: .now).components
        let each = (Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18) / Double(max(1, verdicts.count))
        var decided = verdicts.makeIterator()
        return zip(records, inputs).map { record, input in
            guard input != nil, let verdict = decided.next() else {
                return .success([reject(record, reason: "emptyRecord", reasons: [], detail: "tombstone or zero bytes")])
            }
            decisionSeconds.observe(each)
            return .success(outputs(for: verdict, of: record))
        }
    }

    private func outputs(for verdict: Verdict, of record: ConsumedMessage) -> [OutgoingMessage] {
        let source = RecordPosition(record)
        switch verdict {
        case .duplicate:
            duplicates.increment()
            return []
        case .rejected(let reason, let reasons, let detail):
            rejectedVerdicts.increment()
            return [reject(record, reason: reason, reasons: reasons, detail: detail)]
        case .accepted(let validated, let digest, let type):
            acceptedVerdicts.increment()
            if logger.logLevel <= .debug {
                logger.debug("ballot validated", metadata: ["digest": .string(digest), "type": .string("\(type)"),
                                                           "endorsers": .string("\(validated.endorsers.count)"),
                                                           "quorum": .string("\(validated.quorum)")])
            }
            var headers: [KafkaHeader] = []
            headers.append(PipelineHeader.digest, digest)
            headers.append(PipelineHeader.type, "\(type)")
            headers.append(PipelineHeader.source, source.description)
            return [OutgoingMessage(topic: topics.ballotsValidated, key: Array(Hex.encode(validated.targetHash.bytes).utf8),
                                    value: validated.coerEncoded, headers: headers)]
        }
    }

    func poisonOutputs(for record: ConsumedMessage, error: any Error) -> [OutgoingMessage] {
        [reject(record, reason: "internalError", reasons: [], detail: "\(error)")]
    }

    private func reject(_ record: ConsumedMessage, reason: String, reasons: [String], detail: String) -> OutgoingMessage {
        Counter(label: "scms_rejected_total", dimensions: [("stage", PipelineStage.validator.rawValue), ("reason", reason)],
                help: "Records sent to scms.ballots.rejected.", registry: registry).increment()
        let source = RecordPosition(record)
        logger.notice("ballot rejected", metadata: ["reason": .string(reason), "reasons": .string(reasons.joined(separator: ",")),
                                                    "detail": .string(detail), "source": .string(source.description)])
        return RejectionRecord(stage: .validator, reason: reason, reasons: reasons, detail: detail, source: source,
                               inputDigest: Hex.encode(Digest.sha256(record.value ?? [])), input: record.value)
            .message(topic: topics.ballotsRejected)
    }
}
