import CRdKafka
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Cluster and group inspection: topic metadata, partition watermarks, a group's committed offsets, and
/// group listing / description where the broker supports them.
///
/// Every call blocks inside librdkafka and therefore runs on a dispatch queue, never on the cooperative pool.
public final class KafkaAdmin: Sendable {
    private let client: RDClient
    private let requestTimeout: Duration
    /// Whether the brokers implement the group APIs; learnt from the first ``listGroups()``.
    private let groupAPIsSupported = Mutex<Bool?>(nil)

    /// Creates the admin client (a librdkafka consumer handle that never joins a group).
    ///
    /// - Throws: ``KafkaError`` (``KafkaError/Code/invalidArgument``) with librdkafka's message.
    public init(configuration: AdminConfiguration) throws {
        self.client = try RDClient(type: RD_KAFKA_CONSUMER, properties: configuration.properties(),
                                   context: ClientContext(configuration.client))
        self.requestTimeout = configuration.requestTimeout
    }

    // MARK: Metadata

    /// Brokers and topics of the cluster; `topics` limits the topics reported (nil: all).
    ///
    /// Asking for all topics never auto-creates one, unlike a metadata request naming a topic.
    public func metadata(topics: [String]? = nil) async throws -> ClusterMetadata {
        let client = self.client
        let ms = requestTimeout.timeoutMilliseconds
        let wanted = topics.map(Set.init)
        return try await Blocking.run { () throws(KafkaError) in
            _ = rd_kafka_poll(client.handle, 0)
            var metadata: UnsafePointer<rd_kafka_metadata>? = nil
            try KafkaError.check(rd_kafka_metadata(client.handle, 1, nil, &metadata, ms), "metadata")
            guard let md = metadata else { throw KafkaError(code: .failed, operation: "metadata") }
            defer { rd_kafka_metadata_destroy(md) }
            return ClusterMetadata(md.pointee, only: wanted)
        }
    }

    // MARK: Offsets

    /// The low (oldest retained) and high (log end) offsets of many partitions, in two batched requests
    /// per leader (`rd_kafka_offsets_for_times` with the logical times -2 and -1).
    ///
    /// The high watermark is the last stable offset instead when the admin's isolation level is
    /// `readCommitted`.
    public func watermarks(for partitions: [TopicPartition]) async throws -> [TopicPartition: Watermarks] {
        guard !partitions.isEmpty else { return [:] }
        let client = self.client
        let ms = requestTimeout.timeoutMilliseconds
        return try await Blocking.run { () throws(KafkaError) in
            _ = rd_kafka_poll(client.handle, 0)
            let low = try offsetsForTimes(client.handle, partitions, logicalTime: -2, timeoutMs: ms)
            let high = try offsetsForTimes(client.handle, partitions, logicalTime: -1, timeoutMs: ms)
            var out: [TopicPartition: Watermarks] = [:]
            for tp in partitions {
                if let l = low[tp], let h = high[tp] { out[tp] = Watermarks(low: l, high: h) }
            }
            return out
        }
    }

    /// The committed offsets (next offset to process) of `group` for exactly `partitions`; nil where the
    /// group has committed nothing (`ListConsumerGroupOffsets`).
    public func committedOffsets(group: String, partitions: [TopicPartition]) async throws -> [TopicPartition: Int64?] {
        guard !partitions.isEmpty else { return [:] }
        let client = self.client
        let timeout = requestTimeout
        return try await Blocking.run { () throws(KafkaError) in
            let list = makePartitionList(partitions.map { ($0, -1001) })
            defer { rd_kafka_topic_partition_list_destroy(list) }
            guard let request = rd_kafka_ListConsumerGroupOffsets_new(group, list) else {
                throw KafkaError(code: .invalidArgument, operation: "committedOffsets")
            }
            defer { rd_kafka_ListConsumerGroupOffsets_destroy(request) }
            var requests: [OpaquePointer?] = [request]
            let event = try adminCall(client, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout, "committedOffsets") {
                options, queue in
                requests.withUnsafeMutableBufferPointer {
                    rd_kafka_ListConsumerGroupOffsets(client.handle, $0.baseAddress, 1, options, queue)
                }
            }
            defer { rd_kafka_event_destroy(event) }
            var count = 0
            guard let result = rd_kafka_event_ListConsumerGroupOffsets_result(event),
                  let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(result, &count), count > 0,
                  let groupResult = groups[0] else {
                throw KafkaError(code: .failed, message: "empty ListConsumerGroupOffsets result", operation: "committedOffsets")
            }
            if let error = rd_kafka_group_result_error(groupResult) {
                throw KafkaError(borrowing: error, operation: "committedOffsets")
            }
            var out: [TopicPartition: Int64?] = [:]
            for tp in partitions { out[tp] = .some(nil) }
            for entry in readPartitionList(rd_kafka_group_result_partitions(groupResult)) {
                if entry.error != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaError(entry.error, operation: "committedOffsets",
                                     message: "\(entry.topicPartition): \(String(cString: rd_kafka_err2str(entry.error)))")
                }
                out[entry.topicPartition] = entry.offset >= 0 ? entry.offset : nil
            }
            return out
        }
    }

    // MARK: Groups

    /// Every consumer group the cluster knows (`ListConsumerGroups`).
    ///
    /// - Throws: ``KafkaError/Code/unsupportedByBroker`` when the broker does not implement group listing
    ///   (the mock cluster of `scms-devbroker`).
    public func listGroups() async throws -> [GroupListing] {
        do {
            let groups = try await listGroupsRequest()
            groupAPIsSupported.withLock { $0 = true }
            return groups
        } catch let error as KafkaError where error.code == .unsupportedByBroker {
            groupAPIsSupported.withLock { $0 = false }
            throw error
        }
    }

    private func listGroupsRequest() async throws -> [GroupListing] {
        let client = self.client
        let timeout = requestTimeout
        return try await Blocking.run { () throws(KafkaError) in
            let event = try adminCall(client, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, timeout, "listGroups") { options, queue in
                rd_kafka_ListConsumerGroups(client.handle, options, queue)
            }
            defer { rd_kafka_event_destroy(event) }
            guard let result = rd_kafka_event_ListConsumerGroups_result(event) else {
                throw KafkaError(code: .failed, message: "no ListConsumerGroups result", operation: "listGroups")
            }
            var validCount = 0
            var errorCount = 0
            let valid = rd_kafka_ListConsumerGroups_result_valid(result, &validCount)
            let errors = rd_kafka_ListConsumerGroups_result_errors(result, &errorCount)
            if validCount == 0, errorCount > 0, let errors, let first = errors[0] {
                throw unsupportedAware(KafkaError(borrowing: first, operation: "listGroups"), "ListConsumerGroups")
            }
            var out: [GroupListing] = []
            for i in 0..<validCount {
                guard let listing = valid?[i] else { continue }
                out.append(GroupListing(
                    groupID: String(cString: rd_kafka_ConsumerGroupListing_group_id(listing)),
                    isSimpleConsumerGroup: rd_kafka_ConsumerGroupListing_is_simple_consumer_group(listing) != 0,
                    state: GroupState(rd_kafka_ConsumerGroupListing_state(listing))))
            }
            return out.sorted { $0.groupID < $1.groupID }
        }
    }

    /// Members, assignments and state of one group (`DescribeConsumerGroups`).
    ///
    /// - Throws: ``KafkaError/Code/unsupportedByBroker`` when the broker does not implement it (the mock
    ///   cluster of `scms-devbroker`).
    public func describeGroup(_ group: String) async throws -> GroupDescription {
        // librdkafka 2.0.2 answers DescribeConsumerGroups on a broker without the group APIs, but then hangs
        // in rd_kafka_destroy. So find out first, with the harmless ListConsumerGroups, and never send it there.
        if groupAPIsSupported.withLock({ $0 }) == nil {
            do { _ = try await listGroups() } catch let error as KafkaError where error.code == .unsupportedByBroker {}
        }
        if groupAPIsSupported.withLock({ $0 }) == false {
            throw KafkaError(code: .unsupportedByBroker,
                             message: "DescribeConsumerGroups is unsupported by this broker (it has no group APIs)",
                             operation: "describeGroup")
        }
        let client = self.client
        let timeout = requestTimeout
        return try await Blocking.run { () throws(KafkaError) in
            let event = try adminCall(client, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout, "describeGroup") {
                options, queue in
                group.withCString { name in
                    var names: [UnsafePointer<CChar>?] = [name]
                    names.withUnsafeMutableBufferPointer {
                        rd_kafka_DescribeConsumerGroups(client.handle, $0.baseAddress, 1, options, queue)
                    }
                }
            }
            defer { rd_kafka_event_destroy(event) }
            var count = 0
            guard let result = rd_kafka_event_DescribeConsumerGroups_result(event),
                  let groups = rd_kafka_DescribeConsumerGroups_result_groups(result, &count), count > 0,
                  let description = groups[0] else {
                throw KafkaError(code: .failed, message: "no DescribeConsumerGroups result", operation: "describeGroup")
            }
            if let error = rd_kafka_ConsumerGroupDescription_error(description) {
                throw unsupportedAware(KafkaError(borrowing: error, operation: "describeGroup"),
                                       "DescribeConsumerGroups")
            }
            var members: [GroupMember] = []
            for i in 0..<rd_kafka_ConsumerGroupDescription_member_count(description) {
                guard let member = rd_kafka_ConsumerGroupDescription_member(description, i) else { continue }
                let assignment = rd_kafka_MemberDescription_assignment(member)
                    .flatMap { rd_kafka_MemberAssignment_partitions($0) }
                members.append(GroupMember(
                    memberID: optionalString(rd_kafka_MemberDescription_consumer_id(member)) ?? "",
                    groupInstanceID: optionalString(rd_kafka_MemberDescription_group_instance_id(member)),
                    clientID: optionalString(rd_kafka_MemberDescription_client_id(member)) ?? "",
                    host: optionalString(rd_kafka_MemberDescription_host(member)) ?? "",
                    assignment: readPartitionList(assignment).map(\.topicPartition).sorted()))
            }
            let coordinator = rd_kafka_ConsumerGroupDescription_coordinator(description).map { Int32(rd_kafka_Node_id($0)) }
            return GroupDescription(
                groupID: String(cString: rd_kafka_ConsumerGroupDescription_group_id(description)),
                isSimpleConsumerGroup: rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(description) != 0,
                state: GroupState(rd_kafka_ConsumerGroupDescription_state(description)),
                partitionAssignor: optionalString(rd_kafka_ConsumerGroupDescription_partition_assignor(description)) ?? "",
                coordinator: coordinator,
                members: members)
        }
    }
}

// MARK: - Values

/// Low and high watermark of one partition.
public struct Watermarks: Hashable, Sendable, Codable {
    /// The oldest retained offset.
    public var low: Int64
    /// The log end offset: the offset the next record will get.
    public var high: Int64

    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }
}

/// What `rd_kafka_metadata` reported.
public struct ClusterMetadata: Hashable, Sendable {
    public struct Broker: Hashable, Sendable {
        public var id: Int32
        public var host: String
        public var port: Int
    }

    public struct Partition: Hashable, Sendable {
        public var id: Int32
        public var leader: Int32
        public var replicas: [Int32]
        public var inSyncReplicas: [Int32]
        /// The broker's per-partition error, if any.
        public var error: KafkaError.Code?
    }

    public struct Topic: Hashable, Sendable {
        public var name: String
        public var partitions: [Partition]
        /// The broker's per-topic error, if any (e.g. ``KafkaError/Code/unknownTopicOrPartition``).
        public var error: KafkaError.Code?

        /// This topic's partitions as ``TopicPartition`` values.
        public var topicPartitions: [TopicPartition] { partitions.map { TopicPartition(name, $0.id) } }
    }

    public var brokers: [Broker]
    /// Topics by name order.
    public var topics: [Topic]
    /// The broker that answered.
    public var originatingBrokerID: Int32

    /// The topic called `name`, if reported.
    public func topic(_ name: String) -> Topic? { topics.first { $0.name == name } }

    init(_ md: rd_kafka_metadata, only wanted: Set<String>?) {
        var brokers: [Broker] = []
        for i in 0..<Int(md.broker_cnt) {
            let b = md.brokers[i]
            brokers.append(Broker(id: b.id, host: b.host.map { String(cString: $0) } ?? "", port: Int(b.port)))
        }
        var topics: [Topic] = []
        for i in 0..<Int(md.topic_cnt) {
            let t = md.topics[i]
            let name = t.topic.map { String(cString: $0) } ?? ""
            if let wanted, !wanted.contains(name) { continue }
            var partitions: [Partition] = []
            for j in 0..<Int(t.partition_cnt) {
                let p = t.partitions[j]
                partitions.append(Partition(
                    id: p.id, leader: p.leader,
                    replicas: (0..<Int(p.replica_cnt)).map { p.replicas[$0] },
                    inSyncReplicas: (0..<Int(p.isr_cnt)).map { p.isrs[$0] },
                    error: p.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.Code(rawValue: p.err.rawValue)))
            }
            topics.append(Topic(name: name, partitions: partitions.sorted { $0.id < $1.id },
                                error: t.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError.Code(rawValue: t.err.rawValue)))
        }
        self.brokers = brokers.sorted { $0.id < $1.id }
        self.topics = topics.sorted { $0.name < $1.name }
        self.originatingBrokerID = md.orig_broker_id
    }
}

/// A consumer group's state as the coordinator reports it.
public struct GroupState: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    init(_ state: rd_kafka_consumer_group_state_t) {
        self.init(rawValue: String(cString: rd_kafka_consumer_group_state_name(state)))
    }

    public static let stable = GroupState(rawValue: "Stable")
    public static let empty = GroupState(rawValue: "Empty")
    public static let dead = GroupState(rawValue: "Dead")
    public static let preparingRebalance = GroupState(rawValue: "PreparingRebalance")
    public static let completingRebalance = GroupState(rawValue: "CompletingRebalance")
    public var description: String { rawValue }
}

/// One entry of ``KafkaAdmin/listGroups()``.
public struct GroupListing: Hashable, Sendable, Codable {
    public var groupID: String
    public var isSimpleConsumerGroup: Bool
    public var state: GroupState
}

/// One member of a described group.
public struct GroupMember: Hashable, Sendable, Codable {
    public var memberID: String
    public var groupInstanceID: String?
    public var clientID: String
    public var host: String
    public var assignment: [TopicPartition]
}

/// What ``KafkaAdmin/describeGroup(_:)`` returns.
public struct GroupDescription: Hashable, Sendable, Codable {
    public var groupID: String
    public var isSimpleConsumerGroup: Bool
    public var state: GroupState
    public var partitionAssignor: String
    /// The coordinator's broker id.
    public var coordinator: Int32?
    public var members: [GroupMember]

    /// The member that owns `partition`, if any.
    public func owner(of partition: TopicPartition) -> GroupMember? {
        members.first { $0.assignment.contains(partition) }
    }
}

// MARK: - Helpers

private func optionalString(_ pointer: UnsafePointer<CChar>?) -> String? {
    pointer.map { String(cString: $0) }
}

/// Rewrites `_UNSUPPORTED_FEATURE` into a message that says plainly the broker lacks the API.
private func unsupportedAware(_ error: KafkaError, _ api: String) -> KafkaError {
    guard error.code == .unsupportedByBroker else { return error }
    return KafkaError(code: .unsupportedByBroker,
                      message: "\(api) is unsupported by this broker (\(error.message))",
                      operation: error.operation, isRetriable: false, isFatal: false)
}

/// One `rd_kafka_offsets_for_times` call for logical time -1 (end) or -2 (beginning).
///
/// The 2.0.2 mock has answered `-1` with success right after startup; such answers are retried briefly.
private func offsetsForTimes(_ rk: OpaquePointer, _ partitions: [TopicPartition], logicalTime: Int64,
                             timeoutMs: Int32) throws(KafkaError) -> [TopicPartition: Int64] {
    var out: [TopicPartition: Int64] = [:]
    var pending = partitions
    for attempt in 0..<4 {
        let list = makePartitionList(pending.map { ($0, logicalTime) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try KafkaError.check(rd_kafka_offsets_for_times(rk, list, timeoutMs), "watermarks")
        var unknown: [TopicPartition] = []
        for entry in readPartitionList(list) {
            if entry.error != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(entry.error, operation: "watermarks",
                                 message: "\(entry.topicPartition): \(String(cString: rd_kafka_err2str(entry.error)))")
            }
            if entry.offset >= 0 { out[entry.topicPartition] = entry.offset } else { unknown.append(entry.topicPartition) }
        }
        if unknown.isEmpty { return out }
        pending = unknown
        if attempt < 3 { usleep(50_000) }
    }
    throw KafkaError(code: .failed, message: "no offset for \(pending.map(\.description).joined(separator: ", "))",
                     operation: "watermarks", isRetriable: true)
}

/// Runs one admin request on a temporary queue and returns its result event (the caller destroys it).
private func adminCall(_ client: RDClient, _ op: rd_kafka_admin_op_t, _ timeout: Duration, _ operation: String,
                       _ start: (OpaquePointer?, OpaquePointer?) -> Void) throws(KafkaError) -> OpaquePointer {
    guard let queue = rd_kafka_queue_new(client.handle) else { throw KafkaError(code: .failed, operation: operation) }
    defer { rd_kafka_queue_destroy(queue) }
    guard let options = rd_kafka_AdminOptions_new(client.handle, op) else {
        throw KafkaError(code: .failed, operation: operation)
    }
    defer { rd_kafka_AdminOptions_destroy(options) }
    var errstr = [CChar](repeating: 0, count: 512)
    let ms = timeout.timeoutMilliseconds
    try KafkaError.check(rd_kafka_AdminOptions_set_request_timeout(options, ms, &errstr, errstr.count), operation)
    start(options, queue)
    // The request timeout bounds the call; the extra second lets librdkafka deliver its own timeout result.
    guard let event = rd_kafka_queue_poll(queue, ms.addingReportingOverflow(1000).partialValue) else {
        throw KafkaError(code: .timedOut, message: "no \(operation) result within \(ms) ms", operation: operation,
                         isRetriable: true)
    }
    let err = rd_kafka_event_error(event)
    if err != RD_KAFKA_RESP_ERR_NO_ERROR {
        let message = rd_kafka_event_error_string(event).map { String(cString: $0) }
        rd_kafka_event_destroy(event)
        throw KafkaError(err, operation: operation, message: message)
    }
    return event
}
