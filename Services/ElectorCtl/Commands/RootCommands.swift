import BallotCodec
import RootManagement
import ServiceKit

/// `electorctl root init`: a root CA key and self-signed root certificate.
struct RootInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a root CA key and its self-signed root CA certificate.",
        discussion: """
            Like 'elector init' with the CAMP root CA profile: psid 35 with RootCaSsp and psid 256 (CRL), \
            certIssuePermissions all, compressed P-256 key. The certificate can be endorsed with 'endorse --type addRoot' \
            and can issue an MA certificate ('ma init').
            """)

    static let arguments: [ArgumentSpec] = SetupOutput.arguments(defaultDuration: "17y", what: "root CA")

    let context: CLIContext
    let output: SetupOutput
    let start: Time32
    let duration: BallotCodec.Duration

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        output = try SetupOutput(arguments)
        (start, duration) = try SetupOutput.validity(arguments, context: context)
    }

    func run() async throws {
        try SelfSignedSetup.run(.root, output: output, start: start, duration: duration, context: context)
    }
}
