import BallotCodec
import ElectorCrypto
import Foundation
import Testing
import TestSupport

/// `elector init`, `root init`, `ma init`: files, modes, profiles and signatures, checked from the bytes.
@Suite struct SetupTests {
    /// The key of a certificate's compressed P-256 verification key.
    static func publicKey(_ certificate: Certificate) throws -> PublicKey {
        guard case .ecdsaNistP256(let point)? = certificate.verificationKey else {
            Issue.record("not an ecdsaNistP256 key")
            throw CancellationError()
        }
        switch point {
        case .compressedY0(let x): return try PublicKey(curve: .p256, x: x.bytes, yIsOdd: false)
        case .compressedY1(let x): return try PublicKey(curve: .p256, x: x.bytes, yIsOdd: true)
        default:
            Issue.record("verification key is not compressed")
            throw CancellationError()
        }
    }

    /// Whether `certificate`'s signature verifies with `key` over the 1609.2 input (`issuer` nil: self-signed).
    static func signatureVerifies(_ certificate: Certificate, key: PublicKey, issuer: Certificate? = nil) -> Bool {
        guard case .ecdsaNistP256Signature(let signature)? = certificate.signature, case .xOnly(let r) = signature.rSig else {
            return false
        }
        let digest = issuer.map {
            Ieee1609Dot2Signing.signingDigest(dataInput: certificate.toBeSigned.coerEncoded, signerInput: $0.coerEncoded)
        } ?? Ieee1609Dot2Signing.selfSignedDigest(dataInput: certificate.toBeSigned.coerEncoded)
        return key.isValidSignature(r: r.bytes, s: signature.sSig.bytes, digest: digest)
    }

    /// Writes a fixture's TEST-ONLY private key as a 0600 PKCS#8 file.
    static func fixtureKey(_ name: String, to path: String) throws {
        let json = try JSONSerialization.jsonObject(with: Fixtures.data("synthetic-camp-keys-and-certs.json")) as? [String: Any]
        let entry = try #require(json?[name] as? [String: Any])
        let hex = try #require(entry["private_key_hex"] as? String)
        try KeyFile.write(try PrivateKey(rawScalar: try Fixtures.decodeHexText(hex)), to: path)
    }

    @Test func electorInitWritesAnElectorCertificateAndAPrivateKey() throws {
        let scratch = try Scratch()
        let out = scratch.path("electors")
        let run = try ctl(["elector", "init", "--name", "alice.electors.test", "--out", out,
                           "--start", "2023-01-05T10:40:00Z", "--duration", "90d"])
        #expect(run.status == 0, "\(run.stderr)")
        let keyPath = out + "/alice.electors.test.key", certPath = out + "/alice.electors.test.cert"
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? NSNumber)
        #expect(mode.intValue == 0o600)
        let pem = try String(contentsOfFile: keyPath, encoding: .utf8)
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        // No key material on stdout or stderr.
        let body = pem.split(separator: "\n").dropFirst().first.map(String.init) ?? "?"
        #expect(!run.out.contains(body) && !run.stderr.contains(body) && !run.out.contains("PRIVATE KEY"))

        let certificate = try Certificate(coer: try scratch.read(certPath))
        #expect(certificate.coerEncoded == (try scratch.read(certPath)))
        #expect(certificate.isSelfSigned)
        let tbs = certificate.toBeSigned
        #expect(tbs.id == .name(Hostname("alice.electors.test")))
        #expect(tbs.cracaId.bytes == [0, 0, 0] && tbs.crlSeries == 0)
        #expect(tbs.validityPeriod.start.seconds == 600_000_005)
        #expect(tbs.validityPeriod.duration == .hours(2160))
        #expect(tbs.appPermissions == [PsidSsp(psid: 35, ssp: .opaque([0x80, 0x00, 0x01]))])
        #expect(tbs.certIssuePermissions == nil && tbs.certRequestPermissions == nil && tbs.region == nil)
        let key = try Self.publicKey(certificate)
        #expect(Self.signatureVerifies(certificate, key: key))
        // The key file holds the certificate's key.
        #expect(try KeyFile.read(from: keyPath).publicKey == key)
        // The printed summary agrees.
        let summary = try #require(try run.json().object("certificate"))
        #expect(summary.string("profile") == "elector" && summary.string("selfSignature") == "valid")
        #expect(summary.string("sha256") == Fixtures.hex(Digest.sha256(certificate.coerEncoded)))
        #expect(try run.json().string("keyFile") == keyPath)

        // Existing files are not overwritten unless --force.
        let again = try ctl(["elector", "init", "--name", "alice.electors.test", "--out", out])
        #expect(again.status == 1 && again.stderr.contains("refusing to overwrite"))
        #expect(try scratch.read(certPath) == certificate.coerEncoded)
        let forced = try ctl(["elector", "init", "--name", "alice.electors.test", "--out", out, "--force"])
        #expect(forced.status == 0)
        #expect(try scratch.read(certPath) != certificate.coerEncoded)
    }

    @Test func durationsUseTheLargestExactUnit() throws {
        let scratch = try Scratch()
        for (text, expected) in [("6y", BallotCodec.Duration.years(6)), ("30s", .seconds(30)), ("90m", .minutes(90)),
                                 ("1d12h", .hours(36))] {
            let run = try ctl(["elector", "init", "--name", "e-\(text)", "--out", scratch.path("d"), "--duration", text])
            #expect(run.status == 0, "\(run.stderr)")
            let certificate = try Certificate(coer: try scratch.read(scratch.path("d/e-\(text).cert")))
            #expect(certificate.toBeSigned.validityPeriod.duration == expected, "\(text)")
        }
        let inexact = try ctl(["elector", "init", "--name", "x", "--out", scratch.path("d"), "--duration", "10y1d"])
        #expect(inexact.status == 64 && inexact.stderr.contains("not expressible"))
        let garbage = try ctl(["elector", "init", "--name", "x", "--out", scratch.path("d"), "--duration", "soon"])
        #expect(garbage.status == 64)
        let slash = try ctl(["elector", "init", "--name", "a/b", "--out", scratch.path("d")])
        #expect(slash.status == 64)
    }

    @Test func rootInitFollowsTheRootProfile() throws {
        let scratch = try Scratch()
        let run = try ctl(["root", "init", "--name", "root.example.test", "--out", scratch.path("r")])
        #expect(run.status == 0, "\(run.stderr)")
        let certificate = try Certificate(coer: try scratch.read(scratch.path("r/root.example.test.cert")))
        let psids = (certificate.toBeSigned.appPermissions ?? []).map(\.psid.value)
        #expect(psids == [35, 256])
        #expect(certificate.toBeSigned.appPermissions?.first?.ssp == .opaque([0x81, 0x00, 0x01]))
        #expect(certificate.toBeSigned.certIssuePermissions?.isEmpty == false)
        #expect(certificate.toBeSigned.validityPeriod.duration == .years(17))
        #expect(Self.signatureVerifies(certificate, key: try Self.publicKey(certificate)))
        #expect(try run.json().object("certificate")?.string("profile") == "root")
    }

    @Test func maInitIssuesTheMAProfileUnderTheRoot() throws {
        let scratch = try Scratch()
        let rootKey = scratch.path("root1.key")
        try Self.fixtureKey("root1", to: rootKey)
        let rootCert = Fixtures.url("synthetic-camp-cert-root1.hex").path
        let run = try ctl(["ma", "init", "--issuer-key", rootKey, "--issuer-cert", rootCert, "--name", "ma1.example.test",
                           "--out", scratch.path("ma"), "--start", "600000000", "--duration", "3y"])
        #expect(run.status == 0, "\(run.stderr)")
        let ma = try Certificate(coer: try scratch.read(scratch.path("ma/ma1.example.test.cert")))
        let root = try Certificate(coer: Fixtures.hexBytes("synthetic-camp-cert-root1.hex"))
        // Everything but the (fresh) key is what the shared ma1 vector carries.
        let vector = try Certificate(coer: Fixtures.hexBytes("synthetic-camp-cert-ma1.hex"))
        var expected = vector.toBeSigned
        expected.verifyKeyIndicator = ma.toBeSigned.verifyKeyIndicator
        #expect(ma.toBeSigned == expected)
        #expect(ma.issuer == vector.issuer)
        #expect(Self.signatureVerifies(ma, key: try Self.publicKey(root), issuer: root))
        let maKey = scratch.path("ma/ma1.example.test.key")
        #expect(try KeyFile.read(from: maKey).publicKey == (try Self.publicKey(ma)))

        // Refusals: a key that is not the issuer's, an issuer that is not a root, a readable key file.
        let electorKey = scratch.path("elector1.key")
        try Self.fixtureKey("elector1", to: electorKey)
        let wrongKey = try ctl(["ma", "init", "--issuer-key", electorKey, "--issuer-cert", rootCert, "--name", "m2",
                                "--out", scratch.path("ma")])
        #expect(wrongKey.status == 1 && wrongKey.stderr.contains("keyDoesNotMatchCertificate"))
        let notRoot = try ctl(["ma", "init", "--issuer-key", electorKey, "--issuer-cert",
                               Fixtures.url("synthetic-camp-cert-elector1.hex").path, "--name", "m3", "--out", scratch.path("ma")])
        #expect(notRoot.status == 1 && notRoot.stderr.contains("issuerNotRoot"))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: rootKey)
        let readable = try ctl(["ma", "init", "--issuer-key", rootKey, "--issuer-cert", rootCert, "--name", "m4",
                                "--out", scratch.path("ma")])
        #expect(readable.status == 1 && readable.stderr.contains("key_file_too_permissive"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("ma/m2.cert")))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("ma/m4.cert")))
    }
}
