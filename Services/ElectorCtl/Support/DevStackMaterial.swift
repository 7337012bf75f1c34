import BallotCodec
import ElectorCrypto
import Foundation
import RootManagement
import ServiceKit

/// The keys and certificates of a dev stack: the Policy Generator's, the demo root CA and the MA certificate the GCCF
/// carries, and (without `--anchors`) three demo electors. Existing files are kept, so `dev up` after `dev down`
/// keeps the same trust anchors.
struct DevStackMaterial {
    let layout: DevStackLayout
    let start: UInt32
    let context: CLIContext

    /// The names of the demo electors.
    static let demoElectors = ["elector1.dev.test", "elector2.dev.test", "elector3.dev.test"]

    /// Creates what is missing and fills `DIR/anchors`: the demo electors and root CA, or the files of `anchors`.
    ///
    /// - Returns: what was created, for the report.
    func prepare(anchors: String?) throws -> [String] {
        var created: [String] = []
        try FileIO.makeDirectory(layout.pgDirectory, mode: 0o700)
        try FileIO.makeDirectory(layout.caDirectory, mode: 0o700)
        if !FileSystem.exists(layout.pgCertificate) {
            let key = try generateKey()
            let certificate: Certificate
            do {
                certificate = try CertificateSigning.selfSigned(
                    CertificateSigning.pgTemplate(name: "pg.dev.test", key: key.publicKey, start: Time32(start)), key: key)
            } catch {
                throw CommandFailure(.software, "cannot create the PG certificate: \(error)")
            }
            try write(certificate, key: key, certificatePath: layout.pgCertificate, keyPath: layout.pgKey)
            created.append(layout.pgCertificate)
        }
        let root: (Certificate, PrivateKey)
        if FileSystem.exists(layout.rootCACertificate) {
            root = (try Inputs.certificate(layout.rootCACertificate).certificate, try Inputs.privateKey(layout.rootCAKey))
        } else {
            let key = try generateKey()
            let certificate = try selfSigned(.root, name: "rootca.dev.test", key: key, duration: .years(10))
            try write(certificate, key: key, certificatePath: layout.rootCACertificate, keyPath: layout.rootCAKey)
            root = (certificate, key)
            created.append(layout.rootCACertificate)
        }
        if !FileSystem.exists(layout.maCertificate) {
            let key = try generateKey()
            let certificate: Certificate
            switch ElectorCeremony.maCertificate(name: "ma.dev.test", key: key.publicKey, issuer: root.0, issuerKey: root.1,
                                                 start: Time32(start), duration: .years(3)) {
            case .success(let value): certificate = value
            case .failure(let error): throw CommandFailure(.software, "cannot create the MA certificate: \(error)")
            }
            try write(certificate, key: key, certificatePath: layout.maCertificate, keyPath: layout.maKey)
            created.append(layout.maCertificate)
        }

        try FileIO.makeDirectory(layout.anchorsDirectory, mode: 0o755)
        if let anchors {
            // The operator's anchors replace whatever DIR/anchors held.
            let given = try Anchors(directory: anchors)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: layout.anchorsDirectory)) ?? [] {
                try? FileManager.default.removeItem(atPath: layout.anchorsDirectory + "/" + name)
            }
            for anchor in given.all {
                let file = URL(fileURLWithPath: anchor.path).deletingPathExtension().lastPathComponent + ".cert"
                try FileIO.writeAtomically(anchor.certificate.coerEncoded, to: layout.anchorsDirectory + "/" + file)
            }
        } else {
            try FileIO.makeDirectory(layout.electorsDirectory, mode: 0o700)
            for name in Self.demoElectors {
                let certificatePath = layout.electorsDirectory + "/\(name).cert"
                let certificate: Certificate
                if FileSystem.exists(certificatePath) {
                    certificate = try Inputs.certificate(certificatePath).certificate
                } else {
                    let key = try generateKey()
                    certificate = try selfSigned(.elector, name: name, key: key, duration: .years(6))
                    try write(certificate, key: key, certificatePath: certificatePath,
                              keyPath: layout.electorsDirectory + "/\(name).key")
                    created.append(certificatePath)
                }
                try FileIO.writeAtomically(certificate.coerEncoded, to: layout.anchorsDirectory + "/\(name).cert")
            }
            try FileIO.writeAtomically(root.0.coerEncoded, to: layout.anchorsDirectory + "/rootca.dev.test.cert")
        }
        return created
    }

    private func generateKey() throws -> PrivateKey {
        do {
            return try PrivateKey.generate()
        } catch {
            throw CommandFailure(.software, "key generation failed: \(error)")
        }
    }

    private func selfSigned(_ profile: SelfSignedProfile, name: String, key: PrivateKey,
                            duration: BallotCodec.Duration) throws -> Certificate {
        switch ElectorCeremony.selfSignedCertificate(profile, name: name, key: key, start: Time32(start), duration: duration) {
        case .success(let value): return value
        case .failure(let error): throw CommandFailure(.software, "cannot create \(name): \(error)")
        }
    }

    private func write(_ certificate: Certificate, key: PrivateKey, certificatePath: String, keyPath: String) throws {
        do {
            try KeyFile.write(key, to: keyPath, overwrite: true)
        } catch {
            throw CommandFailure(.ioError, error.description)
        }
        try FileIO.writeAtomically(certificate.coerEncoded, to: certificatePath)
    }
}
