import BallotCodec
import ElectorCrypto
import RootManagement
import ServiceKit

/// `electorctl elector init`: Setup Elector (Use Case 11.1.3 step 1).
struct ElectorInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an elector key and its self-signed elector certificate.",
        discussion: """
            Generates a P-256 key and a self-signed explicit certificate with the CAMP elector profile (name, cracaId \
            000000, crlSeries 0, psid 35 with ElectorSsp, compressed key), checks it against the profile, and writes \
            DIR/NAME.cert (COER) and DIR/NAME.key (PKCS#8 PEM, mode 0600). Prints the certificate's key fields; never \
            the key.
            """)

    static let arguments: [ArgumentSpec] = SetupOutput.arguments(defaultDuration: "6y", what: "elector")

    let context: CLIContext
    let output: SetupOutput
    let start: BallotCodec.Time32
    let duration: BallotCodec.Duration

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        output = try SetupOutput(arguments)
        (start, duration) = try SetupOutput.validity(arguments, context: context)
    }

    func run() async throws {
        try SelfSignedSetup.run(.elector, output: output, start: start, duration: duration, context: context)
    }
}

/// The common body of `elector init` and `root init`.
enum SelfSignedSetup {
    static func run(_ profile: SelfSignedProfile, output: SetupOutput, start: BallotCodec.Time32,
                    duration: BallotCodec.Duration, context: CLIContext) throws {
        let key: PrivateKey
        do {
            key = try PrivateKey.generate()
        } catch {
            throw CommandFailure(.software, "key generation failed: \(error)")
        }
        let certificate: Certificate
        switch ElectorCeremony.selfSignedCertificate(profile, name: output.name, key: key, start: start, duration: duration) {
        case .success(let value): certificate = value
        case .failure(let error): throw CommandFailure(.software, error.description)
        }
        try output.write(certificate: certificate, key: key)
        Output.json(output.report(certificate, context: context))
    }
}
