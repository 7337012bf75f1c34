import BallotCodec
import ElectorCrypto
import Foundation
import Testing
import TestSupport

/// `electorctl inspect` over every kind of vector the project keeps, and over broken input.
@Suite struct InspectTests {
    /// Every CAMP / IEEE 1609.2 fixture and the `--type` it is.
    static let vectors: [(name: String, type: String)] = [
        ("tta-rootca-selfsigned-cert.hex", "certificate"), ("tta-ica-cert.hex", "certificate"),
        ("tta-eca-cert.hex", "certificate"), ("tta-pca-cert.hex", "certificate"), ("tta-ra-cert.hex", "certificate"),
        ("tta-ma-cert.hex", "certificate"), ("wwhyte-1609dot2-test-implicit-certificate.hex", "certificate"),
        ("synthetic-camp-cert-elector1.hex", "certificate"), ("synthetic-camp-cert-elector4.hex", "certificate"),
        ("synthetic-camp-cert-ma1.hex", "certificate"), ("synthetic-camp-cert-outsider.hex", "certificate"),
        ("synthetic-camp-cert-root1.hex", "certificate"),
        ("synthetic-camp-elector4-ballot.hex", "ballot"), ("synthetic-camp-elector4-ballot-digest-signers.hex", "ballot"),
        ("synthetic-camp-root-ballot.hex", "ballot"), ("synthetic-camp-neg-duplicate-signer.hex", "ballot"),
        ("synthetic-camp-neg-outsider-signer.hex", "ballot"), ("synthetic-camp-neg-wrong-certificate-hash.hex", "ballot"),
        ("synthetic-camp-neg-wrong-type-addRoot-for-elector.hex", "ballot"),
        ("synthetic-camp-endorsement-e1-for-e4-spdu.hex", "endorsement"),
        ("tta-signed-enrollment-response-signer-certificate.hex", "data"),
        ("synthetic-camp-gccf-scmsfile.hex", "scms-file"), ("tta-lccf-scmsfile-no-electors.hex", "scms-file"),
        ("synthetic-camp-endorsement-e1-for-e4-scoped-scmspdu.hex", "scms-pdu"),
        ("synthetic-camp-endorsement-e1-for-e4-tbsdata.hex", "tbs-data"),
    ]

    @Test("auto-detects the type, prints JSON, exits 0", arguments: vectors.map(\.name))
    func autoDetects(name: String) throws {
        let expected = try #require(Self.vectors.first { $0.name == name }?.type)
        let run = try ctl(["inspect", Fixtures.url(name).path])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try run.json()
        #expect(json.string("type") == expected)
        #expect(json.string("matchedBy") == "auto")
        let bytes = try Fixtures.hexBytes(name)
        #expect(json.int("length") == bytes.count)
        #expect(json.string("sha256") == Fixtures.hex(Digest.sha256(bytes)))
        #expect(json["value"] != nil)
        #expect(run.stderr.contains("decoded as \(expected)"))
    }

    @Test("an explicit --type decodes the same; a wrong one exits 65", arguments: vectors.map(\.name))
    func explicitType(name: String) throws {
        let expected = try #require(Self.vectors.first { $0.name == name }?.type)
        let run = try ctl(["inspect", "--type", expected, "--summary", Fixtures.url(name).path])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try run.json()
        #expect(json.string("type") == expected && json["value"] == nil && json["matchedBy"] == nil)
        let wrong = expected == "certificate" ? "scms-file" : "certificate"
        let refused = try ctl(["inspect", "--type", wrong, Fixtures.url(name).path])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("COER ") && refused.stderr.contains("offset"))
    }

    @Test func certificateKeyFields() throws {
        let run = try ctl(["inspect", Fixtures.url("synthetic-camp-cert-elector1.hex").path])
        let json = try run.json()
        let summary = try #require(json.object("summary"))
        #expect(summary.string("name") == "elector1.example.test")
        #expect(summary.string("hashedId8") == "3fd65a6e01cf55b0")
        #expect(summary.string("sha256") == "e5883ec9cf5c9ab6f5cd2f664d8e81e36c45e5c7c1c7f97f3fd65a6e01cf55b0")
        #expect(summary.string("profile") == "elector" && summary.string("selfSignature") == "valid")
        let start = try #require(summary.object("validity")?.object("start"))
        #expect(start.int("time32") == 600_000_000 && start.string("iso8601") == "2023-01-05T10:39:55Z")
        // The full value: field names as in the ASN.1, times with ISO-8601.
        let tbs = try #require(json.object("value")?.object("toBeSigned"))
        #expect(tbs.object("validityPeriod")?.object("start")?.string("iso8601") == "2023-01-05T10:39:55Z")
        #expect(tbs.object("cracaId") == nil && tbs.string("cracaId") == "000000")
        // The global leap-second setting changes the rendering, not the value.
        let noLeap = try ctl(["--leap-seconds", "0", "inspect", "--summary", Fixtures.url("synthetic-camp-cert-elector1.hex").path])
        let start0 = try #require(try noLeap.json().object("summary")?.object("validity")?.object("start"))
        #expect(start0.int("time32") == 600_000_000 && start0.string("iso8601") == "2023-01-05T10:40:00Z")
        // The MA is issued by root1.
        let ma = try ctl(["inspect", "--summary", Fixtures.url("synthetic-camp-cert-ma1.hex").path]).json()
        #expect(ma.object("summary")?.object("issuer")?.string("sha256AndDigest") == "ce18f9a38b21e816")
        #expect(ma.object("summary")?.string("selfSignature") == "notSelfSigned")
    }

    @Test func ballotEndorsementAndFileKeyFields() throws {
        let ballot = try #require(try ctl(["inspect", "--summary", Fixtures.url("synthetic-camp-elector4-ballot.hex").path])
            .json().object("summary"))
        #expect(ballot.string("form") == "ElectorBallot" && ballot.string("type") == "addElector")
        #expect(ballot.int("endorsementCount") == 2)
        #expect(ballot.object("certificate")?.string("name") == "elector4.example.test")
        let signers = ballot.array("endorsements").compactMap { $0.object("signer")?.object("certificate")?.string("name") }
        #expect(signers == ["elector1.example.test", "elector2.example.test"])
        let digest = try #require(try ctl(["inspect", "--summary",
                                           Fixtures.url("synthetic-camp-elector4-ballot-digest-signers.hex").path]).json().object("summary"))
        #expect(digest.array("endorsements").compactMap { $0.object("signer")?.string("digest") }
                == ["3fd65a6e01cf55b0", "5df2286448b32c5f"])

        let endorsement = try #require(try ctl(["inspect", "--summary",
                                                Fixtures.url("synthetic-camp-endorsement-e1-for-e4-spdu.hex").path]).json().object("summary"))
        #expect(endorsement.string("type") == "addElector")
        #expect(endorsement.string("certificateHash") == "72327ecf6cc96c743965560f63c774fc6f70820295dc04d15e48b7018cc63385")
        #expect(endorsement.object("generationTime")?.int("time32") == 600_001_000)

        let gccf = try #require(try ctl(["inspect", "--summary", Fixtures.url("synthetic-camp-gccf-scmsfile.hex").path])
            .json().object("summary"))
        #expect(gccf.string("kind") == "globalCertificateChainFile" && gccf.int("gccfVersion") == 7)
        #expect(gccf.array("electorEndorsements").map { $0.string("name") } == ["elector4.example.test"])
        #expect(gccf.array("rootCAEndorsements").map { $0.string("name") } == ["rootca1.example.test"])
        #expect(gccf.object("maCertificate")?.string("name") == "ma1.example.test")

        let lccf = try #require(try ctl(["inspect", "--summary", Fixtures.url("tta-lccf-scmsfile-no-electors.hex").path])
            .json().object("summary"))
        #expect(lccf.string("kind") == "localCertificateChainFile")
        #expect(lccf.object("compositeVersion")?.string("raHostname") == "ra.scms.tta.or.kr")
        #expect(lccf.array("certs").count == 3 && lccf.array("electorEndorsements").isEmpty)
    }

    @Test func compositeCrlFromBinaryStandardInput() throws {
        // No CAMP CompositeCrl vector exists: build one around the elector4 ballot (as a removal list entry).
        let ballot = try ElectorBallot(coer: Fixtures.hexBytes("synthetic-camp-elector4-ballot.hex"))
        let crl = CompositeCrl(revokedElectors: [ballot]).coerEncoded
        let run = try ctl(["inspect", "--type", "composite-crl", "-"], stdin: crl)
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try #require(try run.json().object("summary"))
        #expect(summary.int("securedCrlSeries") == 0)
        #expect(summary.array("revokedElectors").map { $0.string("name") } == ["elector4.example.test"])
        // Auto detection of the same bytes.
        #expect(try ctl(["inspect", "-"], stdin: crl).json().string("type") == "composite-crl")
    }

    @Test func hexOnStandardInputNeedsTheFlag() throws {
        let text = try String(contentsOf: Fixtures.url("synthetic-camp-cert-elector2.hex"), encoding: .utf8)
        let withFlag = try ctl(["inspect", "--hex", "-"], stdin: Array(text.utf8))
        #expect(try withFlag.status == 0 && withFlag.json().string("type") == "certificate")
        let withoutFlag = try ctl(["inspect", "-"], stdin: Array(text.utf8))
        #expect(withoutFlag.status == 65)
        let badHex = try ctl(["inspect", "--hex", "-"], stdin: Array("# comment\n80 03 zz\n".utf8))
        #expect(badHex.status == 65 && badHex.stderr.contains("line 2"))
    }

    @Test func truncatedInputExits65WithReasonPathAndOffset() throws {
        let scratch = try Scratch()
        let bytes = try Fixtures.hexBytes("synthetic-camp-elector4-ballot.hex")
        let file = try scratch.write("truncated.coer", Array(bytes.dropLast(40)))
        let typed = try ctl(["inspect", "--type", "ballot", file])
        #expect(typed.status == 65)
        #expect(typed.stdout.isEmpty)
        #expect(typed.stderr.contains("COER truncated at BallotForm.ElectorBallot.endorsements[1]"), "\(typed.stderr)")
        #expect(typed.stderr.contains("(offset "))
        let auto = try ctl(["inspect", file])
        #expect(auto.status == 65)
        #expect(auto.stderr.contains("no type matched; closest ballot: COER truncated"), "\(auto.stderr)")
        // Trailing garbage after a complete certificate.
        let cert = try Fixtures.hexBytes("synthetic-camp-cert-elector1.hex")
        let trailing = try ctl(["inspect", "--type", "certificate", try scratch.write("trailing.coer", cert + [0])])
        #expect(trailing.status == 65 && trailing.stderr.contains("COER trailingBytes"))
    }

    @Test func ieee1609Dot2Dot1VectorsAreRefusedWithAHint() throws {
        for name in ["openscms-composite-crl-with-multisigned-ctl.hex", "openscms-certmanagementpdu-small.hex"] {
            let run = try ctl(["inspect", Fixtures.url(name).path])
            #expect(run.status == 65)
            #expect(run.stderr.contains("IEEE 1609.2.1"))
        }
    }

    @Test func oversizedInputExits65() throws {
        let scratch = try Scratch()
        let path = scratch.path("big.coer")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(16 << 20) + 1)
        try handle.close()
        let run = try ctl(["inspect", path])
        #expect(run.status == 65)
        #expect(run.stderr.contains("larger than the limit of 16777216 bytes"))
    }
}
