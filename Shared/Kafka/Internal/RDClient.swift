import CRdKafka
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Owns one `rd_kafka_t` and the context object its C callbacks reach through the conf opaque.
///
/// `@unchecked Sendable`: both stored properties are immutable; `handle` points to a librdkafka instance,
/// which is thread-safe for every call this module makes on it, and `context` is itself `Sendable`.
/// The handle is destroyed exactly once, in `deinit`, before `context` is released (stored properties
/// outlive the `deinit` body), so no callback can reach a freed context.
final class RDClient: @unchecked Sendable {
    let handle: OpaquePointer
    let context: ClientContext

    /// Builds the conf, applies `properties` in order, installs the callbacks `context` asks for,
    /// lets `configure` add type-specific ones, and creates the client.
    ///
    /// - Throws: ``KafkaError`` with code ``KafkaError/Code/invalidArgument`` and librdkafka's message when a
    ///   property is unknown or invalid, or when `rd_kafka_new` rejects the combination. The conf is destroyed
    ///   on every failure path.
    init(type: rd_kafka_type_t, properties: [(String, String)], context: ClientContext,
         configure: (OpaquePointer) -> Void = { _ in }) throws(KafkaError) {
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaError(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE, operation: "configuration")
        }
        var errstr = [CChar](repeating: 0, count: 512)
        for (name, value) in properties {
            let result = rd_kafka_conf_set(conf, name, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                throw KafkaError(code: .invalidArgument, message: "\(name)=\(value): \(cText(errstr))",
                                 operation: "configuration")
            }
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        if context.onStatistics != nil { rd_kafka_conf_set_stats_cb(conf, statisticsCallback) }
        if context.onLog != nil { rd_kafka_conf_set_log_cb(conf, logCallback) }
        if context.onError != nil { rd_kafka_conf_set_error_cb(conf, errorCallback) }
        configure(conf)
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            // rd_kafka_new takes ownership of conf only on success.
            rd_kafka_conf_destroy(conf)
            throw KafkaError(code: .invalidArgument, message: cText(errstr), operation: "configuration")
        }
        self.handle = rk
        self.context = context
    }

    deinit {
        rd_kafka_destroy(handle)
    }

    /// The instance name librdkafka gave this client, e.g. `rdkafka#producer-1`.
    var name: String { String(cString: rd_kafka_name(handle)) }
}

/// What the C callbacks of one client need. Immutable, hence `Sendable` without exceptions.
final class ClientContext: Sendable {
    let onStatistics: (@Sendable (KafkaStatistics) -> Void)?
    let onLog: (@Sendable (KafkaLogMessage) -> Void)?
    let onError: (@Sendable (KafkaError) -> Void)?
    /// Producer only: the in-flight bound released by each delivery report.
    let inFlight: InFlightLimiter?
    /// Producer only: receives the reports of records enqueued without a per-record callback.
    let onDelivery: (@Sendable (Result<DeliveryReport, KafkaError>) -> Void)?
    /// Producer only: topic names for those reports by topic handle address (the callback runs on more
    /// than one thread).
    private let topicNames = Mutex<[UInt: String]>([:])

    /// The name of a topic handle, cached.
    func topicName(_ rkt: OpaquePointer?) -> String {
        guard let rkt, let cName = rd_kafka_topic_name(rkt) else { return "" }
        let key = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(rkt)))
        if let cached = topicNames.withLock({ $0[key] }), cached.withCString({ strcmp($0, cName) == 0 }) { return cached }
        let name = String(cString: cName)
        topicNames.withLock { $0[key] = name }
        return name
    }
    /// Consumer only: where rebalance callbacks go.
    let rebalance: RebalanceRouter?

    init(_ configuration: KafkaConfiguration, inFlight: InFlightLimiter? = nil,
         onDelivery: (@Sendable (Result<DeliveryReport, KafkaError>) -> Void)? = nil,
         rebalance: RebalanceRouter? = nil) {
        self.onStatistics = configuration.onStatistics
        self.onLog = configuration.onLog
        self.onError = configuration.onError
        self.inFlight = inFlight
        self.onDelivery = onDelivery
        self.rebalance = rebalance
    }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientContext? {
        opaque.map { Unmanaged<ClientContext>.fromOpaque($0).takeUnretainedValue() }
    }
}

// MARK: - C callbacks (global `let`s convert to C function pointers)

private let statisticsCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int,
                                                UnsafeMutableRawPointer?) -> Int32 = { _, json, length, opaque in
    guard let json, let context = ClientContext.from(opaque), let handler = context.onStatistics else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: json, count: length)
    if let statistics = try? KafkaStatistics(json: bytes) { handler(statistics) }
    return 0  // librdkafka frees the JSON
}

private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?,
                                         UnsafePointer<CChar>?) -> Void = { rk, level, facility, text in
    guard let rk, let context = ClientContext.from(rd_kafka_opaque(rk)), let handler = context.onLog else { return }
    handler(KafkaLogMessage(level: Int(level), facility: facility.map { String(cString: $0) } ?? "",
                            message: text.map { String(cString: $0) } ?? "",
                            client: String(cString: rd_kafka_name(rk))))
}

private let errorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?,
                                           UnsafeMutableRawPointer?) -> Void = { rk, err, reason, opaque in
    guard let context = ClientContext.from(opaque), let handler = context.onError else { return }
    var code = rd_kafka_resp_err_t(rawValue: err)
    var message = reason.map { String(cString: $0) } ?? ""
    let fatal = code == RD_KAFKA_RESP_ERR__FATAL
    if fatal, let rk {
        var errstr = [CChar](repeating: 0, count: 512)
        code = rd_kafka_fatal_error(rk, &errstr, errstr.count)
        message = cText(errstr)
    }
    handler(KafkaError(code: KafkaError.Code(rawValue: code.rawValue), message: message, operation: "client",
                       isFatal: fatal))
}

// MARK: - Helpers

/// The text of a NUL-terminated C buffer.
func cText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A partition list built from Swift values; the caller destroys it.
func makePartitionList(_ entries: [(TopicPartition, Int64)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
    // rd_kafka_topic_partition_list_new only fails when malloc does, which librdkafka treats as fatal itself.
    let list = rd_kafka_topic_partition_list_new(Int32(clamping: max(1, entries.count)))!
    for (tp, offset) in entries {
        let element = rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)
        element?.pointee.offset = offset
    }
    return list
}

/// One element of a partition list.
struct PartitionListEntry {
    var topicPartition: TopicPartition
    var offset: Int64
    var error: rd_kafka_resp_err_t
}

/// The elements of a partition list.
func readPartitionList(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [PartitionListEntry] {
    guard let list, let elements = list.pointee.elems else { return [] }
    return (0..<Int(list.pointee.cnt)).map { i in
        let e = elements[i]
        let topic = e.topic.map { String(cString: $0) } ?? ""
        return PartitionListEntry(topicPartition: TopicPartition(topic, e.partition), offset: e.offset, error: e.err)
    }
}

/// Runs blocking librdkafka calls off the Swift cooperative pool.
enum Blocking {
    static let queue = DispatchQueue(label: "scms.kafka.blocking", attributes: .concurrent)

    /// Runs `body` on a dispatch queue thread and resumes with its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws(KafkaError) -> T) async throws(KafkaError) -> T {
        let result: Result<T, KafkaError> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(KafkaError) { continuation.resume(returning: .success(try body())) }
                catch { continuation.resume(returning: .failure(error)) }
            }
        }
        return try result.get()
    }
}
