import BallotCodec
import ElectorCrypto
import Foundation
import Testing
import TestSupport

/// `gccf build|verify`, `lccf derive|check` and `what-if` over the shared synthetic vectors.
@Suite struct ChainFileTests {
    static let time = "600002000"
    let scratch: Scratch
    let anchors: String

    init() throws {
        scratch = try Scratch()
        anchors = try scratch.fixtures(["synthetic-camp-cert-elector1.hex", "synthetic-camp-cert-elector2.hex",
                                        "synthetic-camp-cert-elector3.hex"], into: "anchors")
    }

    /// The shared ma1 is outside root1's certIssuePermissions, so building with it needs `--allow-untrusted-ma`.
    func build(version: Int = 7, out: String, ballots: [String] = ["synthetic-camp-elector4-ballot.hex",
                                                                   "synthetic-camp-root-ballot.hex"],
               allowUntrustedMA: Bool = true) throws -> CtlRun {
        try ctl(["gccf", "build", "--anchors", anchors, "--quorum", "2", "--at", Self.time, "--version", String(version),
                 "--ma-cert", Fixtures.url("synthetic-camp-cert-ma1.hex").path, "--out", out]
                + (allowUntrustedMA ? ["--allow-untrusted-ma"] : []) + ballots.map { Fixtures.url($0).path })
    }

    @Test func buildReproducesTheSharedGCCFAndIsDeterministic() throws {
        let first = try build(out: scratch.path("a.coer"))
        #expect(first.status == 0, "\(first.stderr)")
        let second = try build(out: scratch.path("b.coer"), ballots: ["synthetic-camp-root-ballot.hex",
                                                                       "synthetic-camp-elector4-ballot.hex"])
        #expect(second.status == 0)
        let bytes = try scratch.read(scratch.path("a.coer"))
        #expect(bytes == (try scratch.read(scratch.path("b.coer"))))
        // The shared vector is exactly this GCCF: version 7, root1's ballot, elector4's ballot, ma1, no certs.
        #expect(bytes == (try Fixtures.hexBytes("synthetic-camp-gccf-scmsfile.hex")))
        let summary = try first.json()
        #expect(summary.int("version") == 7)
        #expect(summary.array("electorEndorsements").map { $0.object("target")?.string("name") } == ["elector4.example.test"])
        #expect(summary.array("rootCAEndorsements").map { $0.object("target")?.string("name") } == ["rootca1.example.test"])
        #expect(summary.array("excluded").isEmpty)
        #expect(summary.string("sha256") == Fixtures.hex(Digest.sha256(bytes)))
        let ma = try #require(summary.array("components").first)
        #expect(ma.string("placement") == "maCertificate" && ma.bool("trusted") == false)
        #expect(codes(ma.array("reasons")) == ["chainIssuerNotPermitted"])
        // Without the override the MA that does not chain refuses the build.
        let refused = try build(out: scratch.path("refused.coer"), allowUntrustedMA: false)
        #expect(refused.status == 1 && refused.stderr.contains("maCertificateUntrusted")
                && refused.stderr.contains("chainIssuerNotPermitted"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("refused.coer")))

        // Invalid ballots are left out and say why.
        let withBad = try build(out: scratch.path("c.coer"), ballots: ["synthetic-camp-elector4-ballot.hex",
                                                                       "synthetic-camp-neg-outsider-signer.hex"])
        #expect(withBad.status == 0)
        let excluded = try withBad.json().array("excluded")
        #expect(excluded.count == 1)
        #expect(excluded.first?.string("cause") == "invalid")
        let gccf = try #require(try ScmsFile(coer: try scratch.read(scratch.path("c.coer"))).globalCertificateChainFile)
        #expect(gccf.certStore.electorEndorsements.count == 1 && gccf.certStore.rootCAEndorsements.isEmpty)

        // Usage: version 0, missing --ma-cert.
        #expect(try build(version: 0, out: scratch.path("d.coer")).status == 64)
        let noMA = try ctl(["gccf", "build", "--anchors", anchors, "--quorum", "2", "--at", Self.time, "--version", "1",
                            "--out", scratch.path("e.coer"), Fixtures.url("synthetic-camp-elector4-ballot.hex").path])
        #expect(noMA.status == 64 && noMA.stderr.contains("--ma-cert"))
    }

    /// `root init` and `ma init` make an MA within the root's permissions: the build needs no override, and a
    /// relying party with the root as an anchor trusts the MA.
    @Test func ceremonyRootAndMAChain() throws {
        let setup = try ctl(["root", "init", "--name", "root.example.test", "--out", scratch.path("r"), "--start", "600000000"])
        #expect(setup.status == 0, "\(setup.stderr)")
        let rootCert = scratch.path("r/root.example.test.cert")
        let issued = try ctl(["ma", "init", "--issuer-key", scratch.path("r/root.example.test.key"), "--issuer-cert", rootCert,
                              "--name", "ma.example.test", "--out", scratch.path("ma"), "--start", "600000000",
                              "--duration", "3y"])
        #expect(issued.status == 0, "\(issued.stderr)")
        let withRoot = try scratch.fixtures(["synthetic-camp-cert-elector1.hex", "synthetic-camp-cert-elector2.hex",
                                             "synthetic-camp-cert-elector3.hex"], into: "with-root")
        try FileManager.default.copyItem(atPath: rootCert, toPath: withRoot + "/root.example.test.cert")
        let out = scratch.path("ceremony.coer")
        let run = try ctl(["gccf", "build", "--anchors", withRoot, "--quorum", "2", "--at", Self.time, "--version", "1",
                           "--ma-cert", scratch.path("ma/ma.example.test.cert"), "--out", out,
                           Fixtures.url("synthetic-camp-elector4-ballot.hex").path])
        #expect(run.status == 0, "\(run.stderr)")
        let built = try run.json().array("components")
        #expect(built.map { $0.bool("trusted") } == [true])
        #expect(built.first?["chain"] as? [String] == ["root.example.test"])
        let verified = try ctl(["gccf", "verify", "--anchors", withRoot, "--quorum", "2", "--at", Self.time, out]).json()
        #expect(verified.array("warnings").isEmpty)
        #expect(verified.array("components").map { $0.bool("trusted") } == [true])
    }

    @Test func verifyWithStateAcceptsThenRefusesAReplay() throws {
        let gccf = Fixtures.url("synthetic-camp-gccf-scmsfile.hex").path
        let store = scratch.path("store")
        let accepted = try ctl(["gccf", "verify", "--anchors", anchors, "--quorum", "2", "--at", Self.time,
                                "--state", store, gccf])
        #expect(accepted.status == 0, "\(accepted.out)\(accepted.stderr)")
        let result = try accepted.json()
        #expect(result.bool("accepted") == true)
        #expect(result.object("version")?.int("gccfVersion") == 7)
        #expect(result["trustedElectors"] as? [String] == ["elector1.example.test", "elector2.example.test",
                                                           "elector3.example.test", "elector4.example.test"])
        #expect(result["trustedRoots"] as? [String] == ["rootca1.example.test"])
        #expect(result["admittedElectors"] as? [String] == ["elector4.example.test"])
        // ma1 does not chain (root1 does not permit it): reported, not fatal.
        #expect(codes(result.array("warnings")) == ["maCertificateUntrusted"])
        #expect(accepted.stderr.contains("warning: maCertificateUntrusted"))
        #expect(result.array("components").map { $0.bool("trusted") } == [false])

        // The trust store: state.json (the commit point), one file per trusted certificate, no temporary files.
        let files = try FileManager.default.contentsOfDirectory(atPath: store).sorted()
        #expect(files == ["last-accepted.coer", "state.json", "trusted"])
        let trusted = try FileManager.default.contentsOfDirectory(atPath: store + "/trusted").sorted()
        #expect(trusted.count == 5 && trusted.filter { $0.hasPrefix("root-") }.count == 1)
        #expect(!trusted.contains { $0.hasPrefix(".") })
        for file in trusted {
            let certificate = try Certificate(coer: try scratch.read(store + "/trusted/" + file))
            #expect(file.hasSuffix(Fixtures.hex(Digest.sha256(certificate.coerEncoded).suffix(8)) + ".cert"))
        }
        let stateBefore = try scratch.read(store + "/state.json")
        let state = try #require(try JSONSerialization.jsonObject(with: Data(stateBefore)) as? [String: Any])
        #expect(state.int("lastGCCFVersion") == 7)
        #expect((state["admittedElectors"] as? [Any])?.count == 1)
        #expect(try scratch.read(store + "/last-accepted.coer") == (try Fixtures.hexBytes("synthetic-camp-gccf-scmsfile.hex")))

        // The same file again is a rollback: exit 1, state untouched.
        let replay = try ctl(["gccf", "verify", "--anchors", anchors, "--quorum", "2", "--at", "600002100",
                              "--state", store, gccf])
        #expect(replay.status == 1)
        #expect(codes(try replay.json().array("reasons")) == ["rollback"])
        #expect(try scratch.read(store + "/state.json") == stateBefore)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store).sorted() == files)

        // A newer version (same content) is accepted; the quorum cannot be lowered.
        #expect(try build(version: 8, out: scratch.path("v8.coer")).status == 0)
        let lowered = try ctl(["gccf", "verify", "--anchors", anchors, "--quorum", "1", "--at", "600002200",
                               "--state", store, scratch.path("v8.coer")])
        #expect(lowered.status == 1 && lowered.stderr.contains("refusing to lower"))
        let newer = try ctl(["gccf", "verify", "--anchors", anchors, "--quorum", "2", "--at", "600002200",
                             "--state", store, scratch.path("v8.coer")])
        #expect(newer.status == 0, "\(newer.out)")
        let state8 = try JSONSerialization.jsonObject(with: Data(try scratch.read(store + "/state.json"))) as? [String: Any]
        #expect(state8?.int("lastGCCFVersion") == 8)
    }

    @Test func verifyWithoutStateAndMalformedFiles() throws {
        let gccf = Fixtures.url("synthetic-camp-gccf-scmsfile.hex").path
        let once = try ctl(["gccf", "verify", "--anchors", anchors, "--quorum", "2", "--at", Self.time, gccf])
        #expect(once.status == 0)
        #expect(try once.json()["state"] == nil)
        // Twice without state is fine: nothing is remembered.
        #expect(try ctl(["gccf", "verify", "--anchors", anchors, "--quorum", "2", "--at", Self.time, gccf]).status == 0)
        // With quorum 3 the elector4 ballot (2 endorsers) does not admit elector4.
        let q3 = try ctl(["gccf", "verify", "--anchors", anchors, "--quorum", "3", "--at", Self.time, gccf]).json()
        #expect((q3["trustedElectors"] as? [String])?.contains("elector4.example.test") == false)
        #expect(q3.array("ballots").contains { $0.bool("accepted") == false })
        // Not a chain file; a truncated one.
        let cert = try ctl(["gccf", "verify", "--anchors", anchors, "--quorum", "2",
                            Fixtures.url("synthetic-camp-cert-elector1.hex").path])
        #expect(cert.status == 65)
        let cut = try scratch.write("cut.coer", Array(try Fixtures.hexBytes("synthetic-camp-gccf-scmsfile.hex").prefix(900)))
        let truncated = try ctl(["gccf", "verify", "--anchors", anchors, "--quorum", "2", cut])
        #expect(truncated.status == 65 && truncated.stderr.contains("COER truncated"))
        // Anchors must be elector or root CA certificates.
        let mixed = try scratch.fixtures(["synthetic-camp-cert-elector1.hex", "synthetic-camp-cert-ma1.hex"], into: "mixed")
        let refused = try ctl(["gccf", "verify", "--anchors", mixed, "--quorum", "2", gccf])
        #expect(refused.status == 65 && refused.stderr.contains("neither an elector nor a root CA certificate"))
    }

    @Test func lccfDeriveAndCheck() throws {
        let gccf = Fixtures.url("synthetic-camp-gccf-scmsfile.hex").path
        let out = scratch.path("lccf.coer")
        let derived = try ctl(["lccf", "derive", "--gccf", gccf, "--ra-hostname", "ra.example.test", "--version", "4",
                               "--optional-certs", try scratch.fixtures(["tta-ra-cert.hex"], into: "optional"), "--out", out])
        #expect(derived.status == 0, "\(derived.stderr)")
        let file = try ScmsFile(coer: try scratch.read(out))
        let lccf = try #require(file.localCertificateChainFile)
        #expect(lccf.version == CompositeVersion(gccfVersion: 7, lccfVersion: 4, raHostname: "ra.example.test"))
        #expect(lccf.optionalCertList.count == 1)
        let gccfFile = try #require(try ScmsFile(coer: Fixtures.hexBytes("synthetic-camp-gccf-scmsfile.hex")).globalCertificateChainFile)
        #expect(lccf.requiredCertStore == gccfFile.certStore)

        let check = try ctl(["lccf", "check", "--gccf", gccf, out])
        #expect(check.status == 0, "\(check.out)")
        #expect(try check.json().bool("complete") == true)
        // The TTA LCCF lost everything (it names GCCF 1 and has no endorsements).
        let incomplete = try ctl(["lccf", "check", "--gccf", gccf, Fixtures.url("tta-lccf-scmsfile-no-electors.hex").path])
        #expect(incomplete.status == 1)
        let findings = try incomplete.json().array("findings")
        #expect(findings.count == 3 && Set(codes(findings)) == ["lccfIncomplete"])
        // A GCCF where the LCCF should be, and the other way round.
        #expect(try ctl(["lccf", "check", "--gccf", gccf, gccf]).status == 65)
        #expect(try ctl(["lccf", "check", "--gccf", out, out]).status == 65)
    }

    @Test func whatIfRemovingBothEndorsersDropsElector4() throws {
        let gccf = Fixtures.url("synthetic-camp-gccf-scmsfile.hex").path
        let e1 = Fixtures.url("synthetic-camp-cert-elector1.hex").path
        let e2sha = "4ef8e8a950d96c5efa8630aa916b019503e01ff0c81904c25df2286448b32c5f"
        let run = try ctl(["what-if", "--gccf", gccf, "--anchors", anchors, "--quorum", "2", "--at", Self.time,
                           "--remove", e1, "--remove", e2sha])
        #expect(run.status == 0, "\(run.stderr)")
        let outcome = try run.json()
        let dropped = outcome.array("droppedElectors")
        let elector4 = try #require(dropped.first { $0.object("certificate")?.string("name") == "elector4.example.test" })
        #expect(codes(elector4.array("reasons")) == ["insufficientQuorum", "signerRemoved[0]", "signerRemoved[1]"])
        #expect(Set(dropped.compactMap { $0.object("certificate")?.string("name") })
                == ["elector1.example.test", "elector2.example.test", "elector4.example.test"])
        // The root ballot keeps elector3 only: below quorum, the root drops too.
        #expect(outcome.array("droppedRoots").map { $0.object("certificate")?.string("name") } == ["rootca1.example.test"])
        #expect(outcome.array("droppedBallots").count == 2)
        #expect(outcome.object("scenario")?.array("removed").count == 2)

        // Removing one endorser drops nothing at quorum 2 for the root (3 endorsers) but elector4 falls to 1.
        let one = try ctl(["what-if", "--gccf", gccf, "--anchors", anchors, "--at", Self.time, "--remove", e1]).json()
        #expect(one.array("droppedRoots").isEmpty)
        #expect(one.array("droppedElectors").contains { $0.object("certificate")?.string("name") == "elector4.example.test" })
        // Nothing removed: nothing changes.
        let none = try ctl(["what-if", "--gccf", gccf, "--anchors", anchors, "--at", Self.time]).json()
        #expect(none.array("droppedElectors").isEmpty && none.array("droppedBallots").isEmpty)
        // A higher scenario quorum drops the 2-endorser ballot only.
        let q3 = try ctl(["what-if", "--gccf", gccf, "--anchors", anchors, "--at", Self.time, "--scenario-quorum", "3"]).json()
        #expect(q3.array("droppedElectors").map { $0.object("certificate")?.string("name") } == ["elector4.example.test"])
        #expect(q3.array("droppedRoots").isEmpty)
    }
}
