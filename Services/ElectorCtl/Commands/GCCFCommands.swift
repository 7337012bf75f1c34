import BallotCodec
import ElectorCrypto
import RootManagement
import ServiceKit

/// Trust anchors given as one directory: elector certificates and root CA certificates, told apart by profile.
struct Anchors {
    let all: [LoadedCertificate]
    var electors: [LoadedCertificate] { all.filter { $0.facts.role == .elector } }
    var roots: [LoadedCertificate] { all.filter { $0.facts.role == .root } }

    /// Reads `directory`; a certificate that is neither an elector nor a root CA certificate is an error (65).
    init(directory: String, option: String = "anchors") throws {
        all = try Inputs.certificates(inDirectory: directory, option: option)
        for certificate in all where certificate.facts.role == .other {
            throw CommandFailure(.dataError, "\(certificate.path): neither an elector nor a root CA certificate "
                                 + "(\(certificate.facts.profileProblems.joined(separator: "; ")))")
        }
    }

    static let help = "Directory of trust anchors installed out of band: elector and root CA certificates (.cert, .coer, "
        + ".oer, .hex), told apart by their profile."
}

/// `electorctl gccf build`: the Policy Generator's GCCF assembly, offline.
struct GCCFBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a GCCF from ballots, trust anchors, a quorum and a time.",
        discussion: """
            Evaluates every ballot from the anchors (least fixpoint: a ballot counts only endorsers already trusted) at \
            TIME with the quorum and keeps one grounded ballot per trusted elector and root (CAMP inclusion rules: \
            target valid and not removed, at least quorum distinct trusted endorsers). Ballots for anchors, removal \
            ballots and invalid ballots are left out and listed with their reasons. The same inputs always give the \
            same bytes. The MA certificate must chain to a root trusted at TIME (a root anchor or an endorsed root, \
            through --certs where needed); otherwise the build is refused (maCertificateUntrusted) unless \
            --allow-untrusted-ma is given. Prints a JSON summary; exit 0 when the file was written.
            """)

    static let arguments: [ArgumentSpec] = [
        .option("anchors", valueName: "dir", help: Anchors.help, required: true),
        .option("quorum", valueName: "n", help: "Distinct trusted endorsers a ballot needs.", required: true),
        .option("at", valueName: "time", help: "The build time (TIME).", required: true),
        .option("version", valueName: "v", help: "The GCCF version to publish (1-65535).", required: true),
        .option("ma-cert", valueName: "file", help: "The MA certificate the file carries (see 'ma init').", required: true),
        .option("certs", valueName: "dir", help: "Directory of other SCMS component certificates to include."),
        .option("removed", valueName: "dir", help: "Directory of removed certificates (their ballots are dropped)."),
        .flag("allow-untrusted-ma", help: "Build even when the MA certificate does not chain to a trusted root (reported in 'components')."),
        .option("out", valueName: "file", help: "Where to write the GCCF ScmsFile (COER).", required: true),
        .variadicArgument("ballots", help: "Ballot files (any of the three forms).", required: true),
    ]

    let context: CLIContext
    let anchorsDirectory: String
    let quorum: Int
    let time: UInt32
    let version: UInt16
    let maPath: String
    let certsDirectory: String?
    let removedDirectory: String?
    let allowUntrustedMA: Bool
    let out: String
    let ballotPaths: [String]

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        anchorsDirectory = try arguments.requiredString("anchors")
        quorum = try arguments.requiredPositiveInt("quorum")
        time = try context.time(arguments, "at")
        version = UInt16(try arguments.requiredPositiveInt("version"))
        maPath = try arguments.requiredString("ma-cert")
        certsDirectory = arguments.string("certs")
        removedDirectory = arguments.string("removed")
        allowUntrustedMA = arguments.flag("allow-untrusted-ma")
        out = try arguments.requiredString("out")
        ballotPaths = arguments.strings("ballots")
    }

    func run() async throws {
        let anchors = try Anchors(directory: anchorsDirectory)
        let ma = try Inputs.certificate(maPath)
        let others = try certsDirectory.map { try Inputs.certificates(inDirectory: $0, option: "certs", allowEmpty: true) } ?? []
        let removed = try removedDirectory.map { try Inputs.certificates(inDirectory: $0, option: "removed", allowEmpty: true) } ?? []
        var denyList = DenyList()
        for certificate in removed { denyList.deny(certificate.facts.id, Denial(effectiveTime: 0, ballot: nil)) }
        var names = CertificateNames(anchors.all + removed)
        var ballots: [(ElectorBallot, EndorsementAction)] = []
        for path in ballotPaths {
            let ballot = try Inputs.decode(BallotForm.self, try Inputs.bytes(path), from: path).electorBallot
            names.add(ballot.certificate)
            let declared = ballot.endorsements.first.flatMap { BallotAnalysis.analyze($0, index: 0).statement?.action }
            ballots.append((ballot, declared ?? .addElector))
        }

        var signatures = SignatureResolver.crypto()
        let build: GCCFBuild
        switch GCCFBuilder.build(electorAnchors: anchors.electors.map(\.certificate),
                                 rootAnchors: anchors.roots.map(\.certificate), ballots: ballots, denyList: denyList,
                                 maCertificate: ma.certificate, certificates: others.map(\.certificate),
                                 policy: TrustPolicy(quorum: quorum), time: time, version: version,
                                 requireTrustedMA: !allowUntrustedMA, signatures: &signatures) {
        case .success(let value): build = value
        case .failure(let finding): throw CommandFailure(.rejected, "cannot build the GCCF: \(finding)")
        }
        try FileIO.writeAtomically(build.bytes, to: out)

        let reports = Reports(context: context)
        var componentNames = names
        for certificate in [ma] + others { componentNames.add(certificate) }
        let snapshot = build.selection.snapshot
        func included(_ ids: [BallotID]) -> JSONValue {
            .array(ids.map { id in
                let decision = snapshot.decisions[id]
                var members: [(String, JSONValue)] = [("ballot", .string(id.hex))]
                if let target = decision?.target { members.append(("target", names.json(target))) }
                members.append(("endorsers", .array((decision?.endorsers ?? []).map { .string(names.label($0)) })))
                return .object(members)
            })
        }
        let excluded: [JSONValue] = build.selection.excluded.map { entry in
            var members: [(String, JSONValue)] = [("ballot", .string(entry.ballot.hex))]
            if let target = entry.target { members.append(("target", names.json(target))) }
            members += [("type", .string(entry.expected.description)), ("cause", .string(entry.cause.rawValue)),
                        ("reasons", reports.findings(entry.findings))]
            return .object(members)
        }
        Output.json(.object([
            ("file", .string(out)),
            ("version", .int(Int64(build.published.version))),
            ("length", .int(Int64(build.bytes.count))),
            ("sha256", .string(HexCoding.encode(Digest.sha256(build.bytes)))),
            ("time", context.timeJSON(time)),
            ("quorum", .int(Int64(quorum))),
            ("electorAnchors", .array(anchors.electors.map { .string($0.displayName) })),
            ("rootAnchors", .array(anchors.roots.map { .string($0.displayName) })),
            ("rootCAEndorsements", included(build.selection.rootBallots)),
            ("electorEndorsements", included(build.selection.electorBallots)),
            ("maCertificate", reports.certificateReference(ma.certificate)),
            ("certs", .int(Int64(Set(others.map(\.facts.id)).count))),
            ("excluded", .array(excluded)),
            ("components", reports.components(build.components, names: componentNames)),
        ]))
    }
}

/// `electorctl gccf verify`: what a relying party does with a received GCCF (or LCCF).
struct GCCFVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Validate a GCCF (or LCCF) as a relying party; with --state, update a trust store.",
        discussion: """
            Runs relying-party processing: anti-rollback against the stored versions, the elector fixpoint from the \
            anchors plus electors admitted earlier (who stay trusted after their endorsers expire), removals from an \
            optional composite CRL, roots re-evaluated from this file, then every component certificate (MA, certs, \
            optionalCertList) validated up to a trusted root: 'components' gives each verdict with its chain or \
            reasons, and an MA that does not chain is a 'warnings' entry (maCertificateUntrusted) — the file is still \
            accepted and failing components are not trusted. Without --state the anchors and quorum give a \
            fresh state and nothing is written. With --state DIR the first run installs the anchors and quorum into \
            DIR; later runs use the stored state (the quorum may be raised, never lowered) and refuse a file whose \
            version is not newer (rollback). An accepted update is committed atomically: trusted/ gets one file per \
            trusted certificate, then state.json is replaced in one rename. Exit 0 accepted, 1 rejected (state \
            unchanged), 65 malformed.
            """)

    static let arguments: [ArgumentSpec] = [
        .option("anchors", valueName: "dir", help: Anchors.help, required: true),
        .option("quorum", valueName: "n", help: "Distinct trusted endorsers a ballot needs.", required: true),
        .option("at", valueName: "time", help: "The processing time (TIME; default now)."),
        .option("state", valueName: "dir", help: "Trust-store directory (state.json, trusted/, last-accepted.coer)."),
        .option("crl", valueName: "file", help: "A CAMP CompositeCrl whose removal ballots are processed with the file."),
        .argument("file", help: "The GCCF or LCCF ScmsFile (COER, or .hex vector text)."),
    ]

    let context: CLIContext
    let anchorsDirectory: String
    let quorum: Int
    let time: UInt32
    let stateDirectory: String?
    let crlPath: String?
    let path: String

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        anchorsDirectory = try arguments.requiredString("anchors")
        quorum = try arguments.requiredPositiveInt("quorum")
        time = try context.time(arguments, "at")
        stateDirectory = arguments.string("state")
        crlPath = arguments.string("crl")
        path = try arguments.requiredString("file")
    }

    func run() async throws {
        let bytes = try Inputs.bytes(path)
        let crl = try crlPath.map { try Inputs.decode(CompositeCrl.self, try Inputs.bytes($0), from: $0) }
        let processor = RelyingPartyProcessor(context: context, anchors: try Anchors(directory: anchorsDirectory),
                                              anchorsDirectory: anchorsDirectory,
                                              store: stateDirectory.map(TrustStore.init(directory:)))
        let outcome = try processor.process(bytes, from: path, crl: crl, quorum: quorum, time: time)
        Output.json(outcome.report)
        if !outcome.accepted { throw ExitCode.rejected }
    }
}

extension ScmsFile {
    /// The certificate store of a GCCF or the required store of an LCCF.
    var certificateStore: CertificateStore? {
        globalCertificateChainFile?.certStore ?? localCertificateChainFile?.requiredCertStore
    }
}
