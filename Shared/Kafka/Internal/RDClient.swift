import CRdKafka
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Owns one `rd_kafka_t` and the context object its C callbacks reach through the conf opaque.
///
/// `@unchecked Sendable`: `handle` and `context` are immutable; `handle` points to a librdkafka instance,
/// which is thread-safe for every call this module makes on it, and `context` is itself `Sendable`. The only
/// mutable state, the destroy flags, is an atomic.
/// The handle is destroyed exactly once, in `deinit`, before `context` is released (stored properties
/// outlive the `deinit` body), so no callback can reach a freed context.
final class RDClient: @unchecked Sendable {
    let handle: OpaquePointer
    let context: ClientContext
    /// Flags for `rd_kafka_destroy_flags` in `deinit`.
    private let destroyFlags = Atomic<Int32>(0)

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
        let flags = destroyFlags.load(ordering: .acquiring)
        guard flags & Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE) != 0 else {
            rd_kafka_destroy(handle)
            return
        }
        // A consumer whose close was abandoned: librdkafka's main thread still waits for the group's outstanding
        // requests (LeaveGroup, commits) to fail before `rd_kafka_destroy_flags` returns, tens of seconds with
        // the broker gone. Destroy it on a thread of its own so releasing the consumer never waits on the broker;
        // the handle is still destroyed exactly once, and the context its callbacks reach stays alive until then.
        let handle = RawHandle(pointer: self.handle)
        let context = self.context
        let thread = Thread {
            rd_kafka_destroy_flags(handle.pointer, flags)
            withExtendedLifetime(context) {}
        }
        thread.name = "kafka-destroy"
        thread.start()
    }

    /// Makes `deinit` destroy the consumer without closing it again (`RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE`), and
    /// without waiting for that: for a consumer whose graceful close did not finish in time.
    func skipConsumerCloseOnDestroy() {
        destroyFlags.store(Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE), ordering: .releasing)
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
    /// Producer only: topic names for those reports (the callback runs on more than one thread).
    let topicNames = ReportTopicNames()
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

    /// Runs `body` with the context behind a conf opaque without retaining it: the client owns the
    /// context and outlives every callback (see ``RDClient``), so the hot per-record callbacks need not
    /// touch its reference count (an atomic on a line shared by every thread that polls).
    @inline(__always)
    static func with<R>(_ opaque: UnsafeMutableRawPointer, _ body: (ClientContext) -> R) -> R {
        Unmanaged<ClientContext>.fromOpaque(opaque)._withUnsafeGuaranteedRef(body)
    }
}

/// Topic names of delivery reports, by topic handle.
///
/// librdkafka keeps one topic handle per name and client, so a producer sees only as many handles as it
/// has topics, and consecutive reports nearly always share one. The entry that answered last is published
/// through an atomic pointer, so the common lookup takes no lock: one load, an address compare and a
/// `strcmp` (a destroyed handle's address can come back for another topic, so the name is confirmed).
/// Entries are immutable and never removed while the cache lives (the list retains them), which is what
/// makes the unretained pointer safe; the list is capped at ``capacity`` names, beyond which names are
/// built per report instead of cached.
final class ReportTopicNames: Sendable {
    /// One cached name: immutable, so shared freely.
    private final class Entry: Sendable {
        let handle: UInt
        let name: String
        /// The name's NUL-terminated UTF-8, compared with librdkafka's without a conversion.
        let cName: ContiguousArray<CChar>

        init(handle: UInt, cName: UnsafePointer<CChar>) {
            self.handle = handle
            self.name = String(cString: cName)
            self.cName = ContiguousArray(UnsafeBufferPointer(start: cName, count: strlen(cName) + 1))
        }

        @inline(__always)
        func matches(_ handle: UInt, _ other: UnsafePointer<CChar>) -> Bool {
            self.handle == handle && cName.withUnsafeBufferPointer { strcmp($0.baseAddress!, other) == 0 }
        }
    }

    static let capacity = 64
    /// Every entry made; retains them for the cache's lifetime.
    private let entries = Mutex<[Entry]>([])
    /// The address of the entry that answered last, 0 for none (unretained; `entries` owns it).
    private let last = Atomic<UInt>(0)

    /// The name of a topic handle.
    @inline(__always)
    func name(_ rkt: OpaquePointer?) -> String {
        guard let rkt, let cName = rd_kafka_topic_name(rkt) else { return "" }
        let handle = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(rkt)))
        if let pointer = UnsafeRawPointer(bitPattern: last.load(ordering: .acquiring)) {
            let hit: String? = Unmanaged<Entry>.fromOpaque(pointer)._withUnsafeGuaranteedRef { entry in
                entry.matches(handle, cName) ? entry.name : nil
            }
            if let hit { return hit }
        }
        return slowName(handle, cName)
    }

    /// Finds or makes the entry under the lock and publishes it as the last one.
    private func slowName(_ handle: UInt, _ cName: UnsafePointer<CChar>) -> String {
        let entry: Entry? = entries.withLock { list in
            if let found = list.first(where: { $0.matches(handle, cName) }) { return found }
            guard list.count < Self.capacity else { return nil }
            let made = Entry(handle: handle, cName: cName)
            list.append(made)
            return made
        }
        guard let entry else { return String(cString: cName) }
        last.store(UInt(bitPattern: Unmanaged.passUnretained(entry).toOpaque()), ordering: .releasing)
        return entry.name
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
