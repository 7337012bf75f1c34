import BallotCodec
import Testing
import TestSupport

/// Which type each CAMP / IEEE 1609.2 vector in Tests/Fixtures decodes as.
enum VectorKind: String, CaseIterable, Sendable {
    case certificate, ieee1609Dot2Data, scmsFile, electorBallot, scmsPDU, toBeSignedData
}

enum Vectors {
    /// Every CAMP / 1609.2 vector (`tta-*`, `synthetic-camp-*`, `wwhyte-*`) and its type.
    static let all: [(name: String, kind: VectorKind)] = [
        ("tta-rootca-selfsigned-cert.hex", .certificate),
        ("tta-ica-cert.hex", .certificate),
        ("tta-eca-cert.hex", .certificate),
        ("tta-pca-cert.hex", .certificate),
        ("tta-ra-cert.hex", .certificate),
        ("tta-ma-cert.hex", .certificate),
        ("tta-signed-enrollment-response-signer-certificate.hex", .ieee1609Dot2Data),
        ("tta-lccf-scmsfile-no-electors.hex", .scmsFile),
        ("wwhyte-1609dot2-test-implicit-certificate.hex", .certificate),
        ("synthetic-camp-cert-elector1.hex", .certificate),
        ("synthetic-camp-cert-elector2.hex", .certificate),
        ("synthetic-camp-cert-elector3.hex", .certificate),
        ("synthetic-camp-cert-elector4.hex", .certificate),
        ("synthetic-camp-cert-ma1.hex", .certificate),
        ("synthetic-camp-cert-outsider.hex", .certificate),
        ("synthetic-camp-cert-root1.hex", .certificate),
        ("synthetic-camp-root-ballot.hex", .electorBallot),
        ("synthetic-camp-elector4-ballot.hex", .electorBallot),
        ("synthetic-camp-elector4-ballot-digest-signers.hex", .electorBallot),
        ("synthetic-camp-neg-duplicate-signer.hex", .electorBallot),
        ("synthetic-camp-neg-outsider-signer.hex", .electorBallot),
        ("synthetic-camp-neg-wrong-certificate-hash.hex", .electorBallot),
        ("synthetic-camp-neg-wrong-type-addRoot-for-elector.hex", .electorBallot),
        ("synthetic-camp-gccf-scmsfile.hex", .scmsFile),
        ("synthetic-camp-endorsement-e1-for-e4-spdu.hex", .ieee1609Dot2Data),
        ("synthetic-camp-endorsement-e1-for-e4-scoped-scmspdu.hex", .scmsPDU),
        ("synthetic-camp-endorsement-e1-for-e4-tbsdata.hex", .toBeSignedData),
    ]

    /// IEEE 1609.2.1 structures: not CAMP, must be rejected cleanly (or, if they happen to parse, be canonical).
    static let openSCMS = [
        "openscms-composite-crl-with-multisigned-ctl.hex",
        "openscms-certificate-chain-file-NEGATIVE.hex",
        "openscms-certmanagementpdu-small.hex",
    ]

    static func bytes(_ name: String) throws -> [UInt8] { try Fixtures.hexBytes(name) }

    /// Decodes `bytes` as `kind` and returns the re-encoding: as a service would (`coerEncoded`, which reuses
    /// the decoded bytes of unchanged certificates and signed data) or component by component.
    static func roundTrip(_ bytes: [UInt8], as kind: VectorKind, fromComponents: Bool = false) throws(COERError) -> [UInt8] {
        func encoded(_ value: some COERCodable) -> [UInt8] {
            fromComponents ? value.coerEncodedFromComponents : value.coerEncoded
        }
        switch kind {
        case .certificate: return encoded(try Certificate(coer: bytes))
        case .ieee1609Dot2Data: return encoded(try Ieee1609Dot2Data(coer: bytes))
        case .scmsFile: return encoded(try ScmsFile(coer: bytes))
        case .electorBallot: return encoded(try ElectorBallot(coer: bytes))
        case .scmsPDU: return encoded(try ScmsPDU(coer: bytes))
        case .toBeSignedData: return encoded(try ToBeSignedData(coer: bytes))
        }
    }
}

@Suite("CAMP and IEEE 1609.2 vectors")
struct VectorTests {
    @Test("every fixture is classified")
    func everyFixtureListed() throws {
        let names = try Fixtures.names(withSuffix: ".hex")
        let listed = Set(Vectors.all.map(\.name) + Vectors.openSCMS)
        #expect(Set(names) == listed)
    }

    @Test("decodes as its type and re-encodes byte-identically", arguments: Vectors.all.map(\.name))
    func roundTrip(name: String) throws {
        let kind = try #require(Vectors.all.first { $0.name == name }?.kind)
        let bytes = try Vectors.bytes(name)
        let again = try Vectors.roundTrip(bytes, as: kind)
        #expect(again == bytes, "\(name): re-encoding differs")
        let fromComponents = try Vectors.roundTrip(bytes, as: kind, fromComponents: true)
        #expect(fromComponents == bytes, "\(name): re-encoding component by component differs")
    }

    @Test("a decoded certificate or signed data that is changed is encoded from its new components")
    func changedValuesDropTheirDecodedBytes() throws {
        let bytes = try Vectors.bytes("synthetic-camp-cert-elector1.hex")
        var certificate = try Certificate(coer: bytes)
        #expect(certificate.coerEncoded == bytes)
        certificate.toBeSigned.crlSeries &+= 1
        #expect(certificate.coerEncoded != bytes)
        #expect(certificate.coerEncoded == certificate.coerEncodedFromComponents)
        #expect(try Certificate(coer: certificate.coerEncoded) == certificate)

        let ballot = try ElectorBallot(coer: try Vectors.bytes("synthetic-camp-elector4-ballot.hex"))
        guard case .signedData(var signed) = ballot.endorsements[0].content else {
            Issue.record("the first endorsement is not signed data")
            return
        }
        let original = signed.coerEncoded
        signed.tbsData.headerInfo.generationTime = Time64((signed.tbsData.headerInfo.generationTime?.microseconds ?? 0) &+ 1)
        #expect(signed.coerEncoded != original)
        #expect(signed.coerEncoded == signed.coerEncodedFromComponents)
        #expect(try SignedData(coer: signed.coerEncoded) == signed)
    }
}
