import CRdKafka

/// The one error type of the `Kafka` module.
///
/// Every failure carries librdkafka's own error code (``Code``, the `rd_kafka_resp_err_t` value), its
/// symbolic name (`"_TIMED_OUT"`, `"NOT_LEADER_FOR_PARTITION"`), a human-readable message (librdkafka's
/// `errstr` where it gave one), and the retriable / fatal / abort-transaction flags librdkafka reported.
/// ``operation`` names the wrapper call that failed so a log line says what was attempted.
///
/// Compare errors by ``code``; use `String(describing:)` for diagnostics.
public struct KafkaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A librdkafka error code (`rd_kafka_resp_err_t`): negative values are client-side ("local")
    /// errors, positive values are Kafka protocol error codes.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// librdkafka's symbolic name for the code, e.g. `"_TRANSPORT"` or `"UNKNOWN_TOPIC_OR_PART"`.
        public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue))) }
        public var description: String { "\(name) (\(rawValue))" }

        /// A configuration property was unknown or its value invalid (`_INVALID_ARG`).
        public static let invalidArgument = Code(rawValue: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue)
        /// The broker does not implement the request (`_UNSUPPORTED_FEATURE`), e.g. group listing on the
        /// mock cluster that `scms-devbroker` hosts.
        public static let unsupportedByBroker = Code(rawValue: RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE.rawValue)
        /// An operation did not finish before its deadline (`_TIMED_OUT`).
        public static let timedOut = Code(rawValue: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue)
        /// A message was not delivered within `message.timeout.ms` (`_MSG_TIMED_OUT`).
        public static let messageTimedOut = Code(rawValue: RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue)
        /// librdkafka's local queue is full (`_QUEUE_FULL`).
        public static let queueFull = Code(rawValue: RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue)
        /// The client was closed (`_DESTROY`).
        public static let closed = Code(rawValue: RD_KAFKA_RESP_ERR__DESTROY.rawValue)
        /// A broker connection failed (`_TRANSPORT`).
        public static let transport = Code(rawValue: RD_KAFKA_RESP_ERR__TRANSPORT.rawValue)
        /// No broker is reachable (`_ALL_BROKERS_DOWN`).
        public static let allBrokersDown = Code(rawValue: RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN.rawValue)
        /// The call does not fit the client's state, e.g. a partition that is not assigned (`_STATE`).
        public static let state = Code(rawValue: RD_KAFKA_RESP_ERR__STATE.rawValue)
        /// The message was purged from the queue before it was sent (`_PURGE_QUEUE`).
        public static let purgedFromQueue = Code(rawValue: RD_KAFKA_RESP_ERR__PURGE_QUEUE.rawValue)
        /// The message was purged while in flight (`_PURGE_INFLIGHT`).
        public static let purgedInFlight = Code(rawValue: RD_KAFKA_RESP_ERR__PURGE_INFLIGHT.rawValue)
        /// The client raised a fatal error and must be recreated (`_FATAL`).
        public static let fatal = Code(rawValue: RD_KAFKA_RESP_ERR__FATAL.rawValue)
        /// The partition does not exist in the client's metadata (`_UNKNOWN_PARTITION`).
        public static let unknownPartition = Code(rawValue: RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION.rawValue)
        /// The topic does not exist (`_UNKNOWN_TOPIC`, client-side).
        public static let unknownTopic = Code(rawValue: RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC.rawValue)
        /// The broker does not know the topic or partition (`UNKNOWN_TOPIC_OR_PART`, protocol code 3).
        public static let unknownTopicOrPartition = Code(rawValue: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue)
        /// The broker rejected a message that is too large (`MSG_SIZE_TOO_LARGE`, protocol code 10).
        public static let messageSizeTooLarge = Code(rawValue: RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE.rawValue)
        /// A malformed or unsafe input to the wrapper itself (`_BAD_MSG`), e.g. a header name with a NUL.
        public static let badMessage = Code(rawValue: RD_KAFKA_RESP_ERR__BAD_MSG.rawValue)
        /// A failure outside librdkafka, such as a socket error on the dev broker control channel (`_FAIL`).
        public static let failed = Code(rawValue: RD_KAFKA_RESP_ERR__FAIL.rawValue)
        /// The group coordinator is rebalancing the group (a broker error, retriable).
        public static let rebalanceInProgress = Code(rawValue: RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS.rawValue)
        /// The group has moved to a newer generation than the one the request carried (a broker error).
        public static let illegalGeneration = Code(rawValue: RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION.rawValue)
    }

    /// librdkafka's error code.
    public let code: Code
    /// librdkafka's symbolic name of ``code``.
    public var name: String { code.name }
    /// What went wrong, in librdkafka's words where it supplied them.
    public let message: String
    /// Whether repeating the same call may succeed (`rd_kafka_error_is_retriable`).
    public let isRetriable: Bool
    /// Whether the client instance is unusable and must be recreated (`rd_kafka_error_is_fatal`).
    public let isFatal: Bool
    /// Whether the current transaction must be aborted (`rd_kafka_error_txn_requires_abort`).
    public let transactionRequiresAbort: Bool
    /// The wrapper call that failed, e.g. `"configuration"`, `"produce"`, `"commit"`.
    public let operation: String

    /// Creates an error; the module builds these from librdkafka's results, tests and callers may too.
    public init(code: Code, message: String? = nil, operation: String,
                isRetriable: Bool = false, isFatal: Bool = false, transactionRequiresAbort: Bool = false) {
        self.code = code
        self.message = message ?? String(cString: rd_kafka_err2str(rd_kafka_resp_err_t(rawValue: code.rawValue)))
        self.operation = operation
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.transactionRequiresAbort = transactionRequiresAbort
    }

    public var description: String {
        var flags: [String] = []
        if isRetriable { flags.append("retriable") }
        if isFatal { flags.append("fatal") }
        if transactionRequiresAbort { flags.append("abort-transaction") }
        let flagText = flags.isEmpty ? "" : " [\(flags.joined(separator: ", "))]"
        return "KafkaError.\(operation): \(name) (\(code.rawValue)): \(message)\(flagText)"
    }
}

extension KafkaError {
    /// Wraps a plain response code.
    init(_ err: rd_kafka_resp_err_t, operation: String, message: String? = nil) {
        self.init(code: Code(rawValue: err.rawValue), message: message, operation: operation)
    }

    /// Copies an `rd_kafka_error_t` (code, string and flags). The caller still owns `error`.
    init(borrowing error: OpaquePointer, operation: String) {
        self.init(code: Code(rawValue: rd_kafka_error_code(error).rawValue),
                  message: String(cString: rd_kafka_error_string(error)),
                  operation: operation,
                  isRetriable: rd_kafka_error_is_retriable(error) != 0,
                  isFatal: rd_kafka_error_is_fatal(error) != 0,
                  transactionRequiresAbort: rd_kafka_error_txn_requires_abort(error) != 0)
    }

    /// Copies and then destroys an owned `rd_kafka_error_t`.
    init(consuming error: OpaquePointer, operation: String) {
        self.init(borrowing: error, operation: operation)
        rd_kafka_error_destroy(error)
    }

    /// Throws if `err` is not `NO_ERROR`.
    static func check(_ err: rd_kafka_resp_err_t, _ operation: String) throws(KafkaError) {
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, operation: operation) }
    }

    /// Throws (and frees) an owned `rd_kafka_error_t` if there is one.
    static func check(_ error: OpaquePointer?, _ operation: String) throws(KafkaError) {
        if let error { throw KafkaError(consuming: error, operation: operation) }
    }
}
