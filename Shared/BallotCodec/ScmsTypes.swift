// CAMP SCMS POC release/1.2.4: IEEE1609dot2ScmsProtocol (ScmsPDU, ScmsFile, ScmsSsp),
// Ieee1609Dot2ScmsComponentCertificateManagement (endorsements, ballots, composite CRL) and
// IEEE1609dot2-cert-chains (GCCF / LCCF).

// MARK: - Component certificate management

/// `EndorsementType ::= ENUMERATED { addRoot(0), addElector(1), removeRoot(2), removeElector(3), ... }`.
public enum EndorsementType: COERCodable, JSONRepresentable, CustomStringConvertible {
    case addRoot
    case addElector
    case removeRoot
    case removeElector
    /// A value this codec does not name (the type is extensible).
    case unknown(Int)

    public var rawValue: Int {
        switch self {
        case .addRoot: return 0
        case .addElector: return 1
        case .removeRoot: return 2
        case .removeElector: return 3
        case .unknown(let v): return v
        }
    }

    public init(rawValue: Int) {
        switch rawValue {
        case 0: self = .addRoot
        case 1: self = .addElector
        case 2: self = .removeRoot
        case 3: self = .removeElector
        default: self = .unknown(rawValue)
        }
    }

    /// The ASN.1 name (`addRoot`, …; `unknown(N)` otherwise).
    public var description: String {
        switch self {
        case .addRoot: return "addRoot"
        case .addElector: return "addElector"
        case .removeRoot: return "removeRoot"
        case .removeElector: return "removeElector"
        case .unknown(let v): return "unknown(\(v))"
        }
    }

    @inline(__always) public init(from reader: inout COERReader) throws(COERError) { self.init(rawValue: try reader.readEnumerated()) }
    @inline(__always) public func encode(to writer: inout COERWriter) { writer.writeEnumerated(rawValue) }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        if case .unknown(let v) = self { return .object([("unknown", .int(Int64(v)))]) }
        return .string(description)
    }
}

/// `TbsElectorEndorsement ::= SEQUENCE { type EndorsementType, certificateHash HashedId32, generationTime Time32, ... }`.
public struct TbsElectorEndorsement: COERCodable, JSONRepresentable {
    public var type: EndorsementType
    /// SHA-256 of COER(the endorsed certificate).
    public var certificateHash: HashedId32
    public var generationTime: Time32
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(type: EndorsementType, certificateHash: HashedId32, generationTime: Time32,
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.type = type
        self.certificateHash = certificateHash
        self.generationTime = generationTime
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        let type: EndorsementType = try reader.decode("type")
        let certificateHash: HashedId32 = try reader.decode("certificateHash")
        let generationTime: Time32 = try reader.decode("generationTime")
        let unknown = try reader.readUnknownExtensionAdditions(if: p[0])
        self.init(type: type, certificateHash: certificateHash, generationTime: generationTime,
                  unknownExtensionAdditions: unknown)
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        type.encode(to: &writer)
        certificateHash.encode(to: &writer)
        generationTime.encode(to: &writer)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("type", type.jsonValue(options)), ("certificateHash", certificateHash.jsonValue(options)),
                 ("generationTime", generationTime.jsonValue(options))] + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `ElectorBallot ::= SEQUENCE { certificate ExplicitCertificate, endorsements SEQUENCE SIZE(1..MAX) OF
/// SignedElectorEndorsement, ... }` — each endorsement signs a copy of the same TbsElectorEndorsement.
public struct ElectorBallot: COERCodable, JSONRepresentable {
    /// The root CA or elector certificate the ballot is about.
    public var certificate: Certificate
    /// At least one; each an `Ieee1609Dot2Data` (SignedElectorEndorsement).
    public var endorsements: [SignedElectorEndorsement]
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(certificate: Certificate, endorsements: [SignedElectorEndorsement],
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.certificate = certificate
        self.endorsements = endorsements
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        let certificate: Certificate = try reader.decode("certificate")
        let endorsements = try reader.decodeSequenceOf("endorsements", Ieee1609Dot2Data.self, size: 1...Int.max,
                                                       minElementSize: 3)
        let unknown = try reader.readUnknownExtensionAdditions(if: p[0])
        self.init(certificate: certificate, endorsements: endorsements, unknownExtensionAdditions: unknown)
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        certificate.encode(to: &writer)
        writer.writeSequenceOf(endorsements)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("certificate", certificate.jsonValue(options)), ("endorsements", endorsements.json(options))]
                + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `ScmsComponentCertificateManagementPDU ::= CHOICE { tbsElectorEndorsement, electorBallot, ... }`.
public enum ScmsComponentCertificateManagementPDU: COERCodable, JSONRepresentable {
    case tbsElectorEndorsement(TbsElectorEndorsement)
    case electorBallot(ElectorBallot)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .tbsElectorEndorsement(try reader.decode("tbsElectorEndorsement"))
        case 1: self = .electorBallot(try reader.decode("electorBallot"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .tbsElectorEndorsement(let t): writer.writeChoiceTag(0); t.encode(to: &writer)
        case .electorBallot(let b): writer.writeChoiceTag(1); b.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .tbsElectorEndorsement(let t): return .choice("tbsElectorEndorsement", t.jsonValue(options))
        case .electorBallot(let b): return .choice("electorBallot", b.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

/// `CompositeCrl ::= SEQUENCE { securedCrlSeries SEQUENCE OF SecuredCrl, revokedRootCAs SEQUENCE OF
/// ElectorBallot, revokedElectors SEQUENCE OF ElectorBallot, ... }`.
public struct CompositeCrl: COERCodable, JSONRepresentable {
    public var securedCrlSeries: [SecuredCrl]
    /// removeRoot ballots.
    public var revokedRootCAs: [ElectorBallot]
    /// removeElector ballots.
    public var revokedElectors: [ElectorBallot]
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(securedCrlSeries: [SecuredCrl] = [], revokedRootCAs: [ElectorBallot] = [],
                revokedElectors: [ElectorBallot] = [], unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.securedCrlSeries = securedCrlSeries
        self.revokedRootCAs = revokedRootCAs
        self.revokedElectors = revokedElectors
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        securedCrlSeries = try reader.decodeSequenceOf("securedCrlSeries", Ieee1609Dot2Data.self, minElementSize: 3)
        revokedRootCAs = try reader.decodeSequenceOf("revokedRootCAs", ElectorBallot.self, minElementSize: 8)
        revokedElectors = try reader.decodeSequenceOf("revokedElectors", ElectorBallot.self, minElementSize: 8)
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        writer.writeSequenceOf(securedCrlSeries)
        writer.writeSequenceOf(revokedRootCAs)
        writer.writeSequenceOf(revokedElectors)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("securedCrlSeries", securedCrlSeries.json(options)), ("revokedRootCAs", revokedRootCAs.json(options)),
                 ("revokedElectors", revokedElectors.json(options))] + JSONValue.additions(unknownExtensionAdditions))
    }
}

// MARK: - ScmsPDU

/// `ScmsPDU ::= SEQUENCE { version Uint8(1), content CHOICE { ccm, eca-ee, ee-ma, ee-ra, la-ma, la-pca,
/// la-ra, ma-pca, ma-ra, pca-ra, ra-pg, ... } }`.
///
/// Only `ccm` is modelled. The other root alternatives carry no length in COER, so they cannot be
/// skipped: decoding them fails with `unsupported` naming the alternative.
public struct ScmsPDU: COERCodable, JSONRepresentable {
    /// The CAMP protocol version (1); other values decode and are left to the verifier.
    public static let currentVersion: UInt8 = 1

    public var version: UInt8
    public var content: Content

    /// The `content` CHOICE.
    public enum Content: COERCodable, JSONRepresentable {
        case ccm(ScmsComponentCertificateManagementPDU)
        case unknownExtension(tag: UInt, encoding: [UInt8])

        /// Root alternative names, by tag.
        public static let rootAlternatives = ["ccm", "eca-ee", "ee-ma", "ee-ra", "la-ma", "la-pca", "la-ra",
                                              "ma-pca", "ma-ra", "pca-ra", "ra-pg"]

        public init(from reader: inout COERReader) throws(COERError) {
            let start = reader.offset
            let tag = try reader.readChoiceTag()
            switch tag {
            case 0: self = .ccm(try reader.decode("ccm"))
            case 1..<11:
                let name = Self.rootAlternatives[Int(tag)]
                try reader.enter(name)
                throw reader.error(.unsupported, at: start,
                                   "ScmsPDU alternative \(name) is not modelled and cannot be skipped (no length in COER)")
            default: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
            }
        }

        public func encode(to writer: inout COERWriter) {
            switch self {
            case .ccm(let c): writer.writeChoiceTag(0); c.encode(to: &writer)
            case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
            }
        }

        public func jsonValue(_ options: JSONOptions) -> JSONValue {
            switch self {
            case .ccm(let c): return .choice("ccm", c.jsonValue(options))
            case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
            }
        }
    }

    public init(version: UInt8 = ScmsPDU.currentVersion, content: Content) {
        self.version = version
        self.content = content
    }

    /// A ScopedElectorEndorsement.
    public static func scopedEndorsement(_ tbs: TbsElectorEndorsement) -> ScmsPDU {
        ScmsPDU(content: .ccm(.tbsElectorEndorsement(tbs)))
    }

    /// A ScopedElectorBallot.
    public static func scopedBallot(_ ballot: ElectorBallot) -> ScmsPDU {
        ScmsPDU(content: .ccm(.electorBallot(ballot)))
    }

    /// The ballot, if this is a ScopedElectorBallot.
    public var electorBallot: ElectorBallot? {
        if case .ccm(.electorBallot(let b)) = content { return b }
        return nil
    }

    /// The endorsement, if this is a ScopedElectorEndorsement.
    public var tbsElectorEndorsement: TbsElectorEndorsement? {
        if case .ccm(.tbsElectorEndorsement(let t)) = content { return t }
        return nil
    }

    public init(from reader: inout COERReader) throws(COERError) {
        version = try reader.decode("version")
        content = try reader.decode("content")
    }

    public func encode(to writer: inout COERWriter) {
        writer.writeUInt8(version)
        content.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("version", .int(Int64(version))), ("content", content.jsonValue(options))])
    }
}

// MARK: - Certificate chain files

/// `CertificateStore ::= SEQUENCE { rootCAEndorsements SEQUENCE OF ElectorBallot, electorEndorsements
/// SEQUENCE OF ElectorBallot, maCertificate Certificate, certs SEQUENCE OF Certificate, ... }`.
public struct CertificateStore: COERCodable, JSONRepresentable {
    public var rootCAEndorsements: [ElectorBallot]
    public var electorEndorsements: [ElectorBallot]
    public var maCertificate: Certificate
    public var certs: [Certificate]
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(rootCAEndorsements: [ElectorBallot], electorEndorsements: [ElectorBallot],
                maCertificate: Certificate, certs: [Certificate], unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.rootCAEndorsements = rootCAEndorsements
        self.electorEndorsements = electorEndorsements
        self.maCertificate = maCertificate
        self.certs = certs
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        rootCAEndorsements = try reader.decodeSequenceOf("rootCAEndorsements", ElectorBallot.self, minElementSize: 8)
        electorEndorsements = try reader.decodeSequenceOf("electorEndorsements", ElectorBallot.self, minElementSize: 8)
        maCertificate = try reader.decode("maCertificate")
        certs = try reader.decodeSequenceOf("certs", Certificate.self, minElementSize: 8)
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        writer.writeSequenceOf(rootCAEndorsements)
        writer.writeSequenceOf(electorEndorsements)
        maCertificate.encode(to: &writer)
        writer.writeSequenceOf(certs)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("rootCAEndorsements", rootCAEndorsements.json(options)),
                 ("electorEndorsements", electorEndorsements.json(options)),
                 ("maCertificate", maCertificate.jsonValue(options)), ("certs", certs.json(options))]
                + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `GlobalCertificateChainFile ::= SEQUENCE { version Uint16, certStore CertificateStore, ... }`.
public struct GlobalCertificateChainFile: COERCodable, JSONRepresentable {
    public var version: UInt16
    public var certStore: CertificateStore
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(version: UInt16, certStore: CertificateStore, unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.version = version
        self.certStore = certStore
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        version = try reader.decode("version")
        certStore = try reader.decode("certStore")
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        writer.writeUInt16(version)
        certStore.encode(to: &writer)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("version", .int(Int64(version))), ("certStore", certStore.jsonValue(options))]
                + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `CompositeVersion ::= SEQUENCE { gccfVersion Uint16, lccfVersion Uint16, raHostname Hostname }`.
public struct CompositeVersion: COERCodable, JSONRepresentable {
    public var gccfVersion: UInt16
    public var lccfVersion: UInt16
    public var raHostname: Hostname

    public init(gccfVersion: UInt16, lccfVersion: UInt16, raHostname: Hostname) {
        self.gccfVersion = gccfVersion
        self.lccfVersion = lccfVersion
        self.raHostname = raHostname
    }

    public init(from reader: inout COERReader) throws(COERError) {
        gccfVersion = try reader.decode("gccfVersion")
        lccfVersion = try reader.decode("lccfVersion")
        raHostname = try reader.decode("raHostname")
    }

    public func encode(to writer: inout COERWriter) {
        writer.writeUInt16(gccfVersion)
        writer.writeUInt16(lccfVersion)
        raHostname.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("gccfVersion", .int(Int64(gccfVersion))), ("lccfVersion", .int(Int64(lccfVersion))),
                 ("raHostname", raHostname.jsonValue(options))])
    }
}

/// `LocalCertificateChainFile ::= SEQUENCE { version CompositeVersion, requiredCertStore CertificateStore,
/// optionalCertList SEQUENCE OF Certificate, ... }`.
public struct LocalCertificateChainFile: COERCodable, JSONRepresentable {
    public var version: CompositeVersion
    public var requiredCertStore: CertificateStore
    public var optionalCertList: [Certificate]
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(version: CompositeVersion, requiredCertStore: CertificateStore, optionalCertList: [Certificate],
                unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.version = version
        self.requiredCertStore = requiredCertStore
        self.optionalCertList = optionalCertList
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        version = try reader.decode("version")
        requiredCertStore = try reader.decode("requiredCertStore")
        optionalCertList = try reader.decodeSequenceOf("optionalCertList", Certificate.self, minElementSize: 8)
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        version.encode(to: &writer)
        requiredCertStore.encode(to: &writer)
        writer.writeSequenceOf(optionalCertList)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("version", version.jsonValue(options)), ("requiredCertStore", requiredCertStore.jsonValue(options)),
                 ("optionalCertList", optionalCertList.json(options))] + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `CertificateChainFiles ::= CHOICE { globalCertificateChainFile, localCertificateChainFile, ... }`.
public enum CertificateChainFiles: COERCodable, JSONRepresentable {
    case globalCertificateChainFile(GlobalCertificateChainFile)
    case localCertificateChainFile(LocalCertificateChainFile)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    public init(from reader: inout COERReader) throws(COERError) {
        switch try reader.readChoiceTag() {
        case 0: self = .globalCertificateChainFile(try reader.decode("globalCertificateChainFile"))
        case 1: self = .localCertificateChainFile(try reader.decode("localCertificateChainFile"))
        case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .globalCertificateChainFile(let g): writer.writeChoiceTag(0); g.encode(to: &writer)
        case .localCertificateChainFile(let l): writer.writeChoiceTag(1); l.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .globalCertificateChainFile(let g): return .choice("globalCertificateChainFile", g.jsonValue(options))
        case .localCertificateChainFile(let l): return .choice("localCertificateChainFile", l.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}

// MARK: - ScmsFile

/// `ScmsFile ::= SEQUENCE { version Uint8(1), content CHOICE { cert-chain CertificateChainFiles,
/// policy PolicyFiles, ... } }` — also ScopedGlobal/LocalCertificateChainFile and ScopedGlobal/LocalPolicyFile.
public struct ScmsFile: COERCodable, JSONRepresentable {
    public static let currentVersion: UInt8 = 1

    public var version: UInt8
    public var content: Content

    /// The `content` CHOICE.
    public enum Content: COERCodable, JSONRepresentable {
        case certChain(CertificateChainFiles)
        case policy(PolicyFiles)
        case unknownExtension(tag: UInt, encoding: [UInt8])

        public init(from reader: inout COERReader) throws(COERError) {
            switch try reader.readChoiceTag() {
            case 0: self = .certChain(try reader.decode("cert-chain"))
            case 1: self = .policy(try reader.decode("policy"))
            case let tag: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
            }
        }

        public func encode(to writer: inout COERWriter) {
            switch self {
            case .certChain(let c): writer.writeChoiceTag(0); c.encode(to: &writer)
            case .policy(let p): writer.writeChoiceTag(1); p.encode(to: &writer)
            case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
            }
        }

        public func jsonValue(_ options: JSONOptions) -> JSONValue {
            switch self {
            case .certChain(let c): return .choice("cert-chain", c.jsonValue(options))
            case .policy(let p): return .choice("policy", p.jsonValue(options))
            case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
            }
        }
    }

    public init(version: UInt8 = ScmsFile.currentVersion, content: Content) {
        self.version = version
        self.content = content
    }

    /// The GCCF, if this is a ScopedGlobalCertificateChainFile.
    public var globalCertificateChainFile: GlobalCertificateChainFile? {
        if case .certChain(.globalCertificateChainFile(let g)) = content { return g }
        return nil
    }

    /// The LCCF, if this is a ScopedLocalCertificateChainFile.
    public var localCertificateChainFile: LocalCertificateChainFile? {
        if case .certChain(.localCertificateChainFile(let l)) = content { return l }
        return nil
    }

    /// The GPF, if this is a ScopedGlobalPolicyFile.
    public var globalPolicyFile: GlobalPolicyFile? {
        if case .policy(.globalPolicyFile(let g)) = content { return g }
        return nil
    }

    public init(from reader: inout COERReader) throws(COERError) {
        version = try reader.decode("version")
        content = try reader.decode("content")
    }

    public func encode(to writer: inout COERWriter) {
        writer.writeUInt8(version)
        content.encode(to: &writer)
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("version", .int(Int64(version))), ("content", content.jsonValue(options))])
    }
}

// MARK: - ScmsSsp

/// The SSP shapes `SEQUENCE { version Uint8(1), ... }` shared by ElectorSsp, RootCaSsp, PGSsp, IcaSsp,
/// EcaSsp, PcaSsp, CrlSignerSsp, DcmSsp, LopSsp and RaSsp.
public struct VersionedSsp: COERCodable, JSONRepresentable {
    public var version: UInt8
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(version: UInt8 = 1, unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.version = version
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        version = try reader.decode("version")
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        writer.writeUInt8(version)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("version", .int(Int64(version)))] + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `LaSsp ::= SEQUENCE { version Uint8(1), laId Uint16, ... }`.
public struct LaSsp: COERCodable, JSONRepresentable {
    public var version: UInt8
    public var laId: UInt16
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(version: UInt8 = 1, laId: UInt16, unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.version = version
        self.laId = laId
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        version = try reader.decode("version")
        laId = try reader.decode("laId")
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        writer.writeUInt8(version)
        writer.writeUInt16(laId)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("version", .int(Int64(version))), ("laId", .int(Int64(laId)))] + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `MaSsp ::= SEQUENCE { version Uint8(1), relevantPsids SequenceOfPsid, ... }`.
public struct MaSsp: COERCodable, JSONRepresentable {
    public var version: UInt8
    public var relevantPsids: [Psid]
    public var unknownExtensionAdditions: [COERUnknownAddition]

    public init(version: UInt8 = 1, relevantPsids: [Psid], unknownExtensionAdditions: [COERUnknownAddition] = []) {
        self.version = version
        self.relevantPsids = relevantPsids
        self.unknownExtensionAdditions = unknownExtensionAdditions
    }

    public init(from reader: inout COERReader) throws(COERError) {
        let p = try reader.readPreamble(extensible: true, optionalCount: 0)
        version = try reader.decode("version")
        relevantPsids = try reader.decodeSequenceOf("relevantPsids", Psid.self, minElementSize: 2)
        unknownExtensionAdditions = try reader.readUnknownExtensionAdditions(if: p[0])
    }

    public func encode(to writer: inout COERWriter) {
        writer.writePreamble(!unknownExtensionAdditions.isEmpty)
        writer.writeUInt8(version)
        writer.writeSequenceOf(relevantPsids)
        if !unknownExtensionAdditions.isEmpty { writer.writeExtensionAdditions(known: [], unknown: unknownExtensionAdditions) }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        .object([("version", .int(Int64(version))), ("relevantPsids", relevantPsids.json(options))]
                + JSONValue.additions(unknownExtensionAdditions))
    }
}

/// `ScmsSsp ::= CHOICE { elector, root, pg, ica, eca, pca, crl, dcm, la, lop, ma, ra, ... }` — the SSP of
/// SecurityMgmtPsid (35) in SCMS component certificates (opaque octets `80 00 01` = elector v1).
public enum ScmsSsp: COERCodable, JSONRepresentable {
    case elector(VersionedSsp)
    case root(VersionedSsp)
    case pg(VersionedSsp)
    case ica(VersionedSsp)
    case eca(VersionedSsp)
    case pca(VersionedSsp)
    case crl(VersionedSsp)
    case dcm(VersionedSsp)
    case la(LaSsp)
    case lop(VersionedSsp)
    case ma(MaSsp)
    case ra(VersionedSsp)
    case unknownExtension(tag: UInt, encoding: [UInt8])

    static let names = ["elector", "root", "pg", "ica", "eca", "pca", "crl", "dcm", "la", "lop", "ma", "ra"]

    public init(from reader: inout COERReader) throws(COERError) {
        let tag = try reader.readChoiceTag()
        switch tag {
        case 8: self = .la(try reader.decode("la"))
        case 10: self = .ma(try reader.decode("ma"))
        case 0..<12:
            let v: VersionedSsp = try reader.decode(Self.names[Int(tag)])
            switch tag {
            case 0: self = .elector(v)
            case 1: self = .root(v)
            case 2: self = .pg(v)
            case 3: self = .ica(v)
            case 4: self = .eca(v)
            case 5: self = .pca(v)
            case 6: self = .crl(v)
            case 7: self = .dcm(v)
            case 9: self = .lop(v)
            default: self = .ra(v)
            }
        default: self = .unknownExtension(tag: tag, encoding: try reader.readOpenTypeBytes())
        }
    }

    private var tagAndName: (UInt, String) {
        switch self {
        case .elector: return (0, "elector")
        case .root: return (1, "root")
        case .pg: return (2, "pg")
        case .ica: return (3, "ica")
        case .eca: return (4, "eca")
        case .pca: return (5, "pca")
        case .crl: return (6, "crl")
        case .dcm: return (7, "dcm")
        case .la: return (8, "la")
        case .lop: return (9, "lop")
        case .ma: return (10, "ma")
        case .ra: return (11, "ra")
        case .unknownExtension(let tag, _): return (tag, "unknownExtension")
        }
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .elector(let v), .root(let v), .pg(let v), .ica(let v), .eca(let v), .pca(let v), .crl(let v),
             .dcm(let v), .lop(let v), .ra(let v):
            writer.writeChoiceTag(tagAndName.0)
            v.encode(to: &writer)
        case .la(let v): writer.writeChoiceTag(8); v.encode(to: &writer)
        case .ma(let v): writer.writeChoiceTag(10); v.encode(to: &writer)
        case .unknownExtension(let tag, let encoding): writer.writeUnknownAlternative(tag: tag, encoding: encoding)
        }
    }

    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .elector(let v), .root(let v), .pg(let v), .ica(let v), .eca(let v), .pca(let v), .crl(let v),
             .dcm(let v), .lop(let v), .ra(let v):
            return .choice(tagAndName.1, v.jsonValue(options))
        case .la(let v): return .choice("la", v.jsonValue(options))
        case .ma(let v): return .choice("ma", v.jsonValue(options))
        case .unknownExtension(let tag, let encoding): return .unknownAlternative(tag: tag, encoding: encoding)
        }
    }
}
