import BallotCodec
import ElectorCrypto
import RootManagement
import Testing

/// GCCF assembly, LCCF derivation and relying-party updates on real COER from fresh keys: the combinations of the
/// issue, each asserting exact decisions and codes.
@Suite struct ChainFileTests {
    typealias C = CoerWorld
    let e1: Holder, e2: Holder, e3: Holder, root0: Holder, ma: Holder

    init() throws {
        e1 = try C.elector("e1.test", years: 1); e2 = try C.elector("e2.test", years: 1); e3 = try C.elector("e3.test")
        root0 = try C.root("root0.test")
        ma = try C.issued("ma.test", by: root0)
    }

    var anchors: [Holder] { [e1, e2, e3] }

    func build(_ ballots: [(ElectorBallot, EndorsementAction)], quorum: Int = 2, time: UInt32 = C.now,
               previous: PublishedVersion? = nil, denyList: DenyList = DenyList()) throws -> GCCFBuild {
        var signatures = SignatureResolver.crypto()
        return try GCCFBuilder.build(electorAnchors: anchors.map(\.certificate), rootAnchors: [root0.certificate],
                                     ballots: ballots, denyList: denyList,
                                     maCertificate: ma.certificate, certificates: [], policy: TrustPolicy(quorum: quorum),
                                     time: time, previous: previous, signatures: &signatures).get()
    }

    func apply(_ bytes: [UInt8], crl: [UInt8]? = nil, to state: RelyingPartyState,
               at time: UInt32) -> Result<RelyingPartyUpdate, RelyingPartyRejection> {
        RootManagementCommands.verifyChainFile(bytes, crl: crl, state: state, time: time)
    }

    func freshState(quorum: Int = 2) -> RelyingPartyState {
        RelyingPartyState(policy: TrustPolicy(quorum: quorum, quorumFloor: 2), electorAnchors: anchors.map(\.facts))
    }

    @Test func buildIsDeterministicAndVersionsOnlyOnChange() throws {
        let a = try C.elector("a.test"), b = try C.elector("b.test"), root = try C.root("root.test")
        let ballots: [(ElectorBallot, EndorsementAction)] = [
            (try C.ballot(a, by: [e1, e2]), .addElector), (try C.ballot(b, by: [e2, e3]), .addElector),
            (try C.ballot(root, .addRoot, by: [e1, e3]), .addRoot),
        ]
        let first = try build(ballots)
        let shuffled = try build(ballots.reversed())
        #expect(first.bytes == shuffled.bytes)
        #expect(first.published.version == 1 && first.changed)
        let again = try build(ballots, previous: first.published)
        #expect(again.bytes == first.bytes && !again.changed && again.published.version == 1)
        let gccf = try #require(try ScmsFile(coer: first.bytes).globalCertificateChainFile)
        #expect(gccf.certStore.electorEndorsements.count == 2 && gccf.certStore.rootCAEndorsements.count == 1)
        #expect(gccf.certStore.maCertificate == ma.certificate)
        // Electors sorted by target ID.
        let targets = gccf.certStore.electorEndorsements.map { CertificateAnalysis.facts($0.certificate).id }
        #expect(targets == targets.sorted())
        // A second ballot for a (stronger, newer) replaces the first: content changes, version + 1.
        let stronger = try C.ballot(a, by: [e1, e2, e3], at: C.t0 + 1_500)
        let next = try build(ballots + [(stronger, .addElector)], previous: first.published)
        #expect(next.changed && next.published.version == 2)
        #expect(next.selection.electorBallots.contains(BallotAnalysis.ballotID(stronger)))
        #expect(next.selection.excluded.map(\.cause) == [.superseded])
    }

    @Test func quorumRaiseThenLowerDropsAndRestores() throws {
        let a = try C.elector("a.test")
        let ballot = try C.ballot(a, by: [e1, e2])
        let v1 = try build([(ballot, .addElector)])
        let raised = try build([(ballot, .addElector)], quorum: 3, previous: v1.published)
        #expect(raised.selection.electorBallots.isEmpty && raised.published.version == 2)
        #expect(raised.selection.excluded.first?.findings.map(\.key) == [FindingKey(.insufficientQuorum)])
        let lowered = try build([(ballot, .addElector)], quorum: 2, previous: raised.published)
        #expect(lowered.selection.electorBallots == [BallotAnalysis.ballotID(ballot)] && lowered.published.version == 3)
        // A relying party refuses a GPF quorum below its floor.
        let refused = RelyingParty.applyPolicy(quorum: 1, to: freshState())
        guard case .failure(let rejection) = refused else { Issue.record("quorum below floor accepted"); return }
        #expect(rejection.finding.code == .quorumBelowFloor)
    }

    @Test func endorsersExpiringBetweenAdmissionAndBuild() throws {
        let a = try C.elector("a.test")
        let ballot = try C.ballot(a, by: [e1, e2])
        let v1 = try build([(ballot, .addElector)])
        let rp = try apply(v1.bytes, to: freshState(), at: C.now).get()
        #expect(rp.admittedElectors == [a.id])
        let later = C.t0 + 31_556_952 + 100
        let v2 = try build([(ballot, .addElector)], time: later, previous: v1.published)
        #expect(v2.selection.electorBallots.isEmpty && v2.published.version == 2)
        #expect(v2.selection.excluded.first?.findings.map(\.key).sorted()
                == keys((.signerExpired, 0), (.signerExpired, 1), (.insufficientQuorum, nil)))
        // The relying party keeps a (seed rule) while the new GCCF no longer carries its ballot.
        let rp2 = try apply(v2.bytes, to: rp.state, at: later).get()
        #expect(rp2.state.trustedElectors(at: later) == [e3.id, a.id].sorted())
        // A fresh relying party evaluating the old file now does not trust a.
        let fresh = try apply(v1.bytes, to: freshState(), at: later).get()
        #expect(fresh.state.trustedElectors(at: later) == [e3.id])
        #expect(fresh.decisions.first?.findings.map(\.key).sorted()
                == keys((.signerExpired, 0), (.signerExpired, 1), (.insufficientQuorum, nil)))
    }

    @Test func removalCascadeUnseatsASecondGenerationElector() throws {
        let a = try C.elector("a.test"), b = try C.elector("b.test")
        let ballotA = try C.ballot(a, by: [e1, e2]), ballotB = try C.ballot(b, by: [a, e3])
        let v1 = try build([(ballotA, .addElector), (ballotB, .addElector)])
        #expect(v1.selection.electorBallots.count == 2)
        let fresh = try apply(v1.bytes, to: freshState(), at: C.now).get()
        #expect(fresh.state.trustedElectors(at: C.now) == [e1.id, e2.id, e3.id, a.id, b.id].sorted())
        // removeElector(a) by e2 and e3 in the composite CRL.
        let removal = try C.ballot(a, .removeElector, by: [e2, e3], at: C.t0 + 1_800)
        let crl = CompositeCrl(revokedElectors: [removal]).coerEncoded
        var signatures = SignatureResolver.crypto()
        let analyzedRemoval = BallotAnalysis.analyze(removal, signatures: &signatures)
        let v2 = try build([(ballotA, .addElector), (ballotB, .addElector), (removal, .removeElector)],
                           previous: v1.published)
        #expect(v2.selection.electorBallots.isEmpty)
        #expect(v2.selection.snapshot.denyList.entries[a.id] == Denial(effectiveTime: C.t0 + 1_800, ballot: analyzedRemoval.id))
        let bDecision = try #require(v2.selection.snapshot.decisions[BallotAnalysis.ballotID(ballotB)])
        #expect(bDecision.sortedKeys == keys((.signerRemoved, 0), (.insufficientQuorum, nil)))
        // The relying party that trusted a and b loses both through the CRL, even with the old GCCF's ballots.
        let rp = try apply(v2.bytes, crl: crl, to: fresh.state, at: C.now + 10).get()
        #expect(rp.newlyDenied == [a.id])
        #expect(rp.state.trustedElectors(at: C.now + 10) == [e1.id, e2.id, e3.id].sorted())
        #expect(rp.droppedElectors == [a.id, b.id].sorted())
    }

    @Test func mutuallyEndorsingNewcomersAreNotTrusted() throws {
        let x = try C.elector("x.test"), y = try C.elector("y.test")
        let v1 = try build([(try C.ballot(x, by: [e1, y]), .addElector), (try C.ballot(y, by: [e1, x]), .addElector)])
        #expect(v1.selection.electorBallots.isEmpty)
        let gccf = try #require(try ScmsFile(coer: v1.bytes).globalCertificateChainFile)
        #expect(gccf.certStore.electorEndorsements.isEmpty)
        // Even a file that carries both ballots does not bootstrap them at a relying party.
        let forced = ScmsFile(content: .certChain(.globalCertificateChainFile(GlobalCertificateChainFile(
            version: 9, certStore: CertificateStore(rootCAEndorsements: [],
                                                    electorEndorsements: [try C.ballot(x, by: [e1, y]), try C.ballot(y, by: [e1, x])],
                                                    maCertificate: ma.certificate, certs: [])))))
        let rp = try apply(forced.coerEncoded, to: freshState(), at: C.now).get()
        #expect(rp.admittedElectors.isEmpty)
        #expect(rp.decisions.map(\.sortedKeys) == [keys((.signerUnknown, 1), (.insufficientQuorum, nil)),
                                                    keys((.signerUnknown, 1), (.insufficientQuorum, nil))])
    }

    @Test func replayedOlderGCCFIsRefused() throws {
        let a = try C.elector("a.test")
        let v1 = try build([(try C.ballot(a, by: [e1, e2]), .addElector)])
        let v2 = try build([], previous: v1.published)
        #expect(v2.published.version == 2)
        let state = try apply(v2.bytes, to: freshState(), at: C.now).get().state
        let replay = apply(v1.bytes, to: state, at: C.now + 1)
        guard case .failure(let rejection) = replay else { Issue.record("older GCCF accepted"); return }
        #expect(rejection.findings.map(\.code) == [.rollback])
        let same = apply(v2.bytes, to: state, at: C.now + 1)
        guard case .failure(let again) = same else { Issue.record("same GCCF accepted twice"); return }
        #expect(again.findings.map(\.code) == [.rollback])
    }

    @Test func lccfDerivationCheckAndAntiRollback() throws {
        let a = try C.elector("a.test"), root = try C.root("root.test")
        let v1 = try build([(try C.ballot(a, by: [e1, e2]), .addElector), (try C.ballot(root, .addRoot, by: [e1, e3]), .addRoot)])
        let gccf = try #require(v1.file.globalCertificateChainFile)
        let lccf = try LCCFBuilder.derive(from: gccf, raHostname: "ra.test", optionalCertificates: [ma.certificate],
                                          previous: nil).get()
        #expect(lccf.published.version == CompositeVersionValue(gccfVersion: 1, lccfVersion: 1, raHostname: "ra.test"))
        #expect(RootManagementCommands.checkLCCF(lccf.bytes, gccf: v1.bytes).isEmpty)
        let same = try LCCFBuilder.derive(from: gccf, raHostname: "ra.test", optionalCertificates: [ma.certificate],
                                          previous: lccf.published).get()
        #expect(same.bytes == lccf.bytes && !same.changed)
        // An LCCF that lost the elector endorsement is reported.
        var lossy = try #require(lccf.file.localCertificateChainFile)
        lossy.requiredCertStore.electorEndorsements = []
        let lossyBytes = ScmsFile(content: .certChain(.localCertificateChainFile(lossy))).coerEncoded
        #expect(RootManagementCommands.checkLCCF(lossyBytes, gccf: v1.bytes).map(\.code) == [.lccfIncomplete])
        // Relying party on LCCFs: accepted, then another RA's LCCF and a replay are refused.
        let state = try apply(lccf.bytes, to: freshState(), at: C.now).get().state
        #expect(state.trustedRoots(at: C.now) == [root.id])
        let otherRA = try LCCFBuilder.derive(from: gccf, raHostname: "other-ra.test", previous: nil).get()
        guard case .failure(let hostname) = apply(otherRA.bytes, to: state, at: C.now) else {
            Issue.record("LCCF of another RA accepted"); return
        }
        #expect(hostname.findings.map(\.code) == [.raHostnameMismatch])
        guard case .failure(let replay) = apply(lccf.bytes, to: state, at: C.now) else {
            Issue.record("LCCF replay accepted"); return
        }
        #expect(replay.findings.map(\.code) == [.rollback])
    }

    @Test func whatIfNamesWhatWouldDrop() throws {
        let a = try C.elector("a.test"), b = try C.elector("b.test")
        let v1 = try build([(try C.ballot(a, by: [e1, e2]), .addElector), (try C.ballot(b, by: [a, e3]), .addElector)])
        let outcome = try RootManagementCommands.whatIf(
            chainFile: v1.bytes, electorAnchors: anchors.map(\.certificate), policy: TrustPolicy(quorum: 2), time: C.now,
            scenario: WhatIfScenario(removedCertificates: [e2.id])).get()
        #expect(outcome.droppedElectors.map(\.certificate) == [e2.id, a.id, b.id].sorted())
        let whyB = try #require(outcome.droppedElectors.first { $0.certificate == b.id })
        #expect(whyB.findings.map(\.key).sorted() == keys((.signerUnknown, 0), (.insufficientQuorum, nil)))
        let quorum = try RootManagementCommands.whatIf(
            chainFile: v1.bytes, electorAnchors: anchors.map(\.certificate), policy: TrustPolicy(quorum: 2), time: C.now,
            scenario: WhatIfScenario(quorum: 3)).get()
        #expect(quorum.droppedBallots.count == 2)
        let moved = try RootManagementCommands.whatIf(
            chainFile: v1.bytes, electorAnchors: anchors.map(\.certificate), policy: TrustPolicy(quorum: 2), time: C.now,
            scenario: WhatIfScenario(time: C.t0 + 31_556_952 + 1)).get()
        #expect(moved.droppedElectors.map(\.certificate) == [e1.id, e2.id, a.id, b.id].sorted())
    }

    @Test func gpfQuorumExtensionDrivesThePolicy() throws {
        var gpf = GlobalPolicyData()
        gpf.electorQuorum = TemporalSeries(initial: 3, intervals: [])
        let raised = try RootManagementCommands.policy(applying: gpf, at: Time64(UInt64(C.now) * 1_000_000),
                                                      to: TrustPolicy(quorum: 2, quorumFloor: 2)).get()
        #expect(raised.quorum == 3)
        gpf.electorQuorum = TemporalSeries(initial: 1, intervals: [])
        let lowered = RootManagementCommands.policy(applying: gpf, at: Time64(UInt64(C.now) * 1_000_000),
                                                   to: TrustPolicy(quorum: 2, quorumFloor: 2))
        guard case .failure(let rejection) = lowered else { Issue.record("GPF below floor accepted"); return }
        #expect(rejection.finding.code == .quorumBelowFloor)
    }
}
