public import Kafka
import Synchronization

/// Reads every partition of some topics from the beginning, without a consumer group (manual assignment), tells
/// when it has caught up with what the topics held when it started, and keeps following.
///
/// "Caught up" means: every partition's records up to the high watermark seen at start have been handed to the
/// handler (partitions that were empty count as caught up at once). Used to rebuild state at start (intake and
/// validator dedupe sets, the assembler's replay), to fold `scms.gccf` and `scms.policy` into a trust view, by the
/// expiry watcher, and by `electorctl gccf follow`.
///
/// ```swift
/// let follower = TopicFollower(topics: [kafka.topics.gccf], settings: kafka, logger: logger)
/// try await follower.run(onCaughtUp: { ready.set() }) { record in view.apply(record) }   // until cancelled/stop()
/// // or, just the records there are now:
/// let count = try await follower.readToEnd { record in seen.insert(record.pipelineDigest) }
/// ```
///
/// Records are delivered in order within a partition; across partitions in arrival order. A topic that does not
/// exist yet is waited for (metadata is retried every ``metadataRetryInterval``). Partitions added after the start
/// are not picked up. Do not use it with topics written by transactional producers: control records occupy
/// offsets, so the last offset below the high watermark may never be delivered.
public final class TopicFollower: Sendable {
    /// The topics followed.
    public let topics: [String]
    /// How often metadata is asked again while a topic is missing.
    public let metadataRetryInterval: Duration
    private let settings: KafkaSettings
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var caughtUp = false
        var stopped = false
        var delivered: Int64 = 0
    }

    /// A follower of `topics` with `settings`' brokers.
    public init(topics: [String], settings: KafkaSettings, logger: Logger,
                metadataRetryInterval: Duration = .milliseconds(200)) {
        self.topics = topics
        self.settings = settings
        self.logger = logger
        self.metadataRetryInterval = metadataRetryInterval
    }

    /// Whether the records present at start have all been delivered (by ``run(pollInterval:onCaughtUp:_:)``).
    public var isCaughtUp: Bool { state.withLock { $0.caughtUp } }

    /// Records handed to handlers so far.
    public var deliveredCount: Int64 { state.withLock { $0.delivered } }

    /// Makes ``run(pollInterval:onCaughtUp:_:)`` return after the record it is handling.
    public func stop() { state.withLock { $0.stopped = true } }

    /// Follows the topics until ``stop()`` or cancellation: `handler` gets every record; `onCaughtUp` runs once, after
    /// the last record present at start was handled (before any later record).
    ///
    /// - Throws: `CancellationError` when cancelled; ``KafkaError`` from the client; whatever `handler` throws.
    public func run(pollInterval: Duration = .milliseconds(100), onCaughtUp: () async -> Void = {},
                    _ handler: (ConsumedMessage) async throws -> Void) async throws {
        try await follow(untilCaughtUp: false, pollInterval: pollInterval, onCaughtUp: onCaughtUp, handler)
    }

    /// Hands every record present now to `handler` and returns their number (the catch-up of ``run``, then stop).
    @discardableResult
    public func readToEnd(_ handler: (ConsumedMessage) async throws -> Void) async throws -> Int64 {
        let before = deliveredCount
        try await follow(untilCaughtUp: true, pollInterval: .milliseconds(100), onCaughtUp: {}, handler)
        return deliveredCount - before
    }

    /// Client errors that mean "no broker answered", retried like a missing topic.
    static let brokerUnreachable: Set<KafkaError.Code> = [.transport, .allBrokersDown, .timedOut]

    /// The high watermark of every partition of the topics, waiting for missing topics and for the broker.
    public func endOffsets(admin: KafkaAdmin) async throws -> [TopicPartition: Watermarks] {
        var warned = false
        var unreachable = false
        while true {
            try Task.checkCancellation()
            let metadata: ClusterMetadata
            do {
                metadata = try await admin.metadata()
            } catch let error as KafkaError where error.isRetriable || Self.brokerUnreachable.contains(error.code) {
                // The broker is away (restarting, partitioned): wait for it rather than fail; a stop still ends this.
                if !unreachable {
                    logger.warning("waiting for the broker", metadata: ["error": .string(error.description)])
                    unreachable = true
                }
                if state.withLock({ $0.stopped }) { throw CancellationError() }
                try await Task.sleep(for: metadataRetryInterval)
                continue
            }
            var partitions: [TopicPartition] = []
            var missing: [String] = []
            for name in topics {
                if let topic = metadata.topic(name), topic.error == nil, !topic.partitions.isEmpty {
                    partitions += topic.topicPartitions
                } else {
                    missing.append(name)
                }
            }
            if missing.isEmpty {
                let marks = try await admin.watermarks(for: partitions)
                // A -1 watermark is librdkafka's "unknown" (seen once on the mock): ask again.
                if marks.count == partitions.count, marks.values.allSatisfy({ $0.high >= 0 && $0.low >= 0 }) {
                    return marks
                }
            } else if !warned {
                logger.warning("waiting for topics to exist", metadata: ["topics": .array(missing.map { .string($0) })])
                warned = true
            }
            if state.withLock({ $0.stopped }) { throw CancellationError() }
            try await Task.sleep(for: metadataRetryInterval)
        }
    }

    private func follow(untilCaughtUp: Bool, pollInterval: Duration, onCaughtUp: () async -> Void,
                        _ handler: (ConsumedMessage) async throws -> Void) async throws {
        let admin = try KafkaAdmin(configuration: settings.admin())
        let marks = try await endOffsets(admin: admin)
        var remaining: [TopicPartition: Int64] = [:]   // partition → high watermark still to reach
        for (partition, mark) in marks where mark.high > mark.low { remaining[partition] = mark.high }
        let consumer = try KafkaConsumer(configuration: settings.consumer(group: nil, fetchMaxBytes: Topics.maxGCCFRecordBytes))
        do {
            try await consumer.assign(marks.keys.sorted().map { TopicPartitionOffset($0, .beginning) })
            var announced = false
            func announceIfDone() async {
                if !announced && remaining.isEmpty {
                    announced = true
                    state.withLock { $0.caughtUp = true }
                    logger.debug("caught up", metadata: ["topics": .array(topics.map { .string($0) })])
                    await onCaughtUp()
                }
            }
            await announceIfDone()
            while !(untilCaughtUp && announced) {
                try Task.checkCancellation()
                if state.withLock({ $0.stopped }) { break }
                guard let record = try await consumer.poll(timeout: pollInterval) else { continue }
                try await handler(record)
                state.withLock { $0.delivered += 1 }
                if let high = remaining[record.topicPartition], record.nextOffset >= high {
                    remaining[record.topicPartition] = nil
                }
                await announceIfDone()
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }
}

/// A ``TopicFollower`` as a ``Service``: follows until graceful shutdown (then returns after the record at hand).
public struct FollowerService: Service {
    public let follower: TopicFollower
    public let name: String
    private let logger: Logger
    private let onCaughtUp: @Sendable () async -> Void
    private let handler: @Sendable (ConsumedMessage) async throws -> Void

    /// `handler` gets every record, `onCaughtUp` runs once after the records present at start.
    public init(follower: TopicFollower, name: String, logger: Logger, onCaughtUp: @escaping @Sendable () async -> Void = {},
                _ handler: @escaping @Sendable (ConsumedMessage) async throws -> Void) {
        self.follower = follower
        self.name = name
        self.logger = logger
        self.onCaughtUp = onCaughtUp
        self.handler = handler
    }

    public func run() async throws {
        logger.info("following", metadata: ["follower": .string(name), "topics": .array(follower.topics.map { .string($0) })])
        try await withGracefulShutdownHandler {
            try await follower.run(onCaughtUp: onCaughtUp, handler)
        } onGracefulShutdown: { [follower] in
            follower.stop()
        }
    }
}
