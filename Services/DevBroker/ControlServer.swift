import CRdKafka
import Foundation
import Kafka
#if canImport(Glibc)
import Glibc
#endif

/// The line-protocol control socket (`DIR/control.sock`), served on one thread, one connection at a time.
final class ControlServer: Sendable {
    private let listener: Int32
    private let path: String
    private let cluster: MockCluster

    init(path: String, cluster: MockCluster) throws {
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DevBrokerError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw DevBrokerError("control socket path too long (\(bytes.count) bytes): \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw DevBrokerError("bind/listen \(path): \(reason)")
        }
        chmod(path, 0o600)
        self.listener = fd
        self.path = path
        self.cluster = cluster
    }

    func start() {
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "devbroker-control"
        thread.start()
    }

    /// Wakes the accept loop and closes the socket.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            serve(connection)
            close(connection)
        }
    }

    private func serve(_ fd: Int32) {
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            while let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                let reply = handle(line.trimmingCharacters(in: .whitespaces)) + "\n"
                let out = Array(reply.utf8)
                if out.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) < 0 { return }
            }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            pending.append(contentsOf: chunk[..<n])
            if pending.count > 65_536 { return }
        }
    }

    /// Executes one command line.
    func handle(_ line: String) -> String {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let verb = words.first else { return "error empty command" }
        let args = Array(words.dropFirst())
        let reply: String
        switch (verb, args.count) {
        case ("ping", 0):
            reply = "ok pong"
        case ("help", 0):
            reply = "ok ping down up rtt error broker-error clear topic leader topics"
        case ("down", 1), ("up", 1):
            guard let id = broker(args[0]) else { return "error unknown broker \(args[0])" }
            let err = verb == "down" ? rd_kafka_mock_broker_set_down(cluster.mock, id)
                                     : rd_kafka_mock_broker_set_up(cluster.mock, id)
            reply = result(err)
        case ("rtt", 2):
            guard let ms = Int32(args[1]), ms >= 0 else { return "error bad milliseconds \(args[1])" }
            let ids: [Int32]
            if args[0] == "all" { ids = Array(1...cluster.brokerCount) } else {
                guard let id = broker(args[0]) else { return "error unknown broker \(args[0])" }
                ids = [id]
            }
            reply = ids.map { result(rd_kafka_mock_broker_set_rtt(cluster.mock, $0, ms)) }.first { $0 != "ok" } ?? "ok"
        case ("error", 2), ("error", 3):
            guard let api = KafkaAPI(args[0]) else { return "error unknown API \(args[0])" }
            guard let code = KafkaError.Code(args[1]) else { return "error unknown error code \(args[1])" }
            let count = args.count == 3 ? Int(args[2]) ?? -1 : 1
            guard (1...100_000).contains(count) else { return "error bad count \(args[2])" }
            let errors = [rd_kafka_resp_err_t](repeating: rd_kafka_resp_err_t(rawValue: code.rawValue), count: count)
            errors.withUnsafeBufferPointer {
                rd_kafka_mock_push_request_errors_array(cluster.mock, api.rawValue, count, $0.baseAddress)
            }
            reply = "ok \(count) x \(code.name) on \(api)"
        case ("broker-error", 4):
            guard let id = broker(args[0]) else { return "error unknown broker \(args[0])" }
            guard let api = KafkaAPI(args[1]) else { return "error unknown API \(args[1])" }
            guard let code = KafkaError.Code(args[2]) else { return "error unknown error code \(args[2])" }
            guard let ms = Int32(args[3]), ms >= 0 else { return "error bad milliseconds \(args[3])" }
            reply = result(crdk_mock_broker_push_request_error_rtt(cluster.mock, id, api.rawValue,
                                                                   rd_kafka_resp_err_t(rawValue: code.rawValue), ms))
        case ("clear", 1):
            guard let api = KafkaAPI(args[0]) else { return "error unknown API \(args[0])" }
            rd_kafka_mock_clear_request_errors(cluster.mock, api.rawValue)
            reply = "ok"
        case ("topic", 2), ("topic", 3):
            guard let partitions = Int32(args[1]), (1...1000).contains(partitions) else {
                return "error bad partition count \(args[1])"
            }
            let rf = args.count == 3 ? Int32(args[2]) ?? 0 : 1
            guard (1...cluster.brokerCount).contains(rf) else { return "error bad replication factor" }
            reply = result(rd_kafka_mock_topic_create(cluster.mock, args[0], partitions, rf))
        case ("leader", 3):
            guard let partition = Int32(args[1]), let id = broker(args[2]) else { return "error bad leader arguments" }
            reply = result(rd_kafka_mock_partition_set_leader(cluster.mock, args[0], partition, id))
        case ("topics", 0):
            switch cluster.topics() {
            case .success(let topics): reply = "ok " + topics.map { "\($0.0):\($0.1)" }.joined(separator: " ")
            case .failure(let error): reply = "error \(error)"
            }
        default:
            reply = "error unknown command '\(line)' (try help)"
        }
        Log.info("control", ["command": line, "reply": reply])
        return reply
    }

    private func broker(_ text: String) -> Int32? {
        guard let id = Int32(text), (1...cluster.brokerCount).contains(id) else { return nil }
        return id
    }

    private func result(_ err: rd_kafka_resp_err_t) -> String {
        err == RD_KAFKA_RESP_ERR_NO_ERROR ? "ok" : "error \(String(cString: rd_kafka_err2name(err))): \(String(cString: rd_kafka_err2str(err)))"
    }
}
