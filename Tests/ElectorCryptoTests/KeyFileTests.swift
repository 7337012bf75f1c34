import ElectorCrypto
import Foundation
import Testing
import TestSupport

@Suite struct KeyFileTests {
    /// A fresh private directory for one test.
    private func makeDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("electorcrypto-keyfile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test func writeCreatesOwnerOnlyFileAndReadsBack() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let identity = try #require(try SyntheticIdentity.all()["elector3"])
        let key = try PrivateKey(rawScalar: identity.privateKey)
        let path = directory + "/elector3.key"
        try KeyFile.write(key, to: path)
        #expect(try mode(path) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == (try key.pkcs8PEM))
        let back = try KeyFile.read(from: path)
        #expect(back.publicKey == key.publicKey)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["elector3.key"])
    }

    @Test func writeRefusesToOverwriteUnlessAsked() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/elector.key"
        let first = try PrivateKey.generate()
        let second = try PrivateKey.generate()
        try KeyFile.write(first, to: path)
        #expect(throws: CryptoError.keyFileExists(path: path)) { try KeyFile.write(second, to: path) }
        #expect(try KeyFile.read(from: path).publicKey == first.publicKey)
        try KeyFile.write(second, to: path, overwrite: true)
        #expect(try KeyFile.read(from: path).publicKey == second.publicKey)
        #expect(try mode(path) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["elector.key"])
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o601])
    func readRefusesGroupOrOtherAccess(permissions: Int) throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try PrivateKey(rawScalar: try #require(try SyntheticIdentity.all()["elector1"]).privateKey)
        let path = directory + "/elector1.key"
        try KeyFile.write(key, to: path)
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: path)
        let error = try #require(throws: CryptoError.self) { try KeyFile.read(from: path) }
        #expect(error == .keyFileTooPermissive(path: path, mode: UInt16(permissions)))
        #expect(error.code == "key_file_too_permissive")
        // The message names the path and mode only: no PEM body, no scalar.
        let pem = try key.pkcs8PEM
        let bodyLines = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }
        let description = error.description
        #expect(description.contains(path))
        #expect(description.contains(String(permissions, radix: 8)))
        #expect(!description.contains("PRIVATE KEY"))
        for line in bodyLines { #expect(!description.contains(line)) }
        #expect(!description.contains(try #require(try SyntheticIdentity.all()["elector1"]).private_key_hex))
        #expect(!"\(error)".contains(String(bodyLines[0])))
    }

    @Test func readReportsMissingAndNonRegularFilesAndBadContents() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = directory + "/absent.key"
        #expect(throws: CryptoError.keyFileUnreadable(path: missing, errno: ENOENT)) { try KeyFile.read(from: missing) }
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        #expect(throws: CryptoError.keyFileUnreadable(path: directory, errno: EINVAL)) { try KeyFile.read(from: directory) }
        let garbage = directory + "/garbage.key"
        #expect(FileManager.default.createFile(atPath: garbage, contents: Data("not a key\n".utf8),
                                               attributes: [.posixPermissions: 0o600]))
        #expect(throws: CryptoError.pemDecoding) { try KeyFile.read(from: garbage) }
    }
}
