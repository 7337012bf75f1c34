import BallotCodec
import ElectorCrypto
import RootManagement
import Testing

/// The assembler forgets ballots that a held ballot for the same target supersedes (its memory bound), and that
/// changes nothing it publishes: not a byte, not a version.
@Suite struct SupersessionTests {
    typealias W = CoerWorld
    typealias World = AssemblerStateTests.World

    static func state(_ world: World, quorum: Int = 2, maxElectors: Int = 10, forgetting: Bool = true) -> AssemblerState {
        var configuration = world.configuration(quorum: quorum, maxElectors: maxElectors)
        configuration.forgetsSupersededBallots = forgetting
        return AssemblerState(configuration: configuration, signatures: .crypto())
    }

    static func ballotID(_ ballot: ElectorBallot) -> BallotID { BallotAnalysis.ballotID(ballot) }

    @Test func aNewerBallotWithTheSameEndorsersRetiresTheOlderOneAndARedeliveryOfItIsSuperseded() throws {
        var world = try World()
        var state = Self.state(world)
        let root = try W.root("r.example")
        let older = try W.ballot(root, .addRoot, by: Array(world.anchors.prefix(2)), at: W.now - 100)
        let newer = try W.ballot(root, .addRoot, by: Array(world.anchors.prefix(2)), at: W.now - 50)

        #expect(state.apply(world.validated(older, .addRoot)).changedContent)
        let first = try #require(try AssemblerStateTests.published(&state))
        let step = state.apply(world.validated(newer, .addRoot))
        #expect(step.changedContent, "the newer ballot is the stronger one: the file carries it now")
        #expect(step.retired.map(\.id) == [Self.ballotID(older)])
        #expect(state.ballotCount == 1 && state.supersededCount == 1)
        let second = try #require(try AssemblerStateTests.published(&state))
        #expect(second.content.store.rootCAEndorsements == [newer])
        #expect(second.version == first.version + 1)

        // The older ballot again (a redelivery, or the same ballot resubmitted): superseded on arrival, no change.
        let again = state.apply(world.validated(older, .addRoot, at: W.now + 1))
        #expect(again.superseded && !again.duplicate && !again.changedContent)
        #expect(state.ballotCount == 1 && state.supersededCount == 2)
        #expect(try AssemblerStateTests.published(&state) == nil)
        // The newer one again is a plain duplicate.
        #expect(state.apply(world.validated(newer, .addRoot, at: W.now + 2)).duplicate)
    }

    @Test func aBallotIsKeptWhileItCouldStillCountForSomeoneTheOtherDoesNot() throws {
        var world = try World()
        var state = Self.state(world)
        let root = try W.root("r.example")
        let a = world.anchors
        // All three anchors, older; then two of them, newer: the newer has fewer endorsers, the older is older.
        let three = try W.ballot(root, .addRoot, by: a, at: W.now - 100)
        let twoNewer = try W.ballot(root, .addRoot, by: [a[0], a[1]], at: W.now - 50)
        // Other endorsers, newer still: neither covers the other.
        let otherPair = try W.ballot(root, .addRoot, by: [a[0], a[2]], at: W.now - 40)
        // Two of the three, older than `three`: superseded on arrival by it.
        let twoOlder = try W.ballot(root, .addRoot, by: [a[1], a[2]], at: W.now - 200)
        for ballot in [three, twoNewer, otherPair] {
            let step = state.apply(world.validated(ballot, .addRoot))
            #expect(!step.superseded && step.retired.isEmpty)
        }
        #expect(state.apply(world.validated(twoOlder, .addRoot)).superseded)
        #expect(state.ballotCount == 3)

        // The three anchors again, newest of all: it covers every held ballot, so each of them goes.
        let threeNewest = try W.ballot(root, .addRoot, by: a, at: W.now - 10)
        let step = state.apply(world.validated(threeNewest, .addRoot))
        #expect(Set(step.retired.map(\.id)) == Set([three, twoNewer, otherPair].map(Self.ballotID)))
        #expect(state.ballotCount == 1)
    }

    @Test func digestSignersRemovalsAndFutureEndorsementsAreNeverForgotten() throws {
        var world = try World()
        var state = Self.state(world)
        let root = try W.root("r.example")
        let elector = try W.elector("e.example")
        let pair = Array(world.anchors.prefix(2))

        // Digest-signed: the endorser is only known at decision time, so neither side of a comparison.
        let digestOlder = try W.ballot(root, .addRoot, by: pair, at: W.now - 100, form: .digest)
        let certificateNewer = try W.ballot(root, .addRoot, by: pair, at: W.now - 50)
        let digestNewest = try W.ballot(root, .addRoot, by: pair, at: W.now - 10, form: .digest)
        for ballot in [digestOlder, certificateNewer, digestNewest] {
            let step = state.apply(world.validated(ballot, .addRoot))
            #expect(!step.superseded && step.retired.isEmpty)
        }
        // Removals: the earliest valid one sets the denial time, so each is kept.
        let removalOlder = try W.ballot(elector, .removeElector, by: pair, at: W.now - 100)
        let removalNewer = try W.ballot(elector, .removeElector, by: pair, at: W.now - 50)
        for ballot in [removalOlder, removalNewer] {
            let step = state.apply(world.validated(ballot, .removeElector))
            #expect(!step.superseded && step.retired.isEmpty)
        }
        // An endorsement from beyond the clock skew counts only later: it cannot stand in for one that counts now.
        let other = try W.root("r2.example")
        let current = try W.ballot(other, .addRoot, by: pair, at: W.now - 100)
        let future = try W.ballot(other, .addRoot, by: pair, at: W.now + 3_600)
        #expect(state.apply(world.validated(current, .addRoot)).retired.isEmpty)
        let step = state.apply(world.validated(future, .addRoot))
        #expect(!step.superseded && step.retired.isEmpty)
        #expect(state.ballotCount == 7 && state.supersededCount == 0)
    }

    @Test func anEndorserThatWasNotValidAtTheNewerGenerationTimeKeepsTheOlderBallot() throws {
        var world = try World()
        var state = Self.state(world, quorum: 1)
        let root = try W.root("r.example")
        // An elector valid from t0 for 1,500 s: at t0 + 1,000 it may endorse; at t0 + 1,600 it no longer may.
        let brief = try AssemblerStateTests.shortLived("brief.example", seconds: 1_500)
        let admit = try W.ballot(brief, by: Array(world.anchors.prefix(2)), at: W.t0 + 900)
        _ = state.apply(world.validated(admit, at: W.t0 + 1_000))
        let older = try W.ballot(root, .addRoot, by: [brief, world.anchors[0]], at: W.t0 + 1_000)
        let newer = try W.ballot(root, .addRoot, by: [brief, world.anchors[0]], at: W.t0 + 1_600)
        _ = state.apply(world.validated(older, .addRoot, at: W.t0 + 1_100))
        let step = state.apply(world.validated(newer, .addRoot, at: W.t0 + 1_200))
        #expect(!step.superseded && step.retired.isEmpty, "brief's endorsement of the newer ballot never counts")
    }

    @Test func theValidatorVerdictsOfAReleasedBallotGoWhenNoHeldBallotCarriesThem() throws {
        let world = try World()
        let target = try W.elector("t.example")
        let pair = Array(world.anchors.prefix(2))
        let first = try W.ballot(target, by: pair, at: W.now - 100)
        // A second ballot carrying the first's endorsements and one more (a collector re-assembled it).
        let extra = try W.endorse(target.certificate, by: world.anchors[2], at: W.now - 100)
        let second = ElectorBallot(certificate: first.certificate, endorsements: first.endorsements + [extra])
        var cache = ValidatedCertificateFactsCache()
        let a = ValidatedBallotAnalysis.analyze(first, cache: &cache)
        let b = ValidatedBallotAnalysis.analyze(second, cache: &cache)
        let verdicts = ValidatorVerdicts()
        verdicts.register(a, endorsers: pair.map(\.id))
        verdicts.register(b, endorsers: world.anchors.map(\.id))
        verdicts.register(a, endorsers: pair.map(\.id))   // a redelivery registers again
        #expect(verdicts.count == 3)
        func valid(_ endorsement: Int, _ signer: Holder) -> Bool {
            guard let material = b.endorsements[endorsement].signature else { return false }
            return verdicts.isValid(material, signer: signer.facts)
        }
        verdicts.release(a)
        verdicts.release(a)
        #expect(verdicts.count == 3 && valid(0, world.anchors[0]) && valid(2, world.anchors[2]),
                "the second ballot still carries every signature")
        verdicts.release(b)
        #expect(verdicts.count == 0 && !valid(0, world.anchors[0]))
    }

    @Test(arguments: [3 as UInt64, 11, 99, 2027, 65537])
    func forgettingSupersededBallotsChangesNoContentAndNoVersion(seed: UInt64) throws {
        // Many ballots for a few targets, by overlapping endorser sets, in both signer forms, some from beyond the
        // clock skew, with expiries of short-lived endorsers, quorum changes and removals, at a capacity that leaves
        // electors out: a state that forgets superseded ballots and one that keeps everything publish the same bytes
        // under the same versions after every input.
        var generator = SplitMix(seed: seed)
        var world = try World()
        let pool = try (0..<3).map { try AssemblerStateTests.shortLived("p\($0).example", seconds: UInt16(3_000 + $0 * 900)) }
            + [try W.elector("long.example")]
        let signers = world.anchors + pool
        let roots = try (0..<2).map { try W.root("pr\($0).example") }
        var forgetting = Self.state(world, maxElectors: 6)
        var keeping = Self.state(world, maxElectors: 6, forgetting: false)
        var time = W.now
        func someSigners(excluding target: CertificateID? = nil) -> [Holder] {
            let chosen = signers.filter { $0.id != target && generator.next() % 2 == 0 }
            return chosen.isEmpty ? [world.anchors[Int(generator.next() % 3)]] : chosen
        }
        func generationTime() -> UInt32 {
            generator.next() % 9 == 0 ? time + 400 : time - UInt32(generator.next() % 300)
        }
        for index in 0..<90 {
            let input: AssemblerInput
            let form: EndorsementSigning.SignerForm = generator.next() % 8 == 0 ? .digest : .certificate
            switch generator.next() % 10 {
            case 0:
                time += UInt32(generator.next() % 700)
                input = world.expired(pool[Int(generator.next() % UInt64(pool.count))], at: time)
            case 1:
                input = world.quorum(UInt8(1 + generator.next() % 3), at: time)
            case 2, 3, 4, 5:
                let root = roots[Int(generator.next() % UInt64(roots.count))]
                let removal = generator.next() % 12 == 0
                let type: EndorsementType = removal ? .removeRoot : .addRoot
                input = world.validated(try W.ballot(root, type, by: someSigners(), at: generationTime(), form: form),
                                        type, at: time)
            default:
                let target = pool[Int(generator.next() % UInt64(pool.count))]
                let removal = generator.next() % 12 == 0
                let type: EndorsementType = removal ? .removeElector : .addElector
                input = world.validated(try W.ballot(target, type, by: someSigners(excluding: target.id),
                                                     at: generationTime(), form: form), type, at: time)
            }
            let forgot = forgetting.apply(input)
            let kept = keeping.apply(input)
            #expect(forgot.changedContent == kept.changedContent, "input \(index): a content change differs")
            #expect(forgetting.logicalVersion == keeping.logicalVersion)
            let bytes = try AssemblerStateTests.published(&forgetting).map(\.bytes)
            #expect(bytes == (try AssemblerStateTests.published(&keeping).map(\.bytes)), "input \(index): the published file differs")
            #expect(forgetting.currentContent().map(\.contentDigest) == forgetting.content().map(\.contentDigest),
                    "input \(index): the incremental content differs from the reference")
        }
        #expect(forgetting.supersededCount > 0, "the run superseded nothing: it tested nothing")
        // Every ballot is distinct here: each one the keeping state holds, the forgetting one holds or superseded once.
        #expect(forgetting.ballotCount + forgetting.supersededCount == keeping.ballotCount)
    }
}
