public import Kafka

/// The record header names of `docs/PIPELINE.md`. Every value is UTF-8 text.
public enum PipelineHeader {
    /// Lowercase hex SHA-256 of the canonical ballot (accepted, validated) or of the input bytes (rejected):
    /// the idempotency key every reader dedupes on.
    public static let digest = "scms-digest"
    /// `addElector` | `addRoot` | `removeElector` | `removeRoot`.
    public static let type = "scms-type"
    /// ISO-8601 UTC time intake read the record.
    public static let receivedAt = "scms-received-at"
    /// `ballot` | `scoped` | `unsecured`: the form the submitter used.
    public static let form = "scms-form"
    /// `topic/partition/offset` of the input record this one was derived from.
    public static let source = "scms-source"
    /// `intake` | `validator` | `assembler` (rejections).
    public static let stage = "scms-stage"
    /// The primary stable reason code (rejections).
    public static let reason = "scms-reason"
    /// Every reason code, comma-separated, `code[index]` where tied to an endorsement (rejections).
    public static let reasons = "scms-reasons"
    /// Human-readable detail (rejections).
    public static let detail = "scms-detail"
    /// The submitter, optional on `scms.ballots.submitted`.
    public static let submitter = "scms-submitter"
    /// The GPF's quorum in force when it was published (`scms.policy`).
    public static let quorum = "scms-quorum"
    /// Decimal GCCF version (`scms.gccf`).
    public static let gccfVersion = "scms-gccf-version"
    /// Hex SHA-256 of the GCCF COER (`scms.gccf`).
    public static let contentDigest = "scms-content-digest"
    /// When the GCCF was generated, ISO-8601 UTC (`scms.gccf`).
    public static let generatedAt = "scms-generated-at"
    /// `expiringSoon` | `expired` (`scms.expiry`).
    public static let kind = "scms-kind"

    /// The longest detail text written into a header; longer details are cut (with `…`).
    public static let maxDetailBytes = 2_048
}

/// The stage that rejected a record (`scms-stage`).
public enum PipelineStage: String, Sendable, Hashable, CaseIterable {
    case intake
    case validator
    case assembler
}

/// The form a ballot was submitted in (`scms-form`).
public enum SubmissionForm: String, Sendable, Hashable, CaseIterable {
    /// A bare `ElectorBallot`.
    case ballot
    /// A `ScopedElectorBallot` (`ScmsPDU`).
    case scoped
    /// An `UnsecuredElectorBallot` (`Ieee1609Dot2Data` unsecuredData).
    case unsecured
}

/// Where a record sits: `topic/partition/offset`, the `scms-source` header value.
public struct RecordPosition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public var offset: Int64

    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// The position of a consumed record.
    public init(_ record: ConsumedMessage) {
        self.init(topic: record.topic, partition: record.partition, offset: record.offset)
    }

    /// Parses `topic/partition/offset` (the topic may itself contain `/`); nil when malformed.
    public init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, let offset = Int64(parts[parts.count - 1]), let partition = Int32(parts[parts.count - 2]),
              offset >= 0, partition >= 0 else { return nil }
        let topic = parts[..<(parts.count - 2)].joined(separator: "/")
        guard !topic.isEmpty else { return nil }
        self.init(topic: topic, partition: partition, offset: offset)
    }

    /// `topic/partition/offset`.
    public var description: String { "\(topic)/\(partition)/\(offset)" }
}

extension ConsumedMessage {
    /// The first header named `name` as UTF-8 text; nil when absent, valueless or not valid UTF-8.
    public func headerText(_ name: String) -> String? {
        guard let bytes = header(name)?.value else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `scms-digest`, when present and 64 lowercase hex digits.
    public var pipelineDigest: String? {
        guard let text = headerText(PipelineHeader.digest), PipelineDigest.isValid(text) else { return nil }
        return text
    }

    /// `scms-source` parsed.
    public var pipelineSource: RecordPosition? { headerText(PipelineHeader.source).flatMap { RecordPosition(parsing: $0) } }

    /// `scms-stage` parsed.
    public var pipelineStage: PipelineStage? { headerText(PipelineHeader.stage).flatMap(PipelineStage.init(rawValue:)) }

    /// The record key as UTF-8 text.
    public var keyText: String? { key.flatMap { String(validating: $0, as: UTF8.self) } }
}

extension Array where Element == KafkaHeader {
    /// Appends a text header.
    public mutating func append(_ name: String, _ text: String) {
        append(KafkaHeader(name, text: text))
    }
}

/// Lowercase hex SHA-256 digests as the pipeline writes them.
public enum PipelineDigest {
    /// Whether `text` is 64 lowercase hex digits.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}

/// A record for `scms.ballots.rejected`: the input bytes unchanged, keyed by the hex SHA-256 of those bytes, with the
/// stage, reason codes and detail as headers (`docs/PIPELINE.md`).
public struct RejectionRecord: Sendable, Hashable {
    public var stage: PipelineStage
    /// The primary reason code.
    public var reason: String
    /// Every reason code (`code` or `code[index]`); the primary one first when it is among them.
    public var reasons: [String]
    /// Human-readable detail.
    public var detail: String
    /// The input record.
    public var source: RecordPosition?
    /// Hex SHA-256 of `input` (the key and `scms-digest`).
    public var inputDigest: String
    /// The input bytes; nil for a tombstone.
    public var input: [UInt8]?

    public init(stage: PipelineStage, reason: String, reasons: [String] = [], detail: String, source: RecordPosition?,
                inputDigest: String, input: [UInt8]?) {
        self.stage = stage
        self.reason = reason
        self.reasons = reasons.isEmpty ? [reason] : reasons
        self.detail = detail
        self.source = source
        self.inputDigest = inputDigest
        self.input = input
    }

    /// The record to produce to `topic` (the prefixed `scms.ballots.rejected`).
    public func message(topic: String) -> OutgoingMessage {
        var headers: [KafkaHeader] = []
        headers.append(PipelineHeader.stage, stage.rawValue)
        headers.append(PipelineHeader.reason, reason)
        headers.append(PipelineHeader.reasons, reasons.joined(separator: ","))
        headers.append(PipelineHeader.detail, Self.clip(detail))
        if let source { headers.append(PipelineHeader.source, source.description) }
        headers.append(PipelineHeader.digest, inputDigest)
        return OutgoingMessage(topic: topic, key: Array(inputDigest.utf8), value: input, headers: headers)
    }

    /// Reads a rejection back from `scms.ballots.rejected`; nil when the stage or reason header is missing.
    public init?(_ record: ConsumedMessage) {
        guard let stage = record.pipelineStage, let reason = record.headerText(PipelineHeader.reason) else { return nil }
        let reasons = record.headerText(PipelineHeader.reasons)?.split(separator: ",").map(String.init) ?? []
        self.init(stage: stage, reason: reason, reasons: reasons, detail: record.headerText(PipelineHeader.detail) ?? "",
                  source: record.pipelineSource, inputDigest: record.pipelineDigest ?? record.keyText ?? "",
                  input: record.value)
    }

    /// `text` cut to ``PipelineHeader/maxDetailBytes`` UTF-8 bytes on a character boundary.
    static func clip(_ text: String) -> String {
        guard text.utf8.count > PipelineHeader.maxDetailBytes else { return text }
        var out = ""
        var size = 0
        for character in text {
            let n = character.utf8.count
            if size + n > PipelineHeader.maxDetailBytes - 3 { break }
            out.append(character)
            size += n
        }
        return out + "…"
    }
}
