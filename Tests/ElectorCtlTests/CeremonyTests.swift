import BallotCodec
import Foundation
import Testing
import TestSupport

/// A small offline ceremony in a scratch directory, driven only through `electorctl`.
struct Ceremony {
    let scratch: Scratch
    /// The anchors directory: elector1..3's certificates (not elector4's).
    let anchors: String
    /// A time inside every certificate's validity, after the endorsements.
    let now = "2024-06-01T00:00:00Z"
    let endorsedAt = "2024-05-01T00:00:00Z"

    init(electors: Int = 4) throws {
        scratch = try Scratch()
        for n in 1...electors {
            let run = try ctl(["elector", "init", "--name", "elector\(n).test", "--out", scratch.path("electors"),
                               "--start", "2024-01-01T00:00:00Z", "--duration", "1y"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        anchors = try scratch.directory("anchors")
        for n in 1...min(3, electors) {
            try FileManager.default.copyItem(atPath: cert(n), toPath: anchors + "/elector\(n).test.cert")
        }
    }

    func cert(_ n: Int) -> String { scratch.path("electors/elector\(n).test.cert") }
    func key(_ n: Int) -> String { scratch.path("electors/elector\(n).test.key") }

    /// `endorse` of elector `target` by elector `signer`.
    func endorse(_ signer: Int, _ target: Int, at time: String? = nil, extra: [String] = []) throws -> (CtlRun, String) {
        let out = scratch.path("e\(signer)-for-e\(target)\(time.map { "-" + $0.prefix(10) } ?? "").coer")
        let run = try ctl(["endorse", "--key", key(signer), "--cert", cert(signer), "--target", cert(target),
                           "--at", time ?? endorsedAt, "--out", out] + extra)
        return (run, out)
    }

    func assemble(_ target: Int, _ endorsements: [String], out name: String = "ballot.coer",
                  extra: [String] = []) throws -> (CtlRun, String) {
        let out = scratch.path(name)
        return (try ctl(["ballot", "assemble", "--target", cert(target), "--out", out] + extra + endorsements), out)
    }

    func verify(_ ballot: String, quorum: Int, extra: [String] = []) throws -> CtlRun {
        try ctl(["ballot", "verify", "--anchors", anchors, "--quorum", String(quorum), "--at", now] + extra + [ballot])
    }
}

@Suite struct CeremonyTests {
    @Test func endorseAssembleVerifyRoundTrip() throws {
        let c = try Ceremony()
        let (r1, e1) = try c.endorse(1, 4), (r2, e2) = try c.endorse(2, 4)
        #expect(r1.status == 0 && r2.status == 0, "\(r1.stderr)\(r2.stderr)")
        let endorsement = try #require(try r1.json().object("endorsement"))
        #expect(endorsement.string("type") == "addElector")
        #expect(endorsement.object("generationTime")?.string("iso8601") == c.endorsedAt)
        #expect(endorsement.object("signer")?.object("certificate")?.string("name") == "elector1.test")
        let (assembled, ballot) = try c.assemble(4, [e1, e2])
        #expect(assembled.status == 0, "\(assembled.stderr)")
        #expect(try assembled.json().object("ballot")?.int("endorsementCount") == 2)
        let decoded = try ElectorBallot(coer: try c.scratch.read(ballot))
        #expect(decoded.endorsements.map(\.coerEncoded) == [try c.scratch.read(e1), try c.scratch.read(e2)])

        let accepted = try c.verify(ballot, quorum: 2)
        #expect(accepted.status == 0, "\(accepted.out)\(accepted.stderr)")
        let verdict = try accepted.json()
        #expect(verdict.bool("accepted") == true)
        #expect(verdict.int("distinctEndorsers") == 2)
        #expect(verdict.array("endorsers").map { $0.string("name") } == ["elector1.test", "elector2.test"])
        #expect(verdict.array("endorsers").map { $0.int("endorsementIndex") } == [0, 1])
        #expect(verdict.object("target")?.string("name") == "elector4.test")
        #expect(verdict.array("reasons").isEmpty)

        let rejected = try c.verify(ballot, quorum: 3)
        #expect(rejected.status == 1)
        let verdict3 = try rejected.json()
        #expect(verdict3.bool("accepted") == false && verdict3.int("distinctEndorsers") == 2)
        #expect(codes(verdict3.array("reasons")) == ["insufficientQuorum"])

        // Outside the endorsers' validity the same ballot is rejected with the expiry codes.
        let late = try ctl(["ballot", "verify", "--anchors", c.anchors, "--quorum", "2", "--at", "2026-01-01", ballot])
        #expect(late.status == 1)
        #expect(Set(codes(try late.json().array("reasons"))).isSuperset(of: ["targetExpired", "insufficientQuorum"]))

        // A removed endorser no longer counts.
        let removed = try c.scratch.directory("removed")
        try FileManager.default.copyItem(atPath: c.cert(2), toPath: removed + "/e2.cert")
        let withRemoval = try c.verify(ballot, quorum: 2, extra: ["--removed", removed])
        #expect(withRemoval.status == 1)
        #expect(codes(try withRemoval.json().array("reasons")) == ["insufficientQuorum", "signerRemoved[1]"])
    }

    @Test func digestSignersAndOtherFormsVerify() throws {
        let c = try Ceremony()
        let (_, e1) = try c.endorse(1, 4, extra: ["--signer", "digest"])
        let (_, e3) = try c.endorse(3, 4, extra: ["--signer", "digest"])
        let digest = try Ieee1609Dot2Data(coer: try c.scratch.read(e1)).signedData?.signer
        guard case .digest? = digest else {
            Issue.record("--signer digest did not produce a digest signer")
            return
        }
        for form in ["ElectorBallot", "ScopedElectorBallot", "UnsecuredElectorBallot"] {
            let (run, ballot) = try c.assemble(4, [e1, e3], out: "\(form).coer", extra: ["--form", form])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(try BallotForm.decode(try c.scratch.read(ballot)).formName == form)
            let inspected = try ctl(["inspect", "--summary", ballot])
            #expect(try inspected.status == 0 && inspected.json().string("asn1Type") == form, "\(inspected.stderr)")
            #expect(try inspected.json().object("summary")?.int("endorsementCount") == 2)
            let verdict = try c.verify(ballot, quorum: 2)
            #expect(verdict.status == 0, "\(form): \(verdict.out)")
            #expect(try verdict.json().string("form") == form)
            #expect(try verdict.json().array("endorsers").map { $0.string("name") } == ["elector1.test", "elector3.test"])
        }
    }

    @Test func endorseRefusesABadKeyFileOrAMismatchedKey() throws {
        let c = try Ceremony()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: c.key(1))
        let (readable, out) = try c.endorse(1, 4)
        #expect(readable.status == 1)
        #expect(readable.stderr.contains("key_file_too_permissive") && readable.stderr.contains("chmod 600"))
        #expect(!FileManager.default.fileExists(atPath: out))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: c.key(1))
        #expect(try c.endorse(1, 4).0.status == 0)

        // elector2's key with elector1's certificate.
        let mismatch = try ctl(["endorse", "--key", c.key(2), "--cert", c.cert(1), "--target", c.cert(4),
                                "--out", c.scratch.path("x.coer")])
        #expect(mismatch.status == 1 && mismatch.stderr.contains("keyDoesNotMatchCertificate"))
        #expect(!FileManager.default.fileExists(atPath: c.scratch.path("x.coer")))
        // An elector certificate endorsed as a root.
        let wrongType = try ctl(["endorse", "--key", c.key(1), "--cert", c.cert(1), "--target", c.cert(4),
                                 "--type", "addRoot", "--at", c.endorsedAt, "--out", c.scratch.path("y.coer")])
        #expect(wrongType.status == 1 && wrongType.stderr.contains("targetProfile"))
        // A signer outside its validity period.
        let expired = try c.endorse(1, 4, at: "2030-01-01T00:00:00Z")
        #expect(expired.0.status == 1 && expired.0.stderr.contains("signerNotValid"))
        // A missing key file.
        let missing = try ctl(["endorse", "--key", c.scratch.path("nope.key"), "--cert", c.cert(1), "--target", c.cert(4),
                               "--out", c.scratch.path("z.coer")])
        #expect(missing.status == 74)
    }

    @Test func assembleRefusesMismatchedEndorsements() throws {
        let c = try Ceremony()
        let (_, e1) = try c.endorse(1, 4)
        let (_, e2) = try c.endorse(2, 4)
        // Another target.
        let (_, other) = try c.endorse(2, 3)
        let wrongTarget = try c.assemble(4, [e1, other], out: "bad1.coer")
        #expect(wrongTarget.0.status == 1)
        #expect(wrongTarget.0.stderr.contains(other) && wrongTarget.0.stderr.contains("certificateHashMismatch"))
        #expect(!FileManager.default.fileExists(atPath: wrongTarget.1))
        // Another generation time: the signed TbsElectorEndorsements differ.
        let (_, later) = try c.endorse(3, 4, at: "2024-05-02T00:00:00Z")
        let differ = try c.assemble(4, [e1, e2, later], out: "bad2.coer")
        #expect(differ.0.status == 1)
        #expect(differ.0.stderr.contains(later) && differ.0.stderr.contains("inconsistentEndorsements"))
        // The same signer twice.
        let twice = try c.assemble(4, [e1, e1], out: "bad3.coer")
        #expect(twice.0.status == 1 && twice.0.stderr.contains("duplicateEndorser"))
        // Not an endorsement at all.
        let notEndorsement = try c.assemble(4, [e1, c.cert(2)], out: "bad4.coer")
        #expect(notEndorsement.0.status == 65 && notEndorsement.0.stderr.contains(c.cert(2)))
        // The first endorsement names a different target than --target.
        let target = try c.assemble(3, [e1, e2], out: "bad5.coer")
        #expect(target.0.status == 1 && target.0.stderr.contains(e1))
    }
}
