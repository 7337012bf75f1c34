import BallotCodec
import ElectorCrypto
import RootManagement
import ServiceKit

/// `electorctl ballot assemble`: endorsements of one certificate → one ElectorBallot.
struct BallotAssembleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assemble",
        abstract: "Assemble signed endorsements of one certificate into an ElectorBallot.",
        discussion: """
            Reads the target certificate and the SignedElectorEndorsement files (binary COER, or .hex vector text) and \
            writes one ballot, endorsements in the order given. Refuses (exit 1, naming the file) an endorsement that \
            is not a well-formed SignedElectorEndorsement, that endorses another certificate, whose signed \
            TbsElectorEndorsement (type, certificateHash, generationTime) differs from the first one's, or whose signer \
            already signed another. Signatures and trust are judged by 'ballot verify', not here.
            """)

    static let arguments: [ArgumentSpec] = [
        .option("target", valueName: "file", help: "The endorsed certificate (the ballot's certificate).", required: true),
        .option("form", valueName: "form", help: "The ballot's outer form.", default: "ElectorBallot",
                allowedValues: ["ElectorBallot", "ScopedElectorBallot", "UnsecuredElectorBallot"]),
        .option("out", valueName: "file", help: "Where to write the ballot (COER; - for standard output).", required: true),
        .variadicArgument("endorsements", help: "The SignedElectorEndorsement files.", required: true),
    ]

    let context: CLIContext
    let targetPath: String
    let form: String
    let out: String
    let endorsementPaths: [String]

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        targetPath = try arguments.requiredString("target")
        form = arguments.string("form", default: "ElectorBallot")
        out = try arguments.requiredString("out")
        endorsementPaths = arguments.strings("endorsements")
    }

    func run() async throws {
        let target = try Inputs.certificate(targetPath)
        let endorsements = try endorsementPaths.map { path in
            try Inputs.decode(Ieee1609Dot2Data.self, try Inputs.bytes(path), from: path)
        }
        let ballot: ElectorBallot
        switch ElectorCeremony.assemble(target: target.certificate, endorsements: endorsements) {
        case .success(let value): ballot = value
        case .failure(let error):
            let subject = error.endorsementIndex.map { endorsementPaths[$0] } ?? targetPath
            throw CommandFailure(.rejected, "refusing to assemble: \(subject): \(error)")
        }
        let output: BallotForm
        switch form {
        case "ScopedElectorBallot": output = .scoped(ScmsPDU.scopedBallot(ballot))
        case "UnsecuredElectorBallot":
            output = .unsecured(Ieee1609Dot2Data(content: .unsecuredData(ScmsPDU.scopedBallot(ballot).coerEncoded)))
        default: output = .ballot(ballot)
        }
        try FileIO.writeAtomically(output.coerEncoded, to: out)
        if out != "-" {
            Output.json(.object([("ballotFile", .string(out)),
                                 ("ballot", Reports(context: context).ballot(ballot, form: output.formName))]))
        }
    }
}

/// `electorctl ballot verify`: one ballot against trusted electors, with a quorum, at a time.
struct BallotVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a ballot against trusted elector certificates and print the verdict as JSON.",
        discussion: """
            Checks every rule of a ballot (signatures over the 1609.2 hash-then-sign input, identical signed \
            TbsElectorEndorsements, type, certificate hash, target profile and self-signature, endorsers trusted and \
            valid at TIME, distinct endorsers by certificate and key) and counts distinct valid endorsers against the \
            quorum. Elector certificates in --anchors are trusted; other certificates there (and in --known) only \
            name untrusted signers better. Prints {"accepted", "distinctEndorsers", "endorsers", "reasons" [{code, \
            endorsementIndex, detail}], ...}. Exit 0 accepted, 1 rejected, 65 malformed.
            """)

    static let arguments: [ArgumentSpec] = [
        .option("anchors", valueName: "dir", help: "Directory of trusted elector certificates (.cert, .coer, .oer, .hex).",
                required: true),
        .option("quorum", valueName: "n", help: "Distinct valid endorsers needed.", required: true),
        .option("at", valueName: "time", help: "The decision time (TIME; default now)."),
        .option("type", valueName: "type", help: "The type the ballot must have (default: the type it declares).",
                allowedValues: EndorsementAction.allCases.map(\.description)),
        .option("removed", valueName: "dir", help: "Directory of removed certificates (neither trusted nor endorsable)."),
        .option("known", valueName: "dir", help: "Directory of other known, untrusted certificates (for clearer reasons)."),
        .flag("hex", help: "The ballot is hex vector text (implied by a .hex file name)."),
        .argument("ballot", help: "The ballot (ElectorBallot, ScopedElectorBallot or UnsecuredElectorBallot), or - for stdin."),
    ]

    let context: CLIContext
    let anchorsDirectory: String
    let quorum: Int
    let time: UInt32
    let expected: EndorsementAction?
    let removedDirectory: String?
    let knownDirectory: String?
    let hex: Bool
    let ballotPath: String

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        anchorsDirectory = try arguments.requiredString("anchors")
        quorum = try arguments.requiredPositiveInt("quorum")
        time = try context.time(arguments, "at")
        expected = arguments.string("type").flatMap(EndorsementAction.init(name:))
        removedDirectory = arguments.string("removed")
        knownDirectory = arguments.string("known")
        hex = arguments.flag("hex")
        ballotPath = try arguments.requiredString("ballot")
    }

    func run() async throws {
        let bytes = try Inputs.bytes(ballotPath, hex: hex)
        let form = try Inputs.decode(BallotForm.self, bytes, from: ballotPath)
        let anchors = try Inputs.certificates(inDirectory: anchorsDirectory, option: "anchors")
        let electors = anchors.filter { $0.facts.role == .elector }
        for other in anchors where other.facts.role != .elector {
            Output.note("\(other.path): not an elector certificate (\(other.facts.role)); not trusted as an endorser")
        }
        let removed = try removedDirectory.map { try Inputs.certificates(inDirectory: $0, option: "removed", allowEmpty: true) } ?? []
        let known = try knownDirectory.map { try Inputs.certificates(inDirectory: $0, option: "known", allowEmpty: true) } ?? []
        var denyList = DenyList()
        for certificate in removed { denyList.deny(certificate.facts.id, Denial(effectiveTime: 0, ballot: nil)) }

        let decision = RootManagementCommands.decideBallot(
            form.coerEncoded, expected: expected, trustedElectors: electors.map(\.certificate),
            known: (anchors.filter { $0.facts.role != .elector } + known + removed).map(\.certificate),
            denyList: denyList, policy: TrustPolicy(quorum: quorum), time: time)

        var names = CertificateNames(anchors + removed + known)
        let ballot = form.electorBallot
        names.add(ballot.certificate)
        for endorsement in ballot.endorsements {
            if case .certificate(let certificates)? = endorsement.signedData?.signer { certificates.forEach { names.add($0) } }
        }
        let reports = Reports(context: context)
        var members: [(String, JSONValue)] = [
            ("accepted", .bool(decision.accepted)),
            ("ballot", .string(decision.ballot.hex)),
            ("form", .string(form.formName)),
        ]
        if let target = decision.target { members.append(("target", names.json(target))) }
        members += [
            ("type", .string(decision.expected.description)),
            ("time", context.timeJSON(decision.time)),
            ("quorum", .int(Int64(decision.quorum))),
            ("trustedElectors", .int(Int64(electors.filter { $0.facts.validity.contains(time) }.count))),
            ("endorsementCount", .int(Int64(ballot.endorsements.count))),
            ("distinctEndorsers", .int(Int64(decision.endorserCount))),
            ("endorsers", .array(zip(decision.endorsers, decision.endorserIndexes).map { id, index in
                guard case .object(var fields) = names.json(id) else { return .null }
                fields.insert(("endorsementIndex", .int(Int64(index))), at: 0)
                return .object(fields)
            })),
            ("reasons", reports.findings(decision.findings)),
        ]
        Output.json(.object(members))
        if !decision.accepted { throw ExitCode.rejected }
    }
}
