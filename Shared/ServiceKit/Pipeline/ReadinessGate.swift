import Synchronization

/// Named conditions a service must meet before it decides anything (e.g. "gccf caught up", "policy caught up"):
/// ``wait()`` suspends until every one is marked ready. Also a `/healthz` check.
public final class ReadinessGate: Sendable {
    private let state: Mutex<Set<String>>

    /// A gate waiting for `conditions`.
    public init(_ conditions: [String]) { state = Mutex(Set(conditions)) }

    /// Marks `condition` as met.
    public func markReady(_ condition: String) { _ = state.withLock { $0.remove(condition) } }

    /// The conditions not met yet, sorted.
    public var pending: [String] { state.withLock { $0.sorted() } }

    /// Whether every condition is met.
    public var isReady: Bool { state.withLock { $0.isEmpty } }

    /// Suspends until every condition is met (polls every `interval`).
    ///
    /// - Throws: `CancellationError` when cancelled.
    public func wait(interval: Duration = .milliseconds(10)) async throws {
        while !isReady { try await Task.sleep(for: interval) }
    }

    /// Healthy once ready; until then unhealthy naming what is still awaited.
    public func healthCheck() -> HealthStatus {
        let pending = self.pending
        return pending.isEmpty ? .healthy() : .unhealthy(reason: "waiting for: \(pending.joined(separator: ", "))")
    }
}
