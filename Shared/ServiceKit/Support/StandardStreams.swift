import Glibc

/// Unbuffered writes to the standard file descriptors with `write(2)`.
///
/// Swift 6 strict concurrency forbids the C `stdout`/`stderr` globals, and `print` buffers; these helpers write
/// whole strings, retrying on `EINTR` and short writes, so lines from different threads never interleave mid-write
/// for writes up to `PIPE_BUF`.
public enum StandardStreams {
    /// Writes `text` to standard output.
    public static func writeOut(_ text: String) { write(text, to: 1) }

    /// Writes `text` to standard error.
    public static func writeError(_ text: String) { write(text, to: 2) }

    /// Writes `bytes` to standard output (binary-safe).
    public static func writeOut(bytes: [UInt8]) { write(bytes: bytes, to: 1) }

    /// Writes `text` to the file descriptor `fd`. Returns `false` if the descriptor failed.
    @discardableResult
    public static func write(_ text: String, to fd: Int32) -> Bool {
        var copy = text
        return copy.withUTF8 { buffer in
            writeAll(UnsafeRawBufferPointer(buffer), to: fd)
        }
    }

    /// Writes `bytes` to the file descriptor `fd`. Returns `false` if the descriptor failed.
    @discardableResult
    public static func write(bytes: [UInt8], to fd: Int32) -> Bool {
        bytes.withUnsafeBytes { writeAll($0, to: fd) }
    }

    static func writeAll(_ buffer: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
        guard var base = buffer.baseAddress else { return true }
        var remaining = buffer.count
        while remaining > 0 {
            let n = Glibc.write(fd, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            remaining -= n
            base += n
        }
        return true
    }
}
