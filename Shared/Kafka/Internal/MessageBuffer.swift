import Dispatch
import Synchronization

/// The bounded hand-off between a consumer's poll thread and its readers.
///
/// The poll thread ``push(_:)``es records and stops polling while the buffer is full
/// (``waitForSpace(milliseconds:)``); readers take records with ``next(timeout:)``, suspending (never
/// blocking) while it is empty. ``purge(_:)`` removes records of partitions that were revoked, sought or
/// paused, so a reader never sees a record from before such a change.
final class MessageBuffer: Sendable {
    private struct Reader {
        var id: UInt64
        var continuation: CheckedContinuation<ConsumedMessage?, any Error>
    }

    private struct State {
        var items: [ConsumedMessage] = []
        var head = 0
        var readers: [Reader] = []
        var nextReaderID: UInt64 = 0
        var finished = false
        var failure: KafkaError?
        var pollerWaiting = false

        var count: Int { items.count - head }

        mutating func popFirst() -> ConsumedMessage? {
            guard head < items.count else { return nil }
            let item = items[head]
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

    /// Returns true at once if there is room, otherwise waits up to `milliseconds` for a reader to make room.
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

    /// Adds a record, handing it straight to a waiting reader if there is one.
    func push(_ message: ConsumedMessage) {
        let reader: Reader? = state.withLock { s in
            if s.finished { return nil }
            if !s.readers.isEmpty { return s.readers.removeFirst() }
            s.items.append(message)
            return nil
        }
        reader?.continuation.resume(returning: message)
    }

    /// Removes and returns the buffered records that match `predicate`, in order.
    func purge(_ predicate: (ConsumedMessage) -> Bool) -> [ConsumedMessage] {
        state.withLock { s in
            let pending = s.items[s.head...]
            var kept: [ConsumedMessage] = []
            var removed: [ConsumedMessage] = []
            kept.reserveCapacity(pending.count)
            for item in pending {
                if predicate(item) { removed.append(item) } else { kept.append(item) }
            }
            s.items = kept
            s.head = 0
            return removed
        }
    }

    /// Ends the sequence: readers drain what is buffered, then get nil (or `failure`, thrown).
    func finish(failure: KafkaError? = nil) {
        let readers: [Reader] = state.withLock { s in
            s.finished = true
            if s.failure == nil { s.failure = failure }
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

    private func take(_ s: inout State) -> Take {
        if let item = s.popFirst() {
            let wake = s.pollerWaiting && s.count < capacity
            if wake { s.pollerWaiting = false }
            return .item(item, wakePoller: wake)
        }
        if s.finished { return .end(s.failure) }
        return .wait
    }

    /// The next record; nil once the consumer is closed and drained, or when `timeout` passes first.
    ///
    /// - Throws: the consumer's fatal error after the buffered records, `CancellationError` if cancelled
    ///   while waiting.
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
