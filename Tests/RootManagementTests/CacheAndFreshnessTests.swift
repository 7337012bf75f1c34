import BallotCodec
import ElectorCrypto
import Foundation
import RootManagement
import Testing
import TestSupport

/// The facts and key caches, GPF/GCCF refresh staleness, and reading trust stores written before component
/// validation existed.
@Suite struct CacheAndFreshnessTests {
    typealias C = CoerWorld

    static func vector(_ name: String) throws -> Certificate {
        try Certificate(coer: Fixtures.hexBytes("synthetic-camp-cert-\(name).hex"))
    }

    @Test func factsCacheAnswersWhatAFreshComputationAnswers() throws {
        let cache = CertificateFactsCache(capacity: 4)
        let elector = try Self.vector("elector1"), root = try Self.vector("root1")
        let first = CertificateAnalysis.facts(elector, cache: cache)
        let again = CertificateAnalysis.facts(elector, cache: cache)
        let independent = CertificateAnalysis.facts(elector, cache: CertificateFactsCache(capacity: 4))
        #expect(first == again && first == independent)
        #expect(cache.statistics.hits == 1 && cache.statistics.misses == 1)
        // Profile options are part of the key: root1 has no CRL permission.
        #expect(CertificateAnalysis.facts(root, cache: cache).role == .root)
        #expect(CertificateAnalysis.facts(root, options: ProfileOptions(requireRootCrlPermission: true), cache: cache).role == .other)
        #expect(cache.statistics.misses == 3)
        // Bounded: ten more certificates never make it hold more than its capacity.
        for index in 0..<10 { _ = CertificateAnalysis.facts(try C.elector("e\(index).test").certificate, cache: cache) }
        #expect(cache.statistics.entries <= 4 && cache.statistics.capacity == 4)
        // Shared-cache facts carry the issue permissions the chain rules need.
        #expect(CertificateAnalysis.facts(root).certIssuePermissions
                == [IssuePermission(subjects: .all, minChainLength: 2, chainLengthRange: 0, app: true, enrol: true)])
        #expect(CertificateAnalysis.facts(elector).certIssuePermissions == [])
    }

    @Test func factsCacheUnderConcurrentUse() async throws {
        let cache = CertificateFactsCache(capacity: 16)
        let certificates = try (0..<6).map { try C.elector("c\($0).test").certificate }
        let expected = certificates.map { CertificateAnalysis.facts($0, cache: CertificateFactsCache(capacity: 8)) }
        let results = await withTaskGroup(of: [CertificateFacts].self) { group in
            for _ in 0..<8 {
                group.addTask { certificates.map { CertificateAnalysis.facts($0, cache: cache) } }
            }
            var all: [[CertificateFacts]] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 8 && results.allSatisfy { $0 == expected })
        #expect(cache.statistics.hits + cache.statistics.misses == 48 && cache.statistics.misses >= 6)
    }

    @Test func keyCacheRemembersKeysAndNonKeys() throws {
        let keys = PublicKeyCache(capacity: 8)
        let key = try PrivateKey.generate()
        let digest = Digest.sha256(Array("key cache".utf8))
        let (r, s) = try key.signature(forDigest: digest)
        let imported = try #require(keys.p256(compressed: key.publicKey.compressedRepresentation))
        #expect(imported.isValidSignature(r: r, s: s, digest: digest))
        #expect(keys.p256(compressed: key.publicKey.compressedRepresentation) == imported)
        // x = 2^256 - 1 is not a field element, so no key: remembered as such.
        let junk: [UInt8] = [0x02] + Array(repeating: 0xff, count: 32)
        let firstAnswer = keys.p256(compressed: junk)
        #expect(firstAnswer == nil)
        #expect(keys.p256(compressed: junk) == nil)
        #expect(keys.statistics.hits == 2 && keys.statistics.misses == 2)
        // The verifier through a private cache gives the same answers as through the shared one.
        let signer = try C.elector("signer.test", key: key)
        let material = SignatureMaterial(dataHash: Digest.sha256([1, 2, 3]), r: [], s: [])
        #expect(!CryptoSignatureVerifier(keys: keys).isValid(material, signer: signer.facts))
        let data = Digest.sha256([1, 2, 3])
        let (r2, s2) = try key.signature(forDigest: Digest.sha256(data + signer.id.bytes))
        let good = SignatureMaterial(dataHash: data, r: r2, s: s2)
        #expect(CryptoSignatureVerifier(keys: keys).isValid(good, signer: signer.facts))
        #expect(CryptoSignatureVerifier().isValid(good, signer: signer.facts))
    }

    @Test func refreshStaleness() {
        let never = RefreshSchedule.status(lastRefresh: nil, at: 5_000)
        #expect(never.state == .overdue && never.deadline == nil && never.overdueBy == nil)
        let fresh = RefreshSchedule.status(lastRefresh: 1_000, at: 1_000)
        #expect(fresh.state == .fresh && fresh.deadline == 4_600 && fresh.remaining == 3_600 && fresh.overdueBy == 0)
        #expect(RefreshSchedule.status(lastRefresh: 1_000, at: 4_599).remaining == 1)
        let due = RefreshSchedule.status(lastRefresh: 1_000, at: 4_600)
        #expect(due.state == .overdue && due.overdueBy == 0 && due.remaining == 0)
        #expect(RefreshSchedule.status(lastRefresh: 1_000, at: 5_000).overdueBy == 400)
        // A clock behind the last refresh is still fresh.
        #expect(RefreshSchedule.status(lastRefresh: 1_000, at: 900).state == .fresh)
        let huge = RefreshSchedule.status(lastRefresh: UInt32.max, interval: UInt64.max, at: UInt32.max)
        #expect(huge.state == .fresh && huge.deadline == UInt64.max)

        // The GPF's temporal series: 30 minutes, then 2 hours from Time32 10 000 on.
        var gpf = GlobalPolicyData()
        gpf.maxGpfGccfRetrievalInterval = TemporalSeries(initial: .minutes(30), intervals: [
            .init(startTime: Time64(Time32(10_000)), value: .hours(2)),
        ])
        #expect(RefreshSchedule.maxRetrievalInterval(gpf, at: 9_999) == 1_800)
        #expect(RefreshSchedule.maxRetrievalInterval(gpf, at: 10_000) == 7_200)
        #expect(RefreshSchedule.maxRetrievalInterval(nil, at: 10_000) == 3_600)
        #expect(RefreshSchedule.maxRetrievalInterval(GlobalPolicyData(), at: 10_000) == 3_600)
        let early = RefreshSchedule.status(lastRefresh: 100, gpf: gpf, at: 2_000)
        #expect(early.state == .overdue && early.deadline == 1_900 && early.overdueBy == 100)
        let late = RefreshSchedule.status(lastRefresh: 9_000, gpf: gpf, at: 10_500)
        #expect(late.state == .fresh && late.deadline == 16_200 && late.interval == 7_200)
    }

    /// A state written before `trustedComponents` and `certIssuePermissions` existed still loads, and its root
    /// anchor (without recorded permissions) takes them from the identical root certificate the LCCF carries.
    @Test func oldTrustStoresLoadAndStillValidateComponents() throws {
        let root = try Certificate(coer: Fixtures.hexBytes("tta-rootca-selfsigned-cert.hex"))
        let state = RelyingPartyState(policy: TrustPolicy(quorum: 1), electorAnchors: [],
                                      rootAnchors: [CertificateAnalysis.facts(root)])
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(state)) as? [String: Any])
        json["trustedComponents"] = nil
        var anchors = try #require(json["rootAnchors"] as? [[String: Any]])
        for index in anchors.indices { anchors[index]["certIssuePermissions"] = nil }
        json["rootAnchors"] = anchors
        let old = try JSONDecoder().decode(RelyingPartyState.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.trustedComponents == nil && old.rootAnchors.first?.certIssuePermissions == nil)
        let update = try RootManagementCommands.verifyChainFile(try Fixtures.hexBytes("tta-lccf-scmsfile-no-electors.hex"),
                                                                state: old, time: 600_000_000).get()
        #expect(update.warnings.isEmpty && update.components.allSatisfy { $0.trusted })
        // Round trip of the new state, components included.
        let again = try JSONDecoder().decode(RelyingPartyState.self, from: JSONEncoder().encode(update.state))
        #expect(again == update.state && again.trustedComponents?.count == 4)
    }
}
