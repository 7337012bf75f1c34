import ElectorCrypto
import RootManagement
import Testing

/// The incremental engine against the from-scratch fixpoint, and the combinations of the issue on facts.
@Suite struct EngineTests {
    typealias W = FactWorld

    /// Compares an engine with a from-scratch computation over the same inputs (no capacity: the engine does not
    /// enforce it). Returns a description of the first difference.
    static func difference(_ engine: TrustEngine) -> String? {
        var signatures = SignatureResolver.crypto()
        let scratch = TrustEvaluator.evaluate(engine.inputs, policy: engine.policy, time: engine.time,
                                              enforceCapacity: false, signatures: &signatures)
        if scratch.electorIDs != engine.electorIDs { return "electors \(scratch.electorIDs) vs \(engine.electorIDs)" }
        if scratch.rootIDs != engine.rootIDs { return "roots \(scratch.rootIDs) vs \(engine.rootIDs)" }
        if scratch.denyList.ids != engine.denyList.ids { return "deny \(scratch.denyList.ids) vs \(engine.denyList.ids)" }
        let decisions = engine.decisions
        for (id, expected) in scratch.decisions {
            guard let actual = decisions[id] else { return "no decision for \(id)" }
            if actual != expected { return "decision \(id): \(expected.findings) vs \(actual.findings)" }
        }
        return nil
    }

    @Test(arguments: [0x5eed, 7, 1_609_2] as [UInt64])
    func randomEventsMatchTheFromScratchFixpoint(seed: UInt64) throws {
        var generator = SplitMix(seed: seed)
        var admitted = 0, dropped = 0, denied = 0
        let anchors = try (0..<4).map { try W.party("anchor\($0)", years: UInt16(1 + $0 * 3)) }
        let newcomers = try (0..<10).map { index in
            try W.party("new\(index)", start: W.t0 + UInt32(index) * 2_000_000, years: UInt16(1 + index % 5))
        }
        let roots = try (0..<2).map { try W.party("root\($0)", role: .root, years: 6) }
        let pool = anchors + newcomers
        var engine = TrustEngine(policy: TrustPolicy(quorum: 2, maxElectors: 100), time: W.t0 + 10,
                                 electorAnchors: anchors.map(\.facts), rootAnchors: [],
                                 signatures: .crypto())
        var time = W.t0 + 10
        var checked = 0
        func tally(_ report: EventReport) {
            admitted += report.admittedElectors.count
            dropped += report.droppedElectors.count
            denied += report.newlyDenied.count
        }
        for step in 0..<160 {
            switch generator.next() % 10 {
            case 0...4:
                let targets = newcomers + roots
                let target = targets[Int(generator.next() % UInt64(targets.count))]
                let action: EndorsementAction
                switch generator.next() % 8 {
                case 0: action = target.facts.role == .root ? .removeRoot : .removeElector
                default: action = target.facts.role == .root ? .addRoot : .addElector
                }
                let signerCount = 1 + Int(generator.next() % 4)
                var signers: [Party] = []
                for _ in 0..<signerCount { signers.append(pool[Int(generator.next() % UInt64(pool.count))]) }
                let generation = time + UInt32(generator.next() % 600) - 100
                let reference: W.Reference = generator.next() % 3 == 0 ? .digest : .certificate
                let ballot = try W.ballot(target, action, by: signers, at: generation, reference: reference)
                tally(engine.add(ballot, as: action))
            case 5...6:
                time += UInt32(generator.next() % 20_000_000)
                tally(try engine.advance(to: time))
            case 7...8:
                if let report = try? engine.setQuorum(1 + Int(generator.next() % 3)) { tally(report) }
            default:
                let victim = pool[Int(generator.next() % UInt64(pool.count))]
                tally(engine.deny([victim.id], effectiveTime: time))
            }
            if let difference = Self.difference(engine) {
                Issue.record("step \(step): \(difference)")
                return
            }
            checked += 1
        }
        #expect(checked == 160)
        #expect(engine.ballotCount > 40)
        // The run exercised admissions, losses and removals, not just a static state.
        #expect(admitted > 2 && dropped > 2 && denied > 0, "admitted \(admitted) dropped \(dropped) denied \(denied)")
    }

    @Test func mutuallyEndorsingNewcomersNeverBootstrapThemselves() throws {
        let e1 = try W.party("e1"), e2 = try W.party("e2"), x = try W.party("x"), y = try W.party("y")
        var engine = TrustEngine(policy: TrustPolicy(quorum: 2), time: W.t0 + 2_000,
                                 electorAnchors: [e1.facts, e2.facts], signatures: .crypto())
        _ = engine.add(try W.ballot(x, by: [e1, y]), as: .addElector)
        _ = engine.add(try W.ballot(y, by: [e1, x]), as: .addElector)
        #expect(engine.electorIDs == [e1.id, e2.id].sorted())
        // Once x has a grounded quorum, y follows through x.
        let report = engine.add(try W.ballot(x, by: [e1, e2, y]), as: .addElector)
        #expect(report.admittedElectors == [x.id, y.id].sorted())
        // Losing e2 leaves only the cycle: delete-and-rederive must drop both.
        let drop = engine.deny([e2.id], effectiveTime: W.t0 + 2_000)
        #expect(drop.droppedElectors == [e2.id, x.id, y.id].sorted())
        #expect(engine.electorIDs == [e1.id])
        #expect(Self.difference(engine) == nil)
    }

    @Test func removalCascadeUnseatsASecondGenerationElector() throws {
        let e1 = try W.party("e1"), e2 = try W.party("e2"), e3 = try W.party("e3")
        let a = try W.party("a"), b = try W.party("b")
        var engine = TrustEngine(policy: TrustPolicy(quorum: 2), time: W.t0 + 2_000,
                                 electorAnchors: [e1.facts, e2.facts, e3.facts], signatures: .crypto())
        _ = engine.add(try W.ballot(a, by: [e1, e2]), as: .addElector)
        let bBallot = try W.ballot(b, by: [a, e1])
        _ = engine.add(bBallot, as: .addElector)
        #expect(Set(engine.electorIDs) == Set([e1.id, e2.id, e3.id, a.id, b.id]))
        let removal = try W.ballot(a, .removeElector, by: [e2, e3], at: W.t0 + 1_500)
        let report = engine.add(removal, as: .removeElector)
        #expect(report.newlyDenied == [a.id])
        #expect(report.droppedElectors == [a.id, b.id].sorted())
        #expect(engine.denyList.entries[a.id] == Denial(effectiveTime: W.t0 + 1_500, ballot: removal.id))
        let decision = try #require(engine.decision(bBallot.id))
        #expect(decision.sortedKeys == keys((.signerRemoved, 0), (.insufficientQuorum, nil)))
        #expect(Self.difference(engine) == nil)
    }

    @Test func quorumRaiseThenLower() throws {
        let e1 = try W.party("e1"), e2 = try W.party("e2"), e3 = try W.party("e3"), n = try W.party("n")
        var engine = TrustEngine(policy: TrustPolicy(quorum: 2, quorumFloor: 2), time: W.t0 + 2_000,
                                 electorAnchors: [e1.facts, e2.facts, e3.facts], signatures: .crypto())
        let ballot = try W.ballot(n, by: [e1, e2])
        #expect(engine.add(ballot, as: .addElector).admittedElectors == [n.id])
        let raise = try engine.setQuorum(3)
        #expect(raise.droppedElectors == [n.id])
        #expect(raise.changedDecisions.map(\.ballot) == [ballot.id])
        #expect(engine.decision(ballot.id)?.sortedKeys == keys((.insufficientQuorum, nil)))
        let lower = try engine.setQuorum(2)
        #expect(lower.admittedElectors == [n.id])
        #expect(engine.decision(ballot.id)?.accepted == true)
        // Below the floor: refused, nothing changes.
        #expect(throws: TrustEngineError.self) { try engine.setQuorum(1) }
        #expect(engine.policy.quorum == 2)
        #expect(Self.difference(engine) == nil)
    }

    @Test func endorsersExpiringBetweenAdmissionAndBuild() throws {
        // e1, e2 valid one year; e3 twelve years. n admitted by e1+e2, then the PG builds after they expire.
        let e1 = try W.party("e1", years: 1), e2 = try W.party("e2", years: 1), e3 = try W.party("e3")
        let n = try W.party("n")
        var engine = TrustEngine(policy: TrustPolicy(quorum: 2), time: W.t0 + 2_000,
                                 electorAnchors: [e1.facts, e2.facts, e3.facts], signatures: .crypto())
        let ballot = try W.ballot(n, by: [e1, e2])
        _ = engine.add(ballot, as: .addElector)
        #expect(engine.electorIDs.contains(n.id))
        // A relying party receives the GCCF while the endorsers are valid.
        let before = ChainFileSelector.select(Self.snapshot(engine))
        #expect(before.electorBallots == [ballot.id])
        var rp = RelyingPartyState(policy: TrustPolicy(quorum: 2), electorAnchors: [e1.facts, e2.facts, e3.facts])
        var signatures = SignatureResolver.crypto()
        rp = try RelyingParty.apply(ReceivedChainFile(version: .gccf(1), rootBallots: [], electorBallots: [ballot]),
                                    to: rp, at: W.t0 + 2_000, signatures: &signatures).get().state
        // A year later the PG's rule drops the ballot…
        let later = W.t0 + W.year + 10
        let report = try engine.advance(to: later)
        #expect(report.droppedElectors == [e1.id, e2.id, n.id].sorted())
        #expect(engine.decision(ballot.id)?.sortedKeys == keys((.signerExpired, 0), (.signerExpired, 1), (.insufficientQuorum, nil)))
        let after = ChainFileSelector.select(Self.snapshot(engine))
        #expect(after.electorBallots.isEmpty)
        #expect(after.excluded.map(\.cause) == [.invalid])
        // …while the relying party that admitted n keeps it (seed rule), even from an empty GCCF.
        let update = try RelyingParty.apply(ReceivedChainFile(version: .gccf(2), rootBallots: [], electorBallots: []),
                                            to: rp, at: later, signatures: &signatures).get()
        #expect(update.state.trustedElectors(at: later) == [e3.id, n.id].sorted())
        #expect(update.droppedElectors.isEmpty)  // e1, e2 had expired before the update; nothing else dropped
        #expect(Self.difference(engine) == nil)
    }

    @Test func eventsVerifyNoSignatureTwice() throws {
        let anchors = try (0..<3).map { try W.party("a\($0)", years: UInt16(2 + $0)) }
        let newcomers = try (0..<20).map { try W.party("n\($0)") }
        var resolver = SignatureResolver.crypto()
        var ballots: [AnalyzedBallot] = []
        for (index, newcomer) in newcomers.enumerated() {
            let signers = index < 10 ? [anchors[0], anchors[1], anchors[2]] : [anchors[index % 3], newcomers[index - 10]]
            let ballot = try W.ballot(newcomer, by: signers)
            resolver.prime(ballot)
            ballots.append(ballot)
        }
        let primed = resolver.verifications
        var engine = TrustEngine(policy: TrustPolicy(quorum: 2, maxElectors: 100), time: W.t0 + 2_000,
                                 electorAnchors: anchors.map(\.facts), signatures: resolver)
        var total = 0
        for ballot in ballots { total += engine.add(ballot, as: .addElector).signatureVerifications }
        total += try engine.setQuorum(3).signatureVerifications
        total += try engine.setQuorum(2).signatureVerifications
        total += try engine.advance(to: W.t0 + 2 * W.year + 100).signatureVerifications
        total += engine.deny([anchors[2].id], effectiveTime: W.t0 + 2 * W.year + 100).signatureVerifications
        #expect(total == 0)
        #expect(engine.signatures.verifications == primed)
        #expect(Self.difference(engine) == nil)
    }

    @Test func timeNeverMovesBackwards() throws {
        var engine = TrustEngine(policy: TrustPolicy(quorum: 1), time: W.t0, electorAnchors: [], signatures: .crypto())
        #expect(throws: TrustEngineError.timeMovedBackwards(current: W.t0, requested: W.t0 - 1)) {
            try engine.advance(to: W.t0 - 1)
        }
    }

    static func snapshot(_ engine: TrustEngine) -> TrustSnapshot {
        var signatures = engine.signatures
        return TrustEvaluator.evaluate(engine.inputs, policy: engine.policy, time: engine.time, signatures: &signatures)
    }
}

/// A small deterministic generator for the randomized test (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
