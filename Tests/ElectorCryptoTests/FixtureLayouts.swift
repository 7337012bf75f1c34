import Foundation
import Testing
import TestSupport

// Hand-parsed COER positions in the fixture vectors (this test target deliberately has no codec).
//
// Explicit P-256 certificate (domain.md §6.1; checked against every vector used here):
//   [0]      80          CertificateBase preamble: signature present
//   [1]      03          version 3
//   [2]      00          type explicit
//   [3...]   issuer:     81 00 (self, sha256)           -> toBeSigned starts at 5
//                        80 <HashedId8> (sha256AndDigest) -> toBeSigned starts at 12
//   toBeSigned ends with verifyKeyIndicator: 80 80 82|83 <x 32>  (verificationKey / ecdsaNistP256 / compressed-y-0|1)
//   [n-66...] 80 80 <r 32> <s 32>   signature ecdsaNistP256Signature, rSig x-only, sSig
// so toBeSigned = [5 or 12, n-66), key prefix at n-99, x = [n-98, n-66).
//
// Ieee1609Dot2Data with SignedData and signer certificate (TTA response, synthetic endorsement):
//   [0..3)   03 81 00    protocolVersion 3, content signedData, hashId sha256
//   [3..t)   ToBeSignedData (t = 361 for the TTA response per its header, 59 for the endorsement per domain.md §6.2)
//   [t..t+3) 81 01 01    signer certificate, SequenceOfCertificate quantity 1
//   [t+3..n-66)          the signer certificate
//   [n-66..n)            80 80 <r> <s>

/// One explicit P-256 certificate cut at its fixed COER offsets.
struct ExplicitCertificateLayout {
    let bytes: [UInt8]
    let toBeSigned: ArraySlice<UInt8>
    let issuerIsSelf: Bool
    /// The issuer's HashedId8 when `issuerIsSelf` is false.
    let issuerDigest: ArraySlice<UInt8>
    /// 0x82 (compressed-y-0) or 0x83 (compressed-y-1).
    let keyChoice: UInt8
    let keyX: [UInt8]
    let r: [UInt8]
    let s: [UInt8]

    init(_ bytes: [UInt8]) throws {
        let n = bytes.count
        try #require(n > 110)
        try #require(Array(bytes[0..<3]) == [0x80, 0x03, 0x00], "CertificateBase header")
        switch bytes[3] {
        case 0x81:
            try #require(bytes[4] == 0x00, "issuer self sha256")
            issuerIsSelf = true
            issuerDigest = bytes[5..<5]
            toBeSigned = bytes[5..<(n - 66)]
        case 0x80:
            issuerIsSelf = false
            issuerDigest = bytes[4..<12]
            toBeSigned = bytes[12..<(n - 66)]
        default:
            Issue.record("unexpected issuer choice \(bytes[3])")
            throw LayoutError.unexpected
        }
        try #require(Array(bytes[(n - 101)..<(n - 99)]) == [0x80, 0x80], "verificationKey ecdsaNistP256")
        keyChoice = bytes[n - 99]
        try #require(keyChoice == 0x82 || keyChoice == 0x83, "compressed point choice")
        keyX = Array(bytes[(n - 98)..<(n - 66)])
        try #require(Array(bytes[(n - 66)..<(n - 64)]) == [0x80, 0x80], "ecdsaNistP256Signature, rSig x-only")
        r = Array(bytes[(n - 64)..<(n - 32)])
        s = Array(bytes[(n - 32)..<n])
        self.bytes = bytes
    }
}

/// A SignedData SPDU with a certificate signer, cut at the fixed offsets above.
struct SignedDataLayout {
    let bytes: [UInt8]
    let toBeSignedData: ArraySlice<UInt8>
    let signerCertificate: ArraySlice<UInt8>
    let r: [UInt8]
    let s: [UInt8]

    init(_ bytes: [UInt8], toBeSignedDataEnd t: Int) throws {
        let n = bytes.count
        try #require(Array(bytes[0..<3]) == [0x03, 0x81, 0x00], "Ieee1609Dot2Data signedData sha256")
        try #require(Array(bytes[t..<(t + 3)]) == [0x81, 0x01, 0x01], "signer certificate, one certificate")
        try #require(Array(bytes[(n - 66)..<(n - 64)]) == [0x80, 0x80], "ecdsaNistP256Signature, rSig x-only")
        toBeSignedData = bytes[3..<t]
        signerCertificate = bytes[(t + 3)..<(n - 66)]
        r = Array(bytes[(n - 64)..<(n - 32)])
        s = Array(bytes[(n - 32)..<n])
        self.bytes = bytes
    }
}

enum LayoutError: Error { case unexpected }

/// One entry of `synthetic-camp-keys-and-certs.json`.
struct SyntheticIdentity: Decodable {
    let cert_hex: String
    let hashedId8: String
    let hashedId32_sha256: String
    let private_key_hex: String
    let public_key_uncompressed_hex: String

    var certificate: [UInt8] { get throws { try Fixtures.decodeHexText(cert_hex) } }
    var privateKey: [UInt8] { get throws { try Fixtures.decodeHexText(private_key_hex) } }
    var publicKeyUncompressed: [UInt8] { get throws { try Fixtures.decodeHexText(public_key_uncompressed_hex) } }

    static func all() throws -> [String: SyntheticIdentity] {
        try JSONDecoder().decode([String: SyntheticIdentity].self,
                                 from: Fixtures.data("synthetic-camp-keys-and-certs.json"))
    }

    /// The certificate names of the json, sorted.
    static let names = ["elector1", "elector2", "elector3", "elector4", "ma1", "outsider", "root1"]
}

/// `bytes` with bit `bit` (0 = MSB) of octet `index` inverted.
func flippingBit(_ bytes: [UInt8], at index: Int, bit: Int = 7) -> [UInt8] {
    var copy = bytes
    copy[index] ^= UInt8(1) << UInt8(7 - bit)
    return copy
}

func hexBytes(_ text: String) throws -> [UInt8] { try Fixtures.decodeHexText(text) }
