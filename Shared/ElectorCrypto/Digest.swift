import COpenSSL

/// The hash algorithms of IEEE 1609.2 `HashAlgorithm` this module implements.
public enum HashAlgorithmKind: Sendable, Hashable, CaseIterable {
    /// SHA-256 (FIPS 180-4), 32-octet digest. Used with P-256 and brainpoolP256r1.
    case sha256
    /// SHA-384 (FIPS 180-4), 48-octet digest. Used with P-384 and brainpoolP384r1.
    case sha384

    /// Length of a digest in octets (32 or 48).
    public var digestLength: Int {
        switch self {
        case .sha256: 32
        case .sha384: 48
        }
    }

    var handle: MessageDigestHandle {
        switch self {
        case .sha256: .sha256
        case .sha384: .sha384
        }
    }
}

/// One-shot message digests (OpenSSL `EVP_Digest` over a once-fetched `EVP_MD`).
public enum Digest {
    /// SHA-256 of `bytes` (32 octets).
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] { hash(bytes, using: .sha256) }

    /// SHA-384 of `bytes` (48 octets).
    public static func sha384(_ bytes: some Collection<UInt8>) -> [UInt8] { hash(bytes, using: .sha384) }

    /// The `algorithm` digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>, using algorithm: HashAlgorithmKind) -> [UInt8] {
        withContiguousBytes(bytes) { input in
            [UInt8](unsafeUninitializedCapacity: algorithm.digestLength) { out, count in
                var length: UInt32 = 0
                let ok = EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length,
                                    algorithm.handle.pointer, nil)
                // EVP_Digest over an in-memory buffer with a fetched SHA-2 cannot fail short of memory
                // exhaustion; there is nothing sensible to return instead of a digest.
                precondition(ok == 1 && Int(length) == algorithm.digestLength,
                             "EVP_Digest failed: \(OpenSSL.drainErrors())")
                count = Int(length)
            }
        }
    }
}

/// An incremental digest: feed pieces with ``update(_:)``, then take the value with ``finalize()``.
///
/// Non-copyable because it owns an `EVP_MD_CTX`; `finalize()` consumes it.
public struct IncrementalHasher: ~Copyable {
    private let context: OpaquePointer
    /// The algorithm this hasher computes.
    public let algorithm: HashAlgorithmKind

    /// Starts a digest with `algorithm`.
    public init(_ algorithm: HashAlgorithmKind) {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex2(context, algorithm.handle.pointer, nil) == 1 else {
            fatalError("EVP_DigestInit_ex2 failed: \(OpenSSL.drainErrors())")
        }
        self.context = context
        self.algorithm = algorithm
    }

    /// Feeds `bytes`.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let ok = withContiguousBytes(bytes) { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        precondition(ok == 1, "EVP_DigestUpdate failed: \(OpenSSL.drainErrors())")
    }

    /// The digest of everything fed so far.
    public consuming func finalize() -> [UInt8] {
        let length = algorithm.digestLength
        return [UInt8](unsafeUninitializedCapacity: length) { out, count in
            var written: UInt32 = 0
            let ok = EVP_DigestFinal_ex(context, out.baseAddress, &written)
            precondition(ok == 1 && Int(written) == length, "EVP_DigestFinal_ex failed: \(OpenSSL.drainErrors())")
            count = length
        }
    }

    deinit { EVP_MD_CTX_free(context) }
}
