import BallotCodec
import ElectorCrypto
import RootManagement
import ServiceKit

/// `electorctl ma init`: an MA certificate issued by a root CA (what `gccf build --ma-cert` takes).
struct MAInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create an MA key and an MA certificate issued by a root CA.",
        discussion: """
            Generates a P-256 key and an explicit certificate with the CAMP MA profile (issuer sha256AndDigest of the \
            root, cracaId = HashedId3 of the root, crlSeries 256, psid 35 with MaSsp naming the relevant PSIDs), signed \
            with the root's key over SHA256(SHA256(tbs) || SHA256(root)). Refuses an issuer that is not a root CA \
            certificate, a key that is not the issuer's, and a key file readable by group or others. Writes DIR/NAME.cert \
            and DIR/NAME.key (mode 0600).
            """)

    static let arguments: [ArgumentSpec] = [
        .option("issuer-key", valueName: "file", help: "The root CA's private key (PKCS#8 PEM, mode 0600).", required: true),
        .option("issuer-cert", valueName: "file", help: "The root CA's certificate.", required: true),
        .repeatableOption("relevant-psid", valueName: "psid",
                          help: "A PSID the MA handles misbehavior reports for (default 32, BSM)."),
    ] + SetupOutput.arguments(defaultDuration: "3y", what: "MA")

    let context: CLIContext
    let output: SetupOutput
    let start: Time32
    let duration: BallotCodec.Duration
    let issuerKeyPath: String
    let issuerCertificatePath: String
    let relevantPsids: [UInt64]

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        output = try SetupOutput(arguments)
        (start, duration) = try SetupOutput.validity(arguments, context: context)
        issuerKeyPath = try arguments.requiredString("issuer-key")
        issuerCertificatePath = try arguments.requiredString("issuer-cert")
        let psids = arguments.strings("relevant-psid")
        relevantPsids = try psids.isEmpty ? [0x20] : psids.map { text in
            guard let value = UInt64(text) else {
                throw CommandLineError(.invalidValue, "Invalid value '\(text)' for '--relevant-psid': expected an integer",
                                       commandPath: arguments.commandPath)
            }
            return value
        }
    }

    func run() async throws {
        let issuer = try Inputs.certificate(issuerCertificatePath)
        let issuerKey = try Inputs.privateKey(issuerKeyPath)
        let key: PrivateKey
        do {
            key = try PrivateKey.generate()
        } catch {
            throw CommandFailure(.software, "key generation failed: \(error)")
        }
        let certificate: Certificate
        switch ElectorCeremony.maCertificate(name: output.name, key: key.publicKey, issuer: issuer.certificate,
                                             issuerKey: issuerKey, start: start, duration: duration,
                                             relevantPsids: relevantPsids) {
        case .success(let value): certificate = value
        case .failure(let error):
            throw CommandFailure(.rejected, "\(issuerCertificatePath): \(error)")
        }
        try output.write(certificate: certificate, key: key)
        Output.json(output.report(certificate, context: context))
    }
}
