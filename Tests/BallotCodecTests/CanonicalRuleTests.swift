import BallotCodec
import Testing
import TestSupport

/// Asserts that decoding `bytes` as `T` fails with exactly this reason, offset and (optionally) path.
func expectCOERError<T: COERCodable>(_ type: T.Type, _ bytes: [UInt8], _ reason: COERError.Reason, offset: Int,
                                     path: String? = nil, limits: COERLimits = .init(),
                                     sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let value = try T(coer: bytes, limits: limits)
        Issue.record("decoded \(value) instead of failing with \(reason)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.reason == reason, "\(error)", sourceLocation: sourceLocation)
        #expect(error.offset == offset, "\(error)", sourceLocation: sourceLocation)
        if let path { #expect(error.path == path, "\(error)", sourceLocation: sourceLocation) }
    }
}

func hex(_ s: String) -> [UInt8] { HexCoding.decode(s) ?? [] }

let hash32 = [UInt8](repeating: 0xab, count: 32)

/// `TbsElectorEndorsement` root components after the preamble: addElector, hash, Time32 600001000.
let tbsRoot: [UInt8] = [0x01] + hash32 + [0x23, 0xc3, 0x49, 0xe8]

/// One test per canonical-OER rule, on hand-built bytes, asserting the exact reason and offset.
@Suite("canonical OER rules")
struct CanonicalRuleTests {
    // MARK: Length determinants

    @Test("long-form length determinant for a length below 128")
    func longFormShortLength() throws {
        // Ieee1609Dot2Data v3, unsecuredData, length 81 05 (canonical: 05).
        expectCOERError(Ieee1609Dot2Data.self, hex("03 80 81 05 0102030405"), .nonCanonical, offset: 2,
                        path: "Ieee1609Dot2Data.content.unsecuredData")
        #expect(try Ieee1609Dot2Data(coer: hex("03 80 05 0102030405")).unsecuredData == [1, 2, 3, 4, 5])
    }

    @Test("length determinant with a leading zero octet")
    func lengthLeadingZero() throws {
        let body = [UInt8](repeating: 7, count: 0x90)
        expectCOERError(Ieee1609Dot2Data.self, hex("03 80 82 00 90") + body, .nonCanonical, offset: 2)
        #expect(try Ieee1609Dot2Data(coer: hex("03 80 81 90") + body).unsecuredData == body)
    }

    @Test("length determinant 0x80 is invalid")
    func lengthEighty() throws {
        expectCOERError(Ieee1609Dot2Data.self, hex("03 80 80"), .invalidValue, offset: 2)
    }

    // MARK: Quantities and integers

    @Test("SEQUENCE OF quantity not in minimal octets")
    func quantityNotMinimal() throws {
        var bytes = try Vectors.bytes("synthetic-camp-cert-elector1.hex")
        #expect(Array(bytes[41...42]) == [0x01, 0x01])   // appPermissions quantity
        bytes.replaceSubrange(41...42, with: [0x02, 0x00, 0x01])
        expectCOERError(Certificate.self, bytes, .nonCanonical, offset: 41, path: "Certificate.toBeSigned.appPermissions")
    }

    @Test("SEQUENCE OF quantity with a zero-length count")
    func quantityZeroLength() throws {
        // CountryAndRegions: countryOnly 124, regions quantity 00.
        expectCOERError(CountryAndRegions.self, hex("007c 00"), .invalidValue, offset: 2)
    }

    @Test("unsigned integer (Psid) not in minimal octets")
    func psidNotMinimal() throws {
        var bytes = try Vectors.bytes("synthetic-camp-cert-elector1.hex")
        #expect(Array(bytes[44...45]) == [0x01, 0x23])   // psid 35
        bytes.replaceSubrange(44...45, with: [0x02, 0x00, 0x23])
        expectCOERError(Certificate.self, bytes, .nonCanonical, offset: 44,
                        path: "Certificate.toBeSigned.appPermissions[0].psid")
        expectCOERError(Psid.self, hex("00"), .invalidValue, offset: 0)
    }

    @Test("signed integer not in minimal octets")
    func signedNotMinimal() throws {
        // PsidGroupPermissions{all, minChainLength 3 as 02 00 03}.
        expectCOERError(PsidGroupPermissions.self, hex("80 81 02 0003"), .nonCanonical, offset: 2,
                        path: "PsidGroupPermissions.minChainLength")
        // chainLengthRange -1 as 02 ff ff.
        expectCOERError(PsidGroupPermissions.self, hex("40 81 02 ffff"), .nonCanonical, offset: 2)
        #expect(try PsidGroupPermissions(coer: hex("c0 81 01 03 01 ff"))
                == PsidGroupPermissions(subjectPermissions: .all, minChainLength: 3, chainLengthRange: -1))
    }

    @Test("ENUMERATED in long form for a value below 128")
    func enumeratedLongForm() throws {
        // TbsElectorEndorsement with type 81 01 instead of 01.
        expectCOERError(TbsElectorEndorsement.self, hex("00 81 01") + hash32 + hex("23c349e8"), .nonCanonical,
                        offset: 1, path: "TbsElectorEndorsement.type")
        #expect(try TbsElectorEndorsement(coer: hex("00 05") + hash32 + hex("23c349e8")).type == .unknown(5))
    }

    // MARK: DEFAULT, BOOLEAN, NULL, preamble

    @Test("DEFAULT component encoded with its default value")
    func defaultPresent() throws {
        expectCOERError(PsidGroupPermissions.self, hex("80 81 01 01"), .nonCanonical, offset: 2,
                        path: "PsidGroupPermissions.minChainLength")
        expectCOERError(PsidGroupPermissions.self, hex("40 81 01 00"), .nonCanonical, offset: 2,
                        path: "PsidGroupPermissions.chainLengthRange")
        expectCOERError(PsidGroupPermissions.self, hex("20 81 80"), .nonCanonical, offset: 2,
                        path: "PsidGroupPermissions.eeType")
        // ScmsVersion series DEFAULT 1 present.
        expectCOERError(TemporalSeries<PolicySeries.ScmsVersion>.self, hex("80 01 0100"), .nonCanonical, offset: 1)
        #expect(try PsidGroupPermissions(coer: hex("20 81 c0")).eeType == [.app, .enrol])
    }

    @Test("BOOLEAN other than 00 / ff")
    func boolean() throws {
        var reader = COERReader([0x00, 0xff, 0x01])
        #expect(try reader.readBoolean() == false)
        #expect(try reader.readBoolean() == true)
        #expect(throws: COERError(reason: .nonCanonical, path: "", offset: 2,
                                  detail: "BOOLEAN octet 0x01 (canonical: 00 or ff)")) {
            try reader.readBoolean()
        }
        var writer = COERWriter()
        writer.writeBoolean(true)
        writer.writeBoolean(false)
        #expect(writer.bytes == [0xff, 0x00])
    }

    @Test("NULL has no contents octets")
    func null() throws {
        // SignerIdentifier self (82) followed by a stray octet.
        expectCOERError(SignerIdentifier.self, hex("82 00"), .trailingBytes, offset: 1)
        // EccP256CurvePoint fill.
        expectCOERError(EccP256CurvePoint.self, hex("81 00"), .trailingBytes, offset: 1)
        #expect(try SignerIdentifier(coer: [0x82]) == .self)
    }

    @Test("preamble padding bits set")
    func preamblePadding() throws {
        var bytes = try Vectors.bytes("synthetic-camp-cert-elector1.hex")
        bytes[0] = 0x81   // signature present + a padding bit
        expectCOERError(Certificate.self, bytes, .nonCanonical, offset: 0, path: "Certificate")
        // ToBeSignedCertificate preamble is 8 bits: no padding. HeaderInfo: 7 bits + 1 padding.
        let spdu = try Vectors.bytes("synthetic-camp-endorsement-e1-for-e4-spdu.hex")
        var flipped = spdu
        #expect(flipped[48] == 0x40)   // HeaderInfo preamble (generationTime only)
        flipped[48] = 0x41
        expectCOERError(Ieee1609Dot2Data.self, flipped, .nonCanonical, offset: 48,
                        path: "Ieee1609Dot2Data.content.signedData.tbsData.headerInfo")
    }

    // MARK: Extensions

    @Test("extension bit set with no addition present")
    func extensionBitWithoutAdditions() throws {
        // Bitmap of 1 bit, not set.
        expectCOERError(TbsElectorEndorsement.self, hex("80") + tbsRoot + hex("02 07 00"), .nonCanonical, offset: 38,
                        path: "TbsElectorEndorsement")
        // Empty bitmap.
        expectCOERError(TbsElectorEndorsement.self, hex("80") + tbsRoot + hex("01 00"), .nonCanonical, offset: 38)
    }

    @Test("extension bitmap with trailing zero bits or missing known bits")
    func bitmapLength() throws {
        // One unknown addition, bitmap of 2 bits (canonical: 1).
        expectCOERError(TbsElectorEndorsement.self, hex("80") + tbsRoot + hex("02 06 80 01 aa"), .nonCanonical, offset: 38)
        // Canonical form round-trips and keeps the addition.
        let good = hex("80") + tbsRoot + hex("02 07 80 01 aa")
        let tbs = try TbsElectorEndorsement(coer: good)
        #expect(tbs.unknownExtensionAdditions == [COERUnknownAddition(index: 0, encoding: [0xaa])])
        #expect(tbs.coerEncoded == good)
        // HeaderInfo knows 2 additions: a 1-bit bitmap is not canonical for it.
        expectCOERError(HeaderInfo.self, hex("80 0123 02 07 80 03 010203 ") + hex("dddddd").dropLast(3),
                        .nonCanonical, offset: 3, path: "HeaderInfo")
        let header = HeaderInfo(psid: 35, inlineP2pcdRequest: [HashedId3(hex: "010203")!])
        #expect(header.coerEncoded == hex("80 0123 02 06 80 05 0101 010203"))
        #expect(try HeaderInfo(coer: header.coerEncoded) == header)
    }

    @Test("extension bitmap unused bits set or unused count out of range")
    func bitmapUnusedBits() throws {
        expectCOERError(TbsElectorEndorsement.self, hex("80") + tbsRoot + hex("02 07 c0 01 aa"), .nonCanonical, offset: 38)
        expectCOERError(TbsElectorEndorsement.self, hex("80") + tbsRoot + hex("02 08 80 01 aa"), .invalidValue, offset: 38)
    }

    @Test("CHOICE tags: long form for a small number, non-context class, unknown root alternative")
    func choiceTags() throws {
        expectCOERError(Duration.self, hex("bf 06 000c"), .nonCanonical, offset: 0)
        expectCOERError(Duration.self, hex("06 000c"), .invalidValue, offset: 0)
        expectCOERError(Duration.self, hex("87 000c"), .invalidValue, offset: 0)
        expectCOERError(Signature.self, hex("bf 80 40 00"), .nonCanonical, offset: 0)
        // Tag 63 of an extensible CHOICE is an unknown extension alternative, kept byte-exactly.
        let tag63 = hex("bf 3f 02 abcd")
        #expect(try Signature(coer: tag63) == .unknownExtension(tag: 63, encoding: [0xab, 0xcd]))
        #expect(try Signature(coer: tag63).coerEncoded == tag63)
        let tag200 = hex("bf 81 48 00")
        #expect(try Signature(coer: tag200) == .unknownExtension(tag: 200, encoding: []))
        #expect(try Signature(coer: tag200).coerEncoded == tag200)
    }

    // MARK: Constraints

    @Test("structural SIZE constraints")
    func sizeConstraints() throws {
        let cert = try Vectors.bytes("synthetic-camp-cert-elector4.hex")
        // ElectorBallot with zero endorsements.
        expectCOERError(ElectorBallot.self, hex("00") + cert + hex("01 00"), .constraintViolation, offset: 1 + cert.count,
                        path: "ElectorBallot.endorsements")
        expectCOERError(CertificateId.self, hex("82 00"), .constraintViolation, offset: 1, path: "CertificateId.binaryId")
        expectCOERError(GeographicRegion.self, hex("82 0102") + [UInt8](repeating: 0, count: 16), .constraintViolation,
                        offset: 1, path: "GeographicRegion.polygonalRegion")
        expectCOERError(ServiceSpecificPermissions.self, hex("81 21 20") + [UInt8](repeating: 0, count: 32),
                        .constraintViolation, offset: 2)
        expectCOERError(Hostname.self, hex("02 c328"), .invalidValue, offset: 0)
    }

    @Test("value constraints are left to the verifier")
    func valueConstraintsDecode() throws {
        let data = try Ieee1609Dot2Data(coer: hex("02 80 00"))
        #expect(data.protocolVersion == 2)
        #expect(try ScmsPDU(coer: hex("07 80 80 00") + tbsRoot).version == 7)
        var cert = try Vectors.bytes("synthetic-camp-cert-elector1.hex")
        cert[1] = 0x02
        #expect(try Certificate(coer: cert).version == 2)
    }

    @Test("ScmsPDU alternatives other than ccm are unsupported, named")
    func scmsPDUUnsupported() throws {
        expectCOERError(ScmsPDU.self, hex("01 81 00 00"), .unsupported, offset: 1, path: "ScmsPDU.content.eca-ee")
        expectCOERError(ScmsPDU.self, hex("01 8a 00"), .unsupported, offset: 1, path: "ScmsPDU.content.ra-pg")
        // An extension alternative is skipped and kept.
        #expect(try ScmsPDU(coer: hex("01 8b 02 0102")).content == .unknownExtension(tag: 11, encoding: [1, 2]))
    }

    // MARK: Limits

    @Test("length larger than the input is truncated before allocating")
    func hostileLength() throws {
        expectCOERError(Ieee1609Dot2Data.self, hex("03 80 84 7fffffff 00"), .truncated, offset: 2)
        expectCOERError(Ieee1609Dot2Data.self, hex("03 80 88 7fffffffffffffff"), .truncated, offset: 2)
        expectCOERError(Ieee1609Dot2Data.self, hex("03 80 89 01"), .limitExceeded, offset: 2)
    }

    @Test("SEQUENCE OF count larger than the bytes left, or than maxElements")
    func hostileCount() throws {
        expectCOERError(CountryAndRegions.self, hex("007c 01 05 0102"), .truncated, offset: 2)
        expectCOERError(CountryAndRegions.self, hex("007c 04 7fffffff"), .limitExceeded, offset: 2)
        expectCOERError(CountryAndRegions.self, hex("007c 01 04 01020304"), .limitExceeded, offset: 2,
                        limits: COERLimits(maxElements: 3))
    }

    @Test("nesting depth and input size limits")
    func depthAndSize() throws {
        // Ieee1609Dot2Data nested through signedData payloads.
        var inner = hex("03 80 00")
        for _ in 0..<8 {
            inner = hex("03 81 00 40") + inner + hex("00 01 23 82 80 80") + hash32 + hash32
        }
        #expect(throws: COERError.self) { try Ieee1609Dot2Data(coer: inner) }
        do {
            _ = try Ieee1609Dot2Data(coer: inner)
        } catch {
            #expect(error.reason == .limitExceeded)
        }
        #expect(try Ieee1609Dot2Data(coer: inner, limits: COERLimits(maxDepth: 100)).coerEncoded == inner)
        expectCOERError(Ieee1609Dot2Data.self, hex("03 80 00"), .limitExceeded, offset: 0,
                        limits: COERLimits(maxInputBytes: 2))
    }

    @Test("trailing bytes after a complete value")
    func trailing() throws {
        let bytes = try Vectors.bytes("synthetic-camp-cert-elector1.hex")
        expectCOERError(Certificate.self, bytes + [0], .trailingBytes, offset: bytes.count, path: "Certificate")
    }
}
