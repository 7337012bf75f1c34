import CRdKafka
import Foundation
import Synchronization

/// What a group member is told when the group coordinator moves partitions.
///
/// Both closures run on the consumer's poll thread, inside librdkafka's rebalance callback:
/// `onRevoke` runs **before** the revocation takes effect, so the owner can commit the next offsets to
/// process for the partitions it is about to lose (``RebalanceContext/commit(_:)``); records of those
/// partitions still buffered and not yet read are dropped first. `onAssign` runs right after the new
/// partitions are assigned. Keep both short: the group waits for them.
public struct RebalanceHandler: Sendable {
    public var onAssign: @Sendable (RebalanceContext, [TopicPartition]) -> Void
    public var onRevoke: @Sendable (RebalanceContext, [TopicPartition]) -> Void

    public init(onAssign: @escaping @Sendable (RebalanceContext, [TopicPartition]) -> Void = { _, _ in },
                onRevoke: @escaping @Sendable (RebalanceContext, [TopicPartition]) -> Void = { _, _ in }) {
        self.onAssign = onAssign
        self.onRevoke = onRevoke
    }
}

/// Access to the consumer from inside a rebalance callback. Only valid during the callback.
public struct RebalanceContext: Sendable {
    let handle: RawHandle
    /// While the consumer closes: when the close gives up, and with it any commit made from the handler.
    var closeDeadline: ContinuousClock.Instant?

    /// True when the partitions were lost (session timeout, fencing) rather than revoked in an orderly way:
    /// another member may already own them, so committing is pointless.
    public var isAssignmentLost: Bool { rd_kafka_assignment_lost(handle.pointer) != 0 }

    /// Whether the group uses the incremental (cooperative) protocol: only the listed partitions move.
    public var isCooperative: Bool { String(cString: rd_kafka_rebalance_protocol(handle.pointer)) == "COOPERATIVE" }

    /// Commits, synchronously, the next offset to process for each partition.
    ///
    /// Under the cooperative protocol the revoke can arrive while another member's SyncGroup is still
    /// outstanding; the coordinator then answers `REBALANCE_IN_PROGRESS` although this member's generation
    /// is current and the group settles without it. Such a commit is retried for up to `settleTimeout`.
    /// Under the eager protocol the group waits for this member, so the first answer is final.
    ///
    /// During ``KafkaConsumer/close()`` the commit waits no longer than the close's deadline
    /// (``KafkaConfiguration/closeTimeout``) and then fails with ``KafkaError/Code/timedOut``.
    ///
    /// - Throws: ``KafkaError`` from the commit (nothing to commit is not an error).
    public func commit(_ offsets: [TopicPartition: Int64], settleTimeout: Duration = .seconds(5)) throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: settleTimeout)
        while true {
            let outcome = Result { () throws(KafkaError) in
                if let closeDeadline {
                    try commitSynchronously(handle.pointer, offsets, deadline: closeDeadline)
                } else {
                    try commitSynchronously(handle.pointer, offsets)
                }
            }
            guard case .failure(let error) = outcome, error.code == .rebalanceInProgress, isCooperative,
                  clock.now < deadline
            else { return try outcome.get() }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }
}

/// An `rd_kafka_t` pointer lent to code that runs while its owner is alive.
///
/// `@unchecked Sendable`: an immutable pointer to a thread-safe librdkafka instance; whoever creates one
/// guarantees the instance outlives every use (it is only handed out inside callbacks of that instance).
struct RawHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Routes librdkafka's rebalance callback to the consumer's buffer and the owner's handler.
final class RebalanceRouter: Sendable {
    let buffer: MessageBuffer
    let handler = Mutex<RebalanceHandler?>(nil)
    /// Partitions revoked since the poll thread last asked (`all`: the whole assignment), so records it
    /// polled earlier in the same batch, but had not pushed yet, are dropped too.
    private let revoked = Mutex<(all: Bool, partitions: Set<TopicPartition>)>((false, []))

    /// The revocations since the last call, and resets them.
    func takeRevocations() -> (all: Bool, partitions: Set<TopicPartition>) {
        revoked.withLock { r in
            defer { r = (false, []) }
            return r
        }
    }

    /// Set once the consumer starts closing (see ``RebalanceContext/closeDeadline``).
    private let closeDeadline = Mutex<ContinuousClock.Instant?>(nil)

    init(buffer: MessageBuffer) {
        self.buffer = buffer
    }

    /// Bounds the commits of the handlers that run while the consumer closes.
    func setCloseDeadline(_ deadline: ContinuousClock.Instant) {
        closeDeadline.withLock { $0 = deadline }
    }

    func rebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t,
                   _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let partitions = readPartitionList(list).map(\.topicPartition)
        let context = RebalanceContext(handle: RawHandle(pointer: rk), closeDeadline: closeDeadline.withLock { $0 })
        let handler = self.handler.withLock { $0 }
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, list) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(rk, list)
            }
            handler?.onAssign(context, partitions)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let revokedNow = Set(partitions)
            revoked.withLock { $0.partitions.formUnion(revokedNow) }
            _ = buffer.purge { revokedNow.contains($0.topicPartition) }
            handler?.onRevoke(context, partitions)
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, list) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
        default:
            // A rebalance error: drop the assignment, as librdkafka's documentation prescribes.
            revoked.withLock { $0.all = true }
            _ = buffer.purge { _ in true }
            _ = rd_kafka_assign(rk, nil)
        }
    }
}

let rebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t,
                                       UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
                                       UnsafeMutableRawPointer?) -> Void = { rk, err, list, opaque in
    guard let rk, let router = ClientContext.from(opaque)?.rebalance else { return }
    router.rebalance(rk, err, list)
}

/// `rd_kafka_commit` with explicit offsets, synchronously. `_NO_OFFSET` (nothing to commit) is success.
func commitSynchronously(_ rk: OpaquePointer, _ offsets: [TopicPartition: Int64]) throws(KafkaError) {
    guard !offsets.isEmpty else { return }
    let list = makePartitionList(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    defer { rd_kafka_topic_partition_list_destroy(list) }
    let err = rd_kafka_commit(rk, list, 0)
    if err == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
    try KafkaError.check(err, "commit")
    if let failed = readPartitionList(list).first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
        throw KafkaError(failed.error, operation: "commit",
                         message: "\(failed.topicPartition): \(String(cString: rd_kafka_err2str(failed.error)))")
    }
}

/// `rd_kafka_commit` with explicit offsets through a private queue, waiting for the result until `deadline`:
/// past it, fails with ``KafkaError/Code/timedOut`` (the commit may still complete later; its result is dropped).
func commitSynchronously(_ rk: OpaquePointer, _ offsets: [TopicPartition: Int64],
                         deadline: ContinuousClock.Instant) throws(KafkaError) {
    guard !offsets.isEmpty else { return }
    guard let queue = rd_kafka_queue_new(rk) else {
        throw KafkaError(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, operation: "commit")
    }
    // A result arriving after this returns is dropped by the destroyed (disabled) queue.
    defer { rd_kafka_queue_destroy(queue) }
    let list = makePartitionList(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    defer { rd_kafka_topic_partition_list_destroy(list) }
    try KafkaError.check(rd_kafka_commit_queue(rk, list, queue, nil, nil), "commit")
    while true {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else {
            throw KafkaError(code: .timedOut, message: "no commit result before the close deadline", operation: "commit")
        }
        guard let event = rd_kafka_queue_poll(queue, min(100, remaining.timeoutMilliseconds)) else { continue }
        defer { rd_kafka_event_destroy(event) }
        guard rd_kafka_event_type(event) == RD_KAFKA_EVENT_OFFSET_COMMIT else { continue }
        let err = rd_kafka_event_error(event)
        if err == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        try KafkaError.check(err, "commit")
        if let failed = readPartitionList(rd_kafka_event_topic_partition_list(event))
            .first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            throw KafkaError(failed.error, operation: "commit",
                             message: "\(failed.topicPartition): \(String(cString: rd_kafka_err2str(failed.error)))")
        }
        return
    }
}
