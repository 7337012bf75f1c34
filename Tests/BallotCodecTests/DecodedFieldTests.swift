import BallotCodec
import Foundation
import Testing
import TestSupport

/// Decoded fields checked against the annotated bytes of domain.md §6.1/§6.2 and the vector headers.
@Suite("decoded fields")
struct DecodedFieldTests {
    @Test("elector1 certificate (§6.1)")
    func elector1() throws {
        let cert = try Certificate(coer: Vectors.bytes("synthetic-camp-cert-elector1.hex"))
        #expect(cert.version == 3)
        #expect(cert.type == .explicit)
        #expect(cert.issuer == .self(.sha256))
        #expect(cert.isSelfSigned)
        let tbs = cert.toBeSigned
        #expect(tbs.id == .name("elector1.example.test"))
        #expect(tbs.cracaId.hex == "000000")
        #expect(tbs.crlSeries == 0)
        #expect(tbs.validityPeriod.start == Time32(600_000_000))
        #expect(tbs.validityPeriod.duration == .years(12))
        #expect(tbs.validityPeriod.endSeconds == 600_000_000 + 12 * 31_556_952)
        #expect(tbs.region == nil && tbs.assuranceLevel == nil && tbs.certIssuePermissions == nil)
        #expect(tbs.appPermissions == [PsidSsp(psid: 35, ssp: .opaque([0x80, 0x00, 0x01]))])
        #expect(tbs.unknownExtensionAdditions.isEmpty)
        guard case .ecdsaNistP256(.compressedY0(let x))? = cert.verificationKey else {
            Issue.record("expected ecdsaNistP256 compressed-y-0, got \(String(describing: cert.verificationKey))")
            return
        }
        #expect(x.bytes.count == 32)
        guard case .ecdsaNistP256Signature(let sig)? = cert.signature, case .xOnly = sig.rSig else {
            Issue.record("expected ecdsaNistP256Signature with x-only r")
            return
        }
        // SSP octets are OER(ScmsSsp elector{version 1}).
        #expect(try ScmsSsp(coer: [0x80, 0x00, 0x01]) == .elector(VersionedSsp(version: 1)))
    }

    @Test("one SignedElectorEndorsement (§6.2)")
    func endorsement() throws {
        let bytes = try Vectors.bytes("synthetic-camp-endorsement-e1-for-e4-spdu.hex")
        let spdu = try SignedElectorEndorsement(coer: bytes)
        #expect(spdu.protocolVersion == 3)
        let signed = try #require(spdu.signedData)
        #expect(signed.hashId == .sha256)
        let header = signed.tbsData.headerInfo
        #expect(header.psid == .securityManagement)
        #expect(header.generationTime == Time64(600_001_000_000_000))
        #expect(header.expiryTime == nil && header.generationLocation == nil && header.encryptionKey == nil)
        let inner = try #require(signed.tbsData.payload.data)
        #expect(inner.protocolVersion == 3)
        #expect(inner.unsecuredData?.count == 41)
        #expect(signed.tbsData.payload.extDataHash == nil)

        let tbs = try spdu.tbsElectorEndorsement()
        #expect(tbs.type == .addElector)
        #expect(tbs.certificateHash.hex == "72327ecf6cc96c743965560f63c774fc6f70820295dc04d15e48b7018cc63385")
        #expect(tbs.generationTime == Time32(600_001_000))
        #expect(try spdu.signedScmsPDU() == ScmsPDU.scopedEndorsement(tbs))
        #expect(try spdu.signedScmsPDU().coerEncoded
                == Vectors.bytes("synthetic-camp-endorsement-e1-for-e4-scoped-scmspdu.hex"))

        // COER(tbsData) is the signature's data input: bytes [3 ..< 59).
        let tbsBytes = try Vectors.bytes("synthetic-camp-endorsement-e1-for-e4-tbsdata.hex")
        #expect(signed.tbsData.coerEncoded == tbsBytes)
        #expect(Array(bytes[3..<59]) == tbsBytes)

        guard case .certificate(let chain) = signed.signer else {
            Issue.record("expected signer certificate")
            return
        }
        #expect(chain.count == 1)
        #expect(chain.first?.coerEncoded == (try Vectors.bytes("synthetic-camp-cert-elector1.hex")))
    }

    @Test("root ballot: three endorsements of one addRoot TBS")
    func rootBallot() throws {
        let ballot = try ElectorBallot(coer: Vectors.bytes("synthetic-camp-root-ballot.hex"))
        #expect(ballot.certificate.coerEncoded == (try Vectors.bytes("synthetic-camp-cert-root1.hex")))
        #expect(ballot.endorsements.count == 3)
        let tbss = try ballot.endorsements.map { try $0.tbsElectorEndorsement() }
        #expect(Set(tbss).count == 1)
        #expect(tbss.first?.type == .addRoot)
        #expect(tbss.first?.certificateHash.hex == "f6a2f94d8ffa35288c2f37db0284e6c5eabc17b8ad5219d5ce18f9a38b21e816")
        #expect(tbss.first?.generationTime == Time32(600_001_000))
    }

    @Test("digest signers carry the elector HashedId8")
    func digestSigners() throws {
        let ballot = try ElectorBallot(coer: Vectors.bytes("synthetic-camp-elector4-ballot-digest-signers.hex"))
        let signers = ballot.endorsements.compactMap { $0.signedData?.signer }
        #expect(signers == [.digest(HashedId8(hex: "3fd65a6e01cf55b0")!), .digest(HashedId8(hex: "5df2286448b32c5f")!)])
    }

    @Test("TTA ICA and MA certificates")
    func tta() throws {
        let ica = try Certificate(coer: Vectors.bytes("tta-ica-cert.hex"))
        #expect(ica.issuer == .sha256AndDigest(HashedId8(hex: "29cb66724dd2776c")!))
        #expect(ica.toBeSigned.cracaId == HashedId3(hex: "d2776c"))
        let ma = try Certificate(coer: Vectors.bytes("tta-ma-cert.hex"))
        #expect(ma.toBeSigned.crlSeries == 256)
        #expect(ma.toBeSigned.id == .name("ma.scms.tta.or.kr"))
        #expect(ma.toBeSigned.appPermissions == [PsidSsp(psid: 35, ssp: .opaque([0x8a, 0x00, 0x01, 0x00]))])
        let root = try Certificate(coer: Vectors.bytes("tta-rootca-selfsigned-cert.hex"))
        #expect(root.toBeSigned.id == .name("rootca.scms.tta.or.kr"))
        #expect(root.toBeSigned.validityPeriod.duration == .years(70))
        guard case .ecdsaNistP256(.compressedY1)? = root.verificationKey else {
            Issue.record("expected compressed-y-1 key")
            return
        }
    }

    @Test("implicit certificate with identified regions")
    func implicitCertificate() throws {
        let cert = try Certificate(coer: Vectors.bytes("wwhyte-1609dot2-test-implicit-certificate.hex"))
        #expect(cert.type == .implicit)
        #expect(cert.signature == nil)
        #expect(cert.issuer == .sha256AndDigest(HashedId8(hex: "0101010101010101")!))
        guard case .linkageData = cert.toBeSigned.id else {
            Issue.record("expected linkageData id")
            return
        }
        #expect(cert.toBeSigned.region == .identifiedRegion([.countryOnly(124), .countryOnly(484), .countryOnly(840)]))
        #expect(cert.toBeSigned.appPermissions == [PsidSsp(psid: 32)])
        #expect(cert.toBeSigned.verifyKeyIndicator
                == .reconstructionValue(.compressedY1(Octets32([UInt8](repeating: 8, count: 32))!)))
    }

    @Test("GCCF and LCCF chain files")
    func chainFiles() throws {
        let gccf = try #require(ScmsFile(coer: Vectors.bytes("synthetic-camp-gccf-scmsfile.hex")).globalCertificateChainFile)
        #expect(gccf.version == 7)
        #expect(gccf.certStore.rootCAEndorsements.map(\.coerEncoded) == [try Vectors.bytes("synthetic-camp-root-ballot.hex")])
        #expect(gccf.certStore.electorEndorsements.map(\.coerEncoded) == [try Vectors.bytes("synthetic-camp-elector4-ballot.hex")])
        #expect(gccf.certStore.maCertificate.coerEncoded == (try Vectors.bytes("synthetic-camp-cert-ma1.hex")))
        #expect(gccf.certStore.certs.isEmpty)

        let lccf = try #require(ScmsFile(coer: Vectors.bytes("tta-lccf-scmsfile-no-electors.hex")).localCertificateChainFile)
        #expect(lccf.version == CompositeVersion(gccfVersion: 1, lccfVersion: 1, raHostname: "ra.scms.tta.or.kr"))
        #expect(lccf.requiredCertStore.rootCAEndorsements.isEmpty && lccf.requiredCertStore.electorEndorsements.isEmpty)
        #expect(lccf.requiredCertStore.certs.count == 3)
        #expect(lccf.optionalCertList.isEmpty)
    }

    @Test("Time32 / Time64 conversions with a leap-second offset")
    func times() throws {
        let t = Time32(600_000_000)
        #expect(t.unixSeconds() == 1_672_915_195)
        #expect(t.iso8601() == "2023-01-05T10:39:55Z")
        #expect(t.iso8601(leapSeconds: 0) == "2023-01-05T10:40:00Z")
        #expect(Time32(t.date()) == t)
        #expect(Time32(Date(timeIntervalSince1970: 1_072_915_200)) == Time32(5))
        #expect(Time32(Date(timeIntervalSince1970: 0)) == nil)
        let t64 = Time64(600_001_000_000_123)
        #expect(t64.iso8601() == "2023-01-05T10:56:35.000123Z")
        #expect(t64.time32 == Time32(600_001_000))
        #expect(Time64(Time32(600_001_000)) == Time64(600_001_000_000_000))
        let date = try #require(t64.date())
        #expect(Time64(date).map { $0.microseconds / 1000 } == 600_001_000_000)
    }
}
