/// HTTP header fields: ordered, names compared case-insensitively.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// The fields in order.
    public private(set) var fields: [(name: String, value: String)]

    /// Creates headers from fields.
    public init(_ fields: [(String, String)] = []) { self.fields = fields.map { (name: $0.0, value: $0.1) } }

    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// The first value of `name`, any case.
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    /// Every value of `name`, any case.
    public func values(_ name: String) -> [String] {
        let lower = name.lowercased()
        return fields.filter { $0.name.lowercased() == lower }.map(\.value)
    }

    /// Appends a field.
    public mutating func add(name: String, value: String) { fields.append((name: name, value: value)) }

    /// Replaces every field `name` with one value.
    public mutating func replaceOrAdd(name: String, value: String) {
        let lower = name.lowercased()
        fields.removeAll { $0.name.lowercased() == lower }
        fields.append((name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// A parsed request.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, ... (upper case as sent).
    public var method: String
    /// The request target as sent (`/v1/status?group=validator`).
    public var target: String
    /// The percent-decoded path (`/v1/status`).
    public var path: String
    /// Query parameters in order, percent-decoded (`+` is a space).
    public var queryItems: [(name: String, value: String)]
    /// `HTTP/1.1` or `HTTP/1.0`.
    public var version: String
    /// Header fields.
    public var headers: HTTPHeaders
    /// The body (`Content-Length` bytes).
    public var body: [UInt8]
    /// The peer address (`127.0.0.1:53422`), for logs.
    public var remoteAddress: String

    /// Creates a request (tests call routers directly this way).
    public init(method: String, target: String, version: String = "HTTP/1.1", headers: HTTPHeaders = [:],
                body: [UInt8] = [], remoteAddress: String = "") {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        let split = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = split.first.flatMap { HTTPRequest.percentDecode($0, plusIsSpace: false) } ?? target
        self.queryItems = split.count > 1 ? HTTPRequest.parseQuery(split[1]) : []
    }

    /// The last value of query parameter `name`.
    public func query(_ name: String) -> String? { queryItems.last { $0.name == name }?.value }

    static func parseQuery(_ text: Substring) -> [(name: String, value: String)] {
        text.split(separator: "&").compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(parts[0], plusIsSpace: true) else { return nil }
            let value = parts.count > 1 ? percentDecode(parts[1], plusIsSpace: true) : ""
            return value.map { (name: name, value: $0) }
        }
    }

    /// Decodes `%XX` escapes; `nil` for malformed escapes or invalid UTF-8.
    static func percentDecode(_ text: Substring, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let b = iterator.next() {
            if b == 37 { // %
                guard let h = iterator.next().flatMap(Hex.nibble), let l = iterator.next().flatMap(Hex.nibble) else {
                    return nil
                }
                bytes.append(h << 4 | l)
            } else if b == 43 && plusIsSpace {
                bytes.append(32)
            } else {
                bytes.append(b)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// A response to send.
public struct HTTPResponse: Sendable {
    /// Status code.
    public var status: Int
    /// Header fields (`Content-Length`, `Connection` and `Date` are added by the server).
    public var headers: HTTPHeaders
    /// The body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A text response (`text/plain; charset=utf-8` unless `contentType` says otherwise).
    public static func text(_ text: String, status: Int = 200,
                            contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// A JSON response from already-encoded JSON text.
    public static func json(_ json: String, status: Int = 200) -> HTTPResponse {
        text(json, status: status, contentType: "application/json")
    }

    /// An HTML response.
    public static func html(_ html: String, status: Int = 200) -> HTTPResponse {
        text(html, status: status, contentType: "text/html; charset=utf-8")
    }

    /// A plain-text error response: `"<status> <reason>\n"` plus an optional detail line.
    public static func error(_ status: Int, _ detail: String? = nil) -> HTTPResponse {
        var body = "\(status) \(reasonPhrase(status))\n"
        if let detail { body += detail + "\n" }
        return text(body, status: status)
    }

    /// The standard reason phrase of `status`.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }
}

/// A route handler.
public typealias HTTPHandler = @Sendable (HTTPRequest) -> HTTPResponse
