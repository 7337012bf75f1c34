import BallotCodec
import ElectorCrypto
import ServiceKit

/// `electorctl inspect`: any COER value this project handles, as JSON.
struct InspectCommand: ParsableCommand {
    /// The types `inspect` decodes, in the order `--type auto` tries them.
    enum Kind: String, CaseIterable, Sendable {
        case certificate
        case ballot
        case endorsement
        case scmsFile = "scms-file"
        case compositeCrl = "composite-crl"
        case data
        case scmsPdu = "scms-pdu"
        case tbsData = "tbs-data"

        /// The ASN.1 type(s) the kind decodes.
        var asn1Description: String {
            switch self {
            case .certificate: return "Certificate"
            case .ballot: return "ElectorBallot | ScopedElectorBallot | UnsecuredElectorBallot"
            case .endorsement: return "SignedElectorEndorsement"
            case .scmsFile: return "ScmsFile"
            case .compositeCrl: return "CompositeCrl"
            case .data: return "Ieee1609Dot2Data"
            case .scmsPdu: return "ScmsPDU"
            case .tbsData: return "ToBeSignedData"
            }
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Decode a COER file and print it as JSON.",
        discussion: """
            Prints {"type", "asn1Type", "length", "sha256", "summary", "value"}: the decoded value with field names as in \
            the ASN.1, bytes as lowercase hex, times as Time32/Time64 and ISO-8601 UTC. Types: certificate, ballot \
            (ElectorBallot, ScopedElectorBallot or UnsecuredElectorBallot), endorsement (SignedElectorEndorsement), \
            scms-file (GCCF, LCCF, policy files), composite-crl (CAMP CompositeCrl), data (any Ieee1609Dot2Data), \
            scms-pdu, tbs-data (ToBeSignedData); auto tries them in that order and names the match. Exit 0 when the \
            input decodes and re-encodes byte-identically, 65 otherwise (the COER reason code, component path and byte \
            offset on stderr).
            """)

    static let arguments: [ArgumentSpec] = [
        .option("type", valueName: "type", help: "What the input is.", default: "auto",
                allowedValues: ["auto"] + Kind.allCases.map(\.rawValue)),
        .flag("hex", help: "The input is hex vector text ('#' comment lines and whitespace ignored); implied by a .hex file name."),
        .flag("summary", help: "Print only the key fields, not the whole value."),
        .argument("file", help: "The COER file, or - for standard input."),
    ]

    let context: CLIContext
    let kind: Kind?
    let hex: Bool
    let summaryOnly: Bool
    let file: String

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        let type = arguments.string("type", default: "auto")
        kind = Kind(rawValue: type)
        hex = arguments.flag("hex")
        summaryOnly = arguments.flag("summary")
        file = try arguments.requiredString("file")
    }

    func run() async throws {
        let bytes = try Inputs.bytes(file, hex: hex)
        let decoded: Decoded
        let matched: Kind
        if let kind {
            do {
                decoded = try decode(bytes, as: kind)
            } catch {
                throw Inputs.malformed(file, error)
            }
            matched = kind
        } else {
            var failures: [(Kind, COERError)] = []
            var found: (Kind, Decoded)?
            for candidate in Kind.allCases {
                do {
                    found = (candidate, try decode(bytes, as: candidate))
                    break
                } catch {
                    failures.append((candidate, error))
                }
            }
            guard let found else {
                // The attempt that got furthest is the most telling one.
                let best = failures.max { $0.1.offset < $1.1.offset }
                let tried = failures.map { "  \($0.0.rawValue): \($0.1)" }.joined(separator: "\n")
                let headline = best.map { "\(Inputs.display(file)): no type matched; closest \($0.0.rawValue): \($0.1)" }
                    ?? "\(Inputs.display(file)): no type matched"
                // IEEE 1609.2.1 `ScmsPdu`s start with version 2; the codec implements CAMP 1.2.4 (version 1).
                let hint = bytes.first == 2
                    ? "\n  hint: this looks like an IEEE 1609.2.1 ScmsPdu (version 2); electorctl decodes CAMP scms-asn 1.2.4 only" : ""
                throw CommandFailure(.dataError, headline + "\n" + tried + hint)
            }
            (matched, decoded) = found
            Output.note("\(Inputs.display(file)): decoded as \(matched.rawValue) (\(decoded.asn1Type))")
        }
        guard decoded.reencoded == bytes else {
            let offset = zip(decoded.reencoded, bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(decoded.reencoded.count, bytes.count)
            throw CommandFailure(.dataError, "\(Inputs.display(file)): COER nonCanonical at \(decoded.asn1Type) (offset \(offset)): "
                                 + "re-encoding differs from the input")
        }
        var members: [(String, JSONValue)] = [
            ("type", .string(matched.rawValue)), ("asn1Type", .string(decoded.asn1Type)),
        ]
        if kind == nil { members.append(("matchedBy", .string("auto"))) }
        members.append(("length", .int(Int64(bytes.count))))
        members.append(("sha256", .string(HexCoding.encode(Digest.sha256(bytes)))))
        if let summary = decoded.summary { members.append(("summary", summary)) }
        if !summaryOnly { members.append(("value", decoded.value)) }
        Output.json(.object(members))
    }

    /// A decoded input.
    struct Decoded {
        var asn1Type: String
        var value: JSONValue
        var summary: JSONValue?
        var reencoded: [UInt8]
    }

    func decode(_ bytes: [UInt8], as kind: Kind) throws(COERError) -> Decoded {
        let limits = Inputs.coerLimits
        let options = context.json
        let reports = Reports(context: context)
        switch kind {
        case .certificate:
            let value = try Certificate(coer: bytes, limits: limits)
            return Decoded(asn1Type: "Certificate", value: value.jsonValue(options), summary: reports.certificate(value),
                           reencoded: value.coerEncoded)
        case .ballot:
            let form = try BallotForm.decode(bytes, limits: limits)
            return Decoded(asn1Type: form.formName, value: form.jsonValue(options),
                           summary: form.electorBallotIfPresent.map { reports.ballot($0, form: form.formName) },
                           reencoded: form.coerEncoded)
        case .endorsement:
            let value = try Ieee1609Dot2Data(coer: bytes, limits: limits)
            _ = try value.tbsElectorEndorsement(limits: limits)
            return Decoded(asn1Type: "SignedElectorEndorsement", value: value.jsonValue(options),
                           summary: reports.endorsement(value, index: 0), reencoded: value.coerEncoded)
        case .scmsFile:
            let value = try ScmsFile(coer: bytes, limits: limits)
            return Decoded(asn1Type: "ScmsFile", value: value.jsonValue(options), summary: reports.scmsFile(value),
                           reencoded: value.coerEncoded)
        case .compositeCrl:
            let value = try CompositeCrl(coer: bytes, limits: limits)
            return Decoded(asn1Type: "CompositeCrl", value: value.jsonValue(options), summary: reports.compositeCrl(value),
                           reencoded: value.coerEncoded)
        case .data:
            let value = try Ieee1609Dot2Data(coer: bytes, limits: limits)
            return Decoded(asn1Type: "Ieee1609Dot2Data", value: value.jsonValue(options), summary: nil,
                           reencoded: value.coerEncoded)
        case .scmsPdu:
            let value = try ScmsPDU(coer: bytes, limits: limits)
            return Decoded(asn1Type: "ScmsPDU", value: value.jsonValue(options), summary: nil, reencoded: value.coerEncoded)
        case .tbsData:
            let value = try ToBeSignedData(coer: bytes, limits: limits)
            return Decoded(asn1Type: "ToBeSignedData", value: value.jsonValue(options), summary: nil,
                           reencoded: value.coerEncoded)
        }
    }
}
