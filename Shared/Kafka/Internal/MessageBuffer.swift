import CRdKafka
import Dispatch
import Synchronization

/// A polled librdkafka message that no reader has taken yet. The buffer owns it: it is destroyed exactly
/// once, when a reader converts it or when it is purged.
struct PendingMessage: @unchecked Sendable {
    // `@unchecked Sendable`: the pointer is moved from the poll thread into the buffer and used only under
    // the buffer's lock afterwards; librdkafka allows destroying a message on any thread.
    let pointer: UnsafeMutablePointer<rd_kafka_message_t>
    let topicPartition: TopicPartition
    let offset: Int64

    init(_ pointer: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) {
        self.pointer = pointer
        self.topicPartition = TopicPartition(topic, pointer.pointee.partition)
        self.offset = pointer.pointee.offset
    }

    /// Copies the record into Swift values and destroys the librdkafka message.
    consuming func take() -> ConsumedMessage {
        defer { rd_kafka_message_destroy(pointer) }
        return makeConsumedMessage(pointer, topic: topicPartition.topic)
    }

    /// Destroys the librdkafka message without reading it.
    consuming func discard() {
        rd_kafka_message_destroy(pointer)
    }
}

/// The bounded hand-off between a consumer's poll thread and its readers.
///
/// The poll thread ``push(contentsOf:)``es polled messages and stops polling while the buffer is full
/// (``waitForSpace(milliseconds:)``); readers take records with ``next(timeout:)``, suspending (never
/// blocking) while it is empty. A message is copied into Swift values by the reader that takes it, so the
/// memory is allocated and freed on the reader's thread. ``purge(_:)`` drops messages of partitions that were
/// revoked, sought or paused, so a reader never sees a record from before such a change.
final class MessageBuffer: Sendable {
    private struct Reader {
        var id: UInt64
        var continuation: CheckedContinuation<ConsumedMessage?, any Error>
    }

    private struct State {
        var items: [PendingMessage?] = []
        var head = 0
        var readers: [Reader] = []
        var nextReaderID: UInt64 = 0
        var finished = false
        var failure: KafkaError?
        var pollerWaiting = false

        var count: Int { items.count - head }

        mutating func popFirst() -> PendingMessage? {
            guard head < items.count else { return nil }
            let item = items[head].take()
            head += 1
            if head >= 1024 && head * 2 >= items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    let capacity: Int
    private let state = Mutex(State())
    private let space = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    // MARK: Poll thread side

    /// Returns true at once if there is room, otherwise waits up to `milliseconds` for readers to free half
    /// the buffer.
    func waitForSpace(milliseconds: Int) -> Bool {
        let full = state.withLock { s -> Bool in
            if s.count < capacity { return false }
            s.pollerWaiting = true
            return true
        }
        if !full { return true }
        _ = space.wait(timeout: .now() + .milliseconds(milliseconds))
        return state.withLock { $0.count < capacity }
    }

    /// Free places right now.
    var room: Int { state.withLock { max(0, capacity - $0.count) } }

    /// Adds messages in order under one lock; a waiting reader gets the first one directly.
    func push(contentsOf messages: [PendingMessage]) {
        guard !messages.isEmpty else { return }
        var handOff: [(Reader, ConsumedMessage)] = []
        var dropped: [PendingMessage] = []
        state.withLock { s in
            if s.finished { dropped = messages; return }
            var rest = messages[...]
            while !s.readers.isEmpty, let first = rest.first {
                handOff.append((s.readers.removeFirst(), first.take()))
                rest = rest.dropFirst()
            }
            s.items.append(contentsOf: rest.lazy.map { Optional($0) })
        }
        for message in dropped { message.discard() }
        for (reader, message) in handOff { reader.continuation.resume(returning: message) }
    }

    /// Drops the buffered messages that match `predicate` and returns their positions, in order.
    func purge(_ predicate: (PendingMessage) -> Bool) -> [(topicPartition: TopicPartition, offset: Int64)] {
        state.withLock { s in
            var kept: [PendingMessage?] = []
            var removed: [(topicPartition: TopicPartition, offset: Int64)] = []
            kept.reserveCapacity(s.count)
            for case let item? in s.items[s.head...] {
                if predicate(item) {
                    removed.append((item.topicPartition, item.offset))
                    item.discard()
                } else {
                    kept.append(item)
                }
            }
            s.items = kept
            s.head = 0
            return removed
        }
    }

    /// Ends the sequence: buffered, unread messages are dropped (nothing was committed for them) and
    /// readers get nil, or `failure` thrown.
    func finish(failure: KafkaError? = nil) {
        let readers: [Reader] = state.withLock { s in
            s.finished = true
            if s.failure == nil { s.failure = failure }
            for case let item? in s.items[s.head...] { item.discard() }
            s.items = []
            s.head = 0
            defer { s.readers = [] }
            return s.readers
        }
        for reader in readers {
            if let failure { reader.continuation.resume(throwing: failure) } else { reader.continuation.resume(returning: nil) }
        }
        space.signal()
    }

    // MARK: Reader side

    private enum Take {
        case item(ConsumedMessage, wakePoller: Bool)
        case end(KafkaError?)
        case wait
    }

    /// Under the lock: the next record (converted here, so `finish` can never destroy it mid-copy).
    private func take(_ s: inout State) -> Take {
        if let item = s.popFirst() {
            // Wake the poll thread only once half the buffer is free, so it refills in batches rather than
            // one record per wake-up.
            let wake = s.pollerWaiting && s.count <= capacity / 2
            if wake { s.pollerWaiting = false }
            return .item(item.take(), wakePoller: wake)
        }
        if s.finished { return .end(s.failure) }
        return .wait
    }

    /// The next record; nil once the consumer is closed, or when `timeout` passes first.
    ///
    /// - Throws: the consumer's fatal error, `CancellationError` if cancelled while waiting.
    func next(timeout: Duration?) async throws -> ConsumedMessage? {
        switch state.withLock({ take(&$0) }) {
        case .item(let item, let wake):
            if wake { space.signal() }
            return item
        case .end(let failure):
            if let failure { throw failure }
            return nil
        case .wait:
            break
        }
        let id = state.withLock { s -> UInt64 in s.nextReaderID += 1; return s.nextReaderID }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ConsumedMessage?, any Error>) in
                enum Outcome { case item(ConsumedMessage, Bool), end(KafkaError?), cancelled, waiting }
                let outcome: Outcome = state.withLock { s in
                    switch take(&s) {
                    case .item(let item, let wake): return .item(item, wake)
                    case .end(let failure): return .end(failure)
                    case .wait:
                        if Task.isCancelled { return .cancelled }
                        s.readers.append(Reader(id: id, continuation: continuation))
                        return .waiting
                    }
                }
                switch outcome {
                case .item(let item, let wake):
                    if wake { space.signal() }
                    continuation.resume(returning: item)
                case .end(let failure):
                    if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
                case .cancelled:
                    continuation.resume(throwing: CancellationError())
                case .waiting:
                    if let timeout {
                        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(timeout.nanoseconds))) {
                            self.removeReader(id)?.continuation.resume(returning: nil)
                        }
                    }
                }
            }
        } onCancel: {
            removeReader(id)?.continuation.resume(throwing: CancellationError())
        }
    }

    private func removeReader(_ id: UInt64) -> Reader? {
        state.withLock { s in
            guard let index = s.readers.firstIndex(where: { $0.id == id }) else { return nil }
            return s.readers.remove(at: index)
        }
    }

    /// Records buffered right now.
    var count: Int { state.withLock { $0.count } }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow
            ? Int64.max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Copies one librdkafka message into a ``ConsumedMessage`` (the caller destroys the message).
func makeConsumedMessage(_ message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) -> ConsumedMessage {
    let m = message.pointee
    let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
    let value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) }
    var headers: [KafkaHeader] = []
    var list: OpaquePointer? = nil
    if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
        var index = 0
        var name: UnsafePointer<CChar>? = nil
        var bytes: UnsafeRawPointer? = nil
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(KafkaHeader(name.map { String(cString: $0) } ?? "",
                                       bytes.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
            index += 1
        }
    }
    return ConsumedMessage(topic: topic, partition: m.partition, offset: m.offset, key: key, value: value,
                           headers: headers, timestamp: messageTimestamp(message))
}
