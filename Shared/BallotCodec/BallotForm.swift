/// The three shapes in which operators hand in a ballot:
/// - `ElectorBallot` itself;
/// - `ScopedElectorBallot` = `ScmsPDU { version, content ccm: electorBallot }`;
/// - `UnsecuredElectorBallot` = `Ieee1609Dot2Data { protocolVersion, content unsecuredData
///   (CONTAINING ScopedElectorBallot) }`.
///
/// `decode` tells them apart by the first octet (an `ElectorBallot` starts with its preamble, `00`
/// or `80`; an `Ieee1609Dot2Data` with protocol version `03`; anything else is tried as an `ScmsPDU`)
/// and checks the constraint of the scoped forms, so the value it returns always holds a ballot.
/// Re-encoding (`coerEncoded`) reproduces the input byte for byte, in its original form.
public enum BallotForm: COERCodable, JSONRepresentable {
    case ballot(ElectorBallot)
    /// An `ScmsPDU` whose content is `ccm.electorBallot`.
    case scoped(ScmsPDU)
    /// An `Ieee1609Dot2Data` whose content is `unsecuredData` holding a ScopedElectorBallot.
    case unsecured(Ieee1609Dot2Data)

    /// The form's ASN.1 name.
    public var formName: String {
        switch self {
        case .ballot: return "ElectorBallot"
        case .scoped: return "ScopedElectorBallot"
        case .unsecured: return "UnsecuredElectorBallot"
        }
    }

    /// Decodes any of the three forms from a complete input.
    public static func decode(_ bytes: [UInt8], limits: COERLimits = .init()) throws(COERError) -> BallotForm {
        try BallotForm(coer: bytes, limits: limits)
    }

    /// The ballot, whichever the form, or nil for a hand-built value whose content is not a ballot.
    /// (Values from `decode` always have one.)
    public var electorBallotIfPresent: ElectorBallot? {
        switch self {
        case .ballot(let b): return b
        case .scoped(let pdu): return pdu.electorBallot
        case .unsecured(let data):
            return (try? data.containedScmsPDU())?.electorBallot
        }
    }

    /// The ballot, whichever the form. Values from `decode` always carry one; building a `.scoped` or
    /// `.unsecured` value by hand around something else is a programming error and traps here.
    public var electorBallot: ElectorBallot {
        guard let ballot = electorBallotIfPresent else {
            preconditionFailure("BallotForm.\(formName) was built by hand around content that is not an ElectorBallot")
        }
        return ballot
    }

    /// The same ballot as a ScopedElectorBallot `ScmsPDU`.
    public var scopedPDU: ScmsPDU {
        if case .scoped(let pdu) = self { return pdu }
        return ScmsPDU.scopedBallot(electorBallot)
    }

    public static var asn1TypeName: String { "BallotForm" }

    public init(from reader: inout COERReader) throws(COERError) {
        try reader.need(1, "ballot")
        let first = reader.bytes[reader.offset]
        switch first {
        case 0x00, 0x80:
            self = .ballot(try reader.decode("ElectorBallot"))
        case Ieee1609Dot2Data.currentProtocolVersion:
            self = .unsecured(try reader.component("UnsecuredElectorBallot") { (r: inout COERReader) throws(COERError) in
                try Self.decodeUnsecured(&r)
            })
        default:
            self = .scoped(try reader.component("ScopedElectorBallot") { (r: inout COERReader) throws(COERError) in
                try Self.decodeScoped(&r)
            })
        }
    }

    static func decodeScoped(_ reader: inout COERReader) throws(COERError) -> ScmsPDU {
        let version: UInt8 = try reader.decode("version")
        let content = try reader.component("content") { (r: inout COERReader) throws(COERError) in
            let start = r.offset
            let content = try ScmsPDU.Content(from: &r)
            guard case .ccm(.electorBallot) = content else {
                throw r.error(.constraintViolation, at: start, "ScmsPDU content is not ccm.electorBallot")
            }
            return content
        }
        return ScmsPDU(version: version, content: content)
    }

    static func decodeUnsecured(_ reader: inout COERReader) throws(COERError) -> Ieee1609Dot2Data {
        let version: UInt8 = try reader.decode("protocolVersion")
        let octets = try reader.component("content") { (r: inout COERReader) throws(COERError) in
            let tagStart = r.offset
            let tag = try r.readChoiceTag()
            guard tag == 0 else {
                throw r.error(.constraintViolation, at: tagStart, "Ieee1609Dot2Data content [\(tag)] is not unsecuredData")
            }
            return try r.component("unsecuredData") { (r: inout COERReader) throws(COERError) in
                let length = try r.readLengthChecked()
                let start = r.offset
                _ = try r.component("ScopedElectorBallot") { (r: inout COERReader) throws(COERError) in
                    try r.readConfined(length: length) { (r: inout COERReader) throws(COERError) in try decodeScoped(&r) }
                }
                return Array(r.bytes[start..<(start + length)])
            }
        }
        return Ieee1609Dot2Data(protocolVersion: version, content: .unsecuredData(octets))
    }

    public func encode(to writer: inout COERWriter) {
        switch self {
        case .ballot(let b): b.encode(to: &writer)
        case .scoped(let pdu): pdu.encode(to: &writer)
        case .unsecured(let data): data.encode(to: &writer)
        }
    }

    /// `{"<form>": value}`.
    public func jsonValue(_ options: JSONOptions) -> JSONValue {
        switch self {
        case .ballot(let b): return .choice(formName, b.jsonValue(options))
        case .scoped(let pdu): return .choice(formName, pdu.jsonValue(options))
        case .unsecured(let data): return .choice(formName, data.jsonValue(options))
        }
    }
}
