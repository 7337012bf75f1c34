import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 GET against a service on 127.0.0.1 (`/healthz`, `/metrics`, `/v1/status`), with a deadline:
/// what `electorctl dev status`, the benchmarks and the process tests ask the services.
public enum LocalHTTPClient {
    /// A response: its status code and its body (whatever the status).
    public struct Response: Sendable {
        public var status: Int
        public var body: String
    }

    /// `GET path` on 127.0.0.1:`port`, off the cooperative pool; nil when nothing answers within `timeout`.
    public static func get(port: Int, path: String, timeout: Duration = .seconds(2)) async -> Response? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: blockingGet(port: port, path: path, timeout: timeout))
            }
        }
    }

    /// ``get(port:path:timeout:)`` on the calling thread (it blocks up to `timeout` per read).
    public static func blockingGet(port: Int, path: String, timeout: Duration = .seconds(2)) -> Response? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let seconds = Int(timeout.components.seconds)
        let micros = Int(timeout.components.attoseconds / 1_000_000_000_000)
        var tv = timeval(tv_sec: seconds, tv_usec: micros)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return nil }
            sent += n
        }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while data.count < 4 << 20 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasPrefix("HTTP/1."), let space = text.firstIndex(of: " ") else { return nil }
        let codeText = text[text.index(after: space)...].prefix(3)
        guard let status = Int(codeText) else { return nil }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return Response(status: status, body: body)
    }
}
