import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Synchronization

/// The digests intake has forwarded (its own and other instances'), rebuilt at start from `scms.ballots.accepted`;
/// at most `capacity` of them, the oldest forgotten first (`dedupe-digests`).
final class ForwardedDigests: Sendable {
    private let digests: RecentDigests
    private let ready = Mutex(false)

    init(capacity: Int) { digests = RecentDigests(capacity: capacity) }

    var isReady: Bool { ready.withLock { $0 } }
    var count: Int { digests.count }
    /// Digests forgotten to stay within the capacity.
    var forgotten: Int { digests.forgotten }

    func markReady() { ready.withLock { $0 = true } }

    /// Learns a digest seen on the accepted topic.
    func learn(_ digest: String) { digests.insert(digest) }

    /// Claims `digest` for forwarding: false when it was forwarded before.
    func claim(_ digest: String) -> Bool { digests.insert(digest) }
}

/// The accepted-ballot counters by form and type, created on first use.
final class AcceptedCounters: Sendable {
    private struct Key: Hashable {
        var form: SubmissionForm
        var type: EndorsementAction
    }

    private let counters = Mutex<[Key: Counter]>([:])

    func counter(_ form: SubmissionForm, _ type: EndorsementAction, make: () -> Counter) -> Counter {
        let key = Key(form: form, type: type)
        if let known = counters.withLock({ $0[key] }) { return known }
        let made = make()
        counters.withLock { $0[key] = made }
        return made
    }
}

/// `scms.ballots.submitted` → `scms.ballots.accepted` | `scms.ballots.rejected`.
struct IntakeHandler: StreamHandler {
    let classifier: IntakeClassifier
    let topics: TopicNames
    let forwarded: ForwardedDigests
    let logger: Logger
    let registry: MetricsRegistry
    /// `scms_intake_accepted_total{form,type}`, each series looked up once.
    private let acceptedCounters = AcceptedCounters()

    func process(_ record: ConsumedMessage) async throws -> [OutgoingMessage] {
        while !forwarded.isReady {
            // The dedupe state must be complete before any decision (the follower catches up at start).
            try await Task.sleep(for: .milliseconds(20))
        }
        let source = RecordPosition(record)
        switch classifier.classify(record.value) {
        case .failure(let rejection):
            return [reject(record, reason: rejection.reason.rawValue, detail: rejection.detail)]
        case .success(let ballot):
            guard forwarded.claim(ballot.digest) else {
                Counter(label: "scms_intake_duplicates_total", help: "Ballots dropped as exact duplicates.",
                        registry: registry).increment()
                logger.info("duplicate ballot dropped", metadata: ["digest": .string(ballot.digest),
                                                                   "source": .string(source.description)])
                return []
            }
            acceptedCounters.counter(ballot.form, ballot.type) {
                Counter(label: "scms_intake_accepted_total", dimensions: [("form", ballot.form.rawValue), ("type", "\(ballot.type)")],
                        help: "Ballots forwarded to scms.ballots.accepted.", registry: registry)
            }.increment()
            var headers: [KafkaHeader] = []
            headers.append(PipelineHeader.digest, ballot.digest)
            headers.append(PipelineHeader.type, "\(ballot.type)")
            headers.append(PipelineHeader.receivedAt, ISO8601.format(Date()))
            headers.append(PipelineHeader.form, ballot.form.rawValue)
            headers.append(PipelineHeader.source, source.description)
            return [OutgoingMessage(topic: topics.ballotsAccepted, key: Array(ballot.targetHash.utf8),
                                    value: ballot.canonical, headers: headers)]
        }
    }

    func poisonOutputs(for record: ConsumedMessage, error: any Error) -> [OutgoingMessage] {
        [reject(record, reason: "internalError", detail: "\(error)")]
    }

    private func reject(_ record: ConsumedMessage, reason: String, detail: String) -> OutgoingMessage {
        Counter(label: "scms_rejected_total", dimensions: [("stage", PipelineStage.intake.rawValue), ("reason", reason)],
                help: "Records sent to scms.ballots.rejected.", registry: registry).increment()
        let source = RecordPosition(record)
        logger.notice("ballot rejected", metadata: ["reason": .string(reason), "detail": .string(detail),
                                                    "source": .string(source.description)])
        let digest = Hex.encode(Digest.sha256(record.value ?? []))
        return RejectionRecord(stage: .intake, reason: reason, detail: detail, source: source, inputDigest: digest,
                               input: record.value).message(topic: topics.ballotsRejected)
    }
}
