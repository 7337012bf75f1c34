import BallotCodec
import ElectorCrypto
import Foundation
import RootManagement
import ServiceKit

/// A certificate read from a file, with the facts the rules see.
struct LoadedCertificate: Sendable {
    let path: String
    let certificate: Certificate
    let facts: CertificateFacts

    /// The certificate's name (`toBeSigned.id`), else the file name without extension.
    var displayName: String {
        facts.name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }
}

/// Reading the files commands take: bounded (16 MiB), binary COER or hex vector text, decoded with the same limit.
///
/// Hex vector text (the format of `Tests/Fixtures/*.hex`) is used when the caller asks for it (`--hex`) or the file
/// name ends in `.hex`; ServiceKit's `Hex.decodeVectorText` ignores whitespace and `#` comments.
enum Inputs {
    /// Largest input accepted (`FileIO.defaultReadLimit`, 16 MiB); larger files exit 65.
    static let limit = FileIO.defaultReadLimit
    /// Decoder limits: the input size limit above, BallotCodec's defaults otherwise.
    static let coerLimits = COERLimits(maxInputBytes: limit)
    /// File extensions read as certificates from a directory.
    static let certificateExtensions: Set<String> = ["cert", "coer", "oer", "hex"]

    /// How a path is named in messages.
    static func display(_ path: String) -> String { path == "-" ? "standard input" : path }

    /// The bytes of `path` (`-` is standard input).
    static func bytes(_ path: String, hex: Bool = false) throws -> [UInt8] {
        let raw = try FileIO.read(path, limit: limit)
        guard hex || path.hasSuffix(".hex") else { return raw }
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw CommandFailure(.dataError, "\(display(path)): hex vector text is not valid UTF-8")
        }
        do {
            return try Hex.decodeVectorText(text)
        } catch {
            throw CommandFailure(.dataError, "\(display(path)): not hex vector text: \(error)")
        }
    }

    /// `bytes` decoded as `T`; a COER error becomes exit 65 naming the file, reason code, path and offset.
    static func decode<T: COERCodable>(_ type: T.Type, _ bytes: [UInt8], from path: String) throws -> T {
        do {
            return try T(coer: bytes, limits: coerLimits)
        } catch {
            throw malformed(path, error)
        }
    }

    /// Exit 65 for a COER error in `path`.
    static func malformed(_ path: String, _ error: COERError) -> CommandFailure {
        CommandFailure(.dataError, "\(display(path)): \(error.description)")
    }

    /// A certificate file.
    static func certificate(_ path: String) throws -> LoadedCertificate {
        let certificate = try decode(Certificate.self, try bytes(path), from: path)
        return LoadedCertificate(path: path, certificate: certificate, facts: CertificateAnalysis.facts(certificate))
    }

    /// Every certificate file (`.cert`, `.coer`, `.oer`, `.hex`) in `directory`, by file name; other files (keys,
    /// state) are ignored. An empty directory is an error unless `allowEmpty`.
    static func certificates(inDirectory directory: String, option: String,
                             allowEmpty: Bool = false) throws -> [LoadedCertificate] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw CommandFailure(.ioError, "--\(option) \(directory): cannot list the directory")
        }
        let files = names.filter { certificateExtensions.contains(URL(fileURLWithPath: $0).pathExtension) }.sorted()
        if files.isEmpty && !allowEmpty {
            throw CommandFailure(.dataError, "--\(option) \(directory): no certificate files (.cert, .coer, .oer, .hex)")
        }
        return try files.map { try certificate(directory.hasSuffix("/") ? directory + $0 : directory + "/" + $0) }
    }

    /// A PKCS#8 PEM private key, refused when group or others may read it.
    static func privateKey(_ path: String) throws -> PrivateKey {
        do {
            return try KeyFile.read(from: path)
        } catch {
            switch error {
            case .keyFileTooPermissive:
                throw CommandFailure(.rejected, "refusing the key file: \(error)")
            case .keyFileUnreadable:
                throw CommandFailure(.ioError, error.description)
            case .pemDecoding, .invalidPrivateKey, .unsupportedCurve, .invalidPoint:
                throw CommandFailure(.dataError, "\(path): \(error)")
            default:
                throw CommandFailure(.software, "\(path): \(error)")
            }
        }
    }

    /// Whether a `--remove`-style value names a certificate by its SHA-256 (64 hex digits) rather than a file.
    static func certificateID(_ text: String) -> CertificateID? {
        text.utf8.count == 64 ? CertificateID(hex: text) : nil
    }
}

/// Names for certificate IDs in reports: anchors' and files' names.
struct CertificateNames: Sendable {
    private var names: [CertificateID: String] = [:]

    init() {}

    init(_ certificates: [LoadedCertificate]) {
        for certificate in certificates { add(certificate) }
    }

    mutating func add(_ certificate: LoadedCertificate) {
        if names[certificate.facts.id] == nil { names[certificate.facts.id] = certificate.displayName }
    }

    mutating func add(_ certificate: Certificate) {
        let facts = CertificateAnalysis.facts(certificate)
        if names[facts.id] == nil, let name = facts.name { names[facts.id] = name }
    }

    subscript(id: CertificateID) -> String? { names[id] }

    /// `{"sha256": …, "hashedId8": …, "name": …}`.
    func json(_ id: CertificateID) -> JSONValue {
        var members: [(String, JSONValue)] = [("sha256", .string(id.hex)), ("hashedId8", .string(id.shortID.hex))]
        if let name = names[id] { members.append(("name", .string(name))) }
        return .object(members)
    }

    /// The name, else the HashedId8.
    func label(_ id: CertificateID) -> String { names[id] ?? id.shortID.hex }
}
