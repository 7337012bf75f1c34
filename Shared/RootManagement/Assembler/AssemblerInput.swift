public import BallotCodec

// Written on the `svcb` branch for the gccf-assembler service: the inputs the Policy Generator folds, and the one
// order they are folded in. No I/O here; the service reads the topics and hands the records over.

/// Where an assembler input comes from. The raw value is the rank that breaks ties between topics in the
/// canonical order (``AssemblerOrder``).
public enum AssemblerSource: Int, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// `scms.policy`: a verified GPF and the quorum it sets.
    case policy = 0
    /// `scms.ballots.validated`: a `ValidatedBallot` (additions and removals).
    case validated = 1
    /// `scms.expiry`: an `ExpiryEvent` (only its time matters: the engine's own timeline applies the expiry).
    case expiry = 2

    public static func < (lhs: AssemblerSource, rhs: AssemblerSource) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .policy: return "policy"
        case .validated: return "validated"
        case .expiry: return "expiry"
        }
    }
}

/// One record the assembler folds, already decoded (and, for ballots, analyzed once).
public struct AssemblerInput: Sendable {
    /// What the record carries.
    public enum Payload: Sendable {
        /// A validated ballot: its facts, the type it was validated as, and the ballot itself (for the file).
        case ballot(AnalyzedBallot, EndorsementAction, ElectorBallot)
        /// The elector-quorum series of a verified GPF (the quorum in force is its value at the engine's time).
        case policy(TemporalSeries<PolicySeries.ElectorQuorum>)
        /// An expiry event (`expiringSoon` or `expired`).
        case expiry(kind: ExpiryKind, certificate: CertificateID)
    }

    /// The topic.
    public var source: AssemblerSource
    /// Its offset in the topic's single partition.
    public var offset: Int64
    /// The time written into the record by the service that emitted it (validator `processingTime`, expiry
    /// `effectiveTime`, GPF generation time), Time32.
    public var recordedTime: UInt32
    public var payload: Payload

    public init(source: AssemblerSource, offset: Int64, recordedTime: UInt32, payload: Payload) {
        self.source = source
        self.offset = offset
        self.recordedTime = recordedTime
        self.payload = payload
    }

    /// The canonical sort key: recorded time, then topic rank.
    public var orderKey: AssemblerOrder.Key { AssemblerOrder.Key(time: recordedTime, source: source) }
}

extension AssemblerInput {
    /// The input for a `ValidatedBallot` record at `offset`: the ballot analyzed with `signatures` and typed as the
    /// validator validated it, at its `processingTime`. Nil when the type is not one of the four known ones.
    public static func validated(_ record: ValidatedBallot, offset: Int64, options: ProfileOptions = ProfileOptions(),
                                 signatures: inout SignatureResolver) -> AssemblerInput? {
        guard let action = EndorsementAction(rawValue: record.type.rawValue) else { return nil }
        let analyzed = BallotAnalysis.analyze(record.ballot, options: options, signatures: &signatures)
        return AssemblerInput(source: .validated, offset: offset, recordedTime: record.processingTime.seconds,
                              payload: .ballot(analyzed, action, record.ballot))
    }

    /// The input for an `ExpiryEvent` record at `offset`, at its `effectiveTime`.
    public static func expiry(_ event: ExpiryEvent, offset: Int64) -> AssemblerInput {
        AssemblerInput(source: .expiry, offset: offset, recordedTime: event.effectiveTime.seconds,
                       payload: .expiry(kind: event.kind,
                                        certificate: CertificateID(uncheckedBytes: event.certificateHash.bytes)))
    }

    /// The input for a verified GPF at `offset`, at its generation time.
    public static func policy(_ verified: VerifiedPolicy, offset: Int64) -> AssemblerInput {
        policy(quorum: verified.quorumSeries,
               generationTime: UInt32(clamping: verified.generationTime.microseconds / 1_000_000), offset: offset)
    }

    /// The input for a GPF quorum series at `offset`, generated at `generationTime` (Time32).
    public static func policy(quorum series: TemporalSeries<PolicySeries.ElectorQuorum>, generationTime: UInt32,
                              offset: Int64) -> AssemblerInput {
        AssemblerInput(source: .policy, offset: offset, recordedTime: generationTime, payload: .policy(series))
    }

    /// The input for a GPF that sets `quorum` from its generation time on.
    public static func policy(quorum: UInt8, generationTime: UInt32, offset: Int64) -> AssemblerInput {
        policy(quorum: TemporalSeries(initial: quorum, intervals: []), generationTime: generationTime, offset: offset)
    }
}

/// The one order the assembler folds its three single-partition topics in, so a replay of the topics from the start
/// gives the state (and the logical versions) the live run had.
///
/// Within a topic: offset order. Across topics: a k-way merge of the three offset-ordered streams that always takes the
/// head with the smallest ``Key`` (recorded time, then topic rank: policy, validated, expiry). Records arrive roughly in
/// that order, because every recorded time is the emitter's clock just before it produced the record; a record that
/// arrives *late* (it merges before records of other topics already folded) makes the service fold again from the
/// start in this order (``Tracker``).
public enum AssemblerOrder {
    /// The merge key of a record.
    public struct Key: Sendable, Hashable, Comparable, CustomStringConvertible {
        public var time: UInt32
        public var source: AssemblerSource

        public init(time: UInt32, source: AssemblerSource) {
            self.time = time
            self.source = source
        }

        public static func < (lhs: Key, rhs: Key) -> Bool { (lhs.time, lhs.source) < (rhs.time, rhs.source) }

        public var description: String { "\(time)/\(source)" }
    }

    /// Merges offset-ordered streams (one per topic) into the canonical order.
    public static func merge<T>(_ streams: [AssemblerSource: [T]], key: (T) -> Key) -> [T] {
        var heads: [AssemblerSource: Int] = [:]
        for source in streams.keys { heads[source] = 0 }
        var out: [T] = []
        out.reserveCapacity(streams.values.reduce(0) { $0 + $1.count })
        while true {
            var best: (AssemblerSource, Key)?
            for source in AssemblerSource.allCases {
                guard let stream = streams[source], let index = heads[source], index < stream.count else { continue }
                let candidate = key(stream[index])
                if let current = best, !(candidate < current.1) { continue }
                best = (source, candidate)
            }
            guard let (source, _) = best, let stream = streams[source], let index = heads[source] else { return out }
            out.append(stream[index])
            heads[source] = index + 1
        }
    }

    /// Tells whether a record arriving now extends the canonical order of what was folded so far (append it) or merges
    /// before something already folded (fold again from the start).
    public struct Tracker: Sendable, Hashable {
        /// Per topic: the largest key folded since that topic's last record (nil: none since).
        private var largestSince: [AssemblerSource: Key] = [:]

        public init() {}

        /// Whether a record of `source` with `key` goes at the end of the canonical order of the records seen so far.
        public func isInOrder(_ key: Key, from source: AssemblerSource) -> Bool {
            guard let largest = largestSince[source] else { return true }
            return largest < key
        }

        /// Notes that a record of `source` with `key` was folded (at the end).
        public mutating func note(_ key: Key, from source: AssemblerSource) {
            largestSince[source] = nil
            for other in AssemblerSource.allCases where other != source {
                if let current = largestSince[other], !(current < key) { continue }
                largestSince[other] = key
            }
        }
    }
}
