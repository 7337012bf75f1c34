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
            try reader.enter("ElectorBallot")
            self = .ballot(try ElectorBallot(from: &reader))
            reader.leave()
        case Ieee1609Dot2Data.currentProtocolVersion:
            try reader.enter("UnsecuredElectorBallot")
            self = .unsecured(try Self.decodeUnsecured(&reader))
            reader.leave()
        default:
            try reader.enter("ScopedElectorBallot")
            self = .scoped(try Self.decodeScoped(&reader))
            reader.leave()
        }
    }

    static func decodeScoped(_ reader: inout COERReader) throws(COERError) -> ScmsPDU {
        let version: UInt8 = try reader.decode("version")
        try reader.enter("content")
        let start = reader.offset
        let content = try ScmsPDU.Content(from: &reader)
        guard case .ccm(.electorBallot) = content else {
            throw reader.error(.constraintViolation, at: start, "ScmsPDU content is not ccm.electorBallot")
        }
        reader.leave()
        return ScmsPDU(version: version, content: content)
    }

    static func decodeUnsecured(_ reader: inout COERReader) throws(COERError) -> Ieee1609Dot2Data {
        let version: UInt8 = try reader.decode("protocolVersion")
        try reader.enter("content")
        let tagStart = reader.offset
        let tag = try reader.readChoiceTag()
        guard tag == 0 else {
            throw reader.error(.constraintViolation, at: tagStart, "Ieee1609Dot2Data content [\(tag)] is not unsecuredData")
        }
        try reader.enter("unsecuredData")
        let length = try reader.readLengthChecked()
        let start = reader.offset
        try reader.enter("ScopedElectorBallot")
        _ = try reader.readConfined(length: length) { (r: inout COERReader) throws(COERError) in
            try decodeScoped(&r)
        }
        reader.leave()
        let octets = Array(reader.bytes[start..<(start + length)])
        reader.leave()
        reader.leave()
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
