import COpenSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Elector private keys on disk: one unencrypted PKCS#8 PEM per file, owner-only permissions.
///
/// Writing is atomic and never leaves a readable partial file: the PEM goes to a fresh temporary file
/// in the same directory (created `O_CREAT|O_EXCL`, mode 0600, `fsync`ed), which is then linked into
/// place (refusing an existing file) or renamed over it (when `overwrite` is true), and the directory
/// is `fsync`ed. Reading refuses files that group or others may access.
public enum KeyFile {
    /// Largest key file read (a PKCS#8 PEM EC key is about 250 octets).
    static let maximumFileSize = 64 * 1024

    /// Writes `key` to `path` with mode 0600.
    ///
    /// Throws ``CryptoError/keyFileExists(path:)`` if `path` exists and `overwrite` is false, and
    /// ``CryptoError/keyFileWriteFailed(path:errno:)`` on a system error (the temporary file is removed).
    public static func write(_ key: PrivateKey, to path: String, overwrite: Bool = false) throws(CryptoError) {
        var existing = stat()
        if !overwrite && lstat(path, &existing) == 0 { throw .keyFileExists(path: path) }
        let pem = Array(try key.pkcs8PEM.utf8)
        let temporary = "\(path).tmp-\(randomSuffix())"

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode_t(0o600))
        guard fd >= 0 else { throw .keyFileWriteFailed(path: path, errno: errno) }
        var failure: Int32? = nil
        if fchmod(fd, mode_t(0o600)) != 0 { failure = errno }  // exact mode regardless of umask
        if failure == nil { failure = writeAll(fd, pem) }
        if failure == nil && fsync(fd) != 0 { failure = errno }
        if close(fd) != 0 && failure == nil { failure = errno }
        if let failure {
            unlink(temporary)
            throw .keyFileWriteFailed(path: path, errno: failure)
        }

        if overwrite {
            if rename(temporary, path) != 0 {
                let code = errno
                unlink(temporary)
                throw .keyFileWriteFailed(path: path, errno: code)
            }
        } else {
            // link(2) fails with EEXIST instead of replacing: the no-overwrite check is atomic.
            if link(temporary, path) != 0 {
                let code = errno
                unlink(temporary)
                if code == EEXIST { throw .keyFileExists(path: path) }
                throw .keyFileWriteFailed(path: path, errno: code)
            }
            unlink(temporary)
        }
        try syncDirectory(of: path)
    }

    /// Reads the PKCS#8 PEM key at `path`.
    ///
    /// Throws ``CryptoError/keyFileTooPermissive(path:mode:)`` if `mode & 0o077 != 0` (checked with
    /// `fstat` on the opened file, so a symlink is judged by its target), without reading the
    /// contents; ``CryptoError/keyFileUnreadable(path:errno:)`` if it cannot be opened or read or is not
    /// a regular file; the errors of ``PrivateKey/init(pkcs8PEM:)`` for bad contents. Error texts name
    /// the path and mode only, never key material.
    public static func read(from path: String) throws(CryptoError) -> PrivateKey {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .keyFileUnreadable(path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .keyFileUnreadable(path: path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .keyFileUnreadable(path: path, errno: EINVAL) }
        let permissions = UInt16(truncatingIfNeeded: info.st_mode & 0o7777)
        guard permissions & 0o077 == 0 else { throw .keyFileTooPermissive(path: path, mode: permissions) }
        guard info.st_size <= maximumFileSize else { throw .pemDecoding }

        var contents = [UInt8](repeating: 0, count: maximumFileSize)
        defer { contents.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        var filled = 0
        while filled < contents.count {
            let count = contents.withUnsafeMutableBytes { buffer in
                Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .keyFileUnreadable(path: path, errno: errno)
            }
            if count == 0 { break }
            filled += count
        }
        return try PrivateKey(pkcs8PEM: String(decoding: contents[..<filled], as: UTF8.self))
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }

    private static func syncDirectory(of path: String) throws(CryptoError) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .keyFileWriteFailed(path: path, errno: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 { throw .keyFileWriteFailed(path: path, errno: errno) }
    }

    private static func randomSuffix() -> String {
        String(UInt64.random(in: .min ... .max), radix: 16)
    }
}
