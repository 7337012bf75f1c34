import BallotCodec
import ElectorCrypto
import Foundation
import RootManagement
import ServiceKit

/// A relying party's trust store on disk (`gccf verify --state DIR`).
///
/// Layout:
/// - `DIR/state.json` — the `RelyingPartyState` (quorum, anchors, admitted electors, endorsed roots, deny list, last
///   accepted GCCF/LCCF versions). It is the commit point: written atomically (temporary file, fsync, rename,
///   directory fsync) after everything else, so a crash leaves either the old or the new state.
/// - `DIR/trusted/{elector,root}-NAME-HASHEDID8.cert` — one COER file per certificate trusted after the update
///   (anchors included), for operators and other tools; files of certificates no longer trusted are removed after
///   the commit.
/// - `DIR/last-accepted.coer` — the chain file of the last accepted update.
struct TrustStore {
    let directory: String

    var statePath: String { directory + "/state.json" }
    var trustedDirectory: String { directory + "/trusted" }
    var lastAcceptedPath: String { directory + "/last-accepted.coer" }

    /// The stored state, or nil when the store is new.
    func load() throws -> RelyingPartyState? {
        guard FileSystem.exists(statePath) else { return nil }
        let bytes = try FileIO.read(statePath, limit: Inputs.limit)
        do {
            return try JSONDecoder().decode(RelyingPartyState.self, from: Data(bytes))
        } catch {
            throw CommandFailure(.dataError, "\(statePath): not a trust-store state file: \(error)")
        }
    }

    /// The certificates already in `trusted/`, by ID.
    func storedCertificates() -> [CertificateID: Certificate] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: trustedDirectory) else { return [:] }
        var out: [CertificateID: Certificate] = [:]
        for name in names where name.hasSuffix(".cert") {
            guard let loaded = try? Inputs.certificate(trustedDirectory + "/" + name) else { continue }
            out[loaded.facts.id] = loaded.certificate
        }
        return out
    }

    /// Persists an accepted update: certificate files, the accepted file, then the state (commit), then cleanup.
    /// Returns the certificate files now in `trusted/`.
    func commit(_ state: RelyingPartyState, trusted: [(role: String, name: String, certificate: Certificate)],
                acceptedFile: [UInt8]) throws -> [String] {
        try FileIO.makeDirectory(directory, mode: 0o700)
        try FileIO.makeDirectory(trustedDirectory, mode: 0o755)
        var written: Set<String> = []
        for entry in trusted {
            let id = CertificateID(uncheckedBytes: Digest.sha256(entry.certificate.coerEncoded))
            let file = "\(entry.role)-\(Self.sanitize(entry.name))-\(id.shortID.hex).cert"
            try FileIO.writeAtomically(entry.certificate.coerEncoded, to: trustedDirectory + "/" + file)
            written.insert(file)
        }
        try FileIO.writeAtomically(acceptedFile, to: lastAcceptedPath)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json: Data
        do {
            json = try encoder.encode(state)
        } catch {
            throw CommandFailure(.software, "cannot encode the trust-store state: \(error)")
        }
        try FileIO.writeAtomically(Array(json) + [0x0a], to: statePath, mode: 0o644)
        // After the commit: drop files of certificates that are no longer trusted.
        if let names = try? FileManager.default.contentsOfDirectory(atPath: trustedDirectory) {
            for name in names where name.hasSuffix(".cert") && !written.contains(name) {
                try? FileManager.default.removeItem(atPath: trustedDirectory + "/" + name)
            }
        }
        return written.sorted()
    }

    /// A file-name-safe version of a certificate name.
    static func sanitize(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        let mapped = String(name.map { allowed.contains($0) ? $0 : "_" }.prefix(64))
        return mapped.isEmpty ? "unnamed" : mapped
    }
}
