import COpenSSL
import Synchronization

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

/// An `EVP_PKEY_CTX` initialized for one operation, owned by whoever holds this value.
///
/// `@unchecked Sendable` is sound: a context is only used by the one thread that took it out of the
/// pool (under the pool's mutex) until it gives it back, so it is never used concurrently.
struct PooledContext: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Owns one `EVP_PKEY` plus a small pool of `EVP_PKEY_CTX`s initialized for `operation`, and frees
/// them all on deinit.
///
/// Reusing an initialized context saves an `EVP_PKEY_CTX_new` + `*_init` per signature operation
/// (that is what `openssl speed` does too). A context is taken out of the pool for one call and put
/// back afterwards, so any number of threads can use the key at once.
///
/// `@unchecked Sendable` is sound: the key is never modified after the box is built (only read by
/// `EVP_PKEY_CTX_new_from_pkey` and the get-param calls); OpenSSL 3 supports concurrent read-only use
/// of one `EVP_PKEY`, each thread with its own `EVP_PKEY_CTX`; the pool is guarded by a `Mutex`.
final class PKeyBox: @unchecked Sendable {
    /// What the pooled contexts are initialized for.
    enum Operation { case sign, verify }

    let pointer: OpaquePointer
    let operation: Operation
    private let pool = Mutex<[PooledContext]>([])
    /// Contexts kept for reuse; more concurrent callers than this create and free their own.
    private static let poolLimit = 8

    /// Takes ownership of `pointer`.
    init(owning pointer: OpaquePointer, operation: Operation) {
        self.pointer = pointer
        self.operation = operation
    }

    deinit {
        let contexts = pool.withLock { contexts in
            defer { contexts.removeAll() }
            return contexts
        }
        for context in contexts { EVP_PKEY_CTX_free(context.pointer) }
        EVP_PKEY_free(pointer)
    }

    /// Runs `body` with an initialized context (pooled or new). `body` returns its result and whether
    /// the context is still fit for reuse (false after an internal OpenSSL error).
    /// Nil if no context could be made (the OpenSSL error queue is left for the caller).
    @inline(__always)
    func withContext<R>(_ body: (OpaquePointer) -> (result: R, reusable: Bool)) -> R? {
        guard let context = takeContext() else { return nil }
        let (result, reusable) = body(context.pointer)
        if reusable { giveBack(context) } else { EVP_PKEY_CTX_free(context.pointer) }
        return result
    }

    private func takeContext() -> PooledContext? {
        if let pooled = pool.withLock({ $0.popLast() }) { return pooled }
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { return nil }
        let initialized = switch operation {
        case .sign: EVP_PKEY_sign_init(context)
        case .verify: EVP_PKEY_verify_init(context)
        }
        guard initialized == 1 else {
            EVP_PKEY_CTX_free(context)
            return nil
        }
        return PooledContext(pointer: context)
    }

    private func giveBack(_ context: PooledContext) {
        let kept = pool.withLock { contexts in
            guard contexts.count < PKeyBox.poolLimit else { return false }
            contexts.append(context)
            return true
        }
        if !kept { EVP_PKEY_CTX_free(context.pointer) }
    }
}

/// Runs `body` with a contiguous view of `bytes` (no copy when the collection is contiguous).
@inline(__always)
func withContiguousBytes<C: Collection<UInt8>, R>(_ bytes: C, _ body: (UnsafeBufferPointer<UInt8>) throws -> R)
    rethrows -> R
{
    if let result = try bytes.withContiguousStorageIfAvailable(body) { return result }
    return try Array(bytes).withUnsafeBufferPointer(body)
}
