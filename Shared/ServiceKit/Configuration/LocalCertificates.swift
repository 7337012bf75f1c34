public import BallotCodec
import Foundation

/// Certificates from local configuration (trust anchors, MA and PG certificates of the services): single files and directories of `.cert`, `.coer`, `.oer` (binary COER)
/// and `.hex` (vector text) files.
public enum LocalCertificates {
    public static let extensions: Set<String> = ["cert", "coer", "oer", "hex"]

    /// One certificate file.
    public static func certificate(_ path: String) throws -> Certificate {
        var bytes = try FileIO.read(path, limit: 1 << 20)
        if path.hasSuffix(".hex") {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw LocalFileError(path: path, message: "hex vector text is not UTF-8")
            }
            bytes = try Hex.decodeVectorText(text)
        }
        do {
            return try Certificate(coer: bytes)
        } catch {
            throw LocalFileError(path: path, message: "not a certificate: \(error)")
        }
    }

    /// Every certificate file of `directory`, by file name.
    public static func directory(_ directory: String) throws -> [Certificate] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw LocalFileError(path: directory, message: "cannot list the directory")
        }
        return try names.filter { extensions.contains(URL(fileURLWithPath: $0).pathExtension) }.sorted()
            .map { try certificate(directory.hasSuffix("/") ? directory + $0 : directory + "/" + $0) }
    }
}

/// A local file that cannot be used.
public struct LocalFileError: Error, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

extension ConfigurationSource {
    /// Runs `load` and turns any error into an `invalidValue` error of `key`.
    public func loading<T>(_ key: String, _ load: () throws -> T) throws -> T {
        do {
            return try load()
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw ConfigurationError(.invalidValue, key: key, origin: lookup(key)?.origin, "\(error)")
        }
    }
}
