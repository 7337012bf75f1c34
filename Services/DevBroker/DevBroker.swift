import CRdKafka
import Foundation
import Kafka
import ServiceKit
#if canImport(Glibc)
import Glibc
#endif

/// The `scms-devbroker` program: argument handling, startup, signal wait, shutdown.
enum DevBroker {
    static let usage = """
        usage: scms-devbroker --dir DIR [--brokers 1-3] [--exit-on-stdin-eof]

        Hosts librdkafka 2.0.2's mock Kafka cluster on 127.0.0.1 (random ports), creates the scms.* topics,
        writes the bootstrap servers to DIR/bootstrap.servers (and stdout), its pid to DIR/devbroker.pid, and
        serves a control socket at DIR/control.sock. SIGTERM or SIGINT stops it cleanly (exit 0), and so does
        end of input on stdin with --exit-on-stdin-eof (a parent that dies takes the broker with it).

        Control commands (one line each; replies "ok [detail]" or "error <reason>"):
          ping                         liveness
          down N | up N                take broker N down (connections refused) / bring it back
          rtt N|all MS                 delay broker N's (or every broker's) responses by MS
          error API CODE [COUNT]       fail the next COUNT requests of API cluster-wide with CODE
          broker-error N API CODE MS   fail the next API request to broker N with CODE after MS
          clear API                    drop pending injected errors for API
          topic NAME PARTITIONS [RF]   create a topic
          leader TOPIC PARTITION N     move a partition's leadership to broker N
          topics                       list topics as name:partitions
        API is a Kafka API key number or name (Produce, Fetch, OffsetCommit…); CODE a number or a librdkafka
        error name (NOT_LEADER_FOR_PARTITION, _TRANSPORT…).

        Limits (the mock cluster, not Kafka): in-memory only; about 5 MiB or 100,000 message sets per
        partition, older records silently dropped; no compaction or any topic config; no CreateTopics or
        DeleteTopics (use `topic` above; auto-created topics get 4 partitions); no ListGroups or
        DescribeGroups; transactions run the protocol but not its semantics (no markers, aborted records stay
        visible, transactional offset commits are not stored); idempotent producers are only deduplicated
        with a transactional.id; the first group join waits 3 s.

        """

    static func main(_ arguments: [String]) -> Int32 {
        var directory: String?
        var brokers: Int32 = 1
        var exitOnStdinEOF = false
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help":
                Output.stdout(usage)
                return 0
            case "--exit-on-stdin-eof":
                exitOnStdinEOF = true
                index += 1
            case "--dir", "--brokers":
                guard index + 1 < arguments.count else { return usageError("\(argument) needs a value") }
                let value = arguments[index + 1]
                if argument == "--dir" {
                    directory = value
                } else {
                    guard let n = Int32(value), (1...3).contains(n) else { return usageError("--brokers must be 1, 2 or 3") }
                    brokers = n
                }
                index += 2
            default:
                return usageError("unknown argument \(argument)")
            }
        }
        guard let directory else { return usageError("--dir is required") }

        // Block the stop signals before any thread exists, so every thread inherits the mask and only
        // the sigwait below sees them.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)

        let state = StateDirectory(path: directory)
        let cluster: MockCluster
        do {
            try state.create()
            cluster = try MockCluster(brokers: brokers)
        } catch {
            Log.error("startup failed", ["error": "\(error)"])
            return 69
        }
        for spec in Topics.all {
            let rf = Int32(min(Int32(spec.replicationFactor), brokers))
            let err = rd_kafka_mock_topic_create(cluster.mock, spec.name, spec.partitions, rf)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                Log.error("topic creation failed", ["topic": spec.name, "error": String(cString: rd_kafka_err2str(err))])
                cluster.destroy()
                return 70
            }
        }
        let server: ControlServer
        do {
            server = try ControlServer(path: state.controlSocket, cluster: cluster)
            try state.writeAtomically("devbroker.pid", "\(getpid())\n")
            try state.writeAtomically("bootstrap.servers", cluster.bootstrapServers + "\n")
        } catch {
            Log.error("startup failed", ["error": "\(error)"])
            cluster.destroy()
            return 69
        }
        server.start()
        if exitOnStdinEOF { watchStdin() }
        Output.stdout(cluster.bootstrapServers + "\n")
        Log.info("started", ["bootstrap": cluster.bootstrapServers, "brokers": "\(brokers)", "dir": directory,
                             "control": state.controlSocket, "topics": "\(Topics.all.count)"])

        var received: Int32 = 0
        while sigwait(&signals, &received) != 0 {}
        Log.info("stopping", ["signal": received == SIGTERM ? "SIGTERM" : "SIGINT"])
        server.stop()
        state.remove("control.sock")
        state.remove("bootstrap.servers")
        state.remove("devbroker.pid")
        cluster.destroy()
        Log.info("stopped", [:])
        return 0
    }

    /// Raises SIGTERM (caught by the sigwait in `main`) once stdin reaches end of file.
    private static func watchStdin() {
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 256)
            while buffer.withUnsafeMutableBytes({ read(0, $0.baseAddress, $0.count) }) > 0 {}
            Log.info("stdin closed", [:])
            kill(getpid(), SIGTERM)
        }
        thread.name = "devbroker-stdin"
        thread.start()
    }

    private static func usageError(_ message: String) -> Int32 {
        Output.stderr("scms-devbroker: \(message)\n\(usage)")
        return 64
    }
}

/// The broker's state directory.
struct StateDirectory {
    let path: String

    var controlSocket: String { path + "/control.sock" }

    func create() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `name` via a temporary file and `rename(2)`, so readers see the old or the new content, never half.
    func writeAtomically(_ name: String, _ text: String) throws {
        let final = path + "/" + name
        let temporary = final + ".tmp.\(getpid())"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, final) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw DevBrokerError("rename \(temporary): \(reason)")
        }
    }

    func remove(_ name: String) {
        unlink(path + "/" + name)
    }
}

struct DevBrokerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The mock cluster and the two librdkafka handles around it.
///
/// `@unchecked Sendable`: immutable pointers; the mock cluster API and librdkafka handles are thread-safe,
/// and `destroy()` runs once, on the main thread, after the control server stopped.
struct MockCluster: @unchecked Sendable {
    /// The handle that owns the mock cluster (it talks to nothing).
    let owner: OpaquePointer
    let mock: OpaquePointer
    /// A client of the cluster, for metadata (`topics`).
    let client: OpaquePointer
    let brokerCount: Int32
    let bootstrapServers: String

    init(brokers: Int32) throws {
        owner = try Self.makeHandle([("log_level", "3")])
        guard let mock = rd_kafka_mock_cluster_new(owner, brokers) else {
            rd_kafka_destroy(owner)
            throw DevBrokerError("rd_kafka_mock_cluster_new failed")
        }
        self.mock = mock
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mock))
        do {
            client = try Self.makeHandle([("bootstrap.servers", bootstrapServers), ("log_level", "3"),
                                          ("allow.auto.create.topics", "false")])
        } catch {
            rd_kafka_mock_cluster_destroy(mock)
            rd_kafka_destroy(owner)
            throw error
        }
        brokerCount = brokers
    }

    private static func makeHandle(_ properties: [(String, String)]) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else { throw DevBrokerError("rd_kafka_conf_new failed") }
        var errstr = [CChar](repeating: 0, count: 512)
        for (k, v) in properties where rd_kafka_conf_set(conf, k, v, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            throw DevBrokerError("\(k)=\(v): \(text(errstr))")
        }
        guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw DevBrokerError(text(errstr))
        }
        return rk
    }

    func destroy() {
        rd_kafka_destroy(client)
        rd_kafka_mock_cluster_destroy(mock)
        rd_kafka_destroy(owner)
    }

    /// Topic names and partition counts from a metadata request.
    func topics() -> Result<[(String, Int32)], DevBrokerError> {
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        let err = rd_kafka_metadata(client, 1, nil, &metadata, 5000)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let md = metadata else {
            return .failure(DevBrokerError("metadata: \(String(cString: rd_kafka_err2str(err)))"))
        }
        defer { rd_kafka_metadata_destroy(md) }
        var out: [(String, Int32)] = []
        for i in 0..<Int(md.pointee.topic_cnt) {
            let t = md.pointee.topics[i]
            out.append((t.topic.map { String(cString: $0) } ?? "", t.partition_cnt))
        }
        return .success(out.sorted { $0.0 < $1.0 })
    }
}

func text(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// stdout / stderr through write(2): the C `stdout`/`stderr` globals are not usable under Swift 6.
enum Output {
    static func stdout(_ text: String) { write(fd: 1, text) }
    static func stderr(_ text: String) { write(fd: 2, text) }

    private static func write(fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// JSON-lines logging on stderr.
enum Log {
    static func info(_ message: String, _ fields: [String: String]) { emit("info", message, fields) }
    static func error(_ message: String, _ fields: [String: String]) { emit("error", message, fields) }

    static func emit(_ level: String, _ message: String, _ fields: [String: String]) {
        var object: [String: String] = fields
        object["ts"] = ISO8601DateFormatter().string(from: Date())
        object["level"] = level
        object["service"] = "scms-devbroker"
        object["msg"] = message
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
              let line = String(data: data, encoding: .utf8) else { return }
        Output.stderr(line + "\n")
    }
}
