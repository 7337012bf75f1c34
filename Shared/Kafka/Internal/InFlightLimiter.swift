import Synchronization

/// Counts records handed to librdkafka and not yet reported, and suspends producers at the limit.
///
/// This is the producer's back-pressure: memory stays bounded by `limit` records no matter how fast
/// callers produce. `acquire` suspends (it never blocks a thread) until delivery reports bring the count
/// down to the low watermark (three quarters of the limit), then every waiter retries at once, so a
/// producer running at the limit resumes once per batch of reports rather than once per report.
///
/// The count is one atomic word, so taking and returning a slot costs one atomic operation and no lock;
/// the mutex only guards the list of suspended waiters. A waiter announces itself (``waiting``) before
/// it re-reads the count, and a release writes the count before it reads ``waiting``; with sequentially
/// consistent operations on both words at least one side sees the other, so a wake-up cannot be lost.
final class InFlightLimiter: Sendable {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Waiters {
        var list: [Waiter] = []
        var nextID: UInt64 = 0
    }

    let limit: Int
    /// Waiters are resumed when the count falls to this.
    let lowWatermark: Int
    /// Slots taken, plus ``closedBit`` once closed (so a closed limiter always reads as full).
    private let word = Atomic<Int>(0)
    /// Waiters registered or registering.
    private let waiting = Atomic<Int>(0)
    private let waiters = Mutex(Waiters())
    private static let closedBit = 1 << 62

    init(limit: Int) {
        self.limit = max(1, min(limit, Self.closedBit - 1))
        self.lowWatermark = max(0, min(self.limit - 1, self.limit * 3 / 4))
    }

    /// Records currently in flight.
    var count: Int { word.load(ordering: .acquiring) & ~Self.closedBit }

    /// Whether ``close()`` was called.
    var isClosed: Bool { word.load(ordering: .relaxed) & Self.closedBit != 0 }

    /// Takes a slot if one is free (and the limiter is open), without suspending.
    @inline(__always)
    func tryAcquire() -> Bool {
        var current = word.load(ordering: .relaxed)
        while current < limit {  // false once closed: the closed bit exceeds any limit
            let (exchanged, original) = word.weakCompareExchange(expected: current, desired: current + 1,
                                                                 successOrdering: .sequentiallyConsistent,
                                                                 failureOrdering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Takes a slot, suspending while `limit` records are in flight.
    ///
    /// - Throws: `CancellationError` if the task is cancelled while waiting, ``KafkaError/Code/closed``
    ///   once the producer is closed.
    func acquire() async throws {
        while true {
            if tryAcquire() { return }
            if isClosed { throw KafkaError(code: .closed, operation: "produce") }
            let id = waiters.withLock { w in
                w.nextID += 1
                return w.nextID
            }
            try await wait(id)
        }
    }

    /// Suspends until the count reaches the low watermark (or the limiter closes, or the task is cancelled).
    private func wait(_ id: UInt64) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case wait, retry, cancelled }
                let outcome: Outcome = waiters.withLock { w in
                    waiting.add(1, ordering: .sequentiallyConsistent)
                    let current = word.load(ordering: .sequentiallyConsistent)
                    if current & Self.closedBit != 0 || current < limit {
                        waiting.subtract(1, ordering: .relaxed)
                        return .retry
                    }
                    if Task.isCancelled {
                        waiting.subtract(1, ordering: .relaxed)
                        return .cancelled
                    }
                    w.list.append(Waiter(id: id, continuation: continuation))
                    return .wait
                }
                switch outcome {
                case .wait: break
                case .retry: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let waiter: Waiter? = waiters.withLock { w in
                guard let index = w.list.firstIndex(where: { $0.id == id }) else { return nil }
                waiting.subtract(1, ordering: .relaxed)
                return w.list.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Gives back a slot; at the low watermark every waiter is resumed to retry.
    @inline(__always)
    func release() {
        let remaining = word.subtract(1, ordering: .sequentiallyConsistent).newValue & ~Self.closedBit
        if remaining <= lowWatermark && waiting.load(ordering: .sequentiallyConsistent) > 0 {
            wakeWaiters()
        }
    }

    /// Resumes every waiter (they retry).
    private func wakeWaiters() {
        let ready: [Waiter] = waiters.withLock { w in
            defer { w.list = [] }
            waiting.subtract(w.list.count, ordering: .relaxed)
            return w.list
        }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Fails every waiter and every later `acquire`.
    func close() {
        word.bitwiseOr(Self.closedBit, ordering: .sequentiallyConsistent)
        let ready: [Waiter] = waiters.withLock { w in
            defer { w.list = [] }
            waiting.subtract(w.list.count, ordering: .relaxed)
            return w.list
        }
        for waiter in ready { waiter.continuation.resume(throwing: KafkaError(code: .closed, operation: "produce")) }
    }
}
