import BallotCodec
import ElectorCrypto
import ServiceKit

/// What `elector init`, `root init` and `ma init` share: where the files go, the validity options, writing them.
struct SetupOutput {
    let name: String
    let directory: String
    let force: Bool

    /// The options every `init` takes besides its own.
    static func arguments(defaultDuration: String, what: String) -> [ArgumentSpec] {
        [
            .option("name", valueName: "name", help: "The \(what)'s name (certificate id, and the file names NAME.cert and NAME.key).",
                    required: true),
            .option("out", valueName: "dir", help: "Directory for NAME.cert (COER) and NAME.key (PKCS#8 PEM, mode 0600); created if missing.",
                    required: true),
            .option("start", valueName: "time", help: "Start of the validity period (TIME; default now)."),
            .option("duration", valueName: "span",
                    help: "Validity: 6y, 90d, 12h, 30m, 30s or combinations (1d12h); encoded in the largest exact 1609.2 unit.",
                    default: defaultDuration),
            .flag("force", help: "Overwrite an existing NAME.cert / NAME.key."),
        ]
    }

    init(_ arguments: ParsedArguments) throws {
        name = try arguments.requiredString("name")
        directory = try arguments.requiredString("out")
        force = arguments.flag("force")
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", name.utf8.count <= 255 else {
            throw CommandLineError(.invalidValue, "Invalid value '\(name)' for '--name': expected a hostname-like name without '/'",
                                   commandPath: arguments.commandPath)
        }
    }

    /// The validity start and 1609.2 duration from `--start` and `--duration`.
    static func validity(_ arguments: ParsedArguments, context: CLIContext) throws -> (Time32, BallotCodec.Duration) {
        let start = try context.time(arguments, "start")
        guard let seconds = try arguments.durationSeconds("duration") else {
            throw CommandLineError(.missingRequired, "Missing expected argument '--duration'", commandPath: arguments.commandPath)
        }
        guard let duration = CertificateSigning.duration(seconds: seconds) else {
            throw CommandLineError(.invalidValue,
                                   "Invalid value '\(arguments.string("duration") ?? "")' for '--duration': not expressible as a 1609.2 Duration "
                                   + "(use whole years, or at most 65535 hours/minutes/seconds)", commandPath: arguments.commandPath)
        }
        return (Time32(start), duration)
    }

    var certificatePath: String { join(directory, name + ".cert") }
    var keyPath: String { join(directory, name + ".key") }

    /// Writes the key (mode 0600) and the certificate; refuses existing files unless `force`.
    func write(certificate: Certificate, key: PrivateKey) throws {
        try FileIO.makeDirectory(directory)
        if !force {
            for path in [certificatePath, keyPath] where FileSystem.exists(path) {
                throw CommandFailure(.rejected, "\(path) exists; refusing to overwrite (use --force)")
            }
        }
        do {
            try KeyFile.write(key, to: keyPath, overwrite: force)
        } catch {
            throw CommandFailure(error == .keyFileExists(path: keyPath) ? .rejected : .ioError, error.description)
        }
        try FileIO.writeAtomically(certificate.coerEncoded, to: certificatePath, mode: 0o644, overwrite: force)
    }

    /// The JSON printed after a successful `init`.
    func report(_ certificate: Certificate, context: CLIContext) -> JSONValue {
        .object([("certificateFile", .string(certificatePath)), ("keyFile", .string(keyPath)),
                 ("certificate", Reports(context: context).certificate(certificate))])
    }

    private func join(_ directory: String, _ file: String) -> String {
        directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }
}

/// Small file-system questions.
enum FileSystem {
    /// Whether `path` exists (a dangling symlink counts as absent).
    static func exists(_ path: String) -> Bool {
        (try? FileIO.permissions(of: path)) != nil
    }
}
