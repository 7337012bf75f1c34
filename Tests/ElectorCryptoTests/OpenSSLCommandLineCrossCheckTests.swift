import ElectorCrypto
import Foundation
import Testing
import TestSupport

/// Path of the `openssl` command-line tool the cross-checks run.
let openSSLTool = "/usr/bin/openssl"

/// Interoperability with keys and signatures made by the `openssl` command-line tool (the same
/// library, but an independent code path: its PEM writer, its `pkeyutl` signer and verifier).
/// Skipped when `openssl` is not installed.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: openSSLTool)))
struct OpenSSLCommandLineCrossCheckTests {
    /// Runs `openssl arguments` and returns its standard output; fails the test on a non-zero exit.
    @discardableResult
    private func openssl(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openSSLTool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "openssl \(arguments.joined(separator: " "))")
        return data
    }

    private func makeDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("electorcrypto-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        return url
    }

    @Test(arguments: [("P-256", Curve.p256), ("P-384", Curve.p384), ("brainpoolP256r1", Curve.brainpoolP256r1)])
    func keyFromGenpkeySignsAndCommandLineVerifies(name: String, curve: Curve) throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pem = try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(name)"])
        let key = try PrivateKey(pkcs8PEM: String(decoding: pem, as: UTF8.self))
        #expect(key.curve == curve)

        // Our signature over a prehashed digest, checked by `openssl pkeyutl -verify` (DER signature).
        let digest = Digest.hash(Array("cross-check \(name)".utf8), using: curve.hash)
        let (r, s) = try key.signature(forDigest: digest)
        let keyFile = directory.appendingPathComponent("key.pem")
        let digestFile = directory.appendingPathComponent("digest.bin")
        let signatureFile = directory.appendingPathComponent("sig.der")
        try pem.write(to: keyFile)
        try Data(digest).write(to: digestFile)
        try Data(EcdsaSignatureEncoding.der(r: r, s: s)).write(to: signatureFile)
        let verdict = try openssl(["pkeyutl", "-verify", "-inkey", keyFile.path, "-in", digestFile.path,
                                   "-sigfile", signatureFile.path])
        #expect(String(decoding: verdict, as: UTF8.self).contains("Signature Verified Successfully"))

        // `openssl pkeyutl -sign` signature, verified by our public key after DER → raw.
        let theirs = try openssl(["pkeyutl", "-sign", "-inkey", keyFile.path, "-in", digestFile.path])
        let raw = try EcdsaSignatureEncoding.raw(fromDER: Array(theirs), fieldBytes: curve.fieldBytes)
        #expect(key.publicKey.isValidSignature(r: raw.r, s: raw.s, digest: digest))
        #expect(!key.publicKey.isValidSignature(r: raw.r, s: raw.s, digest: flippingBit(digest, at: 2)))

        // Our PEM is readable by the command line tool and names the same public key.
        let ours = directory.appendingPathComponent("ours.pem")
        try Data(key.pkcs8PEM.utf8).write(to: ours)
        let publicDER = try openssl(["pkey", "-in", ours.path, "-pubout", "-outform", "DER"])
        // SubjectPublicKeyInfo ends with the BIT STRING holding the uncompressed point.
        #expect(Array(publicDER.suffix(curve.uncompressedPointLength)) == key.publicKey.uncompressedRepresentation)
    }

    @Test func traditionalECPrivateKeyFormatIsRefused() throws {
        let traditional = try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout"])
        let text = String(decoding: traditional, as: UTF8.self)
        #expect(text.contains("BEGIN EC PRIVATE KEY"))
        #expect(throws: CryptoError.pemDecoding) { try PrivateKey(pkcs8PEM: text) }
    }

    @Test func unsupportedCurveIsTyped() throws {
        let pem = try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"])
        #expect(throws: CryptoError.unsupportedCurve) { try PrivateKey(pkcs8PEM: String(decoding: pem, as: UTF8.self)) }
        let ed25519 = try openssl(["genpkey", "-algorithm", "ED25519"])
        #expect(throws: CryptoError.invalidPrivateKey) {
            try PrivateKey(pkcs8PEM: String(decoding: ed25519, as: UTF8.self))
        }
    }
}
