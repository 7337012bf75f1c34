import Synchronization

/// The outcome of one health check.
public enum HealthStatus: Sendable, Equatable {
    /// Working; `detail` is optional information (e.g. "assigned 6 partitions").
    case healthy(detail: String? = nil)
    /// Not working, and why.
    case unhealthy(reason: String)

    /// Whether this is ``healthy(detail:)``.
    public var isHealthy: Bool {
        if case .healthy = self { return true }
        return false
    }
}

/// Named health checks behind `/healthz`.
///
/// Checks are either closures evaluated on each request (``register(_:_:)``) or statuses pushed by the service
/// (``set(_:_:)``), e.g. from a Kafka error callback. `/healthz` answers 200 with
/// `{"status":"ok","service":…,"checks":{"kafka":{"status":"ok"}}}` when every check is healthy, else 503 with
/// `"status":"unhealthy"` and each failing check's `reason`.
public final class HealthMonitor: Sendable {
    /// The `service` member of the JSON body (omitted when `nil`).
    public let service: String?
    private let checks = Mutex<[(name: String, check: @Sendable () -> HealthStatus)]>([])

    /// Creates a monitor with no checks (healthy).
    public init(service: String? = nil) { self.service = service }

    /// Adds or replaces the check `name`, evaluated on every request; keep it fast and non-blocking.
    public func register(_ name: String, _ check: @escaping @Sendable () -> HealthStatus) {
        checks.withLock { checks in
            if let i = checks.firstIndex(where: { $0.name == name }) {
                checks[i].check = check
            } else {
                checks.append((name: name, check: check))
            }
        }
    }

    /// Sets the check `name` to a fixed status.
    public func set(_ name: String, _ status: HealthStatus) {
        register(name) { status }
    }

    /// Removes the check `name`.
    public func remove(_ name: String) {
        checks.withLock { $0.removeAll { $0.name == name } }
    }

    /// Evaluates every check (outside the lock), in registration order.
    public func evaluate() -> [(name: String, status: HealthStatus)] {
        let current = checks.withLock { $0 }
        return current.map { (name: $0.name, status: $0.check()) }
    }

    /// Whether every check is healthy.
    public var isHealthy: Bool { evaluate().allSatisfy { $0.status.isHealthy } }

    /// The `/healthz` response.
    public func response() -> HTTPResponse {
        let results = evaluate()
        let healthy = results.allSatisfy { $0.status.isHealthy }
        var checkMembers: [(String, String)] = []
        for (name, status) in results {
            switch status {
            case .healthy(let detail):
                var m = [("status", JSONText.quote("ok"))]
                if let detail { m.append(("detail", JSONText.quote(detail))) }
                checkMembers.append((name, JSONText.object(m)))
            case .unhealthy(let reason):
                checkMembers.append((name, JSONText.object([("status", JSONText.quote("unhealthy")),
                                                             ("reason", JSONText.quote(reason))])))
            }
        }
        var members = [("status", JSONText.quote(healthy ? "ok" : "unhealthy"))]
        if let service { members.append(("service", JSONText.quote(service))) }
        members.append(("checks", JSONText.object(checkMembers)))
        return .json(JSONText.object(members) + "\n", status: healthy ? 200 : 503)
    }
}
