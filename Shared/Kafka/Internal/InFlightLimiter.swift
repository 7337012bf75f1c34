import Synchronization

/// Counts records handed to librdkafka and not yet reported, and suspends producers at the limit.
///
/// This is the producer's back-pressure: memory stays bounded by `limit` records no matter how fast
/// callers produce. `acquire` suspends (it never blocks a thread) until delivery reports bring the count
/// down to the low watermark (three quarters of the limit), then every waiter retries at once, so a
/// producer running at the limit resumes once per batch of reports rather than once per report.
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
    /// Waiters are resumed when the count falls to this.
    let lowWatermark: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
        self.lowWatermark = max(0, min(self.limit - 1, self.limit * 3 / 4))
    }

    /// Records currently in flight.
    var count: Int { state.withLock { $0.count } }

    /// Takes a slot if one is free, without suspending.
    func tryAcquire() -> Bool {
        state.withLock { s in
            if s.closed || s.count >= limit { return false }
            s.count += 1
            return true
        }
    }

    /// Takes a slot, suspending while `limit` records are in flight.
    ///
    /// - Throws: `CancellationError` if the task is cancelled while waiting, ``KafkaError/Code/closed``
    ///   once the producer is closed.
    func acquire() async throws {
        while true {
            enum Attempt { case acquired, closed, full(UInt64) }
            let attempt: Attempt = state.withLock { s in
                if s.closed { return .closed }
                if s.count < limit { s.count += 1; return .acquired }
                s.nextID += 1
                return .full(s.nextID)
            }
            switch attempt {
            case .acquired: return
            case .closed: throw KafkaError(code: .closed, operation: "produce")
            case .full(let id): try await wait(id)
            }
        }
    }

    /// Suspends until the count reaches the low watermark (or the limiter closes, or the task is cancelled).
    private func wait(_ id: UInt64) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case wait, retry, cancelled }
                let outcome: Outcome = state.withLock { s in
                    if s.closed || s.count < limit { return .retry }
                    if Task.isCancelled { return .cancelled }
                    s.waiters.append(Waiter(id: id, continuation: continuation))
                    return .wait
                }
                switch outcome {
                case .wait: break
                case .retry: continuation.resume()
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

    /// Gives back a slot; at the low watermark every waiter is resumed to retry.
    func release() {
        let ready: [Waiter] = state.withLock { s in
            s.count -= 1
            guard !s.waiters.isEmpty, s.count <= lowWatermark else { return [] }
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in ready { waiter.continuation.resume() }
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
