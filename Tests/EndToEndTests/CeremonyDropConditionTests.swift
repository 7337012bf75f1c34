import BallotCodec
import ElectorCrypto
import Foundation
import RootManagement
import ServiceKit
import Testing

/// The Add Elector ceremony through Kafka and the seed's four drop conditions, end to end on one dev stack:
/// ballots submitted with `electorctl submit`, verdicts, GCCFs from the assembler, a relying party following them with
/// `electorctl gccf follow`, then a removal ballot, the expiry of a target and of endorsers, and a quorum raise by a
/// signed GPF — each ending with a GCCF without the ballot and a trust store that reflects it. Rejections with their
/// reason codes run on the same stack between the steps, so the pipeline is shown not to block on them.
@Suite("Ceremony and drop conditions", .timeLimit(.minutes(4)))
struct CeremonyDropConditionTests {
    /// Lifetime of the short-lived certificates, from `start` (10 s before the test): they expire about 45 s in.
    static let shortLifetime: Int64 = 55

    @Test("Add Elector through Kafka; target expiry, endorser expiry, removal and quorum raise drop ballots")
    func ceremonyAndDropConditions() async throws {
        let start = Clock32.now - 10
        // Anchors: three long-lived electors and two short-lived ones (the endorsers that will expire).
        let long = try (1...3).map { try TestPKI.identity("anchor\($0).e2e.test", start: start, seconds: 86_400) }
        let short = try (1...2).map { try TestPKI.identity("short\($0).e2e.test", start: start, seconds: Self.shortLifetime) }
        let anchors = try temporaryDirectory("scms-drop-anchors")
        defer { try? FileManager.default.removeItem(atPath: anchors) }
        try TestPKI.writeCertificates(long + short, to: anchors)

        // The targets: x expires itself; y is endorsed only by the short-lived anchors; z has two endorsements (a quorum
        // raise to 3 drops it), w three (it survives); r is removed by a removal ballot. 5 anchors + 5 = the cap of 10.
        let x = try TestPKI.identity("x-target-expiry.e2e.test", start: start, seconds: Self.shortLifetime)
        let y = try TestPKI.identity("y-endorser-expiry.e2e.test", start: start, seconds: 86_400)
        let z = try TestPKI.identity("z-quorum-raise.e2e.test", start: start, seconds: 86_400)
        let w = try TestPKI.identity("w-three-endorsers.e2e.test", start: start, seconds: 86_400)
        let r = try TestPKI.identity("r-removed.e2e.test", start: start, seconds: 86_400)
        let now = Clock32.now
        let ballots = [
            try TestPKI.ballot(x.certificate, by: [long[0], long[1]], time: now),
            try TestPKI.ballot(y.certificate, by: short, time: now),
            try TestPKI.ballot(z.certificate, by: [long[0], long[1]], time: now),
            try TestPKI.ballot(w.certificate, by: long, time: now),
            try TestPKI.ballot(r.certificate, by: [long[1], long[2]], time: now),
        ]
        let targets = Set([x, y, z, w, r].map(\.hash))

        try await E2EStack.with(["--anchors", anchors, "--quorum", "2"], label: "drop") { stack in
            let device = try FollowingRelyingParty(stack: stack, name: "device")
            do {
                // 1. The ceremony: submit, verdicts, GCCF, relying party.
                let submitted = try await stack.submitWithCLI(ballots, name: "add")
                let deliveries = submitted.jsonLines().filter { $0["delivered"] as? Bool == true && $0["file"] != nil }
                #expect(deliveries.count == 5)
                #expect(Set(deliveries.compactMap { $0["key"] as? String }) == targets, "records keyed by target hash")

                let first = try await stack.waitForGCCF("all five targets") { targets.isSubset(of: $0.electors) }
                let verdicts = try await stack.validatedDigests()
                #expect(Set(ballots.map(\.digest)).isSubset(of: Set(verdicts.keys)), "a verdict for every ballot")
                try await device.waitFor("trusts the five new electors") { trusted, _ in targets.isSubset(of: trusted) }
                #expect(FileManager.default.fileExists(atPath: stack.gccfDirectory + "/gccf-latest.coer"))

                // gccf fetch returns the published bytes.
                let fetched = stack.path("fetched.coer")
                let fetch = try await stack.ctl(["gccf", "fetch", "--out", fetched, "--min-version", String(first.version)])
                #expect(fetch.status == 0, "\(fetch.stderr)")
                #expect(try Array(Data(contentsOf: URL(fileURLWithPath: fetched))).count >= first.bytes.count)

                // 2. Rejections reach scms.ballots.rejected with their reason codes.
                try await checkRejections(stack, long: long)

                // 3. Removal ballot: r is removed by two trusted electors.
                let removal = try TestPKI.ballot(r.certificate, type: .removeElector, by: [long[0], long[2]], time: Clock32.now)
                _ = try await stack.submitWithCLI([removal], name: "remove")
                try await stack.waitForGCCF("r removed") { !$0.electors.contains(r.hash) && $0.electors.contains(w.hash) }
                try await device.waitFor("r no longer trusted and denied") { trusted, state in
                    !trusted.contains(r.hash) && state.denyList.entries.keys.contains { $0.hex == r.hash }
                }

                // 4. Target expiry (x) and endorser expiry below quorum (y), at the moment they happen.
                let expiry = x.expiry
                let wait = Swift.Duration.seconds(max(0, Int64(expiry) - Int64(Clock32.now)) + 30)
                let afterExpiry = try await stack.waitForGCCF("x and y dropped after expiry", timeout: wait) {
                    !$0.electors.contains(x.hash) && !$0.electors.contains(y.hash) && $0.electors.contains(z.hash)
                        && $0.electors.contains(w.hash)
                }
                #expect(Clock32.now >= expiry, "dropped no earlier than the expiry")
                try await device.waitFor("x dropped; y (admitted earlier) stays trusted after its endorsers expired") {
                    trusted, state in
                    (state.lastGCCFVersion ?? 0) >= afterExpiry.version && !trusted.contains(x.hash) && trusted.contains(y.hash)
                }
                // A relying party that never admitted y would refuse y's ballot now: its endorsers have expired.
                let firstFile = try TestPKI.write(first.bytes, to: stack.path("first.coer"))
                let fresh = try await Subprocess.electorctl(["gccf", "verify", "--anchors", stack.anchorsDirectory, "--quorum", "2",
                                                             firstFile])
                let decisions = ((try fresh.json()["ballots"] as? [Any]) ?? []).compactMap { $0 as? [String: Any] }
                let yDecision = decisions.first { ($0["ballot"] as? String) == ballots[1].digest }
                #expect(yDecision?["accepted"] as? Bool == false, "\(fresh.stdout)")
                let yReasons = ((yDecision?["reasons"] as? [Any]) ?? []).compactMap { ($0 as? [String: Any])?["code"] as? String }
                #expect(yReasons.contains("signerExpired"), "\(yDecision ?? [:])")

                // 5. Quorum raise by a signed GPF: z (two endorsements) drops, w (three) stays.
                let publish = try await stack.ctl(["policy", "publish", "--quorum", "3"])
                #expect(publish.status == 0, "\(publish.stderr)")
                let raised = try await stack.waitForGCCF("z dropped by quorum 3") {
                    !$0.electors.contains(z.hash) && $0.electors.contains(w.hash)
                }
                try await device.waitFor("z dropped, w kept, quorum 3") { trusted, state in
                    state.policy.quorum == 3 && !trusted.contains(z.hash) && trusted.contains(w.hash)
                }

                // Versions only grow, and no version was published with two contents.
                let published = try await stack.gccfs()
                var byVersion: [UInt16: Set<String>] = [:]
                for gccf in published { byVersion[gccf.version, default: []].insert(gccf.digest) }
                #expect(byVersion.values.allSatisfy { $0.count == 1 }, "a version re-issued with other content")
                #expect(published.map(\.version) == published.map(\.version).sorted(), "versions out of order")
                #expect(raised.version > afterExpiry.version && afterExpiry.version > first.version)

                // Expired target submitted again (a new ballot): rejected by the validator with targetExpired.
                let late = try TestPKI.ballot(x.certificate, by: long, time: Clock32.now)
                try await stack.submit([late])
                let rejection = try await stack.waitForRejection(of: late.digest)
                #expect(rejection.stage == "validator")
                #expect(rejection.reasons.contains { $0.hasPrefix("targetExpired") }, "\(rejection.reasons)")
            } catch {
                Issue.record("relying party output:\n\(device.process.output.suffix(4000))")
                await device.stop()
                throw error
            }
            await device.stop()
        }
    }

    /// Bad submissions of every kind go to `scms.ballots.rejected` with the right stage and reason; none blocks.
    func checkRejections(_ stack: E2EStack, long: [TestIdentity]) async throws {
        let directory = stack.path("bad")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let garbage = try TestPKI.write(Array("definitely not COER".utf8), to: directory + "/garbage.bin")
        let oversized = try TestPKI.write([UInt8](repeating: 0x80, count: 70_000), to: directory + "/oversized.bin")
        let certificate = try TestPKI.write(long[0].certificate.coerEncoded, to: directory + "/certificate.coer")
        let empty = try TestPKI.write([], to: directory + "/empty.bin")
        let raw = try await stack.ctl(["submit", "--raw", garbage, oversized, certificate, empty])
        #expect(raw.status == 0, "\(raw.stderr)")

        let unknown = try (1...2).map { try TestPKI.identity("stranger\($0).e2e.test", start: Clock32.now - 10, seconds: 86_400) }
        let target = try TestPKI.identity("lonely.e2e.test", start: Clock32.now - 10, seconds: 86_400)
        let single = try TestPKI.ballot(target.certificate, by: [long[0]], time: Clock32.now)
        let strangers = try TestPKI.ballot(target.certificate, by: unknown, time: Clock32.now)
        try await stack.submit([single, strangers])

        func digest(_ path: String) throws -> String {
            HexCoding.encode(Digest.sha256(Array(try Data(contentsOf: URL(fileURLWithPath: path)))))
        }
        let expectations: [(String, String, String)] = [
            (try digest(garbage), "intake", "malformed"),
            (try digest(oversized), "intake", "oversized"),
            (try digest(certificate), "intake", "notBallot"),
            (try digest(empty), "intake", "emptyRecord"),
            (single.digest, "validator", "insufficientQuorum"),
        ]
        for (digest, stage, reason) in expectations {
            let rejection = try await stack.waitForRejection(of: digest)
            #expect(rejection.stage == stage, "\(reason): stage \(rejection.stage)")
            #expect(rejection.reason == reason || rejection.reasons.contains(reason), "\(stage): \(rejection.reasons)")
        }
        let foreign = try await stack.waitForRejection(of: strangers.digest)
        #expect(foreign.stage == "validator")
        #expect(foreign.reasons.contains { $0.hasPrefix("signerUnknown") }, "\(foreign.reasons)")
    }
}
