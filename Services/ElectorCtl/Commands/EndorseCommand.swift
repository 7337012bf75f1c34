import BallotCodec
import ElectorCrypto
import RootManagement
import ServiceKit

/// `electorctl endorse`: one elector signs a TbsElectorEndorsement for a target certificate.
struct EndorseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endorse",
        abstract: "Sign one SignedElectorEndorsement of a target certificate with an elector's key.",
        discussion: """
            Signs TbsElectorEndorsement {type, certificateHash = SHA-256(COER(target)), generationTime} as a 1609.2 \
            SignedData (psid 35, header generationTime = the same instant) and writes its COER to FILE. Refuses a key \
            file that group or others may read, a key that is not the key of CERT, a CERT that is not a valid elector \
            certificate at TIME, and a target that does not match the profile TYPE needs (elector for \
            addElector/removeElector, root CA for addRoot/removeRoot).
            """)

    static let arguments: [ArgumentSpec] = [
        .option("key", valueName: "file", help: "The endorsing elector's private key (PKCS#8 PEM, mode 0600).", required: true),
        .option("cert", valueName: "file", help: "The endorsing elector's certificate.", required: true),
        .option("target", valueName: "file", help: "The certificate being endorsed.", required: true),
        .option("type", valueName: "type", help: "The endorsement type.", default: "addElector",
                allowedValues: EndorsementAction.allCases.map(\.description)),
        .option("signer", valueName: "form", help: "How the endorsement names its signer.", default: "certificate",
                allowedValues: ["certificate", "digest"]),
        .option("at", valueName: "time", help: "The generation time (TIME; default now)."),
        .option("out", valueName: "file", help: "Where to write the endorsement (COER; - for standard output).", required: true),
    ]

    let context: CLIContext
    let keyPath: String
    let certificatePath: String
    let targetPath: String
    let type: EndorsementAction
    let form: EndorsementSigning.SignerForm
    let time: UInt32
    let out: String

    init(arguments: ParsedArguments) throws {
        context = try CLIContext(arguments)
        keyPath = try arguments.requiredString("key")
        certificatePath = try arguments.requiredString("cert")
        targetPath = try arguments.requiredString("target")
        type = EndorsementAction(name: arguments.string("type", default: "addElector")) ?? .addElector
        form = arguments.string("signer") == "digest" ? .digest : .certificate
        time = try context.time(arguments, "at")
        out = try arguments.requiredString("out")
    }

    func run() async throws {
        let signer = try Inputs.certificate(certificatePath)
        let target = try Inputs.certificate(targetPath)
        let key = try Inputs.privateKey(keyPath)
        let endorsement: SignedElectorEndorsement
        switch ElectorCeremony.endorse(target: target.certificate, type: type, signer: signer.certificate, key: key,
                                       form: form, time: time) {
        case .success(let value): endorsement = value
        case .failure(let error):
            let subject: String
            switch error {
            case .keyDoesNotMatchCertificate: subject = "\(keyPath) and \(certificatePath)"
            case .signerNotElector, .signerNotValid: subject = certificatePath
            default: subject = targetPath
            }
            throw CommandFailure(.rejected, "refusing to endorse: \(subject): \(error)")
        }
        try FileIO.writeAtomically(endorsement.coerEncoded, to: out)
        if out != "-" {
            let reports = Reports(context: context)
            Output.json(.object([("endorsementFile", .string(out)),
                                 ("target", reports.certificateReference(target.certificate)),
                                 ("endorsement", reports.endorsement(endorsement, index: 0))]))
        }
    }
}
