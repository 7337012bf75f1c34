// IEEE1609dot2 secured-data types (2016 modules, as pinned by CAMP scms-asn release/1.2.4).

/// `Ieee1609Dot2Data ::= SEQUENCE { protocolVersion Uint8(3), content Ieee1609Dot2Content }`.
///
/// Also the CAMP `SecuredScmsPDU`, `SignedElectorEndorsement`, `SecuredCrl`, `Countersignature`,
/// `SignedGlobalPolicyFile` and `UnsecuredElectorBallot` (before their constraints are checked).
public struct Ieee1609Dot2Data: COERCodable, JSONRepresentable {
    /// The current protocol version (3); other values decode and are left to the verifier.
    public static let currentProtocolVersion: UInt8 = 3

    public var protocolVersion: UInt8
    public var content: Ieee1609Dot2Content

    public init(protocolVersion: UInt8 = Ieee1609Dot2Data.currentProtocolVersion, content: Ieee1609Dot2Content) {
        self.protocolVersion = protocolVersion
        self.content = content
    }

    /// `unsecuredData` octets, if that is the content.
    public var unsecuredData: [UInt8]? { if case .unsecuredData(let d) = content { return d } else { return nil } }
    /// The `SignedData`, if that is the content.
    public var signedData: SignedData? { if case .signedData(let s) = content { return s } else { return nil } }
    /// `signedData.tbsData.payload.data`, if present.
    public var signedPayloadData: Ieee1609Dot2Data? { signedData?.tbsData.payload.data }

    public init(from reader: inout COERReader) throws(COERError) {
        // Components into locals, then the memberwise initialiser: assigning them to `self` one by one
        // makes the optimizer copy the finished value out of a temporary (here and in the other hot types).
        let protocolVersion: UInt8 = try reader.decode("protocolVersion")
        let content: Ieee1609Dot2Content = try reader.decode("content")
        self.init(protocolVersion: protocolVersion, content: content)
    }

    @inline(__always)
    public func encode(to writer: inout COERWriter) {
        writer.writeUInt8(protocolVersion)
        content.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("protocolVersion", .int(Int64(protocolVersion))), ("content", content.jsonValue(options))])
    }

    // MARK: Contained values

    /// Decodes the `ScmsPDU` carried as `unsecuredData` (`OCTET STRING (CONTAINING ScopedX)`).
    /// Fails with `constraintViolation` if the content is not `unsecuredData`. Error offsets are
    /// relative to the contained octets; the path says where they are.
    public func containedScmsPDU(limits: COERLimits = .init()) throws(COERError) -> ScmsPDU {
        try contained(ScmsPDU.self, limits: limits, pathPrefix: "Ieee1609Dot2Data.content.unsecuredData")
    }

    /// Decodes the `ScmsFile` carried as `unsecuredData`.
    public func containedScmsFile(limits: COERLimits = .init()) throws(COERError) -> ScmsFile {
        try contained(ScmsFile.self, limits: limits, pathPrefix: "Ieee1609Dot2Data.content.unsecuredData")
    }

    /// Decodes the `ScmsPDU` inside a signed SPDU (`SignedElectorEndorsement` and friends):
    /// `content.signedData.tbsData.payload.data.content.unsecuredData`.
    public func signedScmsPDU(limits: COERLimits = .init()) throws(COERError) -> ScmsPDU {
        try signedPayloadForContained().contained(
            ScmsPDU.self, limits: limits,
            pathPrefix: "Ieee1609Dot2Data.content.signedData.tbsData.payload.data.content.unsecuredData")
    }

    /// Decodes the `ScmsFile` inside a signed SPDU (`SignedGlobalPolicyFile`, `SignedLocalPolicyFile`).
    public func signedScmsFile(limits: COERLimits = .init()) throws(COERError) -> ScmsFile {
        try signedPayloadForContained().contained(
            ScmsFile.self, limits: limits,
            pathPrefix: "Ieee1609Dot2Data.content.signedData.tbsData.payload.data.content.unsecuredData")
    }

    /// The `TbsElectorEndorsement` a `SignedElectorEndorsement` signs (its ScopedElectorEndorsement).
    public func tbsElectorEndorsement(limits: COERLimits = .init()) throws(COERError) -> TbsElectorEndorsement {
        let pdu = try signedScmsPDU(limits: limits)
        guard case .ccm(.tbsElectorEndorsement(let tbs)) = pdu.content else {
            throw COERError(reason: .constraintViolation,
                            path: "Ieee1609Dot2Data.content.signedData.tbsData.payload.data.content.unsecuredData",
                            offset: 0, detail: "contained ScmsPDU is not ccm.tbsElectorEndorsement")
        }
        return tbs
    }

    private func signedPayloadForContained() throws(COERError) -> Ieee1609Dot2Data {
        guard let signed = signedData else {
            throw COERError(reason: .constraintViolation, path: "Ieee1609Dot2Data.content", offset: 0,
                            detail: "content is not signedData")
        }
        guard let data = signed.tbsData.payload.data else {
            throw COERError(reason: .constraintViolation, path: "Ieee1609Dot2Data.content.signedData.tbsData.payload",
                            offset: 0, detail: "payload.data is absent")
        }
        return data
    }

    private func contained<T: COERCodable>(_ type: T.Type, limits: COERLimits, pathPrefix: String) throws(COERError) -> T {
        guard let octets = unsecuredData else {
            throw COERError(reason: .constraintViolation, path: pathPrefix, offset: 0,
                            detail: "content is not unsecuredData")
        }
        return try COERReader.decodeContained(T.self, from: octets, limits: limits, pathPrefix: pathPrefix)
    }
}

/// `SignedElectorEndorsement` — an `Ieee1609Dot2Data` whose signed payload is a ScopedElectorEndorsement.
public typealias SignedElectorEndorsement = Ieee1609Dot2Data
/// `SecuredScmsPDU ::= Ieee1609Dot2Data`.
public typealias SecuredScmsPDU = Ieee1609Dot2Data
/// `SecuredCrl` — an `Ieee1609Dot2Data` signing `CrlContents`.
public typealias SecuredCrl = Ieee1609Dot2Data
/// `Countersignature` — an `Ieee1609Dot2Data` with `extDataHash` (policy-file signatures).
public typealias Countersignature = Ieee1609Dot2Data
/// `SignedGlobalPolicyFile` — an `Ieee1609Dot2Data` signing a ScopedGlobalPolicyFile (`ScmsFile`).
public typealias SignedGlobalPolicyFile = Ieee1609Dot2Data
/// `SignedLocalPolicyFile` — an `Ieee1609Dot2Data` signing a ScopedLocalPolicyFile (`ScmsFile`).
public typealias SignedLocalPolicyFile = Ieee1609Dot2Data

extension COERReader {
    /// Decodes a value carried in an `OCTET STRING (CONTAINING T)`, all octets consumed; the error
    /// path starts with `pathPrefix` and offsets are relative to `octets`.
    public static func decodeContained<T: COERCodable>(_ type: T.Type, from octets: [UInt8], limits: COERLimits,
                                                       pathPrefix: String) throws(COERError) -> T {
        try decodeComplete(octets, limits: limits, name: { "\(pathPrefix)(\(T.asn1TypeName))" }) {
            (r: inout COERReader) throws(COERError) in try T(from: &r)
        }
    }
}

/// `Ieee1609Dot2Content ::= CHOICE { unsecuredData Opaque, signedData SignedData,
/// encryptedData EncryptedData, signedCertificateRequest Opaque, ... }`.
public enum Ieee1609Dot2Content: COERCodable, JSONRepresentable {
    case unsecuredData([UInt8])
    case signedData(SignedData)
    case encryptedData(EncryptedData)
    case signedCertificateRequest([UInt8])
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0:
            self = .unsecuredData(try reader.decodeOctetString("unsecuredData"))
        case 1: self = .signedData(try reader.decode("signedData"))
        case 2: self = .encryptedData(try reader.decode("encryptedData"))
        case 3:
            self = .signedCertificateRequest(try reader.decodeOctetString("signedCertificateRequest"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .unsecuredData(let d): writer.writeChoiceTag(0); writer.writeOctetString(d)
        case .signedData(let s): writer.writeChoiceTag(1); s.encode(to: &writer)
        case .encryptedData(let e): writer.writeChoiceTag(2); e.encode(to: &writer)
        case .signedCertificateRequest(let d): writer.writeChoiceTag(3); writer.writeOctetString(d)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .unsecuredData(let d): return .choice("unsecuredData", Self.opaqueJSON(d, options))
        case .signedData(let s): return .choice("signedData", s.jsonValue(options))
        case .encryptedData(let e): return .choice("encryptedData", e.jsonValue(options))
        case .signedCertificateRequest(let d): return .choice("signedCertificateRequest", .object([("hex", .hex(d))]))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }

    /// `{"hex": …}` plus `"decoded"` when the octets are a complete `ScmsPDU` (or `ScmsFile`).
    static func opaqueJSON(_ octets: [UInt8], _ options: JSONOptions) -> JSONValue {
        var members: [(String, JSONValue)] = [("hex", .hex(octets))]
        if let inner = options.enteringContained {
            if let pdu = try? ScmsPDU(coer: octets) {
                members.append(("decodedAs", .string("ScmsPDU")))
                members.append(("decoded", pdu.jsonValue(inner)))
            } else if let file = try? ScmsFile(coer: octets) {
                members.append(("decodedAs", .string("ScmsFile")))
                members.append(("decoded", file.jsonValue(inner)))
            }
        }
        return .object(members)
    }
}

/// `SignedData ::= SEQUENCE { hashId HashAlgorithm, tbsData ToBeSignedData, signer SignerIdentifier, signature Signature }`.
public struct SignedData: COERCodable, JSONRepresentable {
    /// The components, boxed: this is also where the recursion Ieee1609Dot2Data → SignedData →
    /// tbsData.payload.data → Ieee1609Dot2Data is broken, and what an SPDU copy shares.
    private var fields: Boxed<Fields>

    private struct Fields: Hashable, Sendable {
        var hashId: HashAlgorithm
        var tbsData: ToBeSignedData
        var signer: SignerIdentifier
        var signature: Signature
    }

    public var hashId: HashAlgorithm {
        get { fields.value.hashId }
        set { fields.value.hashId = newValue }
    }

    public var tbsData: ToBeSignedData {
        get { fields.value.tbsData }
        set { fields.value.tbsData = newValue }
    }

    public var signer: SignerIdentifier {
        get { fields.value.signer }
        set { fields.value.signer = newValue }
    }

    public var signature: Signature {
        get { fields.value.signature }
        set { fields.value.signature = newValue }
    }

    public init(hashId: HashAlgorithm, tbsData: ToBeSignedData, signer: SignerIdentifier, signature: Signature) {
        fields = Boxed(Fields(hashId: hashId, tbsData: tbsData, signer: signer, signature: signature))
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let start = reader.offset
        let hashId: HashAlgorithm = try reader.decode("hashId")
        let tbsData: ToBeSignedData = try reader.decode("tbsData")
        let signer: SignerIdentifier = try reader.decode("signer")
        let signature: Signature = try reader.decode("signature")
        fields = Boxed(Fields(hashId: hashId, tbsData: tbsData, signer: signer, signature: signature),
                       decodedFrom: reader.consumedBytes(since: start))
    }

    public func encode(to writer: inout COERWriter) {
        if writer.reusesDecodedEncodings, let encoding = fields.encoding { return writer.writeOctets(encoding) }
        // Through `fields.value`, which lends the components in place (the getters return copies).
        fields.value.hashId.encode(to: &writer)
        fields.value.tbsData.encode(to: &writer)
        fields.value.signer.encode(to: &writer)
        fields.value.signature.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("hashId", hashId.jsonValue(options)), ("tbsData", tbsData.jsonValue(options)),
                 ("signer", signer.jsonValue(options)), ("signature", signature.jsonValue(options))])
    }
}

/// `SignerIdentifier ::= CHOICE { digest HashedId8, certificate SequenceOfCertificate, self NULL, ... }`.
public enum SignerIdentifier: COERCodable, JSONRepresentable {
    case digest(HashedId8)
    case certificate([Certificate])
    case `self`
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .digest(try reader.decode("digest"))
        case 1:
            self = .certificate(try reader.decodeSequenceOf("certificate", Certificate.self, minElementSize: 8))
        case 2: self = .self
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .digest(let d): writer.writeChoiceTag(0); d.encode(to: &writer)
        case .certificate(let certs): writer.writeChoiceTag(1); writer.writeSequenceOf(certs)
        case .self: writer.writeChoiceTag(2)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .digest(let d): return .choice("digest", d.jsonValue(options))
        case .certificate(let certs): return .choice("certificate", certs.json(options))
        case .self: return .choice("self", .null)
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `ToBeSignedData ::= SEQUENCE { payload SignedDataPayload, headerInfo HeaderInfo }` — its COER
/// encoding is the data input of the 1609.2 signature.
public struct ToBeSignedData: COERCodable, JSONRepresentable {
    public var payload: SignedDataPayload
    public var headerInfo: HeaderInfo

    public init(payload: SignedDataPayload, headerInfo: HeaderInfo) {
        self.payload = payload
        self.headerInfo = headerInfo
    }

    // Inlined into its one caller: returning this large value from a call costs a copy and a destroy.
    @inline(__always)
    public init(from reader: inout COERReader) throws(COERError) {
        let payload: SignedDataPayload = try reader.decode("payload")
        let headerInfo: HeaderInfo = try reader.decode("headerInfo")
        self.init(payload: payload, headerInfo: headerInfo)
    }

    public func encode(to writer: inout COERWriter) {
        payload.encode(to: &writer)
        headerInfo.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("payload", payload.jsonValue(options)), ("headerInfo", headerInfo.jsonValue(options))])
    }
}

/// `SignedDataPayload ::= SEQUENCE { data Ieee1609Dot2Data OPTIONAL, extDataHash HashedData OPTIONAL, ... }`
/// (the "one of them present" constraint is left to the verifier; 2022's `omitted` is kept raw).
public struct SignedDataPayload: COERCodable, JSONRepresentable {
    public var data: Ieee1609Dot2Data?
    public var extDataHash: HashedData?
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(data: Ieee1609Dot2Data? = nil, extDataHash: HashedData? = nil,
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.data = data
        self.extDataHash = extDataHash
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    // Inlined into its one caller: returning this large value from a call costs a copy and a destroy.
    @inline(__always)
    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 2)
        let data: Ieee1609Dot2Data? = try reader.decode("data", if: p[1])
        let extDataHash: HashedData? = try reader.decode("extDataHash", if: p[2])
        let unknown = try reader.readUnknownExtensionAdditions(if: p[0])
        self.init(data: data, extDataHash: extDataHash, unknownExtensionAdditions: unknown)
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty, data.isPresent, extDataHash.isPresent)
        if let data { data.encode(to: &writer) }
        if let extDataHash { extDataHash.encode(to: &writer) }
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        var m: [(String, JSONValue)] = []
        if let data { m.append(("data", data.jsonValue(options))) }
        if let extDataHash { m.append(("extDataHash", extDataHash.jsonValue(options))) }
        m += JSONValue.additions(unknownExtensionAdditions)
        return .object(m)
    }
}

/// `HashedData ::= CHOICE { sha256HashedData OCTET STRING (SIZE(32)), ... }`.
public enum HashedData: COERCodable, JSONRepresentable {
    case sha256HashedData(HashedId32)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .sha256HashedData(try reader.decode("sha256HashedData"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .sha256HashedData(let h): writer.writeChoiceTag(0); h.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .sha256HashedData(let h): return .choice("sha256HashedData", h.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `MissingCrlIdentifier ::= SEQUENCE { cracaId HashedId3, crlSeries CrlSeries, ... }`.
public struct MissingCrlIdentifier: COERCodable, JSONRepresentable {
    public var cracaId: HashedId3
    public var crlSeries: UInt16
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(cracaId: HashedId3, crlSeries: UInt16, unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.cracaId = cracaId
        self.crlSeries = crlSeries
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        cracaId = try reader.decode("cracaId")
        crlSeries = try reader.decode("crlSeries")
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        cracaId.encode(to: &writer)
        writer.writeUInt16(crlSeries)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("cracaId", cracaId.jsonValue(options)), ("crlSeries", .int(Int64(crlSeries)))]
                + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `HeaderInfo ::= SEQUENCE { psid, generationTime Time64 OPTIONAL, expiryTime Time64 OPTIONAL,
/// generationLocation ThreeDLocation OPTIONAL, p2pcdLearningRequest HashedId3 OPTIONAL,
/// missingCrlIdentifier OPTIONAL, encryptionKey EncryptionKey OPTIONAL, ...,
/// inlineP2pcdRequest SequenceOfHashedId3 OPTIONAL, requestedCertificate Certificate OPTIONAL }`.
/// Further additions (2022 `pduFunctionalType`, `contributedExtensions`) are kept raw.
public struct HeaderInfo: COERCodable, JSONRepresentable {
    public var psid: Psid
    public var generationTime: Time64?
    public var expiryTime: Time64?
    public var generationLocation: ThreeDLocation?
    public var p2pcdLearningRequest: HashedId3?
    public var missingCrlIdentifier: MissingCrlIdentifier?
    public var encryptionKey: EncryptionKey?
    /// Extension addition 1.
    public var inlineP2pcdRequest: [HashedId3]?
    /// Extension addition 2.
    public var requestedCertificate: Certificate?
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(psid: Psid, generationTime: Time64? = nil, expiryTime: Time64? = nil,
                generationLocation: ThreeDLocation? = nil, p2pcdLearningRequest: HashedId3? = nil,
                missingCrlIdentifier: MissingCrlIdentifier? = nil, encryptionKey: EncryptionKey? = nil,
                inlineP2pcdRequest: [HashedId3]? = nil, requestedCertificate: Certificate? = nil,
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.psid = psid
        self.generationTime = generationTime
        self.expiryTime = expiryTime
        self.generationLocation = generationLocation
        self.p2pcdLearningRequest = p2pcdLearningRequest
        self.missingCrlIdentifier = missingCrlIdentifier
        self.encryptionKey = encryptionKey
        self.inlineP2pcdRequest = inlineP2pcdRequest
        self.requestedCertificate = requestedCertificate
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    // Inlined into its one caller: returning this large value from a call costs a copy and a destroy.
    @inline(__always)
    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 6)
        let psid: Psid = try reader.decode("psid")
        let generationTime: Time64? = try reader.decode("generationTime", if: p[1])
        let expiryTime: Time64? = try reader.decode("expiryTime", if: p[2])
        let generationLocation: ThreeDLocation? = try reader.decode("generationLocation", if: p[3])
        let p2pcdLearningRequest: HashedId3? = try reader.decode("p2pcdLearningRequest", if: p[4])
        let missingCrlIdentifier: MissingCrlIdentifier? = try reader.decode("missingCrlIdentifier", if: p[5])
        let encryptionKey: EncryptionKey? = try reader.decode("encryptionKey", if: p[6])
        var inline: [HashedId3]?
        var requested: Certificate?
        var unknown: [COERUnknownAddition] = []
        if p[0] {
            unknown = try reader.readExtensionAdditions(knownCount: 2) { index, r throws(COERError) in
                if index == 0 {
                    inline = try r.decodeSequenceOf("inlineP2pcdRequest", HashedId3.self, minElementSize: 3)
                } else {
                    requested = try r.decode("requestedCertificate")
                }
            }
        }
        self.init(psid: psid, generationTime: generationTime, expiryTime: expiryTime,
                  generationLocation: generationLocation, p2pcdLearningRequest: p2pcdLearningRequest,
                  missingCrlIdentifier: missingCrlIdentifier, encryptionKey: encryptionKey,
                  inlineP2pcdRequest: inline, requestedCertificate: requested, unknownExtensionAdditions: unknown)
    }

    private var knownAdditions: [[UInt8]?] {
        [inlineP2pcdRequest.map { list in var w = COERWriter(); w.writeSequenceOf(list); return w.bytes },
         requestedCertificate.map(\.coerEncoded)]
    }

    public func encode(to writer: inout COERWriter) {
        let ext = inlineP2pcdRequest.isPresent || requestedCertificate.isPresent || !unknownExtensionAdditions.isEmpty
        writer.writePreamble(ext, generationTime.isPresent, expiryTime.isPresent, generationLocation.isPresent,
                             p2pcdLearningRequest.isPresent, missingCrlIdentifier.isPresent, encryptionKey.isPresent)
        psid.encode(to: &writer)
        if let generationTime { generationTime.encode(to: &writer) }
        if let expiryTime { expiryTime.encode(to: &writer) }
        if let generationLocation { generationLocation.encode(to: &writer) }
        if let p2pcdLearningRequest { p2pcdLearningRequest.encode(to: &writer) }
        if let missingCrlIdentifier { missingCrlIdentifier.encode(to: &writer) }
        if let encryptionKey { encryptionKey.encode(to: &writer) }
        if ext { writer.writeExtensionAdditions(known: knownAdditions, unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        var m: [(String, JSONValue)] = [("psid", psid.jsonValue(options))]
        if let generationTime { m.append(("generationTime", generationTime.jsonValue(options))) }
        if let expiryTime { m.append(("expiryTime", expiryTime.jsonValue(options))) }
        if let generationLocation { m.append(("generationLocation", generationLocation.jsonValue(options))) }
        if let p2pcdLearningRequest { m.append(("p2pcdLearningRequest", p2pcdLearningRequest.jsonValue(options))) }
        if let missingCrlIdentifier { m.append(("missingCrlIdentifier", missingCrlIdentifier.jsonValue(options))) }
        if let encryptionKey { m.append(("encryptionKey", encryptionKey.jsonValue(options))) }
        if let inlineP2pcdRequest { m.append(("inlineP2pcdRequest", inlineP2pcdRequest.json(options))) }
        if let requestedCertificate { m.append(("requestedCertificate", requestedCertificate.jsonValue(options))) }
        m += JSONValue.additions(unknownExtensionAdditions)
        return .object(m)
    }
}

// MARK: - Encrypted data

/// `EncryptedData ::= SEQUENCE { recipients SequenceOfRecipientInfo, ciphertext SymmetricCiphertext }`.
public struct EncryptedData: COERCodable, JSONRepresentable {
    public var recipients: [RecipientInfo]
    public var ciphertext: SymmetricCiphertext

    public init(recipients: [RecipientInfo], ciphertext: SymmetricCiphertext) {
        self.recipients = recipients
        self.ciphertext = ciphertext
    }

    public init(from reader: inout COERReader) throws(COERError) {
        recipients = try reader.decodeSequenceOf("recipients", RecipientInfo.self, minElementSize: 9)
        ciphertext = try reader.decode("ciphertext")
    }

    public func encode(to writer: inout COERWriter) {
        writer.writeSequenceOf(recipients)
        ciphertext.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("recipients", recipients.json(options)), ("ciphertext", ciphertext.jsonValue(options))])
    }
}

/// `RecipientInfo ::= CHOICE { pskRecipInfo, symmRecipInfo, certRecipInfo, signedDataRecipInfo, rekRecipInfo }`.
public enum RecipientInfo: COERCodable, JSONRepresentable {
    case pskRecipInfo(HashedId8)
    case symmRecipInfo(SymmRecipientInfo)
    case certRecipInfo(PKRecipientInfo)
    case signedDataRecipInfo(PKRecipientInfo)
    case rekRecipInfo(PKRecipientInfo)

    public init(from reader: inout COERReader) throws(COERError) {
        let start = reader.offset
        switch try reader.readChoiceTag() {
        case 0: self = .pskRecipInfo(try reader.decode("pskRecipInfo"))
        case 1: self = .symmRecipInfo(try reader.decode("symmRecipInfo"))
        case 2: self = .certRecipInfo(try reader.decode("certRecipInfo"))
        case 3: self = .signedDataRecipInfo(try reader.decode("signedDataRecipInfo"))
        case 4: self = .rekRecipInfo(try reader.decode("rekRecipInfo"))
        case let tag: throw reader.error(.invalidValue, at: start, "unknown RecipientInfo alternative [\(tag)]")
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .pskRecipInfo(let v): writer.writeChoiceTag(0); v.encode(to: &writer)
        case .symmRecipInfo(let v): writer.writeChoiceTag(1); v.encode(to: &writer)
        case .certRecipInfo(let v): writer.writeChoiceTag(2); v.encode(to: &writer)
        case .signedDataRecipInfo(let v): writer.writeChoiceTag(3); v.encode(to: &writer)
        case .rekRecipInfo(let v): writer.writeChoiceTag(4); v.encode(to: &writer)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .pskRecipInfo(let v): return .choice("pskRecipInfo", v.jsonValue(options))
        case .symmRecipInfo(let v): return .choice("symmRecipInfo", v.jsonValue(options))
        case .certRecipInfo(let v): return .choice("certRecipInfo", v.jsonValue(options))
        case .signedDataRecipInfo(let v): return .choice("signedDataRecipInfo", v.jsonValue(options))
        case .rekRecipInfo(let v): return .choice("rekRecipInfo", v.jsonValue(options))
        }
    }
}

/// `SymmRecipientInfo ::= SEQUENCE { recipientId HashedId8, encKey SymmetricCiphertext }`.
public struct SymmRecipientInfo: COERCodable, JSONRepresentable {
    public var recipientId: HashedId8
    public var encKey: SymmetricCiphertext

    public init(recipientId: HashedId8, encKey: SymmetricCiphertext) {
        self.recipientId = recipientId
        self.encKey = encKey
    }

    public init(from reader: inout COERReader) throws(COERError) {
        recipientId = try reader.decode("recipientId")
        encKey = try reader.decode("encKey")
    }

    public func encode(to writer: inout COERWriter) {
        recipientId.encode(to: &writer)
        encKey.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("recipientId", recipientId.jsonValue(options)), ("encKey", encKey.jsonValue(options))])
    }
}

/// `PKRecipientInfo ::= SEQUENCE { recipientId HashedId8, encKey EncryptedDataEncryptionKey }`.
public struct PKRecipientInfo: COERCodable, JSONRepresentable {
    public var recipientId: HashedId8
    public var encKey: EncryptedDataEncryptionKey

    public init(recipientId: HashedId8, encKey: EncryptedDataEncryptionKey) {
        self.recipientId = recipientId
        self.encKey = encKey
    }

    public init(from reader: inout COERReader) throws(COERError) {
        recipientId = try reader.decode("recipientId")
        encKey = try reader.decode("encKey")
    }

    public func encode(to writer: inout COERWriter) {
        recipientId.encode(to: &writer)
        encKey.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("recipientId", recipientId.jsonValue(options)), ("encKey", encKey.jsonValue(options))])
    }
}

/// `EncryptedDataEncryptionKey ::= CHOICE { eciesNistP256, eciesBrainpoolP256r1, ... }`.
public enum EncryptedDataEncryptionKey: COERCodable, JSONRepresentable {
    case eciesNistP256(EciesP256EncryptedKey)
    case eciesBrainpoolP256r1(EciesP256EncryptedKey)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .eciesNistP256(try reader.decode("eciesNistP256"))
        case 1: self = .eciesBrainpoolP256r1(try reader.decode("eciesBrainpoolP256r1"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .eciesNistP256(let k): writer.writeChoiceTag(0); k.encode(to: &writer)
        case .eciesBrainpoolP256r1(let k): writer.writeChoiceTag(1); k.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .eciesNistP256(let k): return .choice("eciesNistP256", k.jsonValue(options))
        case .eciesBrainpoolP256r1(let k): return .choice("eciesBrainpoolP256r1", k.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `SymmetricCiphertext ::= CHOICE { aes128ccm AesCcmCiphertext, ... }`.
public enum SymmetricCiphertext: COERCodable, JSONRepresentable {
    case aes128ccm(AesCcmCiphertext)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .aes128ccm(try reader.decode("aes128ccm"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .aes128ccm(let c): writer.writeChoiceTag(0); c.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .aes128ccm(let c): return .choice("aes128ccm", c.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `AesCcmCiphertext ::= SEQUENCE { nonce OCTET STRING (SIZE (12)), ccmCiphertext Opaque }`.
public struct AesCcmCiphertext: COERCodable, JSONRepresentable {
    public var nonce: Octets12
    public var ccmCiphertext: [UInt8]

    public init(nonce: Octets12, ccmCiphertext: [UInt8]) {
        self.nonce = nonce
        self.ccmCiphertext = ccmCiphertext
    }

    public init(from reader: inout COERReader) throws(COERError) {
        nonce = try reader.decode("nonce")
        ccmCiphertext = try reader.decodeOctetString("ccmCiphertext")
    }

    public func encode(to writer: inout COERWriter) {
        nonce.encode(to: &writer)
        writer.writeOctetString(ccmCiphertext)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("nonce", nonce.jsonValue(options)), ("ccmCiphertext", .hex(ccmCiphertext))])
    }
}
