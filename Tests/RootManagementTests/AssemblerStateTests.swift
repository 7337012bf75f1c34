import BallotCodec
import ElectorCrypto
import RootManagement
import Testing

/// The assembler's fold on real COER ballots from fresh keys: inclusion and the four drop conditions, capacity and
/// size limits, logical versions and the publication rule, the canonical input order.
@Suite struct AssemblerStateTests {
    typealias W = CoerWorld

    /// Three anchors, an MA certificate, and a builder of inputs.
    struct World {
        let anchors: [Holder]
        let ma: Certificate
        var offsets: [AssemblerSource: Int64] = [:]

        init() throws {
            anchors = try (0..<3).map { try W.elector("anchor\($0).example") }
            let root = try W.root("root.example")
            let maKey = try PrivateKey.generate()
            ma = try ElectorCeremony.maCertificate(name: "ma.example", key: maKey.publicKey, issuer: root.certificate,
                                                   issuerKey: root.key, start: Time32(W.t0), duration: .years(3)).get()
        }

        func configuration(quorum: Int = 2, maxElectors: Int = 10, maxFileBytes: Int = 4 << 20) -> AssemblerConfiguration {
            AssemblerConfiguration(policy: TrustPolicy(quorum: quorum, maxElectors: maxElectors),
                                   electorAnchors: anchors.map(\.facts), maCertificate: ma, maxFileBytes: maxFileBytes)
        }

        func state(quorum: Int = 2, maxElectors: Int = 10, maxFileBytes: Int = 4 << 20) -> AssemblerState {
            AssemblerState(configuration: configuration(quorum: quorum, maxElectors: maxElectors, maxFileBytes: maxFileBytes),
                           signatures: .crypto())
        }

        mutating func next(_ source: AssemblerSource) -> Int64 {
            defer { offsets[source, default: 0] += 1 }
            return offsets[source, default: 0]
        }

        mutating func validated(_ ballot: ElectorBallot, _ type: EndorsementType = .addElector,
                                at time: UInt32 = W.now) -> AssemblerInput {
            let record = ValidatedBallot(ballot: ballot, type: type,
                                         targetHash: HashedId32(uncheckedBytes: Digest.sha256(ballot.certificate.coerEncoded)),
                                         ballotDigest: HashedId32(uncheckedBytes: Digest.sha256(ballot.coerEncoded)),
                                         processingTime: Time32(time), quorum: 2, endorsers: [])
            var signatures = SignatureResolver.crypto()
            return AssemblerInput.validated(record, offset: next(.validated), signatures: &signatures)!
        }

        mutating func expired(_ holder: Holder, at time: UInt32) -> AssemblerInput {
            let event = ExpiryEvent(kind: .expired, certificateHash: HashedId32(uncheckedBytes: holder.id.bytes),
                                    role: .elector, expiryTime: Time32(time), effectiveTime: Time32(time), leadSeconds: 0)
            return AssemblerInput.expiry(event, offset: next(.expiry))
        }

        mutating func quorum(_ quorum: UInt8, at time: UInt32) -> AssemblerInput {
            AssemblerInput.policy(quorum: quorum, generationTime: time, offset: next(.policy))
        }
    }

    /// An elector valid from t0 for `seconds`.
    static func shortLived(_ name: String, seconds: UInt16) throws -> Holder {
        let key = try PrivateKey.generate()
        var tbs = CertificateSigning.electorTemplate(name: name, key: key.publicKey, start: Time32(W.t0))
        tbs.validityPeriod = ValidityPeriod(start: Time32(W.t0), duration: .seconds(seconds))
        return Holder(key: key, certificate: try CertificateSigning.selfSigned(tbs, key: key))
    }

    static func published(_ state: inout AssemblerState) throws -> GCCFPublication? {
        switch state.preparePublication() {
        case .publish(let publication):
            state.notePublished(publication.published)
            return publication
        case .upToDate: return nil
        case .failed(let finding): throw finding
        }
    }

    static func electorTargets(_ publication: GCCFPublication) -> [CertificateID] {
        publication.content.store.electorEndorsements.map { CertificateAnalysis.facts($0.certificate).id }
    }

    @Test func anAdmittedBallotIsPublishedAsVersionOneAndNothingElseUntilTheContentChanges() throws {
        var world = try World()
        var state = world.state()
        #expect(try Self.published(&state) == nil)
        let newcomer = try W.elector("new.example")
        let ballot = try W.ballot(newcomer, by: Array(world.anchors.prefix(2)))
        let step = state.apply(world.validated(ballot))
        #expect(step.changedContent)
        let first = try #require(try Self.published(&state))
        #expect(first.version == 1)
        #expect(Self.electorTargets(first) == [newcomer.id])
        #expect(first.file.globalCertificateChainFile?.certStore.maCertificate == world.ma)
        // The bytes are assembled from the ballots' encodings: the same as encoding the file.
        #expect(first.bytes == first.file.coerEncoded)
        #expect(first.content.storeBytes == first.content.store.coerEncoded)
        // The same ballot again, and an expiry event that changes nothing: no new version.
        #expect(state.apply(world.validated(ballot, at: W.now + 5)).duplicate)
        #expect(!state.apply(world.expired(world.anchors[0], at: W.now + 6)).changedContent)
        #expect(try Self.published(&state) == nil)
        #expect(state.effectiveVersion == 1)
    }

    @Test func theFourDropConditionsEachRemoveTheBallotFromTheNextVersion() throws {
        var world = try World()
        // 1. Target expiry.
        do {
            var state = world.state()
            let target = try Self.shortLived("short.example", seconds: 4_000)
            _ = state.apply(world.validated(try W.ballot(target, by: Array(world.anchors.prefix(2)))))
            let before = try #require(try Self.published(&state))
            #expect(Self.electorTargets(before) == [target.id])
            #expect(state.apply(world.expired(target, at: W.t0 + 4_000)).changedContent)
            let after = try #require(try Self.published(&state))
            #expect(after.version == before.version + 1)
            #expect(Self.electorTargets(after).isEmpty)
        }
        // 2. Endorser expiry below quorum (the endorser is an admitted elector, not an anchor).
        do {
            var state = world.state()
            let middle = try Self.shortLived("middle.example", seconds: 5_000)
            let late = try W.elector("late.example")
            _ = state.apply(world.validated(try W.ballot(middle, by: Array(world.anchors.prefix(2)))))
            _ = state.apply(world.validated(try W.ballot(late, by: [world.anchors[0], middle])))
            let before = try #require(try Self.published(&state))
            #expect(Set(Self.electorTargets(before)) == [middle.id, late.id])
            _ = state.apply(world.expired(middle, at: W.t0 + 5_000))
            let after = try #require(try Self.published(&state))
            #expect(Self.electorTargets(after).isEmpty)
        }
        // 3. Quorum raise by GPF.
        do {
            var state = world.state()
            let target = try W.elector("two.example")
            _ = state.apply(world.validated(try W.ballot(target, by: Array(world.anchors.prefix(2)))))
            let before = try #require(try Self.published(&state))
            #expect(Self.electorTargets(before) == [target.id])
            let step = state.apply(world.quorum(3, at: W.now + 10))
            #expect(step.changedContent)
            #expect(state.quorum == 3)
            let after = try #require(try Self.published(&state))
            #expect(Self.electorTargets(after).isEmpty)
            #expect(state.referenceSelection().excluded.contains { $0.findings.contains { $0.code == .insufficientQuorum } })
        }
        // 4. Removal ballot.
        do {
            var state = world.state()
            let target = try W.elector("removed.example")
            _ = state.apply(world.validated(try W.ballot(target, by: Array(world.anchors.prefix(2)))))
            #expect(Self.electorTargets(try #require(try Self.published(&state))) == [target.id])
            let removal = try W.ballot(target, .removeElector, by: Array(world.anchors.suffix(2)), at: W.now)
            #expect(state.apply(world.validated(removal, .removeElector, at: W.now + 20)).changedContent)
            let after = try #require(try Self.published(&state))
            #expect(Self.electorTargets(after).isEmpty)
            #expect(state.engine.denyList.ids == [target.id])
        }
    }

    @Test func aQuorumBelowTheFloorIsRefusedAndKeepsTheContent() throws {
        var world = try World()
        var state = AssemblerState(configuration: AssemblerConfiguration(
            policy: TrustPolicy(quorum: 2, quorumFloor: 2), electorAnchors: world.anchors.map(\.facts),
            maCertificate: world.ma), signatures: .crypto())
        _ = state.apply(world.validated(try W.ballot(try W.elector("x.example"), by: Array(world.anchors.prefix(2)))))
        let step = state.apply(world.quorum(1, at: W.now + 1))
        #expect(step.refusedPolicy?.finding.code == .quorumBelowFloor)
        #expect(!step.changedContent)
        #expect(state.quorum == 2)
    }

    /// Regression (poison campaign): an older GPF replayed after a newer one set the quorum in force.
    @Test func theNewestGPFStaysInForceWhenAnOlderOneArrivesLater() throws {
        var world = try World()
        var state = world.state(quorum: 2)
        _ = state.apply(world.validated(try W.ballot(try W.elector("y.example"), by: Array(world.anchors.prefix(2)))))
        _ = state.apply(world.quorum(2, at: W.now + 10))
        #expect(state.quorum == 2)
        let step = state.apply(world.quorum(3, at: W.now + 5))
        #expect(state.quorum == 2)
        #expect(!step.changedContent)
        _ = state.apply(world.quorum(3, at: W.now + 20))
        #expect(state.quorum == 3)
    }

    @Test func electorsBeyondTheCapacityAreLeftOutWithTheirReasonCode() throws {
        var world = try World()
        var state = world.state(maxElectors: 4)
        let newcomers = try (0..<3).map { try W.elector("cap\($0).example") }
        for newcomer in newcomers {
            _ = state.apply(world.validated(try W.ballot(newcomer, by: Array(world.anchors.prefix(2)))))
        }
        let publication = try #require(try Self.published(&state))
        #expect(publication.content.store.electorEndorsements.count == 1)
        #expect(publication.content.capacityExceeded.count == 2)
        let admitted = try #require(Self.electorTargets(publication).first)
        // Admissions go in the order the fold trusted them: the first one folded stays, whatever the IDs.
        #expect(admitted == newcomers[0].id)
        let reference = state.referenceSelection().snapshot
        for id in publication.content.capacityExceeded {
            #expect(reference.decisions[id]?.codes.contains(.electorCapacityExceeded) == true)
        }
    }

    @Test(arguments: [0, 1, 2, 3])
    func anEarlierAdmittedElectorKeepsItsPlaceAtTheCap(permutation: Int) throws {
        var world = try World()
        // Cap 5 = 3 anchors + 2. `first` is admitted by anchors; `second` needs `first` (a later fixpoint round);
        // the newcomer is endorsed by anchors only, so a round-based admission would take it before `second`.
        var holders = try (0..<3).map { try W.elector("c\($0).example") }
        if permutation & 1 == 1 { holders.swapAt(0, 2) }
        if permutation & 2 == 2 { holders.swapAt(1, 2) }
        let (first, second, newcomer) = (holders[0], holders[1], holders[2])
        var state = world.state(maxElectors: 5)
        let firstBallot = try W.ballot(first, by: Array(world.anchors.prefix(2)))
        _ = state.apply(world.validated(firstBallot, at: W.now))
        _ = state.apply(world.validated(try W.ballot(second, by: [world.anchors[0], first]), at: W.now + 1))
        let before = try #require(try Self.published(&state))
        #expect(Set(Self.electorTargets(before)) == [first.id, second.id])
        let overflow = try W.ballot(newcomer, by: Array(world.anchors.prefix(2)))
        let step = state.apply(world.validated(overflow, at: W.now + 2))
        #expect(!step.changedContent, "the refused newcomer changes nothing in the file")
        #expect(try Self.published(&state) == nil)
        let content = try state.currentContent().get()
        #expect(Set(content.electorBallots) == Set(before.content.electorBallots))
        #expect(content.capacityExceeded == [BallotAnalysis.ballotID(overflow)])
        #expect(try state.content().get().contentDigest == content.contentDigest)
        // When an admitted elector leaves, the newcomer takes its place.
        let removal = try W.ballot(second, .removeElector, by: Array(world.anchors.suffix(2)), at: W.now + 3)
        #expect(state.apply(world.validated(removal, .removeElector, at: W.now + 4)).changedContent)
        let after = try state.currentContent().get()
        #expect(Set(after.electorBallots) == [BallotAnalysis.ballotID(firstBallot), BallotAnalysis.ballotID(overflow)])
        #expect(after.capacityExceeded.isEmpty)
    }

    @Test func rootBallotsAreDroppedWeakestFirstToFitTheSizeLimit() throws {
        var world = try World()
        let roots = try (0..<3).map { try W.root("r\($0).example") }
        // Two strong (3 endorsers) and one weak (2 endorsers) root ballot.
        let ballots = [try W.ballot(roots[0], .addRoot, by: world.anchors),
                       try W.ballot(roots[1], .addRoot, by: Array(world.anchors.prefix(2))),
                       try W.ballot(roots[2], .addRoot, by: world.anchors)]
        var unlimited = world.state()
        for ballot in ballots { _ = unlimited.apply(world.validated(ballot, .addRoot)) }
        let full = try #require(try Self.published(&unlimited))
        #expect(full.content.store.rootCAEndorsements.count == 3)
        let limit = full.bytes.count - 1
        var limited = world.state(maxFileBytes: limit)
        world.offsets = [:]
        for ballot in ballots { _ = limited.apply(world.validated(ballot, .addRoot)) }
        let trimmed = try #require(try Self.published(&limited))
        #expect(trimmed.bytes.count <= limit)
        #expect(trimmed.bytes == trimmed.file.coerEncoded && full.bytes == full.file.coerEncoded)
        #expect(trimmed.content.store.rootCAEndorsements.count == 2)
        #expect(trimmed.content.sizeDropped.map(\.target) == [roots[1].id])
        // Too small even for the MA certificate: refused, not published.
        var tiny = world.state(maxFileBytes: 50)
        _ = tiny.apply(world.validated(ballots[0], .addRoot))
        guard case .failed = tiny.preparePublication() else {
            Issue.record("a file over the limit without roots must fail")
            return
        }
    }

    @Test func aReplayOfTheSameInputsGivesTheSameVersionsAndBytes() throws {
        var world = try World()
        let target = try Self.shortLived("replay.example", seconds: 6_000)
        let other = try W.elector("other.example")
        let inputs = [world.validated(try W.ballot(target, by: Array(world.anchors.prefix(2)))),
                      world.validated(try W.ballot(other, by: [world.anchors[2], target]), at: W.now + 2),
                      world.quorum(2, at: W.now + 3),
                      world.expired(target, at: W.t0 + 6_000)]
        func run(publishEvery: Int) throws -> [(UInt16, [UInt8])] {
            var state = world.state()
            var out: [(UInt16, [UInt8])] = []
            for (index, input) in inputs.enumerated() {
                _ = state.apply(input)
                if (index + 1) % publishEvery == 0, let p = try Self.published(&state) { out.append((p.version, p.bytes)) }
            }
            if let p = try Self.published(&state) { out.append((p.version, p.bytes)) }
            return out
        }
        let everyInput = try run(publishEvery: 1)
        let atTheEnd = try run(publishEvery: 100)
        #expect(everyInput.count >= 2)
        // Whatever the publication points, the last file is the same, and a version always names the same bytes.
        #expect(atTheEnd.count == 1)
        #expect(everyInput.last?.0 == atTheEnd.last?.0)
        #expect(everyInput.last?.1 == atTheEnd.last?.1)
    }

    @Test func aReplayBehindThePublishedVersionContinuesNumberingAfterIt() throws {
        var world = try World()
        let target = try W.elector("ahead.example")
        let input = world.validated(try W.ballot(target, by: Array(world.anchors.prefix(2))))
        var state = world.state()
        _ = state.apply(input)
        let mine = try #require(try Self.published(&state))
        #expect(mine.version == 1)

        // The topic holds version 7 with the same content: nothing to publish, the next change gets 8.
        var replay = world.state()
        _ = replay.apply(input)
        replay.notePublished(PublishedVersion(version: 7, contentDigest: mine.content.contentDigest))
        #expect(try Self.published(&replay) == nil)
        #expect(replay.effectiveVersion == 7)
        _ = replay.apply(world.expired(target, at: UInt32(CertificateAnalysis.facts(target.certificate).validity.end)))
        #expect(try #require(try Self.published(&replay)).version == 8)

        // The topic holds version 1 with other content: this content is published as 2, never as 1.
        var conflicting = world.state()
        _ = conflicting.apply(input)
        conflicting.notePublished(PublishedVersion(version: 1, contentDigest: [0xde, 0xad]))
        #expect(try #require(try Self.published(&conflicting)).version == 2)
    }

    @Test func theVersionCountsContentChangesOnlyWhateverTheInterleavingAndRedeliveries() throws {
        var world = try World()
        // Independent targets (all endorsers anchors): per target a weak then a strong ballot (two changes) and a
        // weaker one after them (no change).
        let targets = try (0..<3).map { try W.elector("i\($0).example") } + (0..<3).map { try W.root("ir\($0).example") }
        var perTarget: [[(ElectorBallot, EndorsementType)]] = []
        for (index, target) in targets.enumerated() {
            let type: EndorsementType = index < 3 ? .addElector : .addRoot
            perTarget.append([(try W.ballot(target, type, by: Array(world.anchors.prefix(2)), at: W.now - 10), type),
                              (try W.ballot(target, type, by: world.anchors, at: W.now - 10), type),
                              (try W.ballot(target, type, by: Array(world.anchors.suffix(2)), at: W.now - 20), type)])
        }
        func run(_ order: [(ElectorBallot, EndorsementType)]) throws -> (Int, [UInt8]?) {
            var state = world.state()
            for (index, (ballot, type)) in order.enumerated() {
                _ = state.apply(world.validated(ballot, type, at: W.now + UInt32(index)))
            }
            return (state.logicalVersion, try Self.published(&state)?.bytes)
        }
        let sequential = try run(perTarget.flatMap { $0 })
        var generator = SplitMix(seed: 7)
        var queues = perTarget
        var interleaved: [(ElectorBallot, EndorsementType)] = []
        while queues.contains(where: { !$0.isEmpty }) {
            let open = queues.indices.filter { !queues[$0].isEmpty }
            let pick = open[Int(generator.next() % UInt64(open.count))]
            interleaved.append(queues[pick].removeFirst())
            // Redeliveries of something already folded.
            if generator.next() % 2 == 0 { interleaved.append(interleaved[Int(generator.next() % UInt64(interleaved.count))]) }
        }
        let shuffled = try run(interleaved)
        #expect(sequential.0 == 12, "two content changes per target")
        #expect(shuffled.0 == sequential.0)
        #expect(shuffled.1 == sequential.1, "byte-identical final GCCF, version included")
    }

    @Test(arguments: [1 as UInt64, 7, 42, 2026, 31337])
    func inputsNotCountedNeverChangeTheContent(seed: UInt64) throws {
        // Random elector, removal, root, expiry and quorum inputs at a capacity that leaves electors out: after every
        // input the incremental content equals the from-scratch one, and the version counts exactly its changes.
        var generator = SplitMix(seed: seed)
        var world = try World()
        let pool = try (0..<4).map { try Self.shortLived("p\($0).example", seconds: UInt16(3_000 + $0 * 700)) }
            + [try W.elector("long.example")]
        let signers = world.anchors + pool
        let roots = try (0..<2).map { try W.root("pr\($0).example") }
        var state = world.state(quorum: 2, maxElectors: 6)
        var digest = state.content().map(\.contentDigest)
        var time = W.now
        var counted = 0
        func someSigners() -> [Holder] {
            let chosen = signers.filter { _ in generator.next() % 3 == 0 }
            return chosen.isEmpty ? [world.anchors[0]] : chosen
        }
        for _ in 0..<36 {
            let input: AssemblerInput
            switch generator.next() % 8 {
            case 0:
                time += UInt32(generator.next() % 900)
                input = world.expired(pool[Int(generator.next() % UInt64(pool.count))], at: time)
            case 1:
                input = world.quorum(UInt8(1 + generator.next() % 3), at: time)
            case 2, 3:
                // Root ballots, endorsed by pool electors too (some of them left out by the capacity).
                let root = roots[Int(generator.next() % UInt64(roots.count))]
                let removal = generator.next() % 6 == 0
                input = world.validated(try W.ballot(root, removal ? .removeRoot : .addRoot, by: someSigners(),
                                                     at: time - 50), removal ? .removeRoot : .addRoot, at: time)
            default:
                let target = pool[Int(generator.next() % UInt64(pool.count))]
                var chosen: [Holder] = []
                for signer in signers where generator.next() % 3 == 0 && signer.id != target.id { chosen.append(signer) }
                if chosen.isEmpty { chosen = [world.anchors[0]] }
                let removal = generator.next() % 7 == 0
                input = world.validated(try W.ballot(target, removal ? .removeElector : .addElector, by: chosen, at: time - 50),
                                        removal ? .removeElector : .addElector, at: time)
            }
            let step = state.apply(input)
            let now = state.content().map(\.contentDigest)
            #expect(state.currentContent().map(\.contentDigest) == now, "the incremental content equals the reference")
            if step.changedContent {
                counted += 1
                #expect(now != digest, "an input counted did not change the content")
            } else {
                #expect(now == digest, "an input not counted changed the content")
            }
            digest = now
        }
        #expect(counted == state.logicalVersion)
    }

    @Test func theVerdictPathAnalyzesLikeTheFullPathAndBuildsTheSameFile() throws {
        var world = try World()
        let targets = try (0..<3).map { try W.elector("v\($0).example") }
        let root = try W.root("vr.example")
        let outsider = try W.elector("outsider.example")
        let ballots: [(ElectorBallot, EndorsementType)] = [
            (try W.ballot(targets[0], by: Array(world.anchors.prefix(2))), .addElector),
            (try W.ballot(targets[1], by: [world.anchors[0], targets[0]], form: .digest), .addElector),
            (try W.ballot(targets[2], by: [world.anchors[2], outsider]), .addElector),
            (try W.ballot(root, .addRoot, by: world.anchors), .addRoot),
        ]
        // Same facts as BallotAnalysis when nothing is trusted (self-signatures verified).
        var cache = ValidatedCertificateFactsCache()
        for (ballot, _) in ballots {
            var signatures = SignatureResolver.crypto()
            let full = BallotAnalysis.analyze(ballot, signatures: &signatures)
            let cheap = ValidatedBallotAnalysis.analyze(ballot, cache: &cache, trustedTargetSelfSignature: false)
            #expect(cheap == full)
            #expect(ValidatedBallotAnalysis.analyze(ballot, cache: &cache) == full)
        }
        // The validator's verdicts: every endorser that verified and is trusted (the outsider is not).
        let verdicts = ValidatorVerdicts()
        var fast = AssemblerState(configuration: world.configuration(), signatures: SignatureResolver(verifier: verdicts))
        var slow = world.state()
        for (ballot, type) in ballots {
            let input = world.validated(ballot, type)
            guard case .ballot(let analyzed, let action, _) = input.payload else { continue }
            let known = (world.anchors + targets).map(\.id)
            let endorsers = ballot.endorsements.compactMap { e -> CertificateID? in
                switch e.signedData?.signer {
                case .certificate(let c)?: return CertificateAnalysis.facts(c[0]).id
                case .digest(let d)?: return known.first { $0.shortID.bytes == d.bytes }
                default: return nil
                }
            }.filter { $0 != outsider.id }
            verdicts.register(analyzed, endorsers: endorsers)
            let cheap = AssemblerInput(source: .validated, offset: input.offset, recordedTime: input.recordedTime,
                                       payload: .ballot(ValidatedBallotAnalysis.analyze(ballot, cache: &cache), action, ballot))
            _ = fast.apply(cheap)
            _ = slow.apply(input)
        }
        let a = try #require(try Self.published(&fast)), b = try #require(try Self.published(&slow))
        #expect(a.content.contentDigest == b.content.contentDigest && a.version == b.version)
        #expect(Set(Self.electorTargets(a)) == [targets[0].id, targets[1].id])
        #expect(fast.engine.signatures.verifications > 0)
        // A signer the validator did not list does not count, whatever its signature.
        #expect(!verdicts.isValid(SignatureMaterial(dataHash: [], r: [], s: []), signer: world.anchors[0].facts))
    }

    @Test func theCanonicalOrderMergesByRecordedTimeThenTopic() {
        typealias K = AssemblerOrder.Key
        let streams: [AssemblerSource: [K]] = [
            .validated: [K(time: 10, source: .validated), K(time: 9, source: .validated), K(time: 12, source: .validated)],
            .expiry: [K(time: 10, source: .expiry), K(time: 11, source: .expiry)],
            .policy: [K(time: 10, source: .policy)],
        ]
        let merged = AssemblerOrder.merge(streams) { $0 }
        #expect(merged.map(\.description) == ["10/policy", "10/validated", "9/validated", "10/expiry", "11/expiry",
                                              "12/validated"])
        // Folding in that order is always "in order"; a record merging before folded ones is not.
        var tracker = AssemblerOrder.Tracker()
        for key in merged {
            #expect(tracker.isInOrder(key, from: key.source))
            tracker.note(key, from: key.source)
        }
        #expect(!tracker.isInOrder(K(time: 11, source: .policy), from: .policy))
        #expect(tracker.isInOrder(K(time: 13, source: .policy), from: .policy))
        #expect(tracker.isInOrder(K(time: 1, source: .validated), from: .validated))
    }
}
