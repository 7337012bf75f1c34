import CRdKafka
#if canImport(Glibc)
import Glibc
#endif

/// A client for the control socket of `scms-devbroker` (`DIR/control.sock`), which tests and fault
/// campaigns use to take brokers down and up, delay responses and inject request errors.
///
/// The protocol is one text line per command, one reply line: `ok [detail]` or `error <reason>`.
/// Commands: `ping`, `down N`, `up N`, `rtt N|all MS`, `error API CODE [COUNT]`,
/// `broker-error N API CODE RTT_MS`, `clear API`, `topic NAME PARTITIONS [RF]`, `leader TOPIC PARTITION N`,
/// `topics`, `help`. API is a Kafka API key number or name (``KafkaAPI``); CODE is a number or a
/// librdkafka error name such as `NOT_LEADER_FOR_PARTITION` or `_TRANSPORT`.
public struct DevBrokerControl: Sendable {
    /// The Unix socket path.
    public let socketPath: String

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// The control socket of the dev broker whose state directory is `directory`.
    public init(directory: String) {
        self.init(socketPath: directory.hasSuffix("/") ? directory + "control.sock" : directory + "/control.sock")
    }

    /// Sends one command line and returns the detail after `ok`.
    ///
    /// - Throws: ``KafkaError/Code/failed`` with the broker's reason for `error` replies and socket failures.
    @discardableResult
    public func send(_ command: String) async throws -> String {
        let path = socketPath
        return try await Blocking.run { () throws(KafkaError) in try Self.exchange(path: path, line: command) }
    }

    /// Checks the broker answers.
    public func ping() async throws { try await send("ping") }

    /// Makes broker `id` refuse and drop connections (leadership does not move).
    public func setBrokerDown(_ id: Int32) async throws { try await send("down \(id)") }

    /// Brings broker `id` back.
    public func setBrokerUp(_ id: Int32) async throws { try await send("up \(id)") }

    /// Delays every response of broker `id` (nil: all brokers) by `milliseconds`; 0 removes the delay.
    public func setRoundTripTime(broker id: Int32?, milliseconds: Int) async throws {
        try await send("rtt \(id.map(String.init) ?? "all") \(milliseconds)")
    }

    /// Makes the next `count` requests of `api`, cluster-wide, fail with `code`.
    public func injectErrors(api: KafkaAPI, code: KafkaError.Code, count: Int = 1) async throws {
        try await send("error \(api.rawValue) \(code.rawValue) \(count)")
    }

    /// Makes the next `api` request to broker `id` fail with `code` after `roundTripMilliseconds`.
    public func injectBrokerError(broker id: Int32, api: KafkaAPI, code: KafkaError.Code,
                                  roundTripMilliseconds: Int = 0) async throws {
        try await send("broker-error \(id) \(api.rawValue) \(code.rawValue) \(roundTripMilliseconds)")
    }

    /// Drops the injected errors still pending for `api`.
    public func clearErrors(api: KafkaAPI) async throws { try await send("clear \(api.rawValue)") }

    /// Creates a topic on the mock cluster (it has no CreateTopics API).
    public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int16 = 1) async throws {
        try await send("topic \(name) \(partitions) \(replicationFactor)")
    }

    /// Moves the leadership of one partition.
    public func setLeader(topic: String, partition: Int32, broker id: Int32) async throws {
        try await send("leader \(topic) \(partition) \(id)")
    }

    /// The cluster's topics and partition counts.
    public func topics() async throws -> [String: Int32] {
        let detail = try await send("topics")
        var out: [String: Int32] = [:]
        for item in detail.split(separator: " ") {
            guard let colon = item.lastIndex(of: ":"), let count = Int32(item[item.index(after: colon)...]) else { continue }
            out[String(item[..<colon])] = count
        }
        return out
    }

    // MARK: Socket

    private static func exchange(path: String, line: String) throws(KafkaError) -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw failure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw failure("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw failure("connect \(path): \(String(cString: strerror(errno)))") }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let request = Array((line.replacingNewlines() + "\n").utf8)
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw failure("write: \(String(cString: strerror(errno)))") }
            sent += n
        }
        var reply: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !reply.contains(10) {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            reply.append(contentsOf: chunk[..<n])
        }
        let text = String(decoding: reply.prefix { $0 != 10 }, as: UTF8.self)
        if text == "ok" { return "" }
        if text.hasPrefix("ok ") { return String(text.dropFirst(3)) }
        if text.hasPrefix("error ") { throw failure(String(text.dropFirst(6))) }
        throw failure("unexpected reply to '\(line)': '\(text)'")
    }

    private static func failure(_ message: String) -> KafkaError {
        KafkaError(code: .failed, message: message, operation: "devbroker-control")
    }
}

private extension String {
    func replacingNewlines() -> String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
}

/// Kafka protocol API keys, for the dev broker's error injection.
public struct KafkaAPI: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = KafkaAPI(rawValue: 0)
    public static let fetch = KafkaAPI(rawValue: 1)
    public static let listOffsets = KafkaAPI(rawValue: 2)
    public static let metadata = KafkaAPI(rawValue: 3)
    public static let offsetCommit = KafkaAPI(rawValue: 8)
    public static let offsetFetch = KafkaAPI(rawValue: 9)
    public static let findCoordinator = KafkaAPI(rawValue: 10)
    public static let joinGroup = KafkaAPI(rawValue: 11)
    public static let heartbeat = KafkaAPI(rawValue: 12)
    public static let leaveGroup = KafkaAPI(rawValue: 13)
    public static let syncGroup = KafkaAPI(rawValue: 14)
    public static let apiVersions = KafkaAPI(rawValue: 18)
    public static let initProducerID = KafkaAPI(rawValue: 22)
    public static let addPartitionsToTransaction = KafkaAPI(rawValue: 24)
    public static let addOffsetsToTransaction = KafkaAPI(rawValue: 25)
    public static let endTransaction = KafkaAPI(rawValue: 26)
    public static let transactionOffsetCommit = KafkaAPI(rawValue: 28)

    private static let names: [(String, KafkaAPI)] = [
        ("Produce", .produce), ("Fetch", .fetch), ("ListOffsets", .listOffsets), ("Metadata", .metadata),
        ("OffsetCommit", .offsetCommit), ("OffsetFetch", .offsetFetch), ("FindCoordinator", .findCoordinator),
        ("JoinGroup", .joinGroup), ("Heartbeat", .heartbeat), ("LeaveGroup", .leaveGroup), ("SyncGroup", .syncGroup),
        ("ApiVersion", .apiVersions), ("InitProducerId", .initProducerID),
        ("AddPartitionsToTxn", .addPartitionsToTransaction), ("AddOffsetsToTxn", .addOffsetsToTransaction),
        ("EndTxn", .endTransaction), ("TxnOffsetCommit", .transactionOffsetCommit),
    ]

    /// The key for a number or a protocol name (`Produce`, `produce`, `OffsetCommit`…).
    public init?(_ text: String) {
        if let number = Int16(text) { self.init(rawValue: number); return }
        guard let match = Self.names.first(where: { $0.0.lowercased() == text.lowercased() }) else { return nil }
        self = match.1
    }

    public var description: String { Self.names.first { $0.1 == self }?.0 ?? "ApiKey\(rawValue)" }
}

extension KafkaError.Code {
    /// The code for a number or a librdkafka error name (`NOT_LEADER_FOR_PARTITION`, `_TRANSPORT`, with or
    /// without the `RD_KAFKA_RESP_ERR_` prefix).
    public init?(_ text: String) {
        if let number = Int32(text) { self.init(rawValue: number); return }
        var name = text.uppercased()
        if name.hasPrefix("RD_KAFKA_RESP_ERR_") { name.removeFirst("RD_KAFKA_RESP_ERR_".count) }
        var descriptions: UnsafePointer<rd_kafka_err_desc>? = nil
        var count = 0
        rd_kafka_get_err_descs(&descriptions, &count)
        guard let descriptions else { return nil }
        for i in 0..<count {
            let d = descriptions[i]
            if let n = d.name, String(cString: n) == name {
                self.init(rawValue: d.code.rawValue)
                return
            }
        }
        return nil
    }
}
