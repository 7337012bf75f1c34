import BallotCodec
import ElectorCrypto
import RootManagement
import Testing

/// The expiry watcher's schedule: lead times, the stage due at a time, no duplicates across restarts.
@Suite struct ExpiryScheduleTests {
    static func certificate(_ byte: UInt8, expiry: UInt32, role: BallotCodec.CertificateRole = .elector) -> WatchedCertificate {
        WatchedCertificate(id: CertificateID(uncheckedBytes: [UInt8](repeating: byte, count: 32)), role: role,
                           expiryTime: expiry)
    }

    static func describe(_ events: [ExpiryEvent]) -> [String] {
        events.map { "\($0.certificateHash.bytes[0]):\($0.kind):\($0.leadSeconds)@\($0.effectiveTime.seconds)" }
    }

    @Test func eachStageIsDueAtItsMomentAndOnlyOnce() {
        var schedule = ExpirySchedule(leadTimes: [100, 10, 100, 0])
        #expect(schedule.leadTimes == [100, 10])
        schedule.watch([Self.certificate(1, expiry: 1_000), Self.certificate(2, expiry: 2_000, role: .root)])
        #expect(schedule.due(at: 899).isEmpty)
        #expect(schedule.nextMoment(after: 0) == 900)
        let first = schedule.due(at: 900)
        #expect(Self.describe(first) == ["1:expiringSoon:100@900"])
        #expect(first.first?.expiryTime.seconds == 1_000)
        first.forEach { schedule.noteEmitted($0) }
        #expect(schedule.due(at: 950).isEmpty)
        #expect(schedule.nextMoment(after: 950) == 990)
        let second = schedule.due(at: 990)
        #expect(Self.describe(second) == ["1:expiringSoon:10@990"])
        second.forEach { schedule.noteEmitted($0) }
        let third = schedule.due(at: 1_000)
        #expect(Self.describe(third) == ["1:expired:0@1000"])
        #expect(third.first?.kind == .expired)
        third.forEach { schedule.noteEmitted($0) }
        #expect(schedule.due(at: 5_000).map(\.role) == [.root])
        #expect(Self.describe(schedule.due(at: 5_000)) == ["2:expired:0@2000"])
    }

    @Test func aWatcherThatWasDownEmitsOnlyTheStageTheCertificateIsIn() {
        var schedule = ExpirySchedule(leadTimes: [100, 10])
        schedule.watch([Self.certificate(1, expiry: 1_000), Self.certificate(2, expiry: 1_005)])
        // Down from before 900 until 1002: certificate 1 expired, certificate 2 is in its 10 s lead.
        #expect(Self.describe(schedule.due(at: 1_002)) == ["2:expiringSoon:10@995", "1:expired:0@1000"])
    }

    @Test func eventsReadBackAfterARestartAreNotDueAgain() {
        var before = ExpirySchedule(leadTimes: [60])
        before.watch([Self.certificate(7, expiry: 500)])
        let emitted = before.due(at: 450)
        #expect(emitted.count == 1)

        // A new process: the same trust view, the events read back from scms.expiry.
        var after = ExpirySchedule(leadTimes: [60])
        after.watch([Self.certificate(7, expiry: 500)])
        for event in emitted { after.noteEmitted(event) }
        #expect(after.due(at: 460).isEmpty)
        #expect(after.nextMoment(after: 460) == 500)
        // An earlier stage read back after a later one changes nothing.
        after.noteEmitted(ExpiryEventKey(certificate: CertificateID(uncheckedBytes: [UInt8](repeating: 7, count: 32)),
                                         leadSeconds: 0))
        after.noteEmitted(emitted[0])
        #expect(after.due(at: 600).isEmpty)
        #expect(after.nextMoment(after: 600) == nil)
    }

    @Test func theWatchListHoldsAnchorsBallotTargetsAndEmbeddedEndorsers() throws {
        let anchor = try CoerWorld.elector("anchor.example")
        let endorser = try CoerWorld.elector("endorser.example")
        let target = try CoerWorld.elector("target.example", years: 2)
        let root = try CoerWorld.root("root.example")
        let ballot = try CoerWorld.ballot(target, by: [anchor, endorser])
        let rootBallot = try CoerWorld.ballot(root, .addRoot, by: [anchor, endorser])
        let gccf = GlobalCertificateChainFile(version: 3, certStore: CertificateStore(
            rootCAEndorsements: [rootBallot], electorEndorsements: [ballot], maCertificate: anchor.certificate, certs: []))
        let list = ExpiryWatchList.certificates(gccf: gccf, anchors: [anchor.certificate])
        #expect(Set(list.map(\.id)) == [anchor.id, endorser.id, target.id, root.id])
        let byID = Dictionary(uniqueKeysWithValues: list.map { ($0.id, $0) })
        #expect(byID[root.id]?.role == .root)
        #expect(byID[target.id]?.expiryTime == UInt32(CoerWorld.t0) + 2 * 31_556_952)
        #expect(ExpiryWatchList.certificates(gccf: nil, anchors: [anchor.certificate]).map(\.id) == [anchor.id])
    }
}
