public import BallotCodec
public import ElectorCrypto
import Synchronization

/// How a cache has been doing.
public struct CacheStatistics: Sendable, Hashable, Codable {
    /// Lookups answered from the cache.
    public var hits: Int
    /// Lookups that had to compute.
    public var misses: Int
    /// Entries held now.
    public var entries: Int
    /// The most entries it holds.
    public var capacity: Int
}

/// A bounded map with approximate least-recently-used eviction: entries live in a current and a previous
/// generation of at most `capacity / 2` each; a hit in the previous generation moves the entry forward, and when
/// the current generation is full the previous one is dropped. O(1) per operation, never more than `capacity`.
struct GenerationalCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private var current: [Key: Value] = [:]
    private var previous: [Key: Value] = [:]
    private let generationSize: Int
    private(set) var hits = 0
    private(set) var misses = 0

    init(capacity: Int) { generationSize = max(1, capacity / 2) }

    var capacity: Int { generationSize * 2 }
    var count: Int { current.count + previous.count }

    mutating func value(_ key: Key) -> Value? {
        if let value = current[key] {
            hits += 1
            return value
        }
        if let value = previous.removeValue(forKey: key) {
            hits += 1
            insert(key, value)
            return value
        }
        misses += 1
        return nil
    }

    mutating func insert(_ key: Key, _ value: Value) {
        if current[key] == nil && current.count >= generationSize {
            previous = current
            current = [:]
            current.reserveCapacity(generationSize)
        }
        current[key] = value
    }

    mutating func removeAll() {
        current = [:]
        previous = [:]
    }

    func statistics() -> CacheStatistics {
        CacheStatistics(hits: hits, misses: misses, entries: count, capacity: capacity)
    }
}

/// Certificate facts by certificate SHA-256 (and profile options), so a certificate seen again — an elector's
/// embedded signer certificate in every ballot it endorses — costs one encoding and one hash instead of a profile
/// check and a self-signature verification. Facts are a pure function of the certificate bytes, so sharing them is
/// safe. Thread-safe (a `Mutex` around a bounded generational map); `shared` is what `CertificateAnalysis.facts`
/// uses.
public final class CertificateFactsCache: Sendable {
    /// The process-wide cache (8192 certificates, a few MB at most).
    public static let shared = CertificateFactsCache(capacity: 8_192)

    private struct Key: Hashable, Sendable {
        var sha256: [UInt8]
        var options: ProfileOptions

        func hash(into hasher: inout Hasher) {
            hasher.combineBytes(sha256)
            hasher.combine(options)
        }
    }

    private let state: Mutex<GenerationalCache<Key, CertificateFacts>>

    /// A cache holding at most `capacity` facts.
    public init(capacity: Int) { state = Mutex(GenerationalCache(capacity: capacity)) }

    /// The facts of `certificate` (from the cache or computed and remembered).
    public func facts(_ certificate: Certificate, options: ProfileOptions = ProfileOptions()) -> CertificateFacts {
        let encoded = certificate.coerEncoded
        let sha256 = Digest.sha256(encoded)
        let key = Key(sha256: sha256, options: options)
        if let known = state.withLock({ $0.value(key) }) { return known }
        let facts = CertificateAnalysis.computeFacts(certificate, id: CertificateID(uncheckedBytes: sha256),
                                                     options: options)
        state.withLock { $0.insert(key, facts) }
        return facts
    }

    /// Hits, misses and size so far.
    public var statistics: CacheStatistics { state.withLock { $0.statistics() } }

    /// Forgets every entry (statistics are kept).
    public func removeAll() { state.withLock { $0.removeAll() } }
}

/// Imported P-256 verification keys by compressed point, so verifying another signature by a known key skips the
/// import (point decompression and validation cost about as much as a verification). Points that are not valid
/// keys are remembered as such. Thread-safe; `shared` is what `CryptoSignatureVerifier` and the self-signature
/// check use.
public final class PublicKeyCache: Sendable {
    /// The process-wide cache (4096 keys).
    public static let shared = PublicKeyCache(capacity: 4_096)

    private enum Entry: Sendable {
        case key(PublicKey)
        case invalid
    }

    private let state: Mutex<GenerationalCache<[UInt8], Entry>>

    /// A cache holding at most `capacity` keys.
    public init(capacity: Int) { state = Mutex(GenerationalCache(capacity: capacity)) }

    /// The P-256 key with compressed point `compressed` (`02`/`03` ‖ x), or nil when it is not one.
    public func p256(compressed: [UInt8]) -> PublicKey? {
        if let known = state.withLock({ $0.value(compressed) }) {
            if case .key(let key) = known { return key }
            return nil
        }
        let key = try? PublicKey(curve: .p256, compressed: compressed)
        state.withLock { $0.insert(compressed, key.map(Entry.key) ?? .invalid) }
        return key
    }

    /// Hits, misses and size so far.
    public var statistics: CacheStatistics { state.withLock { $0.statistics() } }

    /// Forgets every entry (statistics are kept).
    public func removeAll() { state.withLock { $0.removeAll() } }
}
