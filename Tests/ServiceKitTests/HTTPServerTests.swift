import Foundation
import Glibc
import ServiceKit
import Testing

/// A raw HTTP client over a real socket: sends bytes, reads until the server closes.
enum RawClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    static func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return out }
            out += chunk[0..<n]
        }
    }

    static func exchange(port: Int, _ raw: [UInt8]) throws -> Response {
        let fd = try #require(connect(port: port))
        defer { close(fd) }
        send(fd, raw)
        return try parse(readAll(fd))
    }

    static func exchange(port: Int, _ raw: String) throws -> Response { try exchange(port: port, Array(raw.utf8)) }

    static func get(port: Int, _ target: String, method: String = "GET") throws -> Response {
        try exchange(port: port, "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    }

    static func parse(_ bytes: [UInt8]) throws -> Response {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let headLines = try #require(parts.first).components(separatedBy: "\r\n")
        let statusLine = try #require(headLines.first).split(separator: " ")
        #expect(statusLine.first == "HTTP/1.1")
        let status = try #require(statusLine.count > 1 ? Int(statusLine[1]) : nil)
        var headers: [String: String] = [:]
        for line in headLines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}

@Suite struct HTTPServerTests {
    let registry = MetricsRegistry()
    let health = HealthMonitor(service: "test-service")
    let router = HTTPRouter()
    let server: HTTPServer
    let port: Int

    init() throws {
        router.addStandardRoutes(metrics: registry, health: health)
        router.add("POST", "/echo") { request in
            .text("\(request.method) \(request.path) q=\(request.query("q") ?? "-") body=\(String(decoding: request.body, as: UTF8.self))")
        }
        router.addPrefix("GET", "/v1/partitions/") { request in .json(#"{"path":"\#(request.path)"}"#) }
        let configuration = HTTPServerConfiguration(
            host: "127.0.0.1", port: 0, limits: HTTPLimits(maxHeaderBytes: 4096, maxBodyBytes: 1024),
            requestTimeout: .milliseconds(500), maxConnections: 32)
        server = HTTPServer(configuration: configuration, router: router,
                            logger: Logger(label: "http") { _ in NoOpLogHandler() })
        port = try server.start()
    }

    @Test func ephemeralPortIsReported() {
        #expect(port > 0)
        #expect(server.boundPort == port)
        server.shutdown()
    }

    @Test func metricsEndpointServesPrometheusText() throws {
        defer { server.shutdown() }
        let counter = Counter(label: "scms_test_requests_total", dimensions: [("route", "metrics")],
                              help: "Test counter.", registry: registry)
        counter.increment(by: 7)
        let response = try RawClient.get(port: port, "/metrics")
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(response.body == """
            # HELP scms_test_requests_total Test counter.
            # TYPE scms_test_requests_total counter
            scms_test_requests_total{route="metrics"} 7

            """)
        #expect(response.headers["content-length"] == String(response.body.utf8.count))
        #expect(response.headers["connection"] == "close")
    }

    @Test func healthzIs200WhenHealthyAnd503Otherwise() throws {
        defer { server.shutdown() }
        health.set("kafka", .healthy(detail: "6 partitions"))
        let ok = try RawClient.get(port: port, "/healthz")
        #expect(ok.status == 200)
        #expect(ok.headers["content-type"] == "application/json")
        #expect(ok.body == #"{"status":"ok","service":"test-service","checks":{"kafka":{"status":"ok","detail":"6 partitions"}}}"# + "\n")
        health.register("broker") { .unhealthy(reason: "no broker reachable") }
        let bad = try RawClient.get(port: port, "/healthz")
        #expect(bad.status == 503)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bad.body.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "unhealthy")
        let checks = try #require(json["checks"] as? [String: [String: String]])
        #expect(checks["broker"] == ["status": "unhealthy", "reason": "no broker reachable"])
        health.remove("broker")
        #expect(try RawClient.get(port: port, "/healthz").status == 200)
    }

    @Test func routingNotFoundMethodsHeadAndQuery() throws {
        defer { server.shutdown() }
        #expect(try RawClient.get(port: port, "/nope").status == 404)
        let wrongMethod = try RawClient.get(port: port, "/metrics", method: "DELETE")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.headers["allow"] == "GET, HEAD")
        let head = try RawClient.get(port: port, "/healthz", method: "HEAD")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 0)
        let echo = try RawClient.exchange(port: port, "POST /echo?q=a%20b+c HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
        #expect(echo.status == 200)
        #expect(echo.body == "POST /echo q=a b c body=hello")
        let prefix = try RawClient.get(port: port, "/v1/partitions/scms.gccf%2F0")
        #expect(prefix.body == #"{"path":"/v1/partitions/scms.gccf/0"}"#)
        // A route added while running is served.
        router.add("GET", "/v1/status") { _ in .json("{}") }
        #expect(try RawClient.get(port: port, "/v1/status").status == 200)
    }

    @Test func malformedRequestsGet400AndTheServerKeepsServing() throws {
        defer { server.shutdown() }
        let cases: [(String, Int)] = [
            ("GARBAGE\r\n\r\n", 400),
            ("GET /metrics\r\n\r\n", 400),
            ("GET metrics HTTP/1.1\r\n\r\n", 400),
            ("GET /metrics HTTP/2.0\r\n\r\n", 505),
            ("GET /metrics FTP/1.0\r\n\r\n", 400),
            ("G(T /metrics HTTP/1.1\r\n\r\n", 400),
            ("GET /metrics HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
            ("GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n", 400),
            ("GET /bad%zzescape HTTP/1.1\r\n\r\n", 400),
            ("POST /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
            ("POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
            ("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 501),
        ]
        for (raw, status) in cases {
            #expect(try RawClient.exchange(port: port, raw).status == status, "\(raw.debugDescription)")
        }
        let junk: [UInt8] = [0xff, 0x00, 0xfe, 0x0d, 0x0a, 0x0d, 0x0a]
        #expect(try RawClient.exchange(port: port, junk).status == 400)
        // Body shorter than announced, then the client half-closes.
        let fd = try #require(RawClient.connect(port: port))
        RawClient.send(fd, Array("POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc".utf8))
        shutdown(fd, Int32(SHUT_WR))
        #expect(try RawClient.parse(RawClient.readAll(fd)).status == 400)
        close(fd)
        #expect(try RawClient.get(port: port, "/healthz").status == 200)
    }

    @Test func oversizedRequestsAreRejected() throws {
        defer { server.shutdown() }
        let bigHeader = "GET /metrics HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 8000))\r\n\r\n"
        #expect(try RawClient.exchange(port: port, bigHeader).status == 431)
        let endless = "GET /metrics HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 8000))"  // never ends
        #expect(try RawClient.exchange(port: port, endless).status == 431)
        let bigBody = "POST /echo HTTP/1.1\r\nContent-Length: 2048\r\n\r\n\(String(repeating: "b", count: 2048))"
        #expect(try RawClient.exchange(port: port, bigBody).status == 413)
        #expect(try RawClient.get(port: port, "/healthz").status == 200)
    }

    @Test func slowClientsTimeOut() throws {
        defer { server.shutdown() }
        let fd = try #require(RawClient.connect(port: port))
        defer { close(fd) }
        RawClient.send(fd, Array("GET /metrics HTTP/1.1\r\nHost:".utf8))
        let response = try RawClient.parse(RawClient.readAll(fd))
        #expect(response.status == 408)
    }

    @Test func concurrentClients() async throws {
        defer { server.shutdown() }
        let port = self.port
        let statuses = await withTaskGroup(of: Int.self) { group in
            for i in 0..<24 {
                group.addTask {
                    (try? RawClient.get(port: port, i % 2 == 0 ? "/healthz" : "/metrics").status) ?? -1
                }
            }
            var all: [Int] = []
            for await s in group { all.append(s) }
            return all
        }
        #expect(statuses.count == 24)
        #expect(statuses.allSatisfy { $0 == 200 })
    }

    @Test func shutdownStopsListening() throws {
        #expect(try RawClient.get(port: port, "/healthz").status == 200)
        server.shutdown()
        server.shutdown()  // idempotent
        #expect(server.boundPort == nil)
        #expect(RawClient.connect(port: port) == nil)
        #expect(throws: HTTPServerError.self) { try server.start() }
    }

    @Test func bindErrorsAreReported() throws {
        defer { server.shutdown() }
        let clash = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port), router: router,
                               logger: Logger(label: "http") { _ in NoOpLogHandler() })
        #expect(throws: HTTPServerError.self) { try clash.start() }
        let unresolvable = HTTPServer(configuration: HTTPServerConfiguration(host: "no-such-host.invalid", port: 0),
                                      router: router, logger: Logger(label: "http") { _ in NoOpLogHandler() })
        #expect(throws: HTTPServerError.self) { try unresolvable.start() }
    }
}
