import BallotCodec
import ElectorCrypto
import Foundation
import RootManagement

/// `rules`: the cost of one trust event (new ballot, expiry, quorum change, removal) and of a GCCF build with
/// 1,000 / 5,000 / 10,000 active ballots, with the number of signature verifications events ran (expected 0).
/// References, measured in the same run: one ECDSA P-256 verification (events should cost less than re-verifying
/// even one signature) and, for the build, re-verifying every signature of the file. Also: analysing one ballot
/// with 3 endorsements by known electors (fresh target and key each time), with warm and with cleared certificate
/// facts / public key caches, against the 3 verifications it cannot avoid.
enum RulesSuite {
    static let t0: UInt32 = 600_000_000
    static let year: UInt32 = 31_556_952
    static let sizes = [1_000, 5_000, 10_000]

    struct Party {
        let key: PrivateKey
        let certificate: Certificate
    }

    static func elector(_ name: String, key: PrivateKey, start: UInt32 = t0, years: UInt16 = 12) throws -> Party {
        let tbs = CertificateSigning.electorTemplate(name: name, key: key.publicKey, start: Time32(start), years: years)
        return Party(key: key, certificate: try CertificateSigning.selfSigned(tbs, key: key))
    }

    static func ballot(_ target: Certificate, _ type: EndorsementType = .addElector, by signers: [Party],
                       at time: UInt32 = t0 + 1_000) throws -> ElectorBallot {
        let tbs = TbsElectorEndorsement(type: type, certificateHash: HashedId32(uncheckedBytes: Digest.sha256(target.coerEncoded)),
                                        generationTime: Time32(time))
        return ElectorBallot(certificate: target, endorsements: try signers.map {
            try EndorsementSigning.endorse(tbs, signer: $0.certificate, key: $0.key)
        })
    }

    static func run(_ report: inout BenchReport) throws {
        // One verification, the yardstick.
        let probeKey = try PrivateKey.generate()
        let digest = Digest.sha256(Array("rules".utf8))
        let (r, s) = try probeKey.signature(forDigest: digest)
        let verifySeconds = measure(repeat: 2_000) { _ in _ = probeKey.publicKey.isValidSignature(r: r, s: s, digest: digest) }
        try ballotAnalysis(&report)

        // 5 anchors (12 years), 50 hub electors (admitted by anchors, staggered 6-year validity) that co-endorse
        // 10% of the ballots, every target a distinct self-signed elector certificate (one shared key: targets never sign).
        let anchors = try (0..<5).map { try elector("anchor\($0).bench", key: try PrivateKey.generate()) }
        let hubs = try (0..<50).map {
            try elector("hub\($0).bench", key: try PrivateKey.generate(), start: t0 - UInt32($0) * 100, years: 6)
        }
        let targetKey = try PrivateKey.generate()
        let maximum = sizes.max() ?? 0
        var ballots: [ElectorBallot] = hubs.map { _ in ElectorBallot(certificate: anchors[0].certificate, endorsements: []) }
        for (index, hub) in hubs.enumerated() { ballots[index] = try ballot(hub.certificate, by: Array(anchors.prefix(3))) }
        for index in 0..<maximum {
            let target = try elector("target\(index).bench", key: targetKey).certificate
            let signers: [Party]
            if index % 10 == 0 { signers = [hubs[(index / 10) % hubs.count], anchors[index % 5]] }
            else if index % 100 == 1 { signers = [anchors[0], anchors[1]] }
            else { signers = [anchors[index % 5], anchors[(index + 1) % 5], anchors[(index + 2) % 5]] }
            ballots.append(try ballot(target, by: signers))
        }
        let policy = TrustPolicy(quorum: 2, maxElectors: 20_000)
        // The GCCF's MA, issued by a root anchor (the builder refuses an MA that does not chain).
        let rootKey = try PrivateKey.generate()
        var rootTBS = CertificateSigning.rootTemplate(name: "root.bench", key: rootKey.publicKey, start: Time32(t0))
        rootTBS.certIssuePermissions = ElectorCeremony.rootIssuePermissions
        let root = Party(key: rootKey, certificate: try CertificateSigning.selfSigned(rootTBS, key: rootKey))
        let maCertificate = try CertificateSigning.issued(
            CertificateSigning.maTemplate(name: "ma.bench", key: try PrivateKey.generate().publicKey,
                                          issuer: root.certificate, start: Time32(t0), duration: .years(17)),
            issuer: root.certificate, issuerKey: rootKey)

        for size in sizes {
            var signatures = SignatureResolver.crypto()
            let pool = Array(ballots.prefix(hubs.count + size))
            var analyzed: [AnalyzedBallot] = []
            var byID: [BallotID: ElectorBallot] = [:]
            let analysisSeconds = time {
                for ballot in pool {
                    let facts = BallotAnalysis.analyze(ballot, signatures: &signatures)
                    analyzed.append(facts)
                    byID[facts.id] = ballot
                }
            }
            let primed = signatures.verifications
            // Ballots for the events, analyzed (and their signatures verified) ahead, as intake does.
            var newBallots: [AnalyzedBallot] = []
            for index in 0..<50 {
                let target = try elector("new\(size)-\(index).bench", key: targetKey).certificate
                let ballot = try ballot(target, by: Array(anchors.suffix(3)))
                let facts = BallotAnalysis.analyze(ballot, signatures: &signatures)
                newBallots.append(facts)
                byID[facts.id] = ballot
            }
            let removals = try (0..<10).map { index in
                BallotAnalysis.analyze(try ballot(hubs[index].certificate, .removeElector, by: Array(anchors.prefix(3)),
                                                  at: t0 + 1_500), signatures: &signatures)
            }
            var engine = TrustEngine(policy: policy, time: t0 + 2_000,
                                     electorAnchors: anchors.map { CertificateAnalysis.facts($0.certificate) },
                                     rootAnchors: [CertificateAnalysis.facts(root.certificate)],
                                     signatures: signatures)
            for facts in analyzed { _ = engine.add(facts, as: .addElector) }
            let label = "\(size / 1000)k"
            var eventVerifications = 0

            var perEvent: [Double] = []
            for facts in newBallots {
                var report: EventReport?
                perEvent.append(time { report = engine.add(facts, as: .addElector) })
                eventVerifications += report?.signatureVerifications ?? 0
            }
            record(&report, "rules \(label) event: new ballot", perEvent, verifySeconds)

            // Quorum change: 2 → 3 drops the 1% endorsed by two anchors (and the hub-endorsed ballots), 3 → 2 restores.
            perEvent = []
            var quorumAssessments = 0
            for _ in 0..<5 {
                var up: EventReport?, down: EventReport?
                perEvent.append(time { up = try? engine.setQuorum(3) })
                perEvent.append(time { down = try? engine.setQuorum(2) })
                eventVerifications += (up?.signatureVerifications ?? 0) + (down?.signatureVerifications ?? 0)
                quorumAssessments += (up?.assessments ?? 0) + (down?.assessments ?? 0)
            }
            report.record(metric: "rules \(label) ballots re-assessed per quorum change", value: Double(quorumAssessments) / 10,
                          unit: "ballots")
            record(&report, "rules \(label) event: quorum change", perEvent, verifySeconds)

            // Removal: a removeElector ballot for one hub (its co-endorsed ballots drop with it).
            perEvent = []
            for facts in removals {
                var result: EventReport?
                perEvent.append(time { result = engine.add(facts, as: .removeElector) })
                eventVerifications += result?.signatureVerifications ?? 0
            }
            record(&report, "rules \(label) event: removal", perEvent, verifySeconds)

            // Expiry: each hub expires at its own second; advance one hub at a time.
            perEvent = []
            var expiryAssessments = 0
            for index in (10..<30).reversed() {
                let step = UInt32(CertificateAnalysis.facts(hubs[index].certificate).validity.end)
                var result: EventReport?
                perEvent.append(time { result = try? engine.advance(to: step) })
                eventVerifications += result?.signatureVerifications ?? 0
                expiryAssessments += result?.assessments ?? 0
            }
            report.record(metric: "rules \(label) ballots re-assessed per expiry", value: Double(expiryAssessments) / 20,
                          unit: "ballots")
            record(&report, "rules \(label) event: expiry", perEvent, verifySeconds)
            report.record(metric: "rules \(label) signature verifications in events", value: Double(eventVerifications),
                          unit: "count", ceiling: 0)

            // GCCF build (fixpoint from scratch over the cached facts, selection, COER encoding).
            var build: GCCFBuild?
            let buildSeconds = time {
                build = try? GCCFBuilder.build(engine: engine, ballots: byID, maCertificate: maCertificate,
                                               certificates: [], previous: nil).get()
            }
            let reverify = Double(primed) * verifySeconds
            report.record(metric: "rules \(label) GCCF build (\(build?.selection.electorBallots.count ?? 0) ballots, \((build?.bytes.count ?? 0) / 1024) KiB)",
                          value: buildSeconds * 1000, unit: "ms", reference: reverify * 1000,
                          referenceLabel: "re-verify \(primed) signatures")
            report.record(metric: "rules \(label) ballot analysis (once per ballot)", value: analysisSeconds / Double(pool.count) * 1e6,
                          unit: "µs/ballot")
        }
    }

    /// One ballot with 3 endorsements (embedded signer certificates of 5 known electors) for a fresh target with its
    /// own key, analysed with warm caches and with both caches cleared before the ballot. Each sample is timed right
    /// after 3 reference verifications, so the ratio holds on a busy machine.
    static func ballotAnalysis(_ report: inout BenchReport) throws {
        let probe = try PrivateKey.generate()
        let digest = Digest.sha256(Array("ballot analysis".utf8))
        let (r, s) = try probe.signature(forDigest: digest)
        let electors = try (0..<5).map { try elector("signer\($0).bench", key: try PrivateKey.generate()) }
        let ballots = try (0..<400).map { index in
            try ballot(try elector("fresh\(index).bench", key: try PrivateKey.generate()).certificate,
                       by: [electors[index % 5], electors[(index + 1) % 5], electors[(index + 2) % 5]])
        }
        for ballot in ballots.prefix(5) {   // warm the signer certificates and keys
            var signatures = SignatureResolver.crypto()
            _ = BallotAnalysis.analyze(ballot, signatures: &signatures)
        }
        var warm: [Double] = [], cold: [Double] = [], reference: [Double] = []
        for (index, ballot) in ballots.enumerated() {
            var signatures = SignatureResolver.crypto()
            reference.append(time { for _ in 0..<3 { _ = probe.publicKey.isValidSignature(r: r, s: s, digest: digest) } })
            if index % 2 == 0 {
                warm.append(time { _ = BallotAnalysis.analyze(ballot, signatures: &signatures) })
            } else {
                CertificateFactsCache.shared.removeAll()
                PublicKeyCache.shared.removeAll()
                cold.append(time { _ = BallotAnalysis.analyze(ballot, signatures: &signatures) })
            }
        }
        func median(_ samples: [Double]) -> Double { samples.sorted()[samples.count / 2] }
        for (metric, samples) in [("rules ballot analysis per ballot (3 endorsements)", warm),
                                  ("rules ballot analysis, cold caches (3 endorsements)", cold)] {
            report.record(metric: metric, value: median(samples) * 1e6, unit: "µs", reference: median(reference) * 1e6,
                          referenceLabel: "3 P-256 verifies")
        }
    }

    static func record(_ report: inout BenchReport, _ metric: String, _ samples: [Double], _ verifySeconds: Double) {
        let sorted = samples.sorted()
        let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        report.record(metric: metric + " (median of \(samples.count))", value: median * 1e6, unit: "µs",
                      reference: verifySeconds * 1e6, referenceLabel: "1 P-256 verify")
    }

    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func measure(repeat count: Int, _ body: (Int) -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<count { body(index) }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(count)
    }
}
