/// One Kafka topic of the system (DESIGN §3): its name, size and the settings production creates it with.
///
/// This is the single place topic names, partition counts and retention live in code; `scms-devbroker`
/// creates these topics on its mock cluster, and `deploy/` mirrors them for real Kafka.
public struct TopicSpec: Hashable, Sendable {
    /// `cleanup.policy`.
    public enum CleanupPolicy: String, Hashable, Sendable {
        /// Old segments are deleted after ``TopicSpec/retention``.
        case delete
        /// Only the latest record per key is kept (tombstones remove a key).
        case compact
    }

    /// How long records are kept (`retention.ms`); nil keeps them forever (`-1`).
    public enum Retention: Hashable, Sendable {
        case forever
        case days(Int)

        /// The `retention.ms` value.
        public var milliseconds: Int64 {
            switch self {
            case .forever: return -1
            case .days(let days): return Int64(days) * 86_400_000
            }
        }
    }

    public var name: String
    public var partitions: Int32
    /// Replication factor in production (the dev broker uses min(this, its broker count)).
    public var replicationFactor: Int16
    public var retention: Retention
    public var cleanupPolicy: CleanupPolicy
    /// `max.message.bytes` of the topic; producers writing it need `message.max.bytes` at least this large.
    public var maxMessageBytes: Int
    /// What the record key is, for operators and `electorctl inspect`.
    public var keyDescription: String

    public init(name: String, partitions: Int32, replicationFactor: Int16 = 3, retention: Retention,
                cleanupPolicy: CleanupPolicy, maxMessageBytes: Int = 1_048_588, keyDescription: String) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.retention = retention
        self.cleanupPolicy = cleanupPolicy
        self.maxMessageBytes = maxMessageBytes
        self.keyDescription = keyDescription
    }

    /// The topic-level configs to create it with on a real broker (`kafka-topics.sh --config k=v`).
    public var brokerConfigs: [(String, String)] {
        [("cleanup.policy", cleanupPolicy.rawValue),
         ("retention.ms", String(retention.milliseconds)),
         ("max.message.bytes", String(maxMessageBytes)),
         ("min.insync.replicas", String(max(1, Int(replicationFactor) - 1)))]
    }
}

/// The topics of DESIGN §3.
public enum Topics {
    /// Ballots as operators submit them; any key.
    public static let ballotsSubmitted = TopicSpec(
        name: "scms.ballots.submitted", partitions: 4, retention: .days(7), cleanupPolicy: .delete,
        keyDescription: "any (submitter's choice)")
    /// Canonical ballots accepted by intake, keyed so every ballot for one certificate lands in one partition.
    public static let ballotsAccepted = TopicSpec(
        name: "scms.ballots.accepted", partitions: 4, retention: .forever, cleanupPolicy: .delete,
        keyDescription: "SHA-256 of the target certificate (hex)")
    /// Validator verdicts; one partition so the assembler sees one total order.
    public static let ballotsValidated = TopicSpec(
        name: "scms.ballots.validated", partitions: 1, retention: .forever, cleanupPolicy: .delete,
        keyDescription: "SHA-256 of the target certificate (hex)")
    /// Inputs any stage rejected, with stage and reason headers.
    public static let ballotsRejected = TopicSpec(
        name: "scms.ballots.rejected", partitions: 4, retention: .days(30), cleanupPolicy: .delete,
        keyDescription: "digest of the input bytes (hex)")
    /// Signed global policy files; the latest under key `gpf` is the policy in force.
    public static let policy = TopicSpec(
        name: "scms.policy", partitions: 1, retention: .forever, cleanupPolicy: .compact,
        keyDescription: "\"gpf\"")
    /// Global certificate chain files. Sized for GCCFs up to 4 MiB plus record overhead: producers of this
    /// topic set `message.max.bytes` to ``maxGCCFRecordBytes``. The dev broker keeps only about 5 MiB per
    /// partition, so there it retains just the newest one or two GCCFs of that size.
    public static let gccf = TopicSpec(
        name: "scms.gccf", partitions: 1, retention: .forever, cleanupPolicy: .compact,
        maxMessageBytes: maxGCCFRecordBytes, keyDescription: "\"gccf\"")
    /// Expiry events from the expiry watcher.
    public static let expiry = TopicSpec(
        name: "scms.expiry", partitions: 1, retention: .days(30), cleanupPolicy: .delete,
        keyDescription: "SHA-256 of the expiring certificate (hex)")

    /// The largest GCCF record: 4 MiB of file plus 64 KiB for key, headers and batch overhead.
    public static let maxGCCFRecordBytes = 4 * 1024 * 1024 + 64 * 1024

    /// Every topic, in DESIGN §3 order.
    public static let all: [TopicSpec] = [
        ballotsSubmitted, ballotsAccepted, ballotsValidated, ballotsRejected, policy, gccf, expiry,
    ]

    /// The spec called `name`, if it is one of ours.
    public static func named(_ name: String) -> TopicSpec? { all.first { $0.name == name } }
}
