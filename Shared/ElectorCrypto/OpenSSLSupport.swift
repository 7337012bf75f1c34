import COpenSSL

/// Internal glue to OpenSSL: error-queue draining and `Sendable` wrappers for immutable handles.
enum OpenSSL {
    /// Drains this thread's OpenSSL error queue into one line of reason strings.
    static func drainErrors() -> String {
        var parts: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            buffer.withUnsafeMutableBufferPointer { ERR_error_string_n(code, $0.baseAddress, $0.count) }
            parts.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return parts.isEmpty ? "no OpenSSL error recorded" : parts.joined(separator: "; ")
    }

    /// A ``CryptoError/openssl(function:message:)`` for `function`, draining the error queue.
    static func error(_ function: String) -> CryptoError {
        .openssl(function: function, message: drainErrors())
    }

    /// Discards whatever a failed call left on this thread's error queue.
    static func clearErrors() { ERR_clear_error() }
}

/// A fetched `EVP_MD`.
///
/// `@unchecked Sendable` is sound: a fetched message-digest method is immutable and reference counted
/// by OpenSSL, and OpenSSL documents it as safe to use from many threads at once.
struct MessageDigestHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Fetches `name` from the default provider; a missing SHA-2 is a broken installation.
    init(fetching name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            fatalError("OpenSSL cannot provide \(name): \(OpenSSL.drainErrors())")
        }
        pointer = md
    }

    static let sha256 = MessageDigestHandle(fetching: "SHA2-256")
    static let sha384 = MessageDigestHandle(fetching: "SHA2-384")
}

/// Owns one `EVP_PKEY` and frees it on deinit.
///
/// `@unchecked Sendable` is sound: the key is never modified after the box is built (only read by
/// `EVP_PKEY_CTX_new` and the get-param calls); OpenSSL 3 supports concurrent read-only use of one
/// `EVP_PKEY`, each thread with its own `EVP_PKEY_CTX` (its internal operation cache is locked).
final class PKeyBox: @unchecked Sendable {
    let pointer: OpaquePointer

    /// Takes ownership of `pointer`.
    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }
}

/// Runs `body` with a contiguous view of `bytes` (no copy when the collection is contiguous).
@inline(__always)
func withContiguousBytes<C: Collection<UInt8>, R>(_ bytes: C, _ body: (UnsafeBufferPointer<UInt8>) throws -> R)
    rethrows -> R
{
    if let result = try bytes.withContiguousStorageIfAvailable(body) { return result }
    return try Array(bytes).withUnsafeBufferPointer(body)
}
