import BallotCodec
import RootManagement
import ServiceKit

/// `electorctl what-if`: which ballots, electors and roots of a chain file would drop under a change, and why.
struct WhatIfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "what-if",
        abstract: "Show which ballots, electors and roots of a chain file would drop if certificates were removed.",
        discussion: """
            Evaluates the file's ballots from the anchors now (quorum, TIME) and again in the scenario: the --remove \
            certificates removed (their endorsements stop counting; electors and roots that relied on them drop, \
            transitively), optionally another quorum or time. Prints the differences with the scenario's reasons. \
            --remove takes a certificate file or a certificate SHA-256 in hex. Exit 0, 65 malformed.
            """)

    static let arguments: [ArgumentSpec] = [
        .option("gccf", valueName: "file", help: "The GCCF (or LCCF) ScmsFile.", required: true),
        .option("anchors", valueName: "dir", help: Anchors.help, required: true),
        .option("quorum", valueName: "n", help: "The quorum in force.", default: "2"),
        .option("at", valueName: "time", help: "The evaluation time (TIME; default now)."),
        .repeatableOption("remove", valueName: "cert", help: "A certificate (file or SHA-256 hex) to treat as removed."),
        .option("scenario-quorum", valueName: "n", help: "Another quorum in the scenario."),
        .option("scenario-at", valueName: "time", help: "Another time in the scenario (TIME)."),
        .option("crl", valueName: "file", help: "A CAMP CompositeCrl whose removal ballots apply to both."),
    ]

    let context: CLIContext
    let gccfPath: String
    let anchorsDirectory: String
    let quorum: Int
    let time: UInt32
    let removals: [String]
    let scenarioQuorum: Int?
    let scenarioTime: UInt32?
    let crlPath: String?

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        gccfPath = try arguments.requiredString("gccf")
        anchorsDirectory = try arguments.requiredString("anchors")
        quorum = try arguments.positiveInt("quorum") ?? 2
        time = try context.time(arguments, "at")
        removals = arguments.strings("remove")
        scenarioQuorum = try arguments.positiveInt("scenario-quorum")
        scenarioTime = try arguments.time32("scenario-at", conversion: context.clock)
        crlPath = arguments.string("crl")
    }

    func run() async throws {
        let bytes = try Inputs.bytes(gccfPath)
        let file = try Inputs.decode(ScmsFile.self, bytes, from: gccfPath)
        let crlBytes = try crlPath.map { path in
            let bytes = try Inputs.bytes(path)
            _ = try Inputs.decode(CompositeCrl.self, bytes, from: path)
            return bytes
        }
        let anchors = try Anchors(directory: anchorsDirectory)
        var names = CertificateNames(anchors.all)
        for ballot in (file.certificateStore?.rootCAEndorsements ?? []) + (file.certificateStore?.electorEndorsements ?? []) {
            names.add(ballot.certificate)
        }
        var removed: [CertificateID] = []
        for value in removals {
            if let id = Inputs.certificateID(value) {
                removed.append(id)
            } else {
                let certificate = try Inputs.certificate(value)
                names.add(certificate)
                removed.append(certificate.facts.id)
            }
        }
        let scenario = WhatIfScenario(removedCertificates: removed, quorum: scenarioQuorum, time: scenarioTime)
        let outcome: WhatIfOutcome
        switch RootManagementCommands.whatIf(chainFile: bytes, crl: crlBytes, electorAnchors: anchors.electors.map(\.certificate),
                                             rootAnchors: anchors.roots.map(\.certificate),
                                             policy: TrustPolicy(quorum: quorum), time: time, scenario: scenario) {
        case .success(let value): outcome = value
        case .failure(let finding): throw CommandFailure(.dataError, "\(Inputs.display(gccfPath)): \(finding)")
        }
        let reports = Reports(context: context)
        func changes(_ list: [WhatIfChange]) -> JSONValue {
            .array(list.map { change in
                var members: [(String, JSONValue)] = []
                if let certificate = change.certificate { members.append(("certificate", names.json(certificate))) }
                if let ballot = change.ballot { members.append(("ballot", .string(ballot.hex))) }
                members.append(("reasons", reports.findings(change.findings)))
                return .object(members)
            })
        }
        var scenarioMembers: [(String, JSONValue)] = [("removed", .array(removed.map(names.json)))]
        if let scenarioQuorum { scenarioMembers.append(("quorum", .int(Int64(scenarioQuorum)))) }
        if let scenarioTime { scenarioMembers.append(("time", context.timeJSON(scenarioTime))) }
        Output.json(.object([
            ("time", context.timeJSON(time)),
            ("quorum", .int(Int64(quorum))),
            ("scenario", .object(scenarioMembers)),
            ("droppedBallots", changes(outcome.droppedBallots)),
            ("droppedElectors", changes(outcome.droppedElectors)),
            ("droppedRoots", changes(outcome.droppedRoots)),
            ("gainedBallots", changes(outcome.gainedBallots)),
            ("gainedElectors", .array(outcome.gainedElectors.map(names.json))),
            ("gainedRoots", .array(outcome.gainedRoots.map(names.json))),
            ("policyFindings", reports.findings(outcome.policyFindings)),
        ]))
    }
}
