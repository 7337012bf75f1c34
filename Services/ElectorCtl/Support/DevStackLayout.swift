import Foundation
import ServiceKit

/// Where `electorctl dev up --dir DIR` keeps everything of one development stack.
///
/// ```
/// DIR/bootstrap.servers        the dev broker's bootstrap servers (written by scms-devbroker; gone once it stops)
/// DIR/control.sock             the dev broker's control socket;  DIR/devbroker.pid its pid
/// DIR/stack.json               what `dev up` started: every process's name, executable, arguments, files
/// DIR/pg/pg.key, pg.cert       the Policy Generator's key and certificate (signs GPF updates)
/// DIR/ca/                      the demo root CA and the MA certificate the GCCF carries
/// DIR/anchors/                 the trust anchors every service and relying party starts from
/// DIR/electors/                the demo electors' keys and certificates (without --anchors)
/// DIR/config/NAME.conf         each service's configuration file (edit, then `dev restart NAME`)
/// DIR/logs/NAME.log            each process's JSON log (stdout and stderr)
/// DIR/run/NAME.pid, NAME.port  each process's pid and bound HTTP port
/// DIR/gccf/                    the assembler's GCCF directory (gccf-<version>.coer, gccf-latest.coer)
/// ```
struct DevStackLayout: Sendable {
    let directory: String

    init(directory: String) {
        // Absolute, so the files recorded in stack.json and handed to services stay valid from any cwd.
        self.directory = directory.hasPrefix("/") ? directory
            : FileManager.default.currentDirectoryPath + "/" + directory
    }

    func path(_ relative: String) -> String { directory + "/" + relative }

    var bootstrapFile: String { path("bootstrap.servers") }
    var controlSocket: String { path("control.sock") }
    var manifestFile: String { path("stack.json") }
    var pgDirectory: String { path("pg") }
    var pgKey: String { path("pg/pg.key") }
    var pgCertificate: String { path("pg/pg.cert") }
    var caDirectory: String { path("ca") }
    var rootCAKey: String { path("ca/rootca.key") }
    var rootCACertificate: String { path("ca/rootca.cert") }
    var maKey: String { path("ca/ma.key") }
    var maCertificate: String { path("ca/ma.cert") }
    var anchorsDirectory: String { path("anchors") }
    var electorsDirectory: String { path("electors") }
    var configDirectory: String { path("config") }
    var logsDirectory: String { path("logs") }
    var runDirectory: String { path("run") }
    var gccfDirectory: String { path("gccf") }

    func configFile(_ name: String) -> String { path("config/\(name).conf") }
    func logFile(_ name: String) -> String { path("logs/\(name).log") }
    func pidFile(_ name: String) -> String { path("run/\(name).pid") }
    func portFile(_ name: String) -> String { path("run/\(name).port") }

    /// The bootstrap servers of a running stack.
    ///
    /// - Throws: exit 69 when DIR has no `bootstrap.servers` (the stack is not up).
    func bootstrapServers() throws -> String {
        guard let text = try? FileIO.readText(bootstrapFile, limit: 4096),
              case let servers = text.trimmingCharacters(in: .whitespacesAndNewlines), !servers.isEmpty else {
            throw CommandFailure(.unavailable, "\(bootstrapFile) not found: is the dev stack up? (electorctl dev up --dir \(directory))")
        }
        return servers
    }

    /// The manifest `dev up` wrote, or nil.
    func manifest() throws -> DevStackManifest? {
        guard FileSystem.exists(manifestFile) else { return nil }
        let bytes = try FileIO.read(manifestFile, limit: 1 << 20)
        do {
            return try JSONDecoder().decode(DevStackManifest.self, from: Data(bytes))
        } catch {
            throw CommandFailure(.dataError, "\(manifestFile): not a dev stack manifest: \(error)")
        }
    }

    func writeManifest(_ manifest: DevStackManifest) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(manifest)
        } catch {
            throw CommandFailure(.software, "cannot encode the dev stack manifest: \(error)")
        }
        try FileIO.writeAtomically(Array(data) + [0x0a], to: manifestFile)
    }

    /// The pid recorded for `name`, if any.
    func recordedPID(_ name: String) -> Int32? {
        guard let text = try? FileIO.readText(pidFile(name), limit: 64) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The HTTP port `name` wrote to its port file, if any.
    func recordedPort(_ name: String) -> Int? {
        guard let text = try? FileIO.readText(portFile(name), limit: 64) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// `DIR/stack.json`: the processes of a dev stack, in start order, and the settings it was created with.
struct DevStackManifest: Codable, Sendable {
    /// One process of the stack.
    struct Process: Codable, Sendable {
        /// Instance name (`devbroker`, `endorsement-intake`, `quorum-validator-1`, …): file names under run/, logs/.
        var name: String
        /// The program (`scms-devbroker`, `quorum-validator`, …).
        var program: String
        var executable: String
        var arguments: [String]
        /// Whether it serves `/metrics` and `/healthz` (everything but the broker).
        var http: Bool
    }

    var processes: [Process]
    /// The quorum of the initial GPF.
    var quorum: Int
    var topicPrefix: String
    var createdAt: String
}
