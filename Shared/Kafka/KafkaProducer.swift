import CRdKafka
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A Kafka producer: keyed records with headers, idempotent by default, with a delivery report per record.
///
/// Delivery reports are served by a dedicated poll thread. At most
/// ``ProducerConfiguration/maxInFlight`` records are unacknowledged at any time: ``send(_:)`` and
/// ``enqueue(_:onDelivery:)`` suspend at the limit until reports free a slot, so a fast caller is slowed
/// down instead of growing memory.
///
/// ```swift
/// let producer = try KafkaProducer(configuration: ProducerConfiguration(bootstrapServers: servers))
/// let report = try await producer.send(OutgoingMessage(topic: "t", key: Array("k".utf8), value: bytes))
/// try await producer.close()
/// ```
///
/// Call ``close(timeout:)`` when done; dropping the last reference instead purges unsent records
/// (their reports fail with ``KafkaError/Code/purgedFromQueue``) and blocks the releasing thread briefly.
public final class KafkaProducer: Sendable {
    private let client: RDClient
    private let limiter: InFlightLimiter
    private let poller: PollThread
    /// True once closing started (producing is refused from then on by the limiter).
    private let closed = Atomic<Bool>(false)
    /// Tells the poll thread whether another thread is serving reports (producing or flushing).
    private let activity: ProducerActivity
    /// ``KafkaConfiguration/closeTimeout``: the flush of ``close(timeout:)`` without a timeout.
    private let closeTimeout: Duration
    /// Set when the shutdown started by ``close(timeout:)`` finished; callers waiting for it.
    private let closeCompletion = Mutex<(finished: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Creates the producer and starts its poll thread.
    ///
    /// - Throws: ``KafkaError`` (``KafkaError/Code/invalidArgument``) with librdkafka's message when a setting
    ///   is unknown or invalid; nothing is left allocated.
    public init(configuration: ProducerConfiguration) throws {
        let limiter = InFlightLimiter(limit: configuration.maxInFlight)
        let context = ClientContext(configuration.client, inFlight: limiter, onDelivery: configuration.onDelivery)
        let client = try RDClient(type: RD_KAFKA_PRODUCER, properties: configuration.properties(), context: context) {
            rd_kafka_conf_set_dr_msg_cb($0, deliveryReportCallback)
        }
        self.client = client
        self.limiter = limiter
        self.closeTimeout = configuration.client.closeTimeout
        let timeout = Int32(configuration.pollInterval.timeoutMilliseconds)
        let activity = ProducerActivity()
        self.activity = activity
        self.poller = PollThread(name: "kafka-producer-poll") { thread in
            // While records are being produced, the producing side serves reports itself (a non-blocking
            // poll after each record, as librdkafka's examples do), and while a flush runs, the flushing
            // thread does (rd_kafka_flush polls). This thread then does not poll at all: it only looks every
            // 2 ms whether that has stopped. Polling alongside would serve batches of reports on a second
            // core, which then frees messages the producing core allocated (cache misses, malloc arena
            // traffic) and contends on librdkafka's report queue. Once nobody else polls (idle, waiting at
            // the in-flight limit) it waits on librdkafka's queue, so the report of a lone `send` arrives
            // at once.
            var busy = false
            while !thread.isStopping {
                let before = activity.produced.load(ordering: .relaxed)
                if busy {
                    usleep(2_000)
                } else {
                    _ = rd_kafka_poll(client.handle, timeout)
                }
                busy = activity.produced.load(ordering: .relaxed) != before
                    || activity.flushing.load(ordering: .relaxed) > 0
            }
        }
    }

    deinit {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) { shutDown(flushMilliseconds: 0) }
    }

    /// Records handed to librdkafka whose delivery report has not arrived yet.
    public var inFlightCount: Int { limiter.count }

    /// Produces `message` and waits until the broker acknowledged it (or librdkafka gave up).
    ///
    /// Suspends first while ``ProducerConfiguration/maxInFlight`` records are in flight. Once the record is
    /// handed to librdkafka, cancellation no longer withdraws it; the call still returns its outcome.
    ///
    /// - Returns: where the record landed.
    /// - Throws: ``KafkaError`` from the delivery report (e.g. ``KafkaError/Code/messageTimedOut``), or from
    ///   librdkafka's synchronous checks (``KafkaError/Code/unknownPartition``, ``KafkaError/Code/messageSizeTooLarge``),
    ///   ``KafkaError/Code/closed`` after ``close(timeout:)``, `CancellationError` while waiting for a slot.
    public func send(_ message: OutgoingMessage) async throws -> DeliveryReport {
        enum Outcome: Sendable { case delivered(DeliveryReport), retry }
        while true {
            if !limiter.tryAcquire() { try await limiter.acquire() }
            let outcome: Outcome = try await withCheckedThrowingContinuation { continuation in
                let box = DeliveryBox(topic: message.topic) { result in
                    continuation.resume(with: result.map(Outcome.delivered).mapError { $0 as any Error })
                }
                do throws(KafkaError) {
                    try produce(message, box: box)
                } catch where error.code == .queueFull {
                    continuation.resume(returning: .retry)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            switch outcome {
            case .delivered(let report): return report
            case .retry: try await Task.sleep(for: .milliseconds(1))  // librdkafka's queue was momentarily full
            }
        }
    }

    /// Produces `message` and returns once librdkafka accepted it; `onDelivery` runs on the poll thread
    /// (or the producing thread) with the delivery report. Suspends while ``ProducerConfiguration/maxInFlight``
    /// records are in flight.
    ///
    /// - Throws: the synchronous errors of ``send(_:)``; in that case `onDelivery` is never called.
    @inlinable
    nonisolated(nonsending)
    public func enqueue(_ message: OutgoingMessage,
                        onDelivery: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void) async throws {
        // Inlined into the caller and run on the caller's executor: with a free slot the record is handed
        // over without an async call or an executor hop (an actor calling this stays on the actor).
        if try produceIfSlotFree(message, onDelivery: onDelivery) { return }
        try await produceWhenAccepted(message, onDelivery: onDelivery)
    }

    /// Produces `message` and returns once librdkafka accepted it; its delivery report goes to
    /// ``ProducerConfiguration/onDelivery`` (and nowhere if that is nil). Suspends while
    /// ``ProducerConfiguration/maxInFlight`` records are in flight.
    ///
    /// - Throws: the synchronous errors of ``send(_:)``.
    @inlinable
    nonisolated(nonsending)
    public func enqueue(_ message: OutgoingMessage) async throws {
        if try produceIfSlotFree(message, onDelivery: nil) { return }
        try await produceWhenAccepted(message, onDelivery: nil)
    }

    /// The fast path of `enqueue`: hands the record over if a slot is free. Returns false (with nothing
    /// held) when no slot is free, the producer is closed, or librdkafka's own queue is momentarily full;
    /// the caller then takes the suspending path, which reports `closed` properly.
    @usableFromInline
    func produceIfSlotFree(_ message: OutgoingMessage,
                           onDelivery: (@Sendable (Result<DeliveryReport, KafkaError>) -> Void)?) throws(KafkaError) -> Bool {
        guard limiter.tryAcquire() else { return false }
        return try produceUnlessQueueFull(message, box: onDelivery.map { DeliveryBox(topic: message.topic, completion: $0) })
    }

    /// Takes an in-flight slot (suspending at the limit) and hands the record over; if librdkafka's own
    /// queue is momentarily full, waits a millisecond and tries again.
    @usableFromInline
    func produceWhenAccepted(_ message: OutgoingMessage,
                             onDelivery: (@Sendable (Result<DeliveryReport, KafkaError>) -> Void)?) async throws {
        while true {
            if !limiter.tryAcquire() { try await limiter.acquire() }
            if try produceUnlessQueueFull(message, box: onDelivery.map { DeliveryBox(topic: message.topic, completion: $0) }) {
                return
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Waits until every record handed over so far has its delivery report, or `deadline` passes.
    ///
    /// - Throws: ``KafkaError/Code/timedOut`` naming how many records are still outstanding.
    public func flush(deadline: ContinuousClock.Instant) async throws {
        let remaining = ContinuousClock.now.duration(to: deadline)
        try await flush(timeout: remaining > .zero ? remaining : .zero)
    }

    /// Waits up to `timeout` until every record handed over so far has its delivery report.
    ///
    /// - Throws: ``KafkaError/Code/timedOut`` naming how many records are still outstanding.
    public func flush(timeout: Duration) async throws {
        let client = self.client, activity = self.activity
        let ms = timeout.timeoutMilliseconds
        try await Blocking.run { () throws(KafkaError) in
            let err = activity.whileFlushing { rd_kafka_flush(client.handle, ms) }
            if err == RD_KAFKA_RESP_ERR__TIMED_OUT {
                throw KafkaError(code: .timedOut, message: "\(rd_kafka_outq_len(client.handle)) records still in flight",
                                 operation: "flush", isRetriable: true)
            }
            try KafkaError.check(err, "flush")
        }
    }

    /// Flushes for up to `timeout` (nil: ``KafkaConfiguration/closeTimeout``), purges whatever is still
    /// undelivered (its reports fail with ``KafkaError/Code/purgedFromQueue``, so a ``send(_:)`` waiting for it
    /// returns), stops the poll thread and refuses further records. The purge waits at most another 5 s for
    /// librdkafka to report the purged records, so the whole call is bounded even with the broker gone.
    ///
    /// Idempotent, and safe to call while records are being sent: every call returns once the first one has
    /// finished. Calling it from a shutdown handler is how a ``send(_:)`` stuck on an unreachable broker ends.
    public func close(timeout: Duration? = nil) async {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) {
            let ms = (timeout ?? closeTimeout).timeoutMilliseconds
            Blocking.queue.async {
                self.shutDown(flushMilliseconds: ms)
                let waiters = self.closeCompletion.withLock { state in
                    state.finished = true
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume() }
            }
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let finished = closeCompletion.withLock { state in
                if !state.finished { state.waiters.append(c) }
                return state.finished
            }
            if finished { c.resume() }
        }
    }

    /// Flush, purge, serve the purged reports, stop polling. Blocks.
    private func shutDown(flushMilliseconds: Int32) {
        limiter.close()
        activity.whileFlushing {
            if flushMilliseconds > 0 { _ = rd_kafka_flush(client.handle, flushMilliseconds) }
            let purgeAll = Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            // A slot is held from acquisition until the record's report, so a zero count means every record
            // handed over (including one that raced with close) has reported. Purged records report through
            // the normal callback with a purge error; serve them so every completion runs exactly once.
            for _ in 0..<50 {
                _ = rd_kafka_purge(client.handle, purgeAll)
                _ = rd_kafka_flush(client.handle, 100)
                if limiter.count == 0 { break }
            }
        }
        poller.stop()
    }

    // MARK: - Produce

    /// ``produce(_:box:)``, returning false instead of throwing when librdkafka's queue is momentarily full.
    private func produceUnlessQueueFull(_ message: OutgoingMessage, box: DeliveryBox?) throws(KafkaError) -> Bool {
        do {
            try produce(message, box: box)
            return true
        } catch where error.code == .queueFull {
            return false
        }
    }

    /// Hands one record to librdkafka. On failure the slot is released and `box` is not retained.
    private func produce(_ message: OutgoingMessage, box: DeliveryBox?) throws(KafkaError) {
        let opaque = box.map { Unmanaged.passRetained($0).toOpaque() }
        if let error = Self.produceva(client.handle, message, opaque: opaque) {
            if let opaque { Unmanaged<DeliveryBox>.fromOpaque(opaque).release() }
            limiter.release()
            throw error
        }
        // Serve reports that are already waiting, without blocking (as librdkafka's examples do after each
        // produce): a busy producer then needs no thread hand-off per batch of reports.
        activity.produced.add(1, ordering: .relaxed)
        _ = rd_kafka_poll(client.handle, 0)
    }

    /// Builds the `rd_kafka_vu_t` array and calls `rd_kafka_produceva`.
    ///
    /// Headers travel as one `rd_kafka_headers_t` (`RD_KAFKA_VTYPE_HEADERS`), which librdkafka owns only
    /// if produceva succeeds; on failure this function destroys it. Passing headers one by one
    /// (`RD_KAFKA_VTYPE_HEADER`) double-frees them in 2.0.2 when the partitioner rejects the record
    /// (librdkafka#4627).
    private static func produceva(_ rk: OpaquePointer, _ message: OutgoingMessage,
                                  opaque: UnsafeMutableRawPointer?) -> KafkaError? {
        var headers: OpaquePointer? = nil
        if !message.headers.isEmpty {
            let list: OpaquePointer = rd_kafka_headers_new(message.headers.count)
            for header in message.headers {
                if let error = addHeader(list, header) {
                    rd_kafka_headers_destroy(list)
                    return error
                }
            }
            headers = list
        }
        let error: OpaquePointer? = message.topic.withCString { topic in
            withOptionalBytes(message.key) { key, keySize in
                withOptionalBytes(message.value) { value, valueSize in
                    // Seven entries at most, on the stack: no allocation per record.
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { vus -> OpaquePointer? in
                        var n = 0
                        func add(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                            var vu = rd_kafka_vu_t()
                            vu.vtype = type
                            fill(&vu)
                            vus.initializeElement(at: n, to: vu)
                            n += 1
                        }
                        add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                        add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                        if let opaque { add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque } }
                        if let partition = message.partition { add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition } }
                        if let key { add(RD_KAFKA_VTYPE_KEY) { $0.u.mem.ptr = key; $0.u.mem.size = keySize } }
                        if let value { add(RD_KAFKA_VTYPE_VALUE) { $0.u.mem.ptr = value; $0.u.mem.size = valueSize } }
                        if let headers { add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers } }
                        let error = rd_kafka_produceva(rk, UnsafePointer(vus.baseAddress), n)
                        _ = vus.extracting(0..<n).deinitialize()
                        return error
                    }
                }
            }
        }
        guard let error else { return nil }
        if let headers { rd_kafka_headers_destroy(headers) }
        let code = rd_kafka_error_code(error)
        let wrapped = KafkaError(consuming: error, operation: "produce")
        if code == RD_KAFKA_RESP_ERR__QUEUE_FULL {
            return KafkaError(code: .queueFull, message: wrapped.message, operation: "produce", isRetriable: true)
        }
        return wrapped
    }

    /// Adds one header to `list`, straight from the header's own storage: the name's UTF-8 bytes with an
    /// explicit length (librdkafka copies them and adds the terminator) and the value's bytes.
    ///
    /// - Returns: ``KafkaError/Code/badMessage`` for a name containing NUL (a C reader would see it cut
    ///   short), or librdkafka's error.
    private static func addHeader(_ list: OpaquePointer, _ header: KafkaHeader) -> KafkaError? {
        func add(_ name: UnsafeBufferPointer<UInt8>) -> KafkaError? {
            guard let base = name.baseAddress, !name.isEmpty else {
                // An empty name: a valid, NUL-terminated empty C string.
                return withOptionalBytes(header.value) { value, size in
                    check(rd_kafka_header_add(list, "", 0, value, size))
                }
            }
            if memchr(base, 0, name.count) != nil {
                return KafkaError(code: .badMessage, message: "header name contains NUL", operation: "produce")
            }
            return base.withMemoryRebound(to: CChar.self, capacity: name.count) { cName in
                withOptionalBytes(header.value) { value, size in
                    check(rd_kafka_header_add(list, cName, name.count, value, size))
                }
            }
        }
        func check(_ err: rd_kafka_resp_err_t) -> KafkaError? {
            err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(err, operation: "produce")
        }
        if let result = header.key.utf8.withContiguousStorageIfAvailable(add) { return result }
        var key = header.key  // not contiguous UTF-8 (a bridged string): make it so
        return key.withUTF8(add)
    }
}

/// Calls `body` with a pointer to `bytes` that is never NULL unless `bytes` is nil: librdkafka reads a NULL
/// value as a tombstone, and an empty value must stay distinguishable from it.
@inline(__always)
private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeMutableRawPointer?, Int) -> R) -> R {
    guard let bytes else { return body(nil, 0) }
    if bytes.isEmpty {
        var zero: UInt8 = 0
        return withUnsafeMutablePointer(to: &zero) { body(UnsafeMutableRawPointer($0), 0) }
    }
    return bytes.withUnsafeBufferPointer { body(UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
}

/// What the producer's poll thread watches to stay out of the way of other threads serving reports.
final class ProducerActivity: Sendable {
    /// Records handed over so far.
    let produced = Atomic<UInt64>(0)
    /// Flushes running now (each serves reports on its own thread).
    let flushing = Atomic<Int>(0)

    /// Runs `body` (which flushes) counted in ``flushing``.
    func whileFlushing<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        flushing.add(1, ordering: .relaxed)
        defer { flushing.subtract(1, ordering: .relaxed) }
        return try body()
    }
}

/// What one record's delivery report resolves: retained as the per-message opaque until the report.
final class DeliveryBox: Sendable {
    let topic: String
    let completion: @Sendable (Result<DeliveryReport, KafkaError>) -> Void

    init(topic: String, completion: @escaping @Sendable (Result<DeliveryReport, KafkaError>) -> Void) {
        self.topic = topic
        self.completion = completion
    }
}

private let deliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?,
                                                    UnsafeMutableRawPointer?) -> Void = { _, message, opaque in
    guard let message, let opaque else { return }
    ClientContext.with(opaque) { $0.deliver(message) }
}

extension ClientContext {
    /// Resolves one delivery report: the record's own completion if it has one, else the producer-level
    /// handler (the report is only built for a receiver that exists), then frees the record's slot, last,
    /// so a zero in-flight count means every completion has run.
    @inline(__always)
    fileprivate func deliver(_ message: UnsafePointer<rd_kafka_message_t>) {
        if let boxPointer = message.pointee._private {
            let box = Unmanaged<DeliveryBox>.fromOpaque(boxPointer).takeRetainedValue()
            box.completion(deliveryResult(message, topic: box.topic))
        } else if let onDelivery {
            onDelivery(deliveryResult(message, topic: topicNames.name(message.pointee.rkt)))
        }
        inFlight?.release()
    }
}

private func deliveryResult(_ message: UnsafePointer<rd_kafka_message_t>, topic: String) -> Result<DeliveryReport, KafkaError> {
    let m = message.pointee
    if m.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        return .success(DeliveryReport(topic: topic, partition: m.partition, offset: m.offset >= 0 ? m.offset : nil,
                                       timestamp: messageTimestamp(message)))
    }
    var text = String(cString: rd_kafka_err2str(m.err))
    if rd_kafka_message_status(message) == RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED { text += " (possibly persisted)" }
    return .failure(KafkaError(code: KafkaError.Code(rawValue: m.err.rawValue), message: text, operation: "delivery"))
}

/// The record timestamp, if librdkafka has one.
func messageTimestamp(_ message: UnsafePointer<rd_kafka_message_t>) -> MessageTimestamp? {
    var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
    let ms = rd_kafka_message_timestamp(message, &type)
    switch type {
    case RD_KAFKA_TIMESTAMP_CREATE_TIME: return MessageTimestamp(kind: .createTime, milliseconds: ms)
    case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME: return MessageTimestamp(kind: .logAppendTime, milliseconds: ms)
    default: return nil
    }
}
