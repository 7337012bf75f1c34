import Synchronization

/// Counts records handed to librdkafka and not yet reported, and suspends producers at the limit.
///
/// This is the producer's back-pressure: memory stays bounded by `limit` records no matter how fast
/// callers produce. `acquire` suspends (it never blocks a thread) until a delivery report `release`s a slot.
final class InFlightLimiter: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var count = 0
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
        var closed = false
    }

    let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Records currently in flight.
    var count: Int { state.withLock { $0.count } }

    /// Takes a slot, suspending while `limit` records are in flight.
    ///
    /// - Throws: `CancellationError` if the task is cancelled while waiting, ``KafkaError/Code/closed``
    ///   once the producer is closed.
    func acquire() async throws {
        let fast: Bool? = state.withLock { s in
            if s.closed { return nil }
            if s.count < limit && s.waiters.isEmpty { s.count += 1; return true }
            return false
        }
        switch fast {
        case .some(true): return
        case nil: throw KafkaError(code: .closed, operation: "produce")
        case .some(false): break
        }
        let id = state.withLock { s -> UInt64 in s.nextID += 1; return s.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case wait, go, closed, cancelled }
                let outcome: Outcome = state.withLock { s in
                    if s.closed { return .closed }
                    if Task.isCancelled { return .cancelled }
                    if s.count < limit && s.waiters.isEmpty { s.count += 1; return .go }
                    s.waiters.append(Waiter(id: id, continuation: continuation))
                    return .wait
                }
                switch outcome {
                case .wait: break
                case .go: continuation.resume()
                case .closed: continuation.resume(throwing: KafkaError(code: .closed, operation: "produce"))
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { s in
                guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Gives back a slot, handing it straight to the oldest waiter if there is one.
    func release() {
        let next: Waiter? = state.withLock { s in
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }  // the slot passes on; count unchanged
            s.count -= 1
            return nil
        }
        next?.continuation.resume()
    }

    /// Fails every waiter and every later `acquire`.
    func close() {
        let waiters: [Waiter] = state.withLock { s in
            s.closed = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: KafkaError(code: .closed, operation: "produce")) }
    }
}
