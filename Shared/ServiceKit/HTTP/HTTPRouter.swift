import Synchronization

/// Maps method and path to handlers. Routes can be added while the server runs (the lag monitor adds
/// `/v1/status` and `/` next to the built-in `/metrics` and `/healthz`).
///
/// Lookup: exact paths first, then the longest matching prefix route. A path that matches with another method
/// gets 405 with `Allow`; nothing matching gets 404. `HEAD` is served by `GET` routes without the body.
public final class HTTPRouter: Sendable {
    struct Route: Sendable {
        var method: String
        var path: String
        var isPrefix: Bool
        var handler: HTTPHandler
    }

    private let routes = Mutex<[Route]>([])

    /// Creates an empty router.
    public init() {}

    /// Serves `method path` (exact match) with `handler`, replacing an earlier route for the same pair.
    public func add(_ method: String = "GET", _ path: String, _ handler: @escaping HTTPHandler) {
        insert(Route(method: method.uppercased(), path: path, isPrefix: false, handler: handler))
    }

    /// Serves every path starting with `prefix` (e.g. `/v1/partitions/`) with `handler`.
    public func addPrefix(_ method: String = "GET", _ prefix: String, _ handler: @escaping HTTPHandler) {
        insert(Route(method: method.uppercased(), path: prefix, isPrefix: true, handler: handler))
    }

    private func insert(_ route: Route) {
        routes.withLock { routes in
            routes.removeAll { $0.method == route.method && $0.path == route.path && $0.isPrefix == route.isPrefix }
            routes.append(route)
        }
    }

    /// Registers `GET /metrics` (Prometheus text) and `GET /healthz` (JSON, 200 or 503).
    public func addStandardRoutes(metrics: MetricsRegistry, health: HealthMonitor) {
        add("GET", "/metrics") { _ in
            .text(metrics.render(), contentType: MetricsRegistry.contentType)
        }
        add("GET", "/healthz") { _ in health.response() }
    }

    /// The response for `request`.
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let method = request.method == "HEAD" ? "GET" : request.method
        let all = routes.withLock { $0 }
        var candidates = all.filter { !$0.isPrefix && $0.path == request.path }
        if candidates.isEmpty {
            let prefixed = all.filter { $0.isPrefix && request.path.hasPrefix($0.path) }
            let longest = prefixed.map(\.path.count).max()
            candidates = prefixed.filter { $0.path.count == longest }
        }
        guard !candidates.isEmpty else { return .error(404) }
        guard let route = candidates.first(where: { $0.method == method }) else {
            var response = HTTPResponse.error(405)
            var allowed = Set(candidates.map(\.method))
            if allowed.contains("GET") { allowed.insert("HEAD") }
            response.headers.add(name: "Allow", value: allowed.sorted().joined(separator: ", "))
            return response
        }
        var response = route.handler(request)
        if request.method == "HEAD" {
            response.headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
            response.body = []
        }
        return response
    }
}
