import BallotCodec
import ElectorCrypto
import RootManagement
import ServiceKit

/// `electorctl lccf derive`: an RA's LCCF from a GCCF.
struct LCCFDeriveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "derive",
        abstract: "Derive an RA's LCCF from a GCCF.",
        discussion: """
            The LCCF's required store is the GCCF's whole store (every root and elector endorsement, the MA \
            certificate, the other certificates); --optional-certs adds the RA's own certificates (sorted by SHA-256). \
            Its CompositeVersion is {gccfVersion of the GCCF, lccfVersion N, raHostname H}.
            """)

    static let arguments: [ArgumentSpec] = [
        .option("gccf", valueName: "file", help: "The GCCF ScmsFile.", required: true),
        .option("ra-hostname", valueName: "host", help: "The RA's hostname (CompositeVersion.raHostname).", required: true),
        .option("version", valueName: "n", help: "The lccfVersion to publish (1-65535).", required: true),
        .option("optional-certs", valueName: "dir", help: "Directory of certificates for optionalCertList."),
        .option("out", valueName: "file", help: "Where to write the LCCF ScmsFile (COER).", required: true),
    ]

    let context: CLIContext
    let gccfPath: String
    let raHostname: String
    let version: UInt16
    let optionalDirectory: String?
    let out: String

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        gccfPath = try arguments.requiredString("gccf")
        raHostname = try arguments.requiredString("ra-hostname")
        guard !raHostname.isEmpty, raHostname.utf8.count <= 255 else {
            throw CommandLineError(.invalidValue, "Invalid value for '--ra-hostname': expected 1 to 255 bytes",
                                   commandPath: arguments.commandPath)
        }
        version = UInt16(try arguments.requiredPositiveInt("version"))
        optionalDirectory = arguments.string("optional-certs")
        out = try arguments.requiredString("out")
    }

    func run() async throws {
        let gccf = try ChainFileInputs.gccf(gccfPath)
        let optional = try optionalDirectory.map {
            try Inputs.certificates(inDirectory: $0, option: "optional-certs", allowEmpty: true)
        } ?? []
        let build: LCCFBuild
        switch LCCFBuilder.derive(from: gccf, raHostname: raHostname, lccfVersion: version,
                                  optionalCertificates: optional.map(\.certificate)) {
        case .success(let value): build = value
        case .failure(let finding): throw CommandFailure(.rejected, "cannot derive the LCCF: \(finding)")
        }
        try FileIO.writeAtomically(build.bytes, to: out)
        Output.json(.object([
            ("file", .string(out)), ("length", .int(Int64(build.bytes.count))),
            ("sha256", .string(HexCoding.encode(Digest.sha256(build.bytes)))),
            ("summary", Reports(context: context).scmsFile(build.file)),
        ]))
    }
}

/// `electorctl lccf check`: does an LCCF keep everything its GCCF carries?
struct LCCFCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that an LCCF keeps every elector and root endorsement of its GCCF.",
        discussion: """
            Compares ballots by ID (SHA-256 of their canonical encoding) and the GCCF version the LCCF names. Prints \
            {"complete", "findings" [{code: lccfIncomplete, detail}]}. Exit 0 complete, 1 incomplete, 65 malformed or \
            not a GCCF/LCCF.
            """)

    static let arguments: [ArgumentSpec] = [
        .option("gccf", valueName: "file", help: "The GCCF ScmsFile.", required: true),
        .argument("lccf", help: "The LCCF ScmsFile."),
    ]

    let context: CLIContext
    let gccfPath: String
    let lccfPath: String

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        gccfPath = try arguments.requiredString("gccf")
        lccfPath = try arguments.requiredString("lccf")
    }

    func run() async throws {
        let gccf = try ChainFileInputs.gccf(gccfPath)
        let file = try Inputs.decode(ScmsFile.self, try Inputs.bytes(lccfPath), from: lccfPath)
        guard let lccf = file.localCertificateChainFile else {
            throw CommandFailure(.dataError, "\(Inputs.display(lccfPath)): wrongFileKind: not a LocalCertificateChainFile")
        }
        let findings = LCCFBuilder.check(lccf, against: gccf)
        Output.json(.object([
            ("complete", .bool(findings.isEmpty)),
            ("gccfVersion", .int(Int64(gccf.version))),
            ("lccfVersion", lccf.version.jsonValue(context.json)),
            ("electorEndorsements", .int(Int64(lccf.requiredCertStore.electorEndorsements.count))),
            ("rootCAEndorsements", .int(Int64(lccf.requiredCertStore.rootCAEndorsements.count))),
            ("findings", Reports(context: context).findings(findings)),
        ]))
        if !findings.isEmpty { throw ExitCode.rejected }
    }
}

/// Reading chain files by kind.
enum ChainFileInputs {
    /// A GCCF `ScmsFile`'s GlobalCertificateChainFile; anything else is malformed input (65).
    static func gccf(_ path: String) throws -> GlobalCertificateChainFile {
        let file = try Inputs.decode(ScmsFile.self, try Inputs.bytes(path), from: path)
        guard let gccf = file.globalCertificateChainFile else {
            throw CommandFailure(.dataError, "\(Inputs.display(path)): wrongFileKind: not a GlobalCertificateChainFile")
        }
        return gccf
    }
}
