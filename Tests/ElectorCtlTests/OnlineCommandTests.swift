import Foundation
import Testing
import TestSupport

/// The online commands' command lines and their checks before any broker is contacted: help, usage errors, inputs
/// refused up front, an unreachable broker, dev commands on a directory without a stack. (Their behaviour against a
/// broker is covered end to end in EndToEndTests.)
@Suite struct OnlineCommandTests {
    static let commands: [[String]] = [
        ["submit"], ["records"], ["lag"], ["policy"], ["policy", "publish"], ["gccf", "fetch"], ["gccf", "follow"],
        ["dev"], ["dev", "up"], ["dev", "status"], ["dev", "down"], ["dev", "restart"],
    ]

    @Test("--help prints the usage and exits 0", arguments: commands)
    func help(path: [String]) throws {
        let run = try ctl(path + ["--help"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.out.contains("USAGE: " + (["electorctl"] + path).joined(separator: " ")))
    }

    @Test("the top-level help lists the online commands")
    func topLevelHelp() throws {
        let out = try ctl(["--help"]).out
        for name in ["submit", "records", "policy", "lag", "dev"] { #expect(out.contains(name), "\(name) missing") }
    }

    @Test("usage errors exit 64", arguments: [
        ["submit", "x.coer"],                                              // neither --bootstrap nor --dir
        ["submit", "--bootstrap", "127.0.0.1:1"],                          // no files
        ["submit", "--bootstrap", "127.0.0.1:1", "--kafka", "novalue", "f"], // --kafka without '='
        ["gccf", "follow", "--bootstrap", "127.0.0.1:1", "--state", "s"],  // no --anchors (and no --dir)
        ["gccf", "fetch", "--bootstrap", "127.0.0.1:1"],                   // no --out
        ["policy", "publish", "--bootstrap", "127.0.0.1:1", "--quorum", "2"], // no PG key (and no --dir)
        ["policy", "publish", "--bootstrap", "b", "--quorum", "0", "--pg-key", "k", "--pg-cert", "c"],
        ["lag", "--bootstrap", "127.0.0.1:1", "--group", "not-a-pipeline-group"], // unknown group needs --topic
        ["dev", "up"],                                                     // no --dir
        ["dev", "up", "--dir", "d", "--quorum", "2", "--quorum-floor", "3"], // floor above the quorum
        ["dev", "up", "--dir", "d", "--validators", "0"],
        ["dev", "restart", "--dir", "d"],                                  // no names
    ])
    func usage(arguments: [String]) throws {
        let run = try ctl(arguments)
        #expect(run.status == 64, "\(arguments): \(run.status) \(run.stderr)")
        #expect(run.stderr.contains("Usage:") || run.stderr.contains("error:"), "\(run.stderr)")
    }

    @Test("submit refuses a file that is not a ballot before sending anything (65)")
    func submitRefusesNonBallot() throws {
        let scratch = try Scratch()
        let garbage = try scratch.write("garbage.bin", Array("not a ballot".utf8))
        let run = try ctl(["submit", "--bootstrap", "127.0.0.1:1", garbage])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stdout.isEmpty, "nothing reported as sent")
    }

    @Test("submit to an unreachable broker reports the undelivered record and exits 69")
    func submitUnreachable() throws {
        let run = try ctl(["submit", "--bootstrap", "127.0.0.1:1", "--timeout", "2s",
                           Fixtures.url("synthetic-camp-elector4-ballot.hex").path])
        #expect(run.status == 69, "\(run.stderr)")
        let lines = run.out.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        let delivery = try #require(lines.first)
        #expect(delivery.bool("delivered") == false)
        #expect(delivery.string("form") == "ElectorBallot")
        // The key is the SHA-256 of the ballot's certificate (elector4 of the vectors).
        #expect(delivery.string("key") == "72327ecf6cc96c743965560f63c774fc6f70820295dc04d15e48b7018cc63385")
        #expect(lines.last?.int("delivered") == 0)
    }

    @Test("policy publish refuses a key that is not the PG certificate's (exit 1), before contacting Kafka")
    func policyPublishKeyMismatch() throws {
        let scratch = try Scratch()
        let dir = try scratch.directory("keys")
        // Two unrelated self-signed certificates: the key of one, the certificate of the other.
        #expect(try ctl(["elector", "init", "--name", "one", "--out", dir]).status == 0)
        #expect(try ctl(["elector", "init", "--name", "two", "--out", dir]).status == 0)
        let run = try ctl(["policy", "publish", "--bootstrap", "127.0.0.1:1", "--quorum", "2",
                           "--pg-key", dir + "/one.key", "--pg-cert", dir + "/two.cert"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("PG"), "\(run.stderr)")
    }

    @Test("dev status, down and restart on a directory without a stack exit 69")
    func devWithoutStack() throws {
        let scratch = try Scratch()
        for command in [["dev", "status"], ["dev", "down"], ["dev", "restart"]] {
            var arguments = command + ["--dir", scratch.path("nothing")]
            if command.last == "restart" { arguments.append("quorum-validator-1") }
            let run = try ctl(arguments)
            #expect(run.status == 69, "\(command): \(run.status) \(run.stderr)")
        }
    }

    @Test("--dir of a stack that is not up stands in for --bootstrap and fails as unavailable (69)")
    func dirWithoutBootstrap() throws {
        let scratch = try Scratch()
        let run = try ctl(["gccf", "fetch", "--dir", scratch.url.path, "--out", scratch.path("g.coer")])
        #expect(run.status == 69, "\(run.stderr)")
        #expect(run.stderr.contains("bootstrap.servers"), "\(run.stderr)")
    }
}
