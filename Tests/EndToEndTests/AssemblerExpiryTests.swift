import BallotCodec
import ElectorCrypto
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Testing
import TestSupport

/// gccf-assembler and expiry-watcher as processes against a real scms-devbroker process. Inputs are produced as the
/// upstream services would write them (ValidatedBallot, ExpiryEvent, signed GPF records built from fresh keys).
@Suite(.serialized)
struct AssemblerExpiryTests {
    // MARK: - Material

    /// Three anchor electors, a PG, an MA certificate, written to files under `work`.
    struct Setup {
        let work: URL
        let anchors: [IV.Party]
        let pg: IV.Party
        let ma: Certificate
        let anchorsDirectory: String
        let pgPath: String
        let maPath: String
        let outDirectory: String

        init() throws {
            work = try IV.temporaryDirectory()
            anchors = try (1...3).map { try IV.elector("anchor\($0).test") }
            pg = try IV.policyGenerator()
            let root = try IV.root("maroot.test")
            let maKey = try PrivateKey.generate()
            ma = try ElectorCeremony.maCertificate(name: "ma.test", key: maKey.publicKey, issuer: root.certificate,
                                                   issuerKey: root.key, start: Time32(IV.now - 3600),
                                                   duration: BallotCodec.Duration.years(3)).get()
            anchorsDirectory = try IV.anchorDirectory(anchors, in: work)
            pgPath = work.appendingPathComponent("pg.cert").path
            maPath = work.appendingPathComponent("ma.cert").path
            outDirectory = work.appendingPathComponent("gccf-out").path
            try Data(pg.certificate.coerEncoded).write(to: URL(fileURLWithPath: pgPath))
            try Data(ma.coerEncoded).write(to: URL(fileURLWithPath: maPath))
        }

        func assemblerArguments(_ broker: DevBrokerProcess, prefix: String, outDirectory: String? = nil) -> [String] {
            ["--bootstrap-servers", broker.bootstrapServers, "--topic-prefix", prefix, "--group-session-timeout", "3s",
             "--kafka-reconnect-backoff", "10ms", "--kafka-reconnect-backoff-max", "200ms",
             "--anchors", anchorsDirectory, "--ma-cert", maPath, "--pg-cert", pgPath, "--quorum", "2",
             "--publish-interval", "20ms"] + (outDirectory.map { ["--out-dir", $0] } ?? [])
        }
    }

    /// A party valid from `start` for `seconds`.
    static func shortLived(_ name: String, _ profile: SelfSignedProfile = .elector, start: UInt32,
                           seconds: UInt16) throws -> IV.Party {
        let key = try PrivateKey.generate()
        let certificate = try ElectorCeremony.selfSignedCertificate(profile, name: name, key: key, start: Time32(start),
                                                                    duration: BallotCodec.Duration.seconds(seconds)).get()
        return IV.Party(certificate: certificate, key: key)
    }

    /// The ValidatedBallot record the validator would write for `ballot` (processing time now).
    static func validated(_ ballot: ElectorBallot, _ type: EndorsementAction, topics: TopicNames,
                          at time: UInt32 = IV.now) -> OutgoingMessage {
        let signers = ballot.endorsements.compactMap { endorsement -> HashedId32? in
            guard case .certificate(let certificates)? = endorsement.signedData?.signer, let first = certificates.first else {
                return nil
            }
            return HashedId32(uncheckedBytes: Digest.sha256(first.coerEncoded))
        }.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
        let target = Digest.sha256(ballot.certificate.coerEncoded)
        let digest = Digest.sha256(ballot.coerEncoded)
        let record = ValidatedBallot(ballot: ballot, type: EndorsementType(rawValue: type.rawValue),
                                     targetHash: HashedId32(uncheckedBytes: target),
                                     ballotDigest: HashedId32(uncheckedBytes: digest), processingTime: Time32(time),
                                     quorum: 2, endorsers: signers)
        var headers: [KafkaHeader] = []
        headers.append(PipelineHeader.digest, Hex.encode(digest))
        headers.append(PipelineHeader.type, type.description)
        return OutgoingMessage(topic: topics.ballotsValidated, key: Array(Hex.encode(target).utf8),
                               value: record.coerEncoded, headers: headers)
    }

    /// An `expired` event for `party` (as the expiry watcher writes it).
    static func expired(_ party: IV.Party, topics: TopicNames) -> OutgoingMessage {
        let facts = CertificateAnalysis.facts(party.certificate)
        let end = UInt32(facts.validity.end)
        let event = ExpiryEvent(kind: .expired, certificateHash: HashedId32(uncheckedBytes: facts.id.bytes),
                                role: .elector, expiryTime: Time32(end), effectiveTime: Time32(end), leadSeconds: 0)
        var headers: [KafkaHeader] = []
        headers.append(PipelineHeader.kind, "expired")
        return OutgoingMessage(topic: topics.expiry, key: Array(facts.id.hex.utf8), value: event.coerEncoded,
                               headers: headers)
    }

    /// The GCCFs on the topic, decoded, in offset order.
    static func gccfs(_ broker: DevBrokerProcess, _ topics: TopicNames) async throws -> [(ConsumedMessage, GlobalCertificateChainFile)] {
        try await IV.readAll(broker, topic: topics.gccf).sorted { $0.offset < $1.offset }.compactMap { record in
            guard let value = record.value, let file = try? ScmsFile(coer: value),
                  let gccf = file.globalCertificateChainFile else { return nil }
            return (record, gccf)
        }
    }

    /// Waits for a GCCF satisfying `condition`.
    static func waitForGCCF(_ broker: DevBrokerProcess, _ topics: TopicNames, timeout: Swift.Duration = .seconds(30),
                            _ condition: (GlobalCertificateChainFile) -> Bool) async throws -> (ConsumedMessage, GlobalCertificateChainFile) {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let match = try await gccfs(broker, topics).last(where: { condition($0.1) }) { return match }
            guard ContinuousClock.now < deadline else {
                throw IV.Failure("no GCCF matched; versions on the topic: \(try await gccfs(broker, topics).map(\.1.version))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func targets(_ ballots: [ElectorBallot]) -> Set<String> { Set(ballots.map { Hex.encode(Digest.sha256($0.certificate.coerEncoded)) }) }

    /// Every version on the topic names one content, and versions only grow.
    static func checkVersions(_ files: [(ConsumedMessage, GlobalCertificateChainFile)]) {
        var byVersion: [UInt16: [UInt8]] = [:]
        var previous: UInt16 = 0
        for (record, gccf) in files {
            #expect(gccf.version > previous, "versions must grow: \(gccf.version) after \(previous)")
            previous = max(previous, gccf.version)
            let content = gccf.certStore.coerEncoded
            if let earlier = byVersion[gccf.version] { #expect(earlier == content, "version \(gccf.version) re-issued") }
            byVersion[gccf.version] = content
            #expect(record.headerText(PipelineHeader.gccfVersion) == String(gccf.version))
            #expect(record.headerText(PipelineHeader.contentDigest) == Hex.encode(Digest.sha256(record.value ?? [])))
            #expect(record.keyText == "gccf")
        }
    }

    /// The GCCF a fresh fold of the topics' inputs (canonical order, no faults, nothing published before) gives.
    static func referenceGCCF(_ broker: DevBrokerProcess, _ topics: TopicNames, setup: Setup) async throws -> GCCFPublication? {
        var streams: [AssemblerSource: [AssemblerInput]] = [:]
        var signatures = SignatureResolver.crypto()
        for record in try await IV.readAll(broker, topic: topics.ballotsValidated) {
            guard let value = record.value, let validated = try? ValidatedBallot(coer: value),
                  let input = AssemblerInput.validated(validated, offset: record.offset, signatures: &signatures) else { continue }
            streams[.validated, default: []].append(input)
        }
        for record in try await IV.readAll(broker, topic: topics.expiry) {
            guard let value = record.value, let event = try? ExpiryEvent(coer: value) else { continue }
            streams[.expiry, default: []].append(.expiry(event, offset: record.offset))
        }
        for record in try await IV.readAll(broker, topic: topics.policy) {
            guard let value = record.value, case .success(let verified) = PolicyDocuments.verify(value, pgCertificate: setup.pg.certificate)
            else { continue }
            streams[.policy, default: []].append(.policy(verified, offset: record.offset))
        }
        for source in streams.keys { streams[source]?.sort { $0.offset < $1.offset } }
        var state = AssemblerState(configuration: AssemblerConfiguration(
            policy: TrustPolicy(quorum: 2), electorAnchors: setup.anchors.map { CertificateAnalysis.facts($0.certificate) },
            maCertificate: setup.ma), signatures: signatures)
        for input in AssemblerOrder.merge(streams, key: \.orderKey) { _ = state.apply(input) }
        if case .publish(let publication) = state.preparePublication() { return publication }
        return nil
    }

    // MARK: - Tests

    @Test("versions, contents and the four drop conditions; out-dir files; kill -9 mid-stream and restart give the fault-free bytes")
    func assemblerPublishesAndSurvivesKill() async throws {
        let setup = try Setup()
        defer { if ProcessInfo.processInfo.environment["KEEP_WORK"] == nil { try? FileManager.default.removeItem(at: setup.work) } else { print("WORK \(setup.work.path)") } }
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let prefix = "a1."
        let topics = TopicNames(prefix: prefix)
        try await IV.createTopics(broker, prefix: prefix)
        let now = IV.now
        let anchors = setup.anchors

        var assembler = try IV.ServiceProcess.start("gccf-assembler", name: "assembler", directory: setup.work,
                                                    arguments: setup.assemblerArguments(broker, prefix: prefix,
                                                                                        outDirectory: setup.outDirectory))
        // An elector endorsed by two anchors, an elector expiring in ten seconds, a root endorsed by all three.
        let e4 = try IV.elector("e4.test")
        let e5 = try Self.shortLived("e5.test", start: now - 3600, seconds: 3610)
        let r1 = try IV.root("r1.test")
        try await IV.produce(broker, [
            Self.validated(try IV.ballot(e4.certificate, by: Array(anchors.prefix(2))), .addElector, topics: topics),
            Self.validated(try IV.ballot(e5.certificate, by: anchors), .addElector, topics: topics),
            Self.validated(try IV.ballot(r1.certificate, .addRoot, by: anchors), .addRoot, topics: topics),
        ])
        let (firstRecord, first) = try await Self.waitForGCCF(broker, topics) {
            $0.certStore.electorEndorsements.count == 2 && $0.certStore.rootCAEndorsements.count == 1
        }
        #expect(Self.targets(first.certStore.electorEndorsements) == [e4.id, e5.id])
        #expect(Self.targets(first.certStore.rootCAEndorsements) == [r1.id])
        #expect(first.certStore.maCertificate == setup.ma)
        let latest = try Data(contentsOf: URL(fileURLWithPath: setup.outDirectory + "/gccf-latest.coer"))
        let numbered = try Data(contentsOf: URL(fileURLWithPath: setup.outDirectory + "/gccf-\(first.version).coer"))
        #expect(Array(numbered) == firstRecord.value)
        #expect(try ScmsFile(coer: Array(latest)).globalCertificateChainFile?.version ?? 0 >= first.version)

        // 1. Target expiry: the expiry event's time drops e5.
        try await IV.produce(broker, [Self.expired(e5, topics: topics)])
        let (_, afterExpiry) = try await Self.waitForGCCF(broker, topics) { $0.version > first.version
            && Self.targets($0.certStore.electorEndorsements) == [e4.id] }
        // 2. Quorum raise by a signed GPF: e4 (two endorsers) drops, r1 (three) stays.
        try await IV.produce(broker, [OutgoingMessage(topic: topics.policy, key: Array("gpf".utf8),
                                                      value: try IV.gpf(quorum: 3, pg: setup.pg, generatedSecondsAgo: 0))])
        let (_, afterQuorum) = try await Self.waitForGCCF(broker, topics) { $0.version > afterExpiry.version
            && $0.certStore.electorEndorsements.isEmpty && $0.certStore.rootCAEndorsements.count == 1 }
        // 3. Removal ballot: r1 drops.
        try await IV.produce(broker, [
            Self.validated(try IV.ballot(r1.certificate, .removeRoot, by: anchors), .removeRoot, topics: topics, at: now + 30),
        ])
        let (_, afterRemoval) = try await Self.waitForGCCF(broker, topics) { $0.version > afterQuorum.version
            && $0.certStore.rootCAEndorsements.isEmpty }
        #expect(afterRemoval.version > afterQuorum.version)
        try await assembler.waitForLog("GCCF published", count: 4)
        let metrics = try assembler.get("/metrics")
        #expect(IV.metric(metrics, "scms_assembler_active") == 1)
        #expect(IV.metric(metrics, "scms_assembler_published_version") == Double(afterRemoval.version))
        #expect(IV.metric(metrics, "scms_assembler_quorum") == 3)

        // 4. A stream of root ballots (three endorsers each); kill -9 in the middle of it, restart.
        let roots = try (0..<24).map { try IV.root("burst\($0).test") }
        var burst: [OutgoingMessage] = []
        for (index, root) in roots.enumerated() {
            burst.append(Self.validated(try IV.ballot(root.certificate, .addRoot, by: anchors), .addRoot, topics: topics,
                                        at: now + 40 + UInt32(index / 4)))
        }
        try await IV.produce(broker, Array(burst.prefix(12)))
        _ = try await Self.waitForGCCF(broker, topics) { $0.certStore.rootCAEndorsements.count >= 4 }
        await assembler.kill9()
        try await IV.produce(broker, Array(burst.suffix(12)))
        assembler = try IV.ServiceProcess.start("gccf-assembler", name: "assembler", directory: setup.work,
                                                arguments: setup.assemblerArguments(broker, prefix: prefix,
                                                                                    outDirectory: setup.outDirectory))
        let (finalRecord, final) = try await Self.waitForGCCF(broker, topics, timeout: .seconds(40)) {
            $0.certStore.rootCAEndorsements.count == roots.count
        }
        let reference = try #require(try await Self.referenceGCCF(broker, topics, setup: setup))
        #expect(finalRecord.value == reference.bytes, "final GCCF v\(final.version) differs from the fault-free fold v\(reference.version)")
        #expect(final.version == reference.version)
        Self.checkVersions(try await Self.gccfs(broker, topics))
        #expect(await assembler.terminate() == 0)
        #expect(assembler.logLines("rebuilt").count >= 1)
    }

    @Test("an input out of canonical order is folded again from the topics; superseded ballots are forgotten, not lost")
    func outOfOrderInputRefoldsFromTheTopics() async throws {
        let setup = try Setup()
        defer { try? FileManager.default.removeItem(at: setup.work) }
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let prefix = "a3."
        let topics = TopicNames(prefix: prefix)
        try await IV.createTopics(broker, prefix: prefix)
        let now = IV.now
        let anchors = setup.anchors
        let assembler = try IV.ServiceProcess.start("gccf-assembler", name: "assembler", directory: setup.work,
                                                    arguments: setup.assemblerArguments(broker, prefix: prefix))
        // Two ballots for one root by the same two anchors (one supersedes the other), one by all three for another.
        let r1 = try IV.root("r1.refold.test"), r2 = try IV.root("r2.refold.test")
        let pair = Array(anchors.prefix(2))
        let competing = [try IV.ballot(r1.certificate, .addRoot, by: pair), try IV.ballot(r1.certificate, .addRoot, by: pair)]
        try await IV.produce(broker, [
            Self.validated(competing[0], .addRoot, topics: topics, at: now + 10),
            Self.validated(competing[1], .addRoot, topics: topics, at: now + 20),
            Self.validated(try IV.ballot(r2.certificate, .addRoot, by: anchors), .addRoot, topics: topics, at: now + 20),
        ])
        _ = try await Self.waitForGCCF(broker, topics) { $0.certStore.rootCAEndorsements.count == 2 }
        // An expiry event recorded before the ballots: it merges before them, so everything is folded again.
        let early = try Self.shortLived("early.refold.test", start: now - 3600, seconds: 3605)
        try await IV.produce(broker, [Self.expired(early, topics: topics)])
        try await assembler.waitForLog("input out of canonical order: folded again from the start", timeout: .seconds(30))
        try await assembler.waitForLog("GCCF published", count: 1)
        // A last ballot after the re-fold, so the live fold goes on from the re-folded state.
        let r3 = try IV.root("r3.refold.test")
        try await IV.produce(broker, [
            Self.validated(try IV.ballot(r3.certificate, .addRoot, by: pair), .addRoot, topics: topics, at: now + 30),
        ])
        let (finalRecord, final) = try await Self.waitForGCCF(broker, topics) { $0.certStore.rootCAEndorsements.count == 3 }
        let reference = try #require(try await Self.referenceGCCF(broker, topics, setup: setup))
        #expect(finalRecord.value == reference.bytes, "v\(final.version) differs from the fold of the topics v\(reference.version)")
        let metrics = try assembler.get("/metrics")
        #expect(IV.metric(metrics, "scms_assembler_refolds_total") == 1)
        #expect(IV.metric(metrics, "scms_assembler_ballots") == 4, "every distinct ballot folded once")
        #expect(IV.metric(metrics, "scms_assembler_held_ballots") == 3, "the superseded one is not held")
        #expect(IV.metric(metrics, "scms_assembler_superseded_ballots") == 1)
        #expect(await assembler.terminate() == 0)
    }

    @Test("a standby takes over when the active is SIGTERMed or killed and continues the numbering")
    func standbyTakesOver() async throws {
        let setup = try Setup()
        defer { if ProcessInfo.processInfo.environment["KEEP_WORK"] == nil { try? FileManager.default.removeItem(at: setup.work) } else { print("WORK \(setup.work.path)") } }
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let prefix = "a2."
        let topics = TopicNames(prefix: prefix)
        try await IV.createTopics(broker, prefix: prefix)
        let arguments = setup.assemblerArguments(broker, prefix: prefix)
        var one = try IV.ServiceProcess.start("gccf-assembler", name: "one", directory: setup.work, arguments: arguments)
        var two = try IV.ServiceProcess.start("gccf-assembler", name: "two", directory: setup.work, arguments: arguments)

        func activeOne() async throws -> (active: IV.ServiceProcess, standby: IV.ServiceProcess) {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let a = (try? one.get("/metrics")).flatMap { IV.metric($0, "scms_assembler_active") }
                let b = (try? two.get("/metrics")).flatMap { IV.metric($0, "scms_assembler_active") }
                if a == 1 && b == 0 { return (one, two) }
                if b == 1 && a == 0 { return (two, one) }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw IV.Failure("no single active assembler:\n\(one.log.suffix(1500))\n\(two.log.suffix(1500))")
        }
        func ballot(_ name: String) throws -> OutgoingMessage {
            Self.validated(try IV.ballot(try IV.root(name).certificate, .addRoot, by: setup.anchors), .addRoot, topics: topics)
        }

        var (active, standby) = try await activeOne()
        try await IV.produce(broker, [try ballot("x1.test")])
        let (_, v1) = try await Self.waitForGCCF(broker, topics) { $0.certStore.rootCAEndorsements.count == 1 }

        // SIGTERM the active: the standby takes over and numbers the next change after it.
        #expect(await active.terminate() == 0)
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? standby.get("/metrics")).flatMap({ IV.metric($0, "scms_assembler_active") }) != 1 {
            guard ContinuousClock.now < deadline else { throw IV.Failure("standby did not take over:\n\(standby.log.suffix(2000))") }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await IV.produce(broker, [try ballot("x2.test")])
        let (_, v2) = try await Self.waitForGCCF(broker, topics) { $0.certStore.rootCAEndorsements.count == 2 }
        #expect(v2.version == v1.version + 1)

        // The stopped one comes back as a standby; kill -9 the active: the other takes over after the session timeout.
        if active === one {
            one = try IV.ServiceProcess.start("gccf-assembler", name: "one", directory: setup.work, arguments: arguments)
        } else {
            two = try IV.ServiceProcess.start("gccf-assembler", name: "two", directory: setup.work, arguments: arguments)
        }
        (active, standby) = try await activeOne()
        await active.kill9()
        try await IV.produce(broker, [try ballot("x3.test")])
        let (_, v3) = try await Self.waitForGCCF(broker, topics, timeout: .seconds(40)) {
            $0.certStore.rootCAEndorsements.count == 3
        }
        #expect(v3.version == v2.version + 1)
        Self.checkVersions(try await Self.gccfs(broker, topics))
        #expect(await standby.terminate() == 0)
    }

    @Test("the expiry watcher emits expiringSoon and expired at their moments, catches up after downtime, never twice")
    func expiryWatcherEmitsOnce() async throws {
        let setup = try Setup()
        defer { if ProcessInfo.processInfo.environment["KEEP_WORK"] == nil { try? FileManager.default.removeItem(at: setup.work) } else { print("WORK \(setup.work.path)") } }
        let broker = try await DevBrokerProcess.start()
        defer { Task { await broker.stop() } }
        let prefix = "w1."
        let topics = TopicNames(prefix: prefix)
        try await IV.createTopics(broker, prefix: prefix)
        let now = IV.now
        // A GCCF whose elector ballot targets a certificate expiring 8 s from now.
        let short = try Self.shortLived("short.test", start: now - 10, seconds: 18)
        let ballot = try IV.ballot(short.certificate, by: Array(setup.anchors.prefix(2)))
        let gccf = ScmsFile(content: .certChain(.globalCertificateChainFile(GlobalCertificateChainFile(
            version: 1, certStore: CertificateStore(rootCAEndorsements: [], electorEndorsements: [ballot],
                                                    maCertificate: setup.ma, certs: [])))))
        try await IV.produce(broker, [OutgoingMessage(topic: topics.gccf, key: Array("gccf".utf8), value: gccf.coerEncoded)])
        let arguments = ["--bootstrap-servers", broker.bootstrapServers, "--topic-prefix", prefix,
                         "--anchors", setup.anchorsDirectory, "--lead-times", "4s,1y"]
        let expiryAt = now + 8
        func events() async throws -> [(ConsumedMessage, ExpiryEvent)] {
            try await IV.readAll(broker, topic: topics.expiry).sorted { $0.offset < $1.offset }.compactMap { record in
                record.value.flatMap { try? ExpiryEvent(coer: $0) }.map { (record, $0) }
            }
        }
        func forShort(_ all: [(ConsumedMessage, ExpiryEvent)]) -> [(ConsumedMessage, ExpiryEvent)] {
            all.filter { Hex.encode($0.1.certificateHash.bytes) == short.id }
        }

        var watcher = try IV.ServiceProcess.start("expiry-watcher", name: "watcher", directory: setup.work, arguments: arguments)
        // The anchors (5 years) are inside the 1y lead? No: 5 years out, so nothing for them; the short one gets its
        // 1y stage at once (its moment passed before it was known), then 4s before expiry.
        let soon = try await IV.waitForRecords(broker, topic: topics.expiry, timeout: .seconds(20)) { records in
            records.contains { $0.value.flatMap { try? ExpiryEvent(coer: $0) }.map { $0.leadSeconds == 4 } ?? false }
        }
        #expect(!soon.isEmpty)
        let afterSoon = forShort(try await events())
        #expect(afterSoon.map(\.1.leadSeconds) == [31_556_952, 4])
        let leadEvent = try #require(afterSoon.last)
        #expect(leadEvent.1.kind == .expiringSoon)
        #expect(leadEvent.1.effectiveTime.seconds == expiryAt - 4)
        #expect(leadEvent.1.expiryTime.seconds == expiryAt)
        #expect(leadEvent.0.headerText(PipelineHeader.kind) == "expiringSoon")
        #expect(leadEvent.0.keyText == short.id)
        // Emitted at the moment, not before (record timestamps are the producer's wall clock).
        let unixMoment = Time32Conversion().unixSeconds(fromTime32: expiryAt - 4)
        #expect((leadEvent.0.timestamp?.milliseconds ?? 0) >= unixMoment * 1000)

        // Down across the expiry moment: the restarted watcher emits `expired` at start, once.
        #expect(await watcher.terminate() == 0)
        while IV.now <= expiryAt { try await Task.sleep(for: .milliseconds(200)) }
        watcher = try IV.ServiceProcess.start("expiry-watcher", name: "watcher", directory: setup.work, arguments: arguments)
        _ = try await IV.waitForRecords(broker, topic: topics.expiry, timeout: .seconds(20)) { records in
            records.contains { $0.value.flatMap { try? ExpiryEvent(coer: $0) }.map { $0.kind == .expired } ?? false }
        }
        let afterExpired = forShort(try await events())
        #expect(afterExpired.map(\.1.kind.description) == ["expiringSoon", "expiringSoon", "expired"])
        #expect(afterExpired.last?.1.effectiveTime.seconds == expiryAt)

        // Another restart: nothing new.
        #expect(await watcher.terminate() == 0)
        watcher = try IV.ServiceProcess.start("expiry-watcher", name: "watcher", directory: setup.work, arguments: arguments)
        try await watcher.waitForLog("trust view caught up with scms.gccf")
        try await Task.sleep(for: .seconds(1.5))
        #expect(forShort(try await events()).count == 3)
        #expect(try await events().count == 3, "only the short-lived certificate is within a lead time")
        let metrics = try watcher.get("/metrics")
        #expect(IV.metric(metrics, "scms_expiry_watched_certificates") == 4)
        #expect(await watcher.terminate() == 0)
    }
}
