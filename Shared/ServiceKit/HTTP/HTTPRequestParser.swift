/// Limits applied to every request.
public struct HTTPLimits: Sendable, Hashable {
    /// Largest request line plus headers, in bytes (431 beyond).
    public var maxHeaderBytes: Int
    /// Largest body, in bytes (413 beyond).
    public var maxBodyBytes: Int
    /// Most header fields (431 beyond).
    public var maxHeaderCount: Int

    /// Creates limits; defaults suit metrics, health and small JSON APIs.
    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 1 << 20, maxHeaderCount: Int = 100) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxHeaderCount = maxHeaderCount
    }
}

/// Parses HTTP/1.x request heads. Pure and incremental: feed the bytes received so far.
struct HTTPRequestParser {
    /// A parsed head and how many bytes it took.
    struct Head {
        var method: String
        var target: String
        var version: String
        var headers: HTTPHeaders
        var contentLength: Int
        var headLength: Int
    }

    enum Outcome {
        /// Need more bytes.
        case incomplete
        /// The head is complete.
        case head(Head)
        /// Reject with this status and detail.
        case reject(Int, String)
    }

    let limits: HTTPLimits

    /// The index just past the blank line ending the head (`\r\n\r\n` or a lenient `\n\n`), if present.
    static func endOfHead(_ bytes: [UInt8], searchFrom start: Int) -> Int? {
        var i = max(0, start)
        while i < bytes.count {
            if bytes[i] == 10 {
                if i + 1 < bytes.count, bytes[i + 1] == 10 { return i + 2 }
                if i + 2 < bytes.count, bytes[i + 1] == 13, bytes[i + 2] == 10 { return i + 3 }
            }
            i += 1
        }
        return nil
    }

    func parse(_ bytes: [UInt8]) -> Outcome {
        guard let end = Self.endOfHead(bytes, searchFrom: 0) else {
            if bytes.count > limits.maxHeaderBytes { return .reject(431, "request head exceeds \(limits.maxHeaderBytes) bytes") }
            return .incomplete
        }
        if end > limits.maxHeaderBytes { return .reject(431, "request head exceeds \(limits.maxHeaderBytes) bytes") }
        var lines: [[UInt8]] = []
        var current: [UInt8] = []
        for b in bytes[0..<end] {
            if b == 10 {
                if current.last == 13 { current.removeLast() }
                lines.append(current)
                current = []
            } else {
                current.append(b)
            }
        }
        // Tolerate blank lines before the request line (RFC 9112 §2.2).
        while let first = lines.first, first.isEmpty, lines.count > 1 { lines.removeFirst() }
        guard let requestLineBytes = lines.first, !requestLineBytes.isEmpty,
              let requestLine = String(validating: requestLineBytes, as: UTF8.self) else {
            return .reject(400, "empty or non-UTF-8 request line")
        }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .reject(400, "malformed request line") }
        let method = String(parts[0]), target = String(parts[1]), version = String(parts[2])
        guard !method.isEmpty, method.utf8.allSatisfy({ Self.isTokenChar($0) }) else {
            return .reject(400, "malformed method")
        }
        guard target.hasPrefix("/"), !target.utf8.contains(where: { $0 < 33 || $0 == 127 }) else {
            return .reject(400, "request target must be an absolute path")
        }
        guard version.hasPrefix("HTTP/") else { return .reject(400, "malformed HTTP version") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { return .reject(505, "only HTTP/1.0 and HTTP/1.1") }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() where !line.isEmpty {
            guard headers.fields.count < limits.maxHeaderCount else { return .reject(431, "too many header fields") }
            guard line.first != 32, line.first != 9 else { return .reject(400, "obsolete header line folding") }
            guard let colon = line.firstIndex(of: 58) else { return .reject(400, "header line without ':'") }
            let nameBytes = line[..<colon]
            guard !nameBytes.isEmpty, nameBytes.allSatisfy({ Self.isTokenChar($0) }) else {
                return .reject(400, "malformed header name")
            }
            guard let value = String(validating: line[(colon + 1)...], as: UTF8.self) else {
                return .reject(400, "non-UTF-8 header value")
            }
            headers.add(name: String(decoding: nameBytes, as: UTF8.self), value: value.trimmingCharacters(" \t"))
        }
        if headers["Transfer-Encoding"] != nil { return .reject(501, "transfer codings are not supported") }
        var contentLength = 0
        let lengths = headers.values("Content-Length")
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  let n = Int(first) else {
                return .reject(400, "invalid Content-Length")
            }
            guard n <= limits.maxBodyBytes else { return .reject(413, "body exceeds \(limits.maxBodyBytes) bytes") }
            contentLength = n
        }
        return .head(Head(method: method, target: target, version: version, headers: headers,
                          contentLength: contentLength, headLength: end))
    }

    /// RFC 9110 `tchar`.
    static func isTokenChar(_ b: UInt8) -> Bool {
        switch b {
        case 48...57, 65...90, 97...122: return true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: return true
        default: return false
        }
    }
}
