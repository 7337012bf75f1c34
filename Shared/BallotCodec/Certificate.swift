// IEEE1609dot2 certificate types (2016 modules, as pinned by CAMP scms-asn release/1.2.4).

/// `Certificate ::= CertificateBase (ImplicitCertificate | ExplicitCertificate)`:
/// `SEQUENCE { version Uint8(3), type CertificateType, issuer IssuerIdentifier,
/// toBeSigned ToBeSignedCertificate, signature Signature OPTIONAL }`.
///
/// The codec keeps value constraints (version 3, explicit ⇔ signature present ⇔ verificationKey) for
/// the verifier; it decodes whatever is structurally valid.
public struct Certificate: COERCodable, JSONRepresentable {
    /// The components, boxed: a certificate is copied (into SPDUs, arrays, stores) far more often than
    /// it is changed.
    private var fields: Boxed<Fields>

    private struct Fields: Hashable, Sendable {
        var version: UInt8
        var type: CertificateType
        var issuer: IssuerIdentifier
        var toBeSigned: ToBeSignedCertificate
        var signature: Signature?
    }

    public var version: UInt8 {
        get { fields.value.version }
        set { fields.value.version = newValue }
    }

    public var type: CertificateType {
        get { fields.value.type }
        set { fields.value.type = newValue }
    }

    public var issuer: IssuerIdentifier {
        get { fields.value.issuer }
        set { fields.value.issuer = newValue }
    }

    public var toBeSigned: ToBeSignedCertificate {
        get { fields.value.toBeSigned }
        set { fields.value.toBeSigned = newValue }
    }

    public var signature: Signature? {
        get { fields.value.signature }
        set { fields.value.signature = newValue }
    }

    public init(version: UInt8 = 3, type: CertificateType, issuer: IssuerIdentifier,
                toBeSigned: ToBeSignedCertificate, signature: Signature?) {
        fields = Boxed(Fields(version: version, type: type, issuer: issuer, toBeSigned: toBeSigned, signature: signature))
    }

    /// Whether the issuer is `self` (a self-signed certificate).
    public var isSelfSigned: Bool { if case .self = issuer { return true } else { return false } }

    /// The verification key, when `verifyKeyIndicator` is `verificationKey`.
    public var verificationKey: PublicVerificationKey? {
        if case .verificationKey(let k) = toBeSigned.verifyKeyIndicator { return k }
        return nil
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let start = reader.offset
        let preamble = try reader.readPreamble(extensible: false, optionalCount: 1)
        let version: UInt8 = try reader.decode("version")
        let type: CertificateType = try reader.decode("type")
        let issuer: IssuerIdentifier = try reader.decode("issuer")
        let toBeSigned: ToBeSignedCertificate = try reader.decode("toBeSigned")
        let signature: Signature? = try reader.decode("signature", if: preamble[0])
        fields = Boxed(Fields(version: version, type: type, issuer: issuer, toBeSigned: toBeSigned, signature: signature),
                       decodedFrom: reader.consumedBytes(since: start))
    }

    public func encode(to writer: inout COERWriter) {
        if writer.reusesDecodedEncodings, let encoding = fields.encoding { return writer.writeOctets(encoding) }
        // Through `fields.value`, which lends the components in place (the getters return copies).
        writer.writePreamble(fields.value.signature.isPresent)
        writer.writeUInt8(fields.value.version)
        fields.value.type.encode(to: &writer)
        fields.value.issuer.encode(to: &writer)
        fields.value.toBeSigned.encode(to: &writer)
        fields.value.signature.encodeIfPresent(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("version", .int(Int64(version))), ("type", type.jsonValue(options)),
            ("issuer", issuer.jsonValue(options)), ("toBeSigned", toBeSigned.jsonValue(options)),
        ]
        if let signature { members.append(("signature", signature.jsonValue(options))) }
        return .object(members)
    }
}

/// `ExplicitCertificate` — same encoding as `Certificate`; the constraint is for the verifier.
public typealias ExplicitCertificate = Certificate
/// `SequenceOfCertificate ::= SEQUENCE OF Certificate`.
public typealias SequenceOfCertificate = [Certificate]

/// `CertificateType ::= ENUMERATED { explicit, implicit, ... }`.
public enum CertificateType: COERCodable, JSONRepresentable {
    case explicit
    case implicit
    case unknown(Int)

    public var rawValue: Int {
        switch self {
        case .explicit: return 0
        case .implicit: return 1
        case .unknown(let v): return v
        }
    }

    public init(rawValue: Int) {
        switch rawValue {
        case 0: self = .explicit
        case 1: self = .implicit
        default: self = .unknown(rawValue)
        }
    }

    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { self.init(rawValue: try reader.readEnumerated()) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeEnumerated(rawValue) }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .explicit: return .string("explicit")
        case .implicit: return .string("implicit")
        case .unknown(let v): return .object([("unknown", .int(Int64(v)))])
        }
    }
}

/// `IssuerIdentifier ::= CHOICE { sha256AndDigest HashedId8, self HashAlgorithm, ..., sha384AndDigest HashedId8 }`.
public enum IssuerIdentifier: COERCodable, JSONRepresentable {
    case sha256AndDigest(HashedId8)
    case `self`(HashAlgorithm)
    case sha384AndDigest(HashedId8)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .sha256AndDigest(try reader.decode("sha256AndDigest"))
        case 1: self = .self(try reader.decode("self"))
        case 2: self = .sha384AndDigest(try reader.decodeExtensionAlternative("sha384AndDigest"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        switch self {
        case .sha256AndDigest(let d): writer.writeChoiceTag(0); d.encode(to: &writer)
        case .self(let h): writer.writeChoiceTag(1); h.encode(to: &writer)
        case .sha384AndDigest(let d): writer.writeExtensionAlternative(tag: 2, d)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .sha256AndDigest(let d): return .choice("sha256AndDigest", d.jsonValue(options))
        case .self(let h): return .choice("self", h.jsonValue(options))
        case .sha384AndDigest(let d): return .choice("sha384AndDigest", d.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `LinkageData ::= SEQUENCE { iCert IValue, linkage-value LinkageValue, group-linkage-value GroupLinkageValue OPTIONAL }`.
public struct LinkageData: COERCodable, JSONRepresentable {
    public var iCert: UInt16
    public var linkageValue: LinkageValue
    public var groupLinkageValue: GroupLinkageValue?

    public init(iCert: UInt16, linkageValue: LinkageValue, groupLinkageValue: GroupLinkageValue? = nil) {
        self.iCert = iCert
        self.linkageValue = linkageValue
        self.groupLinkageValue = groupLinkageValue
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let preamble = try reader.readPreamble(extensible: false, optionalCount: 1)
        iCert = try reader.decode("iCert")
        linkageValue = try reader.decode("linkage-value")
        groupLinkageValue = try reader.decode("group-linkage-value", if: preamble[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(groupLinkageValue.isPresent)
        writer.writeUInt16(iCert)
        linkageValue.encode(to: &writer)
        if let groupLinkageValue { groupLinkageValue.encode(to: &writer) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        var members: [(String, JSONValue)] = [("iCert", .int(Int64(iCert))), ("linkage-value", linkageValue.jsonValue(options))]
        if let groupLinkageValue { members.append(("group-linkage-value", groupLinkageValue.jsonValue(options))) }
        return .object(members)
    }
}

/// `CertificateId ::= CHOICE { linkageData, name Hostname, binaryId OCTET STRING (SIZE(1..64)), none NULL, ... }`.
public enum CertificateId: COERCodable, JSONRepresentable {
    case linkageData(LinkageData)
    case name(Hostname)
    case binaryId([UInt8])
    case none
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .linkageData(try reader.decode("linkageData"))
        case 1: self = .name(try reader.decode("name"))
        case 2:
            self = .binaryId(try reader.decodeOctetString("binaryId", size: 1...64))
        case 3: self = .none
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        switch self {
        case .linkageData(let l): writer.writeChoiceTag(0); l.encode(to: &writer)
        case .name(let n): writer.writeChoiceTag(1); n.encode(to: &writer)
        case .binaryId(let b): writer.writeChoiceTag(2); writer.writeOctetString(b)
        case .none: writer.writeChoiceTag(3)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .linkageData(let l): return .choice("linkageData", l.jsonValue(options))
        case .name(let n): return .choice("name", n.jsonValue(options))
        case .binaryId(let b): return .choice("binaryId", .hex(b))
        case .none: return .choice("none", .null)
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `EndEntityType ::= BIT STRING { app(0), enrol(1) } (SIZE(8))` — one octet, bit 0 = MSB.
public struct EndEntityType: COERCodable, JSONRepresentable, OptionSet {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let app = EndEntityType(rawValue: 0x80)
    public static let enrol = EndEntityType(rawValue: 0x40)

    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { rawValue = try reader.readFixedBitString(bits: 8)[0] }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeUInt8(rawValue) }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        var names: [JSONValue] = []
        if contains(.app) { names.append(.string("app")) }
        if contains(.enrol) { names.append(.string("enrol")) }
        let other = rawValue & 0x3f
        if other != 0 { names.append(.string("bits:\(HexCoding.encode([other]))")) }
        return .array(names)
    }
}

/// `SubjectPermissions ::= CHOICE { explicit SequenceOfPsidSspRange, all NULL, ... }`.
public enum SubjectPermissions: COERCodable, JSONRepresentable {
    case explicit([PsidSspRange])
    case all
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0:
            self = .explicit(try reader.decodeSequenceOf("explicit", PsidSspRange.self, minElementSize: 3))
        case 1: self = .all
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .explicit(let list): writer.writeChoiceTag(0); writer.writeSequenceOf(list)
        case .all: writer.writeChoiceTag(1)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .explicit(let list): return .choice("explicit", list.json(options))
        case .all: return .choice("all", .null)
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `PsidGroupPermissions ::= SEQUENCE { subjectPermissions SubjectPermissions,
/// minChainLength INTEGER DEFAULT 1, chainLengthRange INTEGER DEFAULT 0, eeType EndEntityType DEFAULT {app} }`.
///
/// DEFAULT components are absent from the encoding exactly when they equal the default; an encoded
/// component equal to its default is non-canonical and rejected.
public struct PsidGroupPermissions: COERCodable, JSONRepresentable {
    public static let defaultMinChainLength: Int64 = 1
    public static let defaultChainLengthRange: Int64 = 0
    public static let defaultEeType: EndEntityType = .app

    public var subjectPermissions: SubjectPermissions
    public var minChainLength: Int64
    public var chainLengthRange: Int64
    public var eeType: EndEntityType

    public init(subjectPermissions: SubjectPermissions, minChainLength: Int64 = 1, chainLengthRange: Int64 = 0,
                eeType: EndEntityType = .app) {
        self.subjectPermissions = subjectPermissions
        self.minChainLength = minChainLength
        self.chainLengthRange = chainLengthRange
        self.eeType = eeType
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let preamble = try reader.readPreamble(extensible: false, optionalCount: 3)
        let subjectPermissions: SubjectPermissions = try reader.decode("subjectPermissions")
        var minChainLength = Self.defaultMinChainLength
        var chainLengthRange = Self.defaultChainLengthRange
        var eeType = Self.defaultEeType
        if preamble[0] {
            minChainLength = try reader.decodeNonDefault("minChainLength", default: Self.defaultMinChainLength,
                                                         shown: "1") { (r: inout COERReader) throws(COERError) in
                try r.readSignedInteger()
            }
        }
        if preamble[1] {
            chainLengthRange = try reader.decodeNonDefault("chainLengthRange", default: Self.defaultChainLengthRange,
                                                           shown: "0") { (r: inout COERReader) throws(COERError) in
                try r.readSignedInteger()
            }
        }
        if preamble[2] {
            eeType = try reader.decodeNonDefault("eeType", default: Self.defaultEeType,
                                                 shown: "{app}") { (r: inout COERReader) throws(COERError) in
                try EndEntityType(from: &r)
            }
        }
        self.init(subjectPermissions: subjectPermissions, minChainLength: minChainLength,
                  chainLengthRange: chainLengthRange, eeType: eeType)
    }

    public func encode(to writer: inout COERWriter) {
        let hasMin = minChainLength != Self.defaultMinChainLength
        let hasRange = chainLengthRange != Self.defaultChainLengthRange
        let hasType = eeType != Self.defaultEeType
        writer.writePreamble(hasMin, hasRange, hasType)
        subjectPermissions.encode(to: &writer)
        if hasMin { writer.writeSignedInteger(minChainLength) }
        if hasRange { writer.writeSignedInteger(chainLengthRange) }
        if hasType { eeType.encode(to: &writer) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("subjectPermissions", subjectPermissions.jsonValue(options)),
                 ("minChainLength", .int(minChainLength)), ("chainLengthRange", .int(chainLengthRange)),
                 ("eeType", eeType.jsonValue(options))])
    }
}

/// `VerificationKeyIndicator ::= CHOICE { verificationKey PublicVerificationKey, reconstructionValue EccP256CurvePoint, ... }`.
public enum VerificationKeyIndicator: COERCodable, JSONRepresentable {
    case verificationKey(PublicVerificationKey)
    case reconstructionValue(EccP256CurvePoint)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .verificationKey(try reader.decode("verificationKey"))
        case 1: self = .reconstructionValue(try reader.decode("reconstructionValue"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        switch self {
        case .verificationKey(let k): writer.writeChoiceTag(0); k.encode(to: &writer)
        case .reconstructionValue(let p): writer.writeChoiceTag(1); p.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .verificationKey(let k): return .choice("verificationKey", k.jsonValue(options))
        case .reconstructionValue(let p): return .choice("reconstructionValue", p.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `ToBeSignedCertificate ::= SEQUENCE { id, cracaId, crlSeries, validityPeriod, region OPTIONAL,
/// assuranceLevel OPTIONAL, appPermissions OPTIONAL, certIssuePermissions OPTIONAL,
/// certRequestPermissions OPTIONAL, canRequestRollover NULL OPTIONAL, encryptionKey OPTIONAL,
/// verifyKeyIndicator, ... }`. Extension additions (none in 2016; 2022 adds `flags` etc.) are kept raw.
public struct ToBeSignedCertificate: COERCodable, JSONRepresentable {
    public var id: CertificateId
    public var cracaId: HashedId3
    public var crlSeries: UInt16
    public var validityPeriod: ValidityPeriod
    public var region: GeographicRegion?
    public var assuranceLevel: SubjectAssurance?
    public var appPermissions: [PsidSsp]?
    public var certIssuePermissions: [PsidGroupPermissions]?
    public var certRequestPermissions: [PsidGroupPermissions]?
    /// `canRequestRollover NULL OPTIONAL`: true when present.
    public var canRequestRollover: Bool
    public var encryptionKey: PublicEncryptionKey?
    public var verifyKeyIndicator: VerificationKeyIndicator
    /// Extension additions this codec does not know, re-emitted byte-exactly.
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(id: CertificateId, cracaId: HashedId3, crlSeries: UInt16, validityPeriod: ValidityPeriod,
                region: GeographicRegion? = nil, assuranceLevel: SubjectAssurance? = nil,
                appPermissions: [PsidSsp]? = nil, certIssuePermissions: [PsidGroupPermissions]? = nil,
                certRequestPermissions: [PsidGroupPermissions]? = nil, canRequestRollover: Bool = false,
                encryptionKey: PublicEncryptionKey? = nil, verifyKeyIndicator: VerificationKeyIndicator,
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.id = id
        self.cracaId = cracaId
        self.crlSeries = crlSeries
        self.validityPeriod = validityPeriod
        self.region = region
        self.assuranceLevel = assuranceLevel
        self.appPermissions = appPermissions
        self.certIssuePermissions = certIssuePermissions
        self.certRequestPermissions = certRequestPermissions
        self.canRequestRollover = canRequestRollover
        self.encryptionKey = encryptionKey
        self.verifyKeyIndicator = verifyKeyIndicator
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    // Inlined into its one caller: returning this large value from a call costs a copy and a destroy.
    @inline(__always)
    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 7)
        let id: CertificateId = try reader.decode("id")
        let cracaId: HashedId3 = try reader.decode("cracaId")
        let crlSeries: UInt16 = try reader.decode("crlSeries")
        let validityPeriod: ValidityPeriod = try reader.decode("validityPeriod")
        let region: GeographicRegion? = try reader.decode("region", if: p[1])
        let assuranceLevel: SubjectAssurance? = try reader.decode("assuranceLevel", if: p[2])
        let appPermissions = p[3] ? try reader.decodeSequenceOf("appPermissions", PsidSsp.self, minElementSize: 3) : nil
        let certIssuePermissions = p[4]
            ? try reader.decodeSequenceOf("certIssuePermissions", PsidGroupPermissions.self, minElementSize: 2) : nil
        let certRequestPermissions = p[5]
            ? try reader.decodeSequenceOf("certRequestPermissions", PsidGroupPermissions.self, minElementSize: 2) : nil
        let encryptionKey: PublicEncryptionKey? = try reader.decode("encryptionKey", if: p[7])
        let verifyKeyIndicator: VerificationKeyIndicator = try reader.decode("verifyKeyIndicator")
        let unknown = try reader.readUnknownExtensionAdditions(if: p[0])
        self.init(id: id, cracaId: cracaId, crlSeries: crlSeries, validityPeriod: validityPeriod, region: region,
                  assuranceLevel: assuranceLevel, appPermissions: appPermissions,
                  certIssuePermissions: certIssuePermissions, certRequestPermissions: certRequestPermissions,
                  canRequestRollover: p[6], encryptionKey: encryptionKey, verifyKeyIndicator: verifyKeyIndicator,
                  unknownExtensionAdditions: unknown)
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty, region.isPresent, assuranceLevel.isPresent,
                             appPermissions.isPresent, certIssuePermissions.isPresent, certRequestPermissions.isPresent,
                             canRequestRollover, encryptionKey.isPresent)
        id.encode(to: &writer)
        cracaId.encode(to: &writer)
        writer.writeUInt16(crlSeries)
        validityPeriod.encode(to: &writer)
        if let region { region.encode(to: &writer) }
        if let assuranceLevel { assuranceLevel.encode(to: &writer) }
        if let appPermissions { writer.writeSequenceOf(appPermissions) }
        if let certIssuePermissions { writer.writeSequenceOf(certIssuePermissions) }
        if let certRequestPermissions { writer.writeSequenceOf(certRequestPermissions) }
        if let encryptionKey { encryptionKey.encode(to: &writer) }
        verifyKeyIndicator.encode(to: &writer)
        if !unknownExtensionAdditions.isEmpty {
            writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        var m: [(String, JSONValue)] = [
            ("id", id.jsonValue(options)), ("cracaId", cracaId.jsonValue(options)),
            ("crlSeries", .int(Int64(crlSeries))), ("validityPeriod", validityPeriod.jsonValue(options)),
        ]
        if let region { m.append(("region", region.jsonValue(options))) }
        if let assuranceLevel { m.append(("assuranceLevel", assuranceLevel.jsonValue(options))) }
        if let appPermissions { m.append(("appPermissions", appPermissions.json(options))) }
        if let certIssuePermissions { m.append(("certIssuePermissions", certIssuePermissions.json(options))) }
        if let certRequestPermissions { m.append(("certRequestPermissions", certRequestPermissions.json(options))) }
        if canRequestRollover { m.append(("canRequestRollover", .null)) }
        if let encryptionKey { m.append(("encryptionKey", encryptionKey.jsonValue(options))) }
        m.append(("verifyKeyIndicator", verifyKeyIndicator.jsonValue(options)))
        m += JSONValue.additions(unknownExtensionAdditions)
        return .object(m)
    }
}
