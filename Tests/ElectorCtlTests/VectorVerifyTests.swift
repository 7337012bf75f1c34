import Foundation
import Testing
import TestSupport

/// `ballot verify` of the shared synthetic vectors: trusted electors elector1..3 (as `.hex` certificate files).
@Suite struct VectorVerifyTests {
    /// Inside every synthetic certificate's validity, after the endorsements (generation time 600001000).
    static let time = "600002000"

    static func verify(_ vector: String, quorum: Int = 2, at time: String = time, extra: [String] = []) throws -> CtlRun {
        let scratch = try Scratch()
        let anchors = try scratch.fixtures(["synthetic-camp-cert-elector1.hex", "synthetic-camp-cert-elector2.hex",
                                            "synthetic-camp-cert-elector3.hex"], into: "anchors")
        return try ctl(["ballot", "verify", "--anchors", anchors, "--quorum", String(quorum), "--at", time] + extra
                       + [Fixtures.url(vector).path])
    }

    @Test(arguments: ["synthetic-camp-elector4-ballot.hex", "synthetic-camp-elector4-ballot-digest-signers.hex"])
    func elector4BallotIsAccepted(vector: String) throws {
        let run = try Self.verify(vector)
        #expect(run.status == 0, "\(run.out)\(run.stderr)")
        let verdict = try run.json()
        #expect(verdict.bool("accepted") == true)
        #expect(verdict.int("distinctEndorsers") == 2 && verdict.int("quorum") == 2)
        #expect(verdict.array("endorsers").map { $0.string("name") } == ["elector1.example.test", "elector2.example.test"])
        #expect(verdict.object("target")?.string("sha256") == "72327ecf6cc96c743965560f63c774fc6f70820295dc04d15e48b7018cc63385")
        #expect(verdict.string("type") == "addElector")
        #expect(verdict.object("time")?.int("time32") == 600_002_000)
        #expect(verdict.array("reasons").isEmpty)
    }

    @Test func rootBallotNeedsTheAddRootType() throws {
        let root = try Self.verify("synthetic-camp-root-ballot.hex", quorum: 3, extra: ["--type", "addRoot"])
        #expect(root.status == 0, "\(root.out)")
        #expect(try root.json().int("distinctEndorsers") == 3)
        let asElector = try Self.verify("synthetic-camp-root-ballot.hex", extra: ["--type", "addElector"])
        #expect(asElector.status == 1)
        #expect(Set(codes(try asElector.json().array("reasons"))).isSuperset(of: ["targetProfile", "insufficientQuorum"]))
    }

    @Test("negative vectors are rejected with their codes", arguments: [
        ("synthetic-camp-neg-duplicate-signer.hex", ["duplicateEndorser[1]", "insufficientQuorum"]),
        ("synthetic-camp-neg-outsider-signer.hex", ["insufficientQuorum", "signerUnknown[1]"]),
        ("synthetic-camp-neg-wrong-certificate-hash.hex",
         ["certificateHashMismatch[1]", "inconsistentEndorsements[1]", "insufficientQuorum"]),
    ])
    func negativeVectors(vector: String, expected: [String]) throws {
        let run = try Self.verify(vector)
        #expect(run.status == 1, "\(run.out)")
        let verdict = try run.json()
        #expect(verdict.bool("accepted") == false)
        #expect(codes(verdict.array("reasons")) == expected.sorted())
    }

    @Test func wrongTypeVectorAgainstTheElectorList() throws {
        let run = try Self.verify("synthetic-camp-neg-wrong-type-addRoot-for-elector.hex", extra: ["--type", "addElector"])
        #expect(run.status == 1)
        #expect(codes(try run.json().array("reasons")) == ["insufficientQuorum", "typeMismatch[0]", "typeMismatch[1]"])
    }

    @Test func timeOutsideValidityAndMalformedInput() throws {
        // Before the endorsements were generated: they are in the future.
        let early = try Self.verify("synthetic-camp-elector4-ballot.hex", at: "2023-01-05T10:45:00Z")
        #expect(early.status == 1)
        #expect(codes(try early.json().array("reasons")).contains("generationTimeInFuture[0]"))
        // A certificate file is no ballot: 65 with the COER reason.
        let notBallot = try Self.verify("synthetic-camp-cert-elector1.hex")
        #expect(notBallot.status == 65 && notBallot.stdout.isEmpty && notBallot.stderr.contains("COER "))
        // Hex on standard input with --hex.
        let scratch = try Scratch()
        let anchors = try scratch.fixtures(["synthetic-camp-cert-elector1.hex", "synthetic-camp-cert-elector2.hex"], into: "a")
        let text = try Data(contentsOf: Fixtures.url("synthetic-camp-elector4-ballot.hex"))
        let stdin = try ctl(["ballot", "verify", "--anchors", anchors, "--quorum", "2", "--at", Self.time, "--hex", "-"],
                            stdin: Array(text))
        #expect(stdin.status == 0, "\(stdin.out)\(stdin.stderr)")
        // An empty anchors directory is malformed input.
        let empty = try ctl(["ballot", "verify", "--anchors", try scratch.directory("empty"), "--quorum", "2",
                             Fixtures.url("synthetic-camp-elector4-ballot.hex").path])
        #expect(empty.status == 65 && empty.stderr.contains("no certificate files"))
    }
}
