import Glibc

/// Reading inputs and writing outputs the way every scms-electors tool does: bounded reads (`-` is standard
/// input) and atomic, durable writes with explicit permission bits.
public enum FileIO {
    /// The default limit for ``read(_:limit:)``: 16 MiB, far above any ballot or chain file.
    public static let defaultReadLimit = 16 << 20

    /// Reads the whole file at `path`, or standard input when `path` is `-`.
    ///
    /// - Throws: ``FileIOError/tooLarge(path:limit:)`` as soon as more than `limit` bytes are seen (the rest is not
    ///   read), ``FileIOError/notFound(path:)``, ``FileIOError/permissionDenied(path:)``, ``FileIOError/isDirectory(path:)``
    ///   or ``FileIOError/system(path:operation:errno:)``.
    public static func read(_ path: String, limit: Int = defaultReadLimit) throws(FileIOError) -> [UInt8] {
        if path == "-" { return try readAll(fd: 0, path: "-", limit: limit) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIOError.from(errno: errno, path: path, operation: "open") }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(path: path) }
        return try readAll(fd: fd, path: path, limit: limit)
    }

    /// Reads `path` (or `-`) as UTF-8 text.
    public static func readText(_ path: String, limit: Int = defaultReadLimit) throws(FileIOError) -> String {
        let bytes = try read(path, limit: limit)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8(path: path) }
        return text
    }

    /// Reads from `fd` until end of file, failing once more than `limit` bytes arrive.
    public static func readAll(fd: Int32, path: String, limit: Int) throws(FileIOError) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileIOError.from(errno: errno, path: path, operation: "read")
            }
            if n == 0 { return out }
            if out.count + n > limit { throw .tooLarge(path: path, limit: limit) }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    /// Writes `bytes` to `path` atomically: a temporary file in the same directory is written, `fsync`ed, given
    /// exactly `mode` (independent of the umask) and renamed over `path`; then the directory is `fsync`ed.
    ///
    /// Readers see either the old file or the new one, never a prefix. With `overwrite: false` an existing `path`
    /// is an error (``FileIOError/exists(path:)``) and the check is atomic (`link(2)`, not a racy `stat`).
    /// `path` `-` writes to standard output instead.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o644,
                                       overwrite: Bool = true) throws(FileIOError) {
        if path == "-" {
            guard StandardStreams.write(bytes: bytes, to: 1) else {
                throw .from(errno: errno, path: "-", operation: "write")
            }
            return
        }
        let directory = parentDirectory(of: path)
        let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        var fd: Int32 = -1
        var tmpPath = ""
        for _ in 0..<16 {
            tmpPath = "\(directory)/.\(base).tmp-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
            fd = open(tmpPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw .from(errno: errno, path: path, operation: "create temporary file") }
        var committed = false
        defer {
            if !committed { unlink(tmpPath) }
        }
        do {
            defer { close(fd) }
            guard fchmod(fd, mode_t(mode)) == 0 else { throw FileIOError.from(errno: errno, path: tmpPath, operation: "fchmod") }
            let ok = bytes.withUnsafeBytes { StandardStreams.writeAll($0, to: fd) }
            guard ok else { throw FileIOError.from(errno: errno, path: tmpPath, operation: "write") }
            guard fsync(fd) == 0 else { throw FileIOError.from(errno: errno, path: tmpPath, operation: "fsync") }
        }
        if overwrite {
            guard rename(tmpPath, path) == 0 else { throw .from(errno: errno, path: path, operation: "rename") }
            committed = true
        } else {
            guard link(tmpPath, path) == 0 else {
                if errno == EEXIST { throw .exists(path: path) }
                throw .from(errno: errno, path: path, operation: "link")
            }
            unlink(tmpPath)
            committed = true
        }
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    /// Writes UTF-8 `text` atomically; see ``writeAtomically(_:to:mode:overwrite:)``.
    public static func writeAtomically(text: String, to path: String, mode: UInt32 = 0o644,
                                       overwrite: Bool = true) throws(FileIOError) {
        try writeAtomically(Array(text.utf8), to: path, mode: mode, overwrite: overwrite)
    }

    /// Creates `path` and missing parents with `mode` (like `mkdir -p`); an existing directory is fine.
    public static func makeDirectory(_ path: String, mode: UInt32 = 0o755) throws(FileIOError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, mode_t(mode)) != 0 && errno != EEXIST {
                throw .from(errno: errno, path: prefix, operation: "mkdir")
            }
            prefix += "/"
        }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { throw .exists(path: path) }
    }

    /// The permission bits of `path` (e.g. `0o600`).
    public static func permissions(of path: String) throws(FileIOError) -> UInt32 {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .from(errno: errno, path: path, operation: "stat") }
        return UInt32(st.st_mode & 0o7777)
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }
}

/// Why a file could not be read or written.
public enum FileIOError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No such file or directory.
    case notFound(path: String)
    /// The process may not access the path.
    case permissionDenied(path: String)
    /// A file was expected but the path is a directory.
    case isDirectory(path: String)
    /// The input is larger than the limit the caller set.
    case tooLarge(path: String, limit: Int)
    /// The input was expected to be UTF-8 text.
    case notUTF8(path: String)
    /// The output exists and overwriting was not allowed.
    case exists(path: String)
    /// Any other system call failure.
    case system(path: String, operation: String, errno: Int32)

    static func from(errno code: Int32, path: String, operation: String) -> FileIOError {
        switch code {
        case ENOENT: return .notFound(path: path)
        case EACCES, EPERM: return .permissionDenied(path: path)
        case EISDIR: return .isDirectory(path: path)
        default: return .system(path: path, operation: operation, errno: code)
        }
    }

    /// A stable reason code.
    public var code: String {
        switch self {
        case .notFound: return "file.not-found"
        case .permissionDenied: return "file.permission-denied"
        case .isDirectory: return "file.is-directory"
        case .tooLarge: return "file.too-large"
        case .notUTF8: return "file.not-utf8"
        case .exists: return "file.exists"
        case .system: return "file.system"
        }
    }

    public var description: String {
        func name(_ p: String) -> String { p == "-" ? "standard input" : "'\(p)'" }
        switch self {
        case .notFound(let p): return "\(name(p)): no such file or directory"
        case .permissionDenied(let p): return "\(name(p)): permission denied"
        case .isDirectory(let p): return "\(name(p)): is a directory"
        case .tooLarge(let p, let limit): return "\(name(p)): larger than the limit of \(limit) bytes"
        case .notUTF8(let p): return "\(name(p)): not valid UTF-8 text"
        case .exists(let p): return "\(name(p)): already exists (refusing to overwrite)"
        case .system(let p, let op, let code):
            return "\(name(p)): \(op) failed: \(String(cString: strerror(code)))"
        }
    }
}

extension FileIOError: ExitCodeProviding {
    /// Oversized or non-text input is malformed input (65); the rest are I/O failures (74).
    public var exitCode: ExitCode {
        switch self {
        case .tooLarge, .notUTF8: return .dataError
        case .notFound, .permissionDenied, .isDirectory, .exists: return .ioError
        case .system: return .ioError
        }
    }
}
