import CRdKafka
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A Kafka consumer: group membership (``subscribe(topics:rebalance:)``) or manual assignment
/// (``assign(_:)``), explicit commits of the next offset to process, seek, pause and resume.
///
/// A dedicated poll thread drives librdkafka (`rd_kafka_consumer_poll`), runs rebalance callbacks, and
/// fills a bounded buffer (``ConsumerConfiguration/bufferCapacity`` records); it stops polling while the
/// buffer is full. Readers take records from ``messages`` or ``poll(timeout:)`` without ever blocking a
/// thread of the cooperative pool. Calls that block inside librdkafka (commit, committed offsets) run on a
/// dispatch queue. Tombstones arrive as records whose ``ConsumedMessage/value`` is nil.
///
/// Seek, pause and assignment changes run on the poll thread and drop the affected partitions' buffered
/// records, so no record from before the change is read after it. Pausing rewinds to the first dropped
/// record, so nothing is skipped on resume.
///
/// Call ``close()`` when done: it leaves the group (running the revoke handler one last time, so the owner
/// can commit) and ends ``messages``; records still buffered and unread are dropped (nothing was committed
/// for them, so a successor reads them again).
public final class KafkaConsumer: Sendable {
    private let client: RDClient
    private let queue: ConsumerQueue
    private let buffer: MessageBuffer
    private let router: RebalanceRouter
    private let commands: CommandQueue
    private let poller: PollThread
    /// The configured `group.id`.
    public let groupID: String?

    /// Creates the consumer and starts its poll thread. It reads nothing until ``subscribe(topics:rebalance:)``
    /// or ``assign(_:)``.
    ///
    /// - Throws: ``KafkaError`` (``KafkaError/Code/invalidArgument``) with librdkafka's message when a setting
    ///   is unknown or invalid; nothing is left allocated.
    public init(configuration: ConsumerConfiguration) throws {
        let buffer = MessageBuffer(capacity: configuration.bufferCapacity)
        let router = RebalanceRouter(buffer: buffer)
        let context = ClientContext(configuration.client, rebalance: router)
        var properties = configuration.properties()
        if configuration.groupID == nil && configuration.client[property: "group.id"] == nil {
            // librdkafka only runs its consumer queue with a group; an unused id keeps manual
            // assignment working without joining anything (nothing is committed unless asked).
            properties.append(("group.id", "scms-unjoined-\(UInt64.random(in: 0...UInt64.max))"))
        }
        let client = try RDClient(type: RD_KAFKA_CONSUMER, properties: properties, context: context) {
            rd_kafka_conf_set_rebalance_cb($0, rebalanceCallback)
        }
        // Route the main queue (errors, statistics, rebalances) to the consumer queue the poll thread serves.
        _ = rd_kafka_poll_set_consumer(client.handle)
        let queue = ConsumerQueue(client: client)
        let commands = CommandQueue()
        self.client = client
        self.queue = queue
        self.buffer = buffer
        self.router = router
        self.commands = commands
        self.groupID = configuration.groupID ?? configuration.client[property: "group.id"]
        let pollMilliseconds = Int32(configuration.pollInterval.timeoutMilliseconds)
        let onError = configuration.client.onError
        let closeTimeout = configuration.client.closeTimeout
        self.poller = PollThread(name: "kafka-consumer-poll") { thread in
            pollLoop(thread: thread, client: client, router: router, buffer: buffer, commands: commands,
                     pollMilliseconds: pollMilliseconds, closeTimeout: closeTimeout, onError: onError)
        }
    }

    deinit {
        commands.close()
        queue.wake()
        poller.stop()
    }

    // MARK: Reading

    /// The records, in order per partition. Ends after ``close()``; throws a fatal consumer error.
    public var messages: ConsumerMessages { ConsumerMessages(buffer: buffer) }

    /// The next record, or nil if none arrives within `timeout` (or the consumer is closed).
    public func poll(timeout: Duration) async throws -> ConsumedMessage? {
        try await buffer.next(timeout: timeout)
    }

    // MARK: Group membership and assignment

    /// Joins the consumer group and subscribes to `topics`; `rebalance` is told about assignments and,
    /// before they take effect, revocations.
    ///
    /// - Throws: ``KafkaError`` if the consumer has no `group.id` (``KafkaError/Code/invalidArgument``) or
    ///   librdkafka refuses the subscription.
    public func subscribe(topics: [String], rebalance: RebalanceHandler = RebalanceHandler()) async throws {
        guard groupID != nil else {
            throw KafkaError(code: .invalidArgument, message: "subscribe needs a group.id", operation: "subscribe")
        }
        router.handler.withLock { $0 = rebalance }
        let client = self.client
        try await Blocking.run { () throws(KafkaError) in
            let list = makePartitionList(topics.map { (TopicPartition($0, RD_KAFKA_PARTITION_UA), 0) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try KafkaError.check(rd_kafka_subscribe(client.handle, list), "subscribe")
        }
    }

    /// Leaves the subscription (the revoke handler runs for the current assignment).
    public func unsubscribe() async throws {
        let client = self.client
        try await Blocking.run { () throws(KafkaError) in
            try KafkaError.check(rd_kafka_unsubscribe(client.handle), "unsubscribe")
        }
    }

    /// The longest ``assign(_:)`` waits for the partitions' leaders per topic before it assigns anyway.
    public static let leaderLookupTimeout: Duration = .seconds(1)

    /// Reads exactly these partitions from these positions, without joining a group. Replaces the
    /// previous assignment; buffered records of the previous assignment are dropped.
    ///
    /// The partitions' leaders are asked for first (at most ``leaderLookupTimeout``, best effort): librdkafka 2.0.2
    /// assigned a partition whose leader it does not know yet retries its start-offset query only after a fixed
    /// 500 ms ("no current leader for partition"), which made every read from the beginning take half a second.
    public func assign(_ partitions: [TopicPartitionOffset]) async throws {
        let topics = Set(partitions.map(\.topicPartition.topic))
        try await run("assign") { rk, buffer throws(KafkaError) in
            lookUpLeaders(rk, topics: topics, timeout: Self.leaderLookupTimeout)
            _ = buffer.purge { _ in true }
            let list = makePartitionList(partitions.map { ($0.topicPartition, $0.offset.rawValue) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try KafkaError.check(rd_kafka_assign(rk, list), "assign")
        }
    }

    /// Drops the manual assignment.
    public func unassign() async throws {
        try await run("assign") { rk, buffer throws(KafkaError) in
            _ = buffer.purge { _ in true }
            try KafkaError.check(rd_kafka_assign(rk, nil), "assign")
        }
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() async throws -> [TopicPartition] {
        let client = self.client
        return try await Blocking.run { () throws(KafkaError) in
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>? = nil
            try KafkaError.check(rd_kafka_assignment(client.handle, &list), "assignment")
            defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
            return readPartitionList(list).map(\.topicPartition).sorted()
        }
    }

    // MARK: Positioning

    /// Moves assigned partitions to new positions. Buffered records of those partitions are dropped, so
    /// the next record read from each is the one at its new position.
    public func seek(_ positions: [TopicPartitionOffset]) async throws {
        try await run("seek") { rk, buffer throws(KafkaError) in
            let moved = Set(positions.map(\.topicPartition))
            _ = buffer.purge { moved.contains($0.topicPartition) }
            try seekPartitions(rk, positions.map { ($0.topicPartition, $0.offset.rawValue) })
        }
    }

    /// Stops fetching `partitions`. Their buffered, unread records are dropped and the partitions rewound
    /// to the first of them, so ``resume(_:)`` continues without a gap.
    public func pause(_ partitions: [TopicPartition]) async throws {
        try await run("pause") { rk, buffer throws(KafkaError) in
            let list = makePartitionList(partitions.map { ($0, 0) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try KafkaError.check(rd_kafka_pause_partitions(rk, list), "pause")
            let paused = Set(partitions)
            var rewind: [TopicPartition: Int64] = [:]
            for message in buffer.purge({ paused.contains($0.topicPartition) }) where rewind[message.topicPartition] == nil {
                rewind[message.topicPartition] = message.offset
            }
            if !rewind.isEmpty { try seekPartitions(rk, rewind.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) }
        }
    }

    /// Resumes fetching paused partitions.
    public func resume(_ partitions: [TopicPartition]) async throws {
        try await run("resume") { rk, _ throws(KafkaError) in
            let list = makePartitionList(partitions.map { ($0, 0) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try KafkaError.check(rd_kafka_resume_partitions(rk, list), "resume")
        }
    }

    // MARK: Offsets

    /// Commits, and waits for the broker to store, the next offset to process for each partition
    /// (the offset after the last record the owner finished with).
    ///
    /// - Parameter timeout: how long to wait for the broker's answer; nil waits as long as librdkafka does
    ///   (with the group coordinator unreachable, that can be minutes). A commit that times out throws
    ///   ``KafkaError/Code/timedOut`` and may still be stored later.
    public func commit(_ offsets: [TopicPartition: Int64], timeout: Duration? = nil) async throws {
        let client = self.client
        let deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
        try await Blocking.run { () throws(KafkaError) in
            if let deadline {
                try commitSynchronously(client.handle, offsets, deadline: deadline)
            } else {
                try commitSynchronously(client.handle, offsets)
            }
        }
    }

    /// Commits `message.offset + 1` for the message's partition.
    public func commit(_ message: ConsumedMessage) async throws {
        try await commit([message.topicPartition: message.nextOffset])
    }

    /// Starts a commit without waiting for it; failures are not reported.
    public func scheduleCommit(_ offsets: [TopicPartition: Int64]) throws {
        guard !offsets.isEmpty else { return }
        let list = makePartitionList(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_commit(client.handle, list, 1)
        try KafkaError.check(err, "commit")
    }

    /// The group's committed offsets (next offset to process) for `partitions`; nil where none is committed.
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(10)) async throws
        -> [TopicPartition: Int64?] {
        let client = self.client
        let ms = timeout.timeoutMilliseconds
        return try await Blocking.run { () throws(KafkaError) in
            let list = makePartitionList(partitions.map { ($0, -1001) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try KafkaError.check(rd_kafka_committed(client.handle, list, ms), "committed")
            var out: [TopicPartition: Int64?] = [:]
            for entry in readPartitionList(list) {
                if entry.error != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(entry.error, operation: "committed") }
                out[entry.topicPartition] = entry.offset >= 0 ? entry.offset : nil
            }
            return out
        }
    }

    // MARK: Shutdown

    /// Leaves the group (the revoke handler runs first), stops the poll thread and ends ``messages``;
    /// buffered, unread records are dropped. Idempotent.
    ///
    /// Bounded by ``KafkaConfiguration/closeTimeout``: the group is left through librdkafka's non-blocking close
    /// (`rd_kafka_consumer_close_queue`), and a commit the revoke handler makes meanwhile gives up at the same
    /// deadline. If the close has not finished by then (the group coordinator is unreachable), it is abandoned
    /// and the handle is later destroyed without closing it again, so neither this call nor the release of the
    /// consumer waits on the broker.
    public func close() async {
        commands.close()
        queue.wake()
        await poller.stopAsync()
    }

    /// Records buffered and not read yet.
    public var bufferedCount: Int { buffer.count }

    // MARK: Private

    /// Runs `body` on the poll thread between polls and waits for it.
    private func run(_ operation: String,
                     _ body: @escaping @Sendable (OpaquePointer, MessageBuffer) throws(KafkaError) -> Void) async throws {
        let result: Result<Void, KafkaError> = await withCheckedContinuation { continuation in
            let command = PollCommand(body: body) { continuation.resume(returning: $0) }
            if commands.post(command) {
                queue.wake()
            } else {
                continuation.resume(returning: .failure(KafkaError(code: .closed, operation: operation)))
            }
        }
        try result.get()
    }
}

/// The records of a ``KafkaConsumer``.
public struct ConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = ConsumedMessage
    let buffer: MessageBuffer

    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: MessageBuffer
        public mutating func next() async throws -> ConsumedMessage? {
            try await buffer.next(timeout: nil)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}

// MARK: - Poll thread

/// Work for the poll thread.
final class PollCommand: Sendable {
    let body: @Sendable (OpaquePointer, MessageBuffer) throws(KafkaError) -> Void
    let completion: @Sendable (Result<Void, KafkaError>) -> Void

    init(body: @escaping @Sendable (OpaquePointer, MessageBuffer) throws(KafkaError) -> Void,
         completion: @escaping @Sendable (Result<Void, KafkaError>) -> Void) {
        self.body = body
        self.completion = completion
    }

    func run(_ rk: OpaquePointer, _ buffer: MessageBuffer) {
        do throws(KafkaError) {
            try body(rk, buffer)
            completion(.success(()))
        } catch {
            completion(.failure(error))
        }
    }
}

final class CommandQueue: Sendable {
    private let state = Mutex<(commands: [PollCommand], closed: Bool)>(([], false))

    /// Queues a command; false once the consumer is closing.
    func post(_ command: PollCommand) -> Bool {
        state.withLock { s in
            if s.closed { return false }
            s.commands.append(command)
            return true
        }
    }

    func drain() -> [PollCommand] {
        state.withLock { s in
            defer { s.commands = [] }
            return s.commands
        }
    }

    /// Refuses further commands and returns the ones still queued.
    @discardableResult
    func close() -> [PollCommand] {
        state.withLock { s in
            s.closed = true
            defer { s.commands = [] }
            return s.commands
        }
    }
}

/// The consumer queue handle, kept to interrupt a blocking poll. Destroyed before the client.
final class ConsumerQueue: Sendable {
    private let client: RDClient
    private let queue: RawHandle?

    init(client: RDClient) {
        self.client = client
        self.queue = rd_kafka_queue_get_consumer(client.handle).map(RawHandle.init(pointer:))
    }

    deinit {
        if let queue { rd_kafka_queue_destroy(queue.pointer) }
    }

    /// Makes a blocking `rd_kafka_consumer_poll` return now.
    func wake() {
        if let queue { rd_kafka_queue_yield(queue.pointer) }
    }
}

private func pollLoop(thread: PollThread, client: RDClient, router: RebalanceRouter, buffer: MessageBuffer,
                      commands: CommandQueue, pollMilliseconds: Int32, closeTimeout: Duration,
                      onError: (@Sendable (KafkaError) -> Void)?) {
    let rk = client.handle
    var topicNames = TopicNameCache()
    var fatal: KafkaError?
    var batch: [PendingMessage] = []
    batch.reserveCapacity(maxPollBatch)
    polling: while true {
        for command in commands.drain() { command.run(rk, buffer) }
        if thread.isStopping { break }
        guard buffer.waitForSpace(milliseconds: Int(pollMilliseconds)) else { continue }
        // Poll a batch (the first poll may wait, the rest only take what librdkafka already has) and hand
        // it over under one lock.
        let limit = min(maxPollBatch, max(1, buffer.room))
        var timeout = pollMilliseconds
        while batch.count < limit, let message = rd_kafka_consumer_poll(rk, timeout) {
            timeout = 0
            let err = message.pointee.err
            if err == RD_KAFKA_RESP_ERR_NO_ERROR {
                // Ownership moves to the buffer; the reader that takes it copies and destroys it.
                batch.append(PendingMessage(message, topic: topicNames.name(message.pointee.rkt)))
                continue
            }
            defer { rd_kafka_message_destroy(message) }
            if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                continue
            } else if err == RD_KAFKA_RESP_ERR__FATAL {
                var errstr = [CChar](repeating: 0, count: 512)
                let code = rd_kafka_fatal_error(rk, &errstr, errstr.count)
                let error = KafkaError(code: KafkaError.Code(rawValue: code.rawValue), message: cText(errstr),
                                       operation: "consume", isFatal: true)
                fatal = error
                onError?(error)
                break polling
            } else {
                onError?(KafkaError(err, operation: "consume", message: messageErrorText(message)))
            }
        }
        // A revoke inside one of those polls: drop what was polled before it for the revoked partitions.
        let revoked = router.takeRevocations()
        if revoked.all || !revoked.partitions.isEmpty {
            let stale = revoked.all ? batch : batch.filter { revoked.partitions.contains($0.topicPartition) }
            for message in stale { message.discard() }
            if revoked.all { batch.removeAll() } else { batch.removeAll { revoked.partitions.contains($0.topicPartition) } }
        }
        buffer.push(contentsOf: batch)
        batch.removeAll(keepingCapacity: true)
    }
    for message in batch { message.discard() }
    for command in commands.close() { command.completion(.failure(KafkaError(code: .closed, operation: "consumer"))) }
    // Leaves the group; librdkafka runs the revoke callback (and the owner's handler) on this thread.
    if !closeConsumer(rk, router: router, deadline: ContinuousClock.now.advanced(by: closeTimeout)) {
        client.skipConsumerCloseOnDestroy()
    }
    buffer.finish(failure: fatal)
}

/// Closes the consumer through librdkafka's non-blocking close, serving what it posts on this thread until
/// the close finished or `deadline` passed. Returns whether it finished.
///
/// The close forwards the consumer queue (records still being fetched, errors, rebalances) to `queue`, so
/// it is served as events: a rebalance goes to the router as the rebalance callback would (the owner's
/// revoke handler runs here), everything else is dropped. (Serving it with callbacks instead trips
/// librdkafka's assertion on a fetched record, which has no callback.) `rd_kafka_consumer_close` would
/// wait for the group coordinator as long as its requests take (with the broker gone, tens of seconds).
private func closeConsumer(_ rk: OpaquePointer, router: RebalanceRouter, deadline: ContinuousClock.Instant) -> Bool {
    guard let queue = rd_kafka_queue_new(rk) else { return false }
    // Destroyed (disabled) on return: whatever librdkafka still posts for the abandoned close is dropped.
    defer { rd_kafka_queue_destroy(queue) }
    router.setCloseDeadline(deadline)
    if let error = rd_kafka_consumer_close_queue(rk, queue) {
        rd_kafka_error_destroy(error)
        return false
    }
    while rd_kafka_consumer_closed(rk) == 0 {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return false }
        guard let event = rd_kafka_queue_poll(queue, min(100, remaining.timeoutMilliseconds)) else { continue }
        if rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE {
            router.rebalance(rk, rd_kafka_event_error(event), rd_kafka_event_topic_partition_list(event))
        }
        rd_kafka_event_destroy(event)
    }
    return true
}

/// Asks for the metadata of `topics` (one request per topic, each waiting at most `timeout`), so librdkafka's cache
/// knows their leaders. Failures are ignored: without the leaders an assignment still works, only later.
private func lookUpLeaders(_ rk: OpaquePointer, topics: Set<String>, timeout: Duration) {
    for name in topics.sorted() {
        guard let topic = rd_kafka_topic_new(rk, name, nil) else { continue }
        defer { rd_kafka_topic_destroy(topic) }
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        if rd_kafka_metadata(rk, 0, topic, &metadata, timeout.timeoutMilliseconds) == RD_KAFKA_RESP_ERR_NO_ERROR,
           let metadata {
            rd_kafka_metadata_destroy(metadata)
        }
    }
}

/// Records polled per hand-off to the buffer.
private let maxPollBatch = 512

private func messageErrorText(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> String {
    var text = String(cString: rd_kafka_err2str(message.pointee.err))
    if let payload = message.pointee.payload, message.pointee.len > 0 {
        let bytes = UnsafeRawBufferPointer(start: payload, count: message.pointee.len)
        text = String(decoding: bytes, as: UTF8.self)
    }
    if let rkt = message.pointee.rkt {
        text = "\(String(cString: rd_kafka_topic_name(rkt)))[\(message.pointee.partition)]: \(text)"
    }
    return text
}

/// Topic names by librdkafka topic handle, so records do not allocate their topic string anew. Used by
/// the poll thread only.
struct TopicNameCache {
    private var names: [OpaquePointer: String] = [:]

    mutating func name(_ rkt: OpaquePointer?) -> String {
        guard let rkt, let cName = rd_kafka_topic_name(rkt) else { return "" }
        if let cached = names[rkt], cached.withCString({ strcmp($0, cName) == 0 }) { return cached }
        let name = String(cString: cName)
        names[rkt] = name
        return name
    }
}

/// `rd_kafka_seek_partitions` with an infinite timeout: the seek is local and immediate, and 2.0.2 took
/// the timeout in the wrong unit (librdkafka#4230), so a finite one could time out spuriously.
private func seekPartitions(_ rk: OpaquePointer, _ positions: [(TopicPartition, Int64)]) throws(KafkaError) {
    guard !positions.isEmpty else { return }
    let list = makePartitionList(positions)
    defer { rd_kafka_topic_partition_list_destroy(list) }
    try KafkaError.check(rd_kafka_seek_partitions(rk, list, -1), "seek")
    if let failed = readPartitionList(list).first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
        throw KafkaError(failed.error, operation: "seek", message: "\(failed.topicPartition): \(String(cString: rd_kafka_err2str(failed.error)))")
    }
}
