// The project's own pipeline records (`ScmsElectorsRecords.asn` beside this file): COER like every
// other byte on the pipeline's topics.

/// `ValidatedBallot` — a ballot the quorum validator verified, with the facts it verified it against.
/// Written to `scms.ballots.validated`; the GCCF assembler folds these (and uses `processingTime`,
/// never its own clock).
public struct ValidatedBallot: COERCodable, JSONRepresentable {
    /// The canonical ballot.
    public var ballot: ElectorBallot
    /// The type every endorsement signed.
    public var type: EndorsementType
    /// SHA-256 of COER(`ballot.certificate`).
    public var targetHash: HashedId32
    /// SHA-256 of COER(`ballot`): downstream readers drop records whose digest they have seen.
    public var ballotDigest: HashedId32
    /// The validator's clock when it decided.
    public var processingTime: Time32
    /// The quorum in force at `processingTime`.
    public var quorum: UInt8
    /// Distinct trusted endorsers whose endorsements verified, ascending.
    public var endorsers: [HashedId32]
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(ballot: ElectorBallot, type: EndorsementType, targetHash: HashedId32, ballotDigest: HashedId32,
                processingTime: Time32, quorum: UInt8, endorsers: [HashedId32],
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.ballot = ballot
        self.type = type
        self.targetHash = targetHash
        self.ballotDigest = ballotDigest
        self.processingTime = processingTime
        self.quorum = quorum
        self.endorsers = endorsers
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        ballot = try reader.decode("ballot")
        type = try reader.decode("type")
        targetHash = try reader.decode("targetHash")
        ballotDigest = try reader.decode("ballotDigest")
        processingTime = try reader.decode("processingTime")
        quorum = try reader.decode("quorum")
        try reader.enter("endorsers")
        endorsers = try reader.readSequenceOf(HashedId32.self, minElementSize: 32)
        reader.leave()
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble([!unknownExtensionAdditions.isEmpty])
        ballot.encode(to: &writer)
        type.encode(to: &writer)
        targetHash.encode(to: &writer)
        ballotDigest.encode(to: &writer)
        processingTime.encode(to: &writer)
        quorum.encode(to: &writer)
        writer.writeSequenceOf(endorsers)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("ballot", ballot.jsonValue(options)), ("type", type.jsonValue(options)),
                 ("targetHash", targetHash.jsonValue(options)), ("ballotDigest", ballotDigest.jsonValue(options)),
                 ("processingTime", processingTime.jsonValue(options)), ("quorum", quorum.jsonValue(options)),
                 ("endorsers", endorsers.json(options))] + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `ExpiryKind ::= ENUMERATED { expiringSoon(0), expired(1), ... }`.
public enum ExpiryKind: COERCodable, JSONRepresentable, CustomStringConvertible {
    case expiringSoon
    case expired
    /// A value this codec does not name (the type is extensible).
    case unknown(Int)

    public var rawValue: Int {
        switch self {
        case .expiringSoon: return 0
        case .expired: return 1
        case .unknown(let v): return v
        }
    }

    public init(rawValue: Int) {
        switch rawValue {
        case 0: self = .expiringSoon
        case 1: self = .expired
        default: self = .unknown(rawValue)
        }
    }

    /// The ASN.1 name; also the `kind` header value on `scms.expiry` (`expiring-soon` style is not used).
    public var description: String {
        switch self {
        case .expiringSoon: return "expiringSoon"
        case .expired: return "expired"
        case .unknown(let v): return "unknown(\(v))"
        }
    }

    public init(from reader: inout COERReader) throws(COERError) { self.init(rawValue: try reader.readEnumerated()) }
    public func encode(to writer: inout COERWriter) { writer.writeEnumerated(rawValue) }
    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        if case .unknown(let v) = self { return .object([("unknown", .int(Int64(v)))]) }
        return .string(description)
    }
}

/// `CertificateRole ::= ENUMERATED { elector(0), root(1), ... }`.
public enum CertificateRole: COERCodable, JSONRepresentable, CustomStringConvertible {
    case elector
    case root
    /// A value this codec does not name (the type is extensible).
    case unknown(Int)

    public var rawValue: Int {
        switch self {
        case .elector: return 0
        case .root: return 1
        case .unknown(let v): return v
        }
    }

    public init(rawValue: Int) {
        switch rawValue {
        case 0: self = .elector
        case 1: self = .root
        default: self = .unknown(rawValue)
        }
    }

    public var description: String {
        switch self {
        case .elector: return "elector"
        case .root: return "root"
        case .unknown(let v): return "unknown(\(v))"
        }
    }

    public init(from reader: inout COERReader) throws(COERError) { self.init(rawValue: try reader.readEnumerated()) }
    public func encode(to writer: inout COERWriter) { writer.writeEnumerated(rawValue) }
    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        if case .unknown(let v) = self { return .object([("unknown", .int(Int64(v)))]) }
        return .string(description)
    }
}

/// `ExpiryEvent` — a certificate of the trust view reaches (or approaches) the end of its validity.
/// Written to `scms.expiry` keyed by the certificate's SHA-256; the assembler advances its time to
/// `effectiveTime` when it reads an `expired` event.
public struct ExpiryEvent: COERCodable, JSONRepresentable {
    public var kind: ExpiryKind
    /// SHA-256 of COER(certificate).
    public var certificateHash: HashedId32
    public var role: CertificateRole
    /// The first second the certificate is invalid (validity start + duration).
    public var expiryTime: Time32
    /// When this event holds: `expiryTime - leadSeconds`.
    public var effectiveTime: Time32
    /// How long before expiry an `expiringSoon` event is; 0 for `expired`.
    public var leadSeconds: UInt32
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(kind: ExpiryKind, certificateHash: HashedId32, role: CertificateRole, expiryTime: Time32,
                effectiveTime: Time32, leadSeconds: UInt32, unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.kind = kind
        self.certificateHash = certificateHash
        self.role = role
        self.expiryTime = expiryTime
        self.effectiveTime = effectiveTime
        self.leadSeconds = leadSeconds
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        kind = try reader.decode("kind")
        certificateHash = try reader.decode("certificateHash")
        role = try reader.decode("role")
        expiryTime = try reader.decode("expiryTime")
        effectiveTime = try reader.decode("effectiveTime")
        leadSeconds = try reader.decode("leadSeconds")
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble([!unknownExtensionAdditions.isEmpty])
        kind.encode(to: &writer)
        certificateHash.encode(to: &writer)
        role.encode(to: &writer)
        expiryTime.encode(to: &writer)
        effectiveTime.encode(to: &writer)
        leadSeconds.encode(to: &writer)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("kind", kind.jsonValue(options)), ("certificateHash", certificateHash.jsonValue(options)),
                 ("role", role.jsonValue(options)), ("expiryTime", expiryTime.jsonValue(options)),
                 ("effectiveTime", effectiveTime.jsonValue(options)), ("leadSeconds", leadSeconds.jsonValue(options))]
                + JSONValue.additions(unknownExtensionAdditions))
    }
}
