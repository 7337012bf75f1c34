import BallotCodec
import ElectorCrypto
import Kafka
import RootManagement
import ServiceKit

/// Signature checks deferred to the engine: the analysis of a ballot must not fill a cache the engine never sees (the
/// engine verifies each endorsement once, in its own resolver, which survives re-folds).
struct DeferredVerification: EndorsementSignatureVerifying {
    func isValid(_ material: SignatureMaterial, signer: CertificateFacts) -> Bool { false }
}

/// A record of one of the assembler's input topics, decoded.
struct DecodedRecord: Sendable {
    var input: AssemblerInput
    /// The record value (for a rejection that quotes it).
    var value: [UInt8]
    var position: RecordPosition

    /// The record without its bytes, as a rebuild keeps it until it is folded (the fold needs the input only).
    var forFolding: DecodedRecord {
        var copy = self
        copy.value = []
        return copy
    }
}

/// What a record turned into.
enum DecodeOutcome: Sendable {
    case input(DecodedRecord)
    /// Bad input: goes to `scms.ballots.rejected` (stage assembler).
    case rejected(RejectionRecord)
}

/// Turns records of `scms.ballots.validated`, `scms.expiry` and `scms.policy` into assembler inputs, analyzing each
/// ballot once while the state holds it (a redelivery finds its analysis).
///
/// Unless signatures are re-verified, a ballot's facts come from ``ValidatedBallotAnalysis`` (the validator verified the
/// target's self-signature) and its endorsement signatures count for the endorsers the record lists (``verdicts``).
struct InputDecoder {
    let topics: TopicNames
    let pgCertificate: Certificate?
    let options: ProfileOptions
    /// The validator's signature verdicts (nil: every signature is verified again with ECDSA).
    private(set) var verdicts: ValidatorVerdicts?
    private var analyses: [BallotID: AnalyzedBallot] = [:]
    private var certificates: ValidatedCertificateFactsCache

    init(topics: TopicNames, pgCertificate: Certificate?, options: ProfileOptions, verdicts: ValidatorVerdicts?) {
        self.topics = topics
        self.pgCertificate = pgCertificate
        self.options = options
        self.verdicts = verdicts
        self.certificates = ValidatedCertificateFactsCache(options: options)
    }

    /// The source of a topic name, nil for another topic.
    func source(of topic: String) -> AssemblerSource? {
        switch topic {
        case topics.ballotsValidated: return .validated
        case topics.expiry: return .expiry
        case topics.policy: return .policy
        default: return nil
        }
    }

    mutating func decode(_ record: ConsumedMessage) -> DecodeOutcome? {
        guard let source = source(of: record.topic) else { return nil }
        let position = RecordPosition(record)
        guard let value = record.value, !value.isEmpty else {
            return .rejected(rejection(.emptyRecord, "empty record on \(record.topic)", record: record, position: position))
        }
        switch source {
        case .validated:
            let validated: ValidatedBallot
            do {
                validated = try ValidatedBallot(coer: value)
            } catch {
                return .rejected(rejection(error.reason == .nonCanonical ? .nonCanonical : .malformed,
                                           "ValidatedBallot: \(error)", record: record, position: position))
            }
            guard let action = EndorsementAction(rawValue: validated.type.rawValue) else {
                return .rejected(rejection(.typeMismatch, "unknown endorsement type \(validated.type.rawValue)",
                                           record: record, position: position))
            }
            let id = BallotAnalysis.ballotID(validated.ballot)
            let analyzed: AnalyzedBallot
            if let known = analyses[id] {
                analyzed = known
            } else if verdicts != nil {
                analyzed = ValidatedBallotAnalysis.analyze(validated.ballot, cache: &certificates, options: options)
                analyses[id] = analyzed
            } else {
                var scratch = SignatureResolver(verifier: DeferredVerification())
                analyzed = BallotAnalysis.analyze(validated.ballot, options: options, signatures: &scratch)
                analyses[id] = analyzed
            }
            verdicts?.register(analyzed, endorsers: validated.endorsers.map { CertificateID(uncheckedBytes: $0.bytes) })
            let input = AssemblerInput(source: .validated, offset: record.offset,
                                       recordedTime: validated.processingTime.seconds,
                                       payload: .ballot(analyzed, action, validated.ballot))
            return .input(DecodedRecord(input: input, value: value, position: position))
        case .expiry:
            do {
                let event = try ExpiryEvent(coer: value)
                return .input(DecodedRecord(input: .expiry(event, offset: record.offset), value: value, position: position))
            } catch {
                return .rejected(rejection(error.reason == .nonCanonical ? .nonCanonical : .malformed,
                                           "ExpiryEvent: \(error)", record: record, position: position))
            }
        case .policy:
            guard let pgCertificate else {
                return .rejected(RejectionRecord(stage: .assembler, reason: PolicyDocumentReason.unknownSigner.rawValue,
                                                 detail: "no --pg-cert configured: GPFs are not trusted",
                                                 source: position, inputDigest: HexText.encode(Digest.sha256(value)),
                                                 input: value))
            }
            switch PolicyDocuments.verify(value, pgCertificate: pgCertificate) {
            case .success(let verified):
                return .input(DecodedRecord(input: .policy(verified, offset: record.offset), value: value,
                                            position: position))
            case .failure(let error):
                return .rejected(RejectionRecord(stage: .assembler, reason: error.reason.rawValue, detail: error.detail,
                                                 source: position, inputDigest: HexText.encode(Digest.sha256(value)),
                                                 input: value))
            }
        }
    }

    /// Ballots analyzed and kept (the ones the state holds).
    var analysisCount: Int { analyses.count }

    /// A decoder for a rebuild from the topics: no analyses and fresh signature verdicts (every record registers its
    /// own again), the certificate facts kept.
    func restarted() -> InputDecoder {
        var copy = self
        copy.analyses = [:]
        copy.verdicts = verdicts == nil ? nil : ValidatorVerdicts()
        return copy
    }

    /// Forgets a ballot the state no longer holds: its analysis and its signature verdicts.
    mutating func forget(_ ballot: AnalyzedBallot) {
        analyses[ballot.id] = nil
        verdicts?.release(ballot)
    }

    private func rejection(_ code: AssemblerRejectCode, _ detail: String, record: ConsumedMessage,
                           position: RecordPosition) -> RejectionRecord {
        RejectionRecord(stage: .assembler, reason: code.rawValue, detail: detail, source: position,
                        inputDigest: HexText.encode(Digest.sha256(record.value ?? [])), input: record.value)
    }
}

/// The assembler's own rejection codes (besides `electorCapacityExceeded` and the GPF reasons).
enum AssemblerRejectCode: String {
    case emptyRecord, malformed, nonCanonical, typeMismatch
}
