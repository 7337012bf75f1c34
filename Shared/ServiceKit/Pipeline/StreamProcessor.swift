public import Kafka
import Synchronization

/// What a ``StreamProcessor`` runs for each record.
///
/// `process` is called for one record at a time, in order per partition. Bad input must not throw: turn it into a
/// rejection output. Whatever `process` still throws is treated as a poison record: ``poisonOutputs(for:error:)``
/// says what to produce instead (normally a ``RejectionRecord``), and processing goes on.
public protocol StreamHandler: Sendable {
    /// The records to produce for `record` (possibly none). They are acknowledged before the record's offset is
    /// committed.
    func process(_ record: ConsumedMessage) async throws -> [OutgoingMessage]

    /// The records to produce for a record `process` threw on (normally one rejection).
    func poisonOutputs(for record: ConsumedMessage, error: any Error) -> [OutgoingMessage]

    /// The outcome of several records at once, in order (one result per record): the records the consumer had already
    /// fetched, so a handler can decide them in one step (one actor hop instead of one per record). The default calls
    /// ``process(_:)`` for each. A failed record becomes ``poisonOutputs(for:error:)``; a `CancellationError` stops the
    /// loop. Every record must get exactly one result (records are never processed twice).
    func processBatch(_ records: [ConsumedMessage]) async -> [Result<[OutgoingMessage], any Error>]

    /// Called before the first record of newly assigned partitions is processed (e.g. to rebuild state).
    func partitionsAssigned(_ partitions: [TopicPartition]) async throws

    /// Called after partitions were revoked (their committable offsets are already committed).
    func partitionsRevoked(_ partitions: [TopicPartition]) async
}

extension StreamHandler {
    public func processBatch(_ records: [ConsumedMessage]) async -> [Result<[OutgoingMessage], any Error>] {
        var out: [Result<[OutgoingMessage], any Error>] = []
        out.reserveCapacity(records.count)
        for record in records {
            do {
                out.append(.success(try await process(record)))
            } catch {
                out.append(.failure(error))
            }
        }
        return out
    }

    public func partitionsAssigned(_ partitions: [TopicPartition]) async throws {}
    public func partitionsRevoked(_ partitions: [TopicPartition]) async {}
}

/// Settings of a ``StreamProcessor``.
public struct StreamProcessorConfiguration: Sendable {
    /// The topics consumed (already prefixed).
    public var inputTopics: [String]
    /// The consumer group id without the topic prefix (``KafkaSettings`` adds it), e.g. ``ConsumerGroups/quorumValidator``.
    public var group: String
    /// Commit at least this often while records flow.
    public var commitInterval: Duration = .milliseconds(250)
    /// Commit after this many records even before ``commitInterval``.
    public var commitEvery: Int = 1_000
    /// Records whose outputs may be unacknowledged at once before reading pauses.
    public var maxInFlightRecords: Int = 5_000
    /// How long one poll waits.
    public var pollInterval: Duration = .milliseconds(100)
    /// The most records handed to ``StreamHandler/processBatch(_:)`` at once (those already fetched).
    public var maxBatch: Int = 256
    /// Pause before producing a failed output again.
    public var retryBackoff: Duration = .milliseconds(500)
    /// How long shutdown waits for outstanding acknowledgements before committing what is done.
    public var shutdownTimeout: Duration = .seconds(10)
    /// `session.timeout.ms` of the group (how long a crashed member keeps its partitions).
    public var sessionTimeout: Duration = .seconds(10)
    /// `message.max.bytes` of the producer (nil: librdkafka's default, about 1 MB).
    public var messageMaxBytes: Int?

    public init(inputTopics: [String], group: String) {
        self.inputTopics = inputTopics
        self.group = group
    }
}

/// A snapshot of a processor's progress, for `/healthz` and tests.
public struct StreamProcessorStatus: Sendable, Hashable {
    /// Whether the loop is running (subscribed, not stopped).
    public var running: Bool
    /// The partitions currently assigned.
    public var assigned: [TopicPartition]
    public var processed: Int64
    public var poison: Int64
    public var committed: Int64
}

/// The consumer-group loop every pipeline stage runs: record → handler → outputs produced and acknowledged →
/// next offset committed.
///
/// - Offsets are committed only after every output of the record and of all earlier records of the partition is
///   acknowledged (at-least-once; readers dedupe by `scms-digest`). Commits are batched (``StreamProcessorConfiguration/commitInterval``,
///   ``StreamProcessorConfiguration/commitEvery``, and whenever input is idle).
/// - Outputs are produced without waiting for each other (the producer is idempotent, so order per partition
///   holds); a failed delivery is produced again after a pause, and nothing after it is committed meanwhile.
/// - On revocation the committable offsets of the revoked partitions are committed inside the rebalance callback.
/// - Graceful shutdown (``ServiceGroup``: SIGTERM) finishes the record at hand, waits for outstanding
///   acknowledgements, commits, leaves the group and returns.
/// - Poison records (the handler throws) become ``StreamHandler/poisonOutputs(for:error:)`` and never stop the loop.
///
/// Metrics: `scms_pipeline_records_total{topic}`, `scms_pipeline_outputs_total{topic}`,
/// `scms_pipeline_poison_total`, `scms_pipeline_delivery_failures_total`, `scms_pipeline_commits_total`,
/// `scms_pipeline_commit_failures_total`, `scms_pipeline_in_flight_records`, `scms_pipeline_process_seconds`.
public final class StreamProcessor: Service, Sendable {
    public let configuration: StreamProcessorConfiguration
    private let settings: KafkaSettings
    private let handler: any StreamHandler
    private let logger: Logger
    private let tracker = InFlightRecords()
    private let shared = Mutex(Shared())
    private let registry: MetricsRegistry
    private let counters: CounterCache
    private let processSeconds: Histogram

    private struct Shared {
        var stopping = false
        var running = false
        var events: [RebalanceEvent] = []
        var assigned: Set<TopicPartition> = []
        var processed: Int64 = 0
        var poison: Int64 = 0
        var committed: Int64 = 0
    }

    private enum RebalanceEvent: Sendable {
        case assigned([TopicPartition])
        case revoked([TopicPartition])
    }

    /// A processor of `configuration.inputTopics` with `handler`. Nothing runs until ``run()``.
    public init(configuration: StreamProcessorConfiguration, settings: KafkaSettings, handler: any StreamHandler,
                logger: Logger, registry: MetricsRegistry = MetricsSystem.registry) {
        self.configuration = configuration
        self.settings = settings
        self.handler = handler
        self.logger = logger
        self.registry = registry
        self.counters = CounterCache(registry: registry)
        self.processSeconds = Histogram(label: "scms_pipeline_process_seconds", help: "Time the handler took per record.",
                                        registry: registry)
    }

    /// Progress so far.
    public var status: StreamProcessorStatus {
        shared.withLock {
            StreamProcessorStatus(running: $0.running, assigned: $0.assigned.sorted(), processed: $0.processed,
                                  poison: $0.poison, committed: $0.committed)
        }
    }

    /// A `/healthz` check: healthy while the loop runs, with the assignment as detail.
    public func healthCheck() -> HealthStatus {
        let status = self.status
        guard status.running else { return .unhealthy(reason: "not consuming") }
        return .healthy(detail: "\(status.assigned.count) partitions assigned, \(status.processed) records processed")
    }

    /// Asks the loop to stop after the record at hand (what graceful shutdown does).
    public func stop() { shared.withLock { $0.stopping = true } }

    private var isStopping: Bool { shared.withLock { $0.stopping } }

    /// Runs the loop until graceful shutdown, ``stop()`` or cancellation (cancellation skips the final commit).
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await loop()
        } onGracefulShutdown: { [self] in
            stop()
        }
    }

    private func loop() async throws {
        var consumerConfiguration = settings.consumer(group: configuration.group)
        consumerConfiguration.sessionTimeout = configuration.sessionTimeout
        consumerConfiguration.heartbeatInterval = min(.seconds(3), configuration.sessionTimeout / 3)
        let consumer = try KafkaConsumer(configuration: consumerConfiguration)
        var producerConfiguration = settings.producer(messageMaxBytes: configuration.messageMaxBytes)
        producerConfiguration.maxInFlight = max(1_000, configuration.maxInFlightRecords * 2)
        let producer: KafkaProducer
        do {
            producer = try KafkaProducer(configuration: producerConfiguration)
        } catch {
            await consumer.close()
            throw error
        }
        registry.registerGauge("scms_pipeline_in_flight_records", help: "Records whose outputs await acknowledgement.") {
            [tracker] in Double(tracker.count)
        }

        let rebalance = RebalanceHandler(onAssign: { [self] _, partitions in
            tracker.assign(partitions)
            shared.withLock {
                $0.assigned.formUnion(partitions)
                $0.events.append(.assigned(partitions))
            }
            logger.info("partitions assigned", metadata: ["partitions": .array(partitions.map { .string($0.description) })])
        }, onRevoke: { [self] context, partitions in
            let offsets = tracker.committable(only: Set(partitions))
            if !context.isAssignmentLost && !offsets.isEmpty {
                do {
                    try context.commit(offsets)
                    tracker.markCommitted(offsets)
                    countCommit(offsets)
                } catch {
                    Counter(label: "scms_pipeline_commit_failures_total", help: "Failed offset commits.",
                            registry: registry).increment()
                    logger.warning("commit on revoke failed", metadata: ["error": .string("\(error)")])
                }
            }
            tracker.drop(partitions)
            shared.withLock {
                $0.assigned.subtract(partitions)
                $0.events.append(.revoked(partitions))
            }
            logger.info("partitions revoked", metadata: ["partitions": .array(partitions.map { .string($0.description) }),
                                                        "lost": .string("\(context.isAssignmentLost)")])
        })

        shared.withLock { $0.running = true }
        defer { shared.withLock { $0.running = false } }
        do {
            try await consumer.subscribe(topics: configuration.inputTopics, rebalance: rebalance)
            logger.info("consuming", metadata: ["topics": .array(configuration.inputTopics.map { .string($0) }),
                                                "group": .string(consumer.groupID ?? "")])
            try await process(consumer: consumer, producer: producer)
        } catch {
            // Cancellation or a fatal client error: nothing more is committed.
            await consumer.close()
            await producer.close(timeout: .seconds(1))
            throw error
        }
        // Graceful: wait for outstanding acknowledgements, commit what is done, leave the group.
        let deadline = ContinuousClock.now + configuration.shutdownTimeout
        while tracker.count > 0 && ContinuousClock.now < deadline {
            await retryFailed(producer: producer)
            try? await Task.sleep(for: .milliseconds(10))
        }
        await commit(consumer)
        await consumer.close()
        await producer.close()
        logger.info("stopped consuming", metadata: ["processed": .string("\(status.processed)"),
                                                    "unacknowledged": .string("\(tracker.count)")])
    }

    private func process(consumer: KafkaConsumer, producer: KafkaProducer) async throws {
        let clock = ContinuousClock()
        var lastCommit = clock.now
        var sinceCommit = 0
        while !isStopping {
            try Task.checkCancellation()
            try await handleRebalanceEvents()
            await retryFailed(producer: producer)
            if sinceCommit >= configuration.commitEvery || lastCommit.duration(to: clock.now) >= configuration.commitInterval {
                await commit(consumer)
                lastCommit = clock.now
                sinceCommit = 0
            }
            while tracker.count >= configuration.maxInFlightRecords && !isStopping {
                await retryFailed(producer: producer)
                try await Task.sleep(for: .milliseconds(2))
            }
            guard let record = try await consumer.poll(timeout: configuration.pollInterval) else {
                await commit(consumer)
                lastCommit = clock.now
                sinceCommit = 0
                continue
            }
            // A batch: this record and those already fetched behind it.
            var batch = [record]
            while batch.count < configuration.maxBatch, consumer.bufferedCount > 0,
                  let next = try await consumer.poll(timeout: .milliseconds(1)) {
                batch.append(next)
            }
            try await handleRebalanceEvents()
            batch.removeAll { !tracker.isAssigned($0.topicPartition) }
            guard !batch.isEmpty else { continue }
            try await handle(batch, producer: producer)
            sinceCommit += batch.count
        }
    }

    private func handleRebalanceEvents() async throws {
        let events = shared.withLock { s -> [RebalanceEvent] in
            defer { s.events = [] }
            return s.events
        }
        for event in events {
            switch event {
            case .assigned(let partitions): try await handler.partitionsAssigned(partitions)
            case .revoked(let partitions): await handler.partitionsRevoked(partitions)
            }
        }
    }

    private func handle(_ batch: [ConsumedMessage], producer: KafkaProducer) async throws {
        var consumed: (topic: String, counter: Counter)?
        for record in batch {
            if consumed?.topic != record.topic {
                consumed = (record.topic, counters.counter("scms_pipeline_records_total", topic: record.topic,
                                                           help: "Records consumed."))
            }
            consumed?.counter.increment()
        }
        let start = ContinuousClock.now
        let results = await handler.processBatch(batch)
        precondition(results.count == batch.count, "processBatch returned \(results.count) results for \(batch.count) records")
        let perRecord = start.duration(to: .now).seconds / Double(batch.count)
        for (record, result) in zip(batch, results) {
            processSeconds.observe(perRecord)
            let outputs: [OutgoingMessage]
            switch result {
            case .success(let value): outputs = value
            case .failure(let error as CancellationError): throw error
            case .failure(let error): outputs = poison(record, error)
            }
            try await deliver(outputs, of: record, producer: producer)
        }
    }

    private func deliver(_ outputs: [OutgoingMessage], of record: ConsumedMessage, producer: KafkaProducer) async throws {
        var outputs = outputs
        // A partition revoked while the handler ran is not tracked any more (generation 0 matches no track), but its
        // outputs are still produced: the handler may have recorded them in its state (dedupe sets), and the new
        // owner processes the record again anyway (readers drop the duplicate by digest).
        let generation = tracker.begin(record, outputs: outputs.count) ?? 0
        var index = 0
        var replaced = false
        while index < outputs.count {
            let message = outputs[index]
            do {
                try await send(message, partition: record.topicPartition, generation: generation, offset: record.offset,
                               producer: producer)
                index += 1
            } catch let error as KafkaError where error.isRetriable || error.code == .queueFull {
                try await Task.sleep(for: .milliseconds(10))
            } catch let error as KafkaError where error.code == .closed {
                throw error
            } catch {
                // The output itself is unacceptable (e.g. too large): reject the input instead, once.
                logger.error("output refused by the producer", metadata: ["topic": .string(message.topic),
                                                                          "source": .string(RecordPosition(record).description),
                                                                          "error": .string("\(error)")])
                let replacement = replaced ? [] : poison(record, error)
                replaced = true
                outputs.remove(at: index)
                outputs.insert(contentsOf: replacement, at: index)
                // Count the replacements as pending before the refused output stops being pending.
                tracker.addPending(record.topicPartition, generation: generation, offset: record.offset,
                                   count: replacement.count)
                tracker.delivered(record.topicPartition, generation: generation, offset: record.offset, failed: nil)
            }
        }
        shared.withLock { $0.processed += 1 }
    }

    private func poison(_ record: ConsumedMessage, _ error: any Error) -> [OutgoingMessage] {
        shared.withLock { $0.poison += 1 }
        Counter(label: "scms_pipeline_poison_total", help: "Records the handler failed on.", registry: registry).increment()
        logger.error("handler failed on a record", metadata: ["source": .string(RecordPosition(record).description),
                                                              "error": .string("\(error)")])
        return handler.poisonOutputs(for: record, error: error)
    }

    private func send(_ message: OutgoingMessage, partition: TopicPartition, generation: UInt64, offset: Int64,
                      producer: KafkaProducer) async throws {
        let tracker = self.tracker
        let registry = self.registry
        let logger = self.logger
        let acknowledged = counters.counter("scms_pipeline_outputs_total", topic: message.topic,
                                            help: "Output records acknowledged.")
        try await producer.enqueue(message) { result in
            switch result {
            case .success:
                acknowledged.increment()
                tracker.delivered(partition, generation: generation, offset: offset, failed: nil)
            case .failure(let error):
                Counter(label: "scms_pipeline_delivery_failures_total", help: "Output deliveries that failed (retried).",
                        registry: registry).increment()
                logger.warning("delivery failed; will produce again", metadata: ["topic": .string(message.topic),
                                                                                "error": .string("\(error)")])
                tracker.delivered(partition, generation: generation, offset: offset, failed: message)
            }
        }
    }

    private func retryFailed(producer: KafkaProducer) async {
        let retries = tracker.takeFailed()
        guard !retries.isEmpty else { return }
        try? await Task.sleep(for: configuration.retryBackoff)
        for retry in retries {
            do {
                try await send(retry.message, partition: retry.partition, generation: retry.generation,
                               offset: retry.offset, producer: producer)
            } catch {
                // Refused again (or closing): it stays failed; the next round produces it again.
                tracker.delivered(retry.partition, generation: retry.generation, offset: retry.offset,
                                  failed: retry.message)
            }
        }
    }

    private func commit(_ consumer: KafkaConsumer) async {
        let offsets = tracker.committable()
        guard !offsets.isEmpty else { return }
        do {
            // Bounded, so a gone coordinator cannot hold the loop (or its shutdown); what is not committed now
            // is committed with the next commit.
            try await consumer.commit(offsets, timeout: configuration.shutdownTimeout)
            tracker.markCommitted(offsets)
            countCommit(offsets)
        } catch {
            Counter(label: "scms_pipeline_commit_failures_total", help: "Failed offset commits.", registry: registry).increment()
            logger.warning("commit failed", metadata: ["error": .string("\(error)")])
        }
    }

    private func countCommit(_ offsets: [TopicPartition: Int64]) {
        shared.withLock { $0.committed += 1 }
        Counter(label: "scms_pipeline_commits_total", help: "Offset commits.", registry: registry).increment()
        logger.debug("committed", metadata: ["offsets": .dictionary(Dictionary(uniqueKeysWithValues: offsets.map {
            ($0.key.description, .string(String($0.value)))
        }))])
    }
}

/// Per-topic counters, created once.
final class CounterCache: Sendable {
    private let registry: MetricsRegistry
    private struct Key: Hashable {
        var label: String
        var topic: String
    }

    private let counters = Mutex<[Key: Counter]>([:])

    init(registry: MetricsRegistry) { self.registry = registry }

    func counter(_ label: String, topic: String, help: String) -> Counter {
        let key = Key(label: label, topic: topic)
        if let known = counters.withLock({ $0[key] }) { return known }
        let counter = Counter(label: label, dimensions: [("topic", topic)], help: help, registry: registry)
        counters.withLock { $0[key] = counter }
        return counter
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
