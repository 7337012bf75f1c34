import Dispatch
import Foundation
import Glibc
import Synchronization

/// Settings of an ``HTTPServer``.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind: `0.0.0.0`, `127.0.0.1`, `::`, a host name.
    public var host: String
    /// Port to bind; 0 picks a free port (read it from ``HTTPServer/start()`` or ``HTTPServer/boundPort``).
    public var port: Int
    /// Size limits per request.
    public var limits: HTTPLimits
    /// How long a client may take to send one whole request (slow clients get 408 and are closed).
    public var requestTimeout: Duration
    /// Connections served at once; more are answered 503 and closed.
    public var maxConnections: Int
    /// `listen(2)` backlog.
    public var backlog: Int32

    /// Creates a configuration.
    public init(host: String = "0.0.0.0", port: Int = 9090, limits: HTTPLimits = HTTPLimits(),
                requestTimeout: Duration = .seconds(10), maxConnections: Int = 32, backlog: Int32 = 64) {
        self.host = host
        self.port = port
        self.limits = limits
        self.requestTimeout = requestTimeout
        self.maxConnections = maxConnections
        self.backlog = backlog
    }
}

/// Why the server could not start.
public struct HTTPServerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable reason codes.
    public enum Code: String, Sendable {
        case alreadyStarted = "http.already-started"
        case resolve = "http.resolve"
        case socket = "http.socket"
        case bind = "http.bind"
        case listen = "http.listen"
    }

    /// Why.
    public var code: Code
    /// Details (address, `strerror`).
    public var message: String

    public var description: String { message }
}

extension HTTPServerError: ExitCodeProviding {
    /// A port that cannot be bound is a configuration problem.
    public var exitCode: ExitCode { code == .alreadyStarted ? .software : .config }
}

/// A small HTTP/1.1 server on POSIX sockets for `/metrics`, `/healthz` and small status APIs.
///
/// One thread accepts; each connection is served on a Dispatch worker: one request per connection
/// (`Connection: close`), bounded by ``HTTPServerConfiguration/limits`` and
/// ``HTTPServerConfiguration/requestTimeout``. Malformed requests get 400 (431/413/501/505 where more precise);
/// nothing a client sends can crash the server.
///
/// ```swift
/// let router = HTTPRouter()
/// router.addStandardRoutes(metrics: registry, health: health)
/// let server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), router: router, logger: logger)
/// let port = try server.start()
/// …
/// server.shutdown()
/// ```
///
/// As a ``Service`` it starts in `run()`, serves until graceful shutdown or cancellation, then stops.
public final class HTTPServer: Sendable {
    /// The configuration.
    public let configuration: HTTPServerConfiguration
    /// The routes.
    public let router: HTTPRouter
    let logger: Logger

    private struct Listening: Sendable {
        var fd: Int32
        var wakeRead: Int32
        var wakeWrite: Int32
        var port: Int
        var acceptDone: DispatchSemaphore
    }

    private enum Phase: Sendable {
        case idle
        case running(Listening)
        case stopped
    }

    private struct State: Sendable {
        var phase: Phase = .idle
        var active = 0
    }

    private let state = Mutex(State())

    /// Creates a server; nothing is bound until ``start()``.
    public init(configuration: HTTPServerConfiguration, router: HTTPRouter,
                logger: Logger = Logger(label: "http")) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
    }

    /// The bound port while running.
    public var boundPort: Int? {
        state.withLock { s in
            if case .running(let l) = s.phase { return l.port }
            return nil
        }
    }

    /// Connections being served right now.
    public var activeConnections: Int { state.withLock { $0.active } }

    /// Binds, listens and starts the accept thread. Returns the bound port.
    @discardableResult
    public func start() throws(HTTPServerError) -> Int {
        let alreadyStarted = state.withLock { s -> Bool in
            if case .idle = s.phase { return false }
            return true
        }
        if alreadyStarted { throw HTTPServerError(code: .alreadyStarted, message: "the HTTP server was already started") }
        let fd = try bindSocket()
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            close(fd)
            throw HTTPServerError(code: .socket, message: "pipe: \(String(cString: strerror(errno)))")
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Self.port(of: address)
        let listening = Listening(fd: fd, wakeRead: pipeFDs[0], wakeWrite: pipeFDs[1], port: port,
                                  acceptDone: DispatchSemaphore(value: 0))
        state.withLock { $0.phase = .running(listening) }
        let thread = Thread { [self] in
            acceptLoop(listening)
            listening.acceptDone.signal()
        }
        thread.name = "http-accept"
        thread.start()
        logger.info("HTTP server listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
        return port
    }

    /// Stops accepting, closes the listening socket, and waits (up to the request timeout) for connections in
    /// flight. Safe to call more than once. Blocks the calling thread; from async code prefer
    /// ``shutdownGracefully()``.
    public func shutdown() {
        guard let port = stopAccepting() else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.requestTimeout
        while activeConnections > 0, clock.now < deadline { usleep(5_000) }
        logger.info("HTTP server stopped", metadata: ["port": "\(port)"])
    }

    /// Like ``shutdown()``, but waits for connections in flight without blocking a thread.
    public func shutdownGracefully() async {
        guard let port = stopAccepting() else { return }
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.requestTimeout
        while activeConnections > 0, clock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        logger.info("HTTP server stopped", metadata: ["port": "\(port)"])
    }

    /// Wakes and joins the accept thread and closes the listening socket; returns the port, or `nil` if the
    /// server was not running.
    private func stopAccepting() -> Int? {
        let listening = state.withLock { s -> Listening? in
            defer { s.phase = .stopped }
            guard case .running(let l) = s.phase else { return nil }
            return l
        }
        guard let listening else { return nil }
        var byte: UInt8 = 1
        _ = Glibc.write(listening.wakeWrite, &byte, 1)
        listening.acceptDone.wait()
        close(listening.fd)
        close(listening.wakeRead)
        close(listening.wakeWrite)
        return listening.port
    }

    // MARK: - Sockets

    private func bindSocket() throws(HTTPServerError) -> Int32 {
        guard (0...65535).contains(configuration.port) else {
            throw HTTPServerError(code: .bind, message: "port \(configuration.port) out of range")
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let host = configuration.host.isEmpty ? nil : configuration.host
        let rc = getaddrinfo(host, String(configuration.port), &hints, &result)
        guard rc == 0, let first = result else {
            throw HTTPServerError(code: .resolve,
                                  message: "cannot resolve '\(configuration.host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        var lastError = "no addresses"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
                            | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else {
                lastError = "socket: \(String(cString: strerror(errno)))"
                continue
            }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                lastError = "bind \(configuration.host):\(configuration.port): \(String(cString: strerror(errno)))"
                close(fd)
                continue
            }
            guard listen(fd, configuration.backlog) == 0 else {
                lastError = "listen: \(String(cString: strerror(errno)))"
                close(fd)
                continue
            }
            return fd
        }
        throw HTTPServerError(code: .bind, message: lastError)
    }

    private static func port(of address: sockaddr_storage) -> Int {
        var copy = address
        return withUnsafePointer(to: &copy) { pointer in
            if address.ss_family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    private static func describe(_ address: sockaddr_storage) -> String {
        var copy = address
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let port = Self.port(of: address)
        return withUnsafePointer(to: &copy) { pointer -> String in
            if address.ss_family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                    var a = p.pointee.sin6_addr
                    inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
                    return "[\(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))]:\(port)"
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                var a = p.pointee.sin_addr
                inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
                return "\(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)):\(port)"
            }
        }
    }

    // MARK: - Accepting

    private func acceptLoop(_ listening: Listening) {
        var fds = [pollfd(fd: listening.fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: listening.wakeRead, events: Int16(POLLIN), revents: 0)]
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            let n = poll(&fds, 2, -1)
            if n < 0 {
                if errno == EINTR { continue }
                logger.error("HTTP poll failed", metadata: ["errno": "\(errno)"])
                return
            }
            if fds[1].revents != 0 { return }
            guard fds[0].revents & Int16(POLLIN) != 0 else { continue }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept(listening.fd, $0, &length)
                }
            }
            if client >= 0 { _ = fcntl(client, F_SETFD, FD_CLOEXEC) }
            if client < 0 {
                switch errno {
                case EINTR, EAGAIN, ECONNABORTED, EPROTO:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    logger.warning("HTTP accept: out of resources", metadata: ["errno": "\(errno)"])
                    usleep(50_000)
                    continue
                default:
                    logger.error("HTTP accept failed", metadata: ["errno": "\(errno)"])
                    usleep(50_000)
                    continue
                }
            }
            let admitted = state.withLock { s -> Bool in
                guard s.active < configuration.maxConnections else { return false }
                s.active += 1
                return true
            }
            let remote = Self.describe(address)
            if !admitted {
                Self.setTimeout(client, option: SO_SNDTIMEO, .seconds(1))
                _ = Self.send(client, Self.serialize(.error(503, "too many connections"), keepBody: true))
                close(client)
                continue
            }
            DispatchQueue.global().async { [self] in
                serve(client, remote: remote)
                close(client)
                state.withLock { $0.active -= 1 }
            }
        }
    }

    // MARK: - One connection

    private func serve(_ fd: Int32, remote: String) {
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.requestTimeout
        Self.setTimeout(fd, option: SO_SNDTIMEO, configuration.requestTimeout)
        let parser = HTTPRequestParser(limits: configuration.limits)
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)

        enum ReadResult { case data(Int), closed, timedOut, failed }
        func readSome() -> ReadResult {
            let remaining = deadline - clock.now
            guard remaining > .zero else { return .timedOut }
            Self.setTimeout(fd, option: SO_RCVTIMEO, remaining)
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 { return .data(n) }
                if n == 0 { return .closed }
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return .timedOut }
                return .failed
            }
        }
        func reject(_ status: Int, _ detail: String) {
            logger.debug("HTTP request rejected", metadata: ["status": "\(status)", "detail": "\(detail)", "remote": "\(remote)"])
            respond(fd, .error(status, detail), isHead: false)
            Self.drain(fd)
        }

        // The head.
        var head: HTTPRequestParser.Head?
        while head == nil {
            switch parser.parse(buffer) {
            case .reject(let status, let detail):
                reject(status, detail)
                return
            case .head(let h):
                head = h
            case .incomplete:
                switch readSome() {
                case .data(let n): buffer.append(contentsOf: chunk[0..<n])
                case .closed, .failed:
                    if !buffer.isEmpty { reject(400, "incomplete request") }
                    return
                case .timedOut:
                    if !buffer.isEmpty { reject(408, "request not received in time") }
                    return
                }
            }
        }
        guard let head else { return }

        // The body.
        var body = Array(buffer[head.headLength...])
        while body.count < head.contentLength {
            switch readSome() {
            case .data(let n): body.append(contentsOf: chunk[0..<n])
            case .closed, .failed:
                reject(400, "body shorter than Content-Length")
                return
            case .timedOut:
                reject(408, "request body not received in time")
                return
            }
        }
        if body.count > head.contentLength { body.removeLast(body.count - head.contentLength) }

        let rawPath = head.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard HTTPRequest.percentDecode(rawPath, plusIsSpace: false) != nil else {
            reject(400, "malformed percent-encoding in path")
            return
        }
        let request = HTTPRequest(method: head.method, target: head.target, version: head.version,
                                  headers: head.headers, body: body, remoteAddress: remote)
        let response = router.handle(request)
        respond(fd, response, isHead: request.method == "HEAD")
    }

    private func respond(_ fd: Int32, _ response: HTTPResponse, isHead: Bool) {
        _ = Self.send(fd, Self.serialize(response, keepBody: !isHead))
    }

    static func serialize(_ response: HTTPResponse, keepBody: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(response.status) \(HTTPResponse.reasonPhrase(response.status))\r\n"
        var headers = response.headers
        if headers["Content-Length"] == nil { headers.add(name: "Content-Length", value: String(response.body.count)) }
        headers.replaceOrAdd(name: "Connection", value: "close")
        if headers["Date"] == nil { headers.add(name: "Date", value: httpDate()) }
        for field in headers {
            // Never let a handler inject header lines.
            let name = field.name.filter { $0 != "\r" && $0 != "\n" }
            let value = field.value.filter { $0 != "\r" && $0 != "\n" }
            head += "\(name): \(value)\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if keepBody { bytes += response.body }
        return bytes
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(days[Int(parts.tm_wday) % 7]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon) % 12]) "
            + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    @discardableResult
    static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            guard var base = raw.baseAddress else { return true }
            var remaining = raw.count
            while remaining > 0 {
                let n = Glibc.send(fd, base, remaining, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                remaining -= n
                base += n
            }
            return true
        }
    }

    /// After an error response: stop sending, and read (briefly, boundedly) what the client still sends so the
    /// close does not turn into a reset that destroys the response before the client reads it.
    static func drain(_ fd: Int32) {
        Glibc.shutdown(fd, Int32(SHUT_WR))
        setTimeout(fd, option: SO_RCVTIMEO, .milliseconds(200))
        var scratch = [UInt8](repeating: 0, count: 16384)
        var total = 0
        while total < 4 << 20 {
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            total += n
        }
    }

    static func setTimeout(_ fd: Int32, option: Int32, _ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var tv = timeval(tv_sec: Int(max(0, seconds)), tv_usec: Int(attoseconds / 1_000_000_000_000))
        if tv.tv_sec == 0 && tv.tv_usec == 0 { tv.tv_usec = 1000 }
        _ = setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
}

extension HTTPServer: Service {
    /// Starts the server, serves until graceful shutdown or cancellation, then shuts it down.
    public func run() async throws {
        try start()
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled: stop all the same.
        }
        await shutdownGracefully()
    }
}
