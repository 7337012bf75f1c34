import BallotCodec
import ElectorCrypto
import RootManagement
import Testing
import TestSupport

/// The shared synthetic vectors through the real path: bytes → codec → analysis → decision.
@Suite struct VectorTests {
    static let time: UInt32 = 600_002_000

    static func certificate(_ name: String) throws -> Certificate {
        try Certificate(coer: Fixtures.hexBytes("synthetic-camp-cert-\(name).hex"))
    }

    static func facts(_ name: String) throws -> CertificateFacts { CertificateAnalysis.facts(try certificate(name)) }

    static func decide(_ vector: String, _ expected: EndorsementAction = .addElector, quorum: Int = 2) throws -> BallotDecision {
        var signatures = SignatureResolver.crypto()
        let ballot = BallotAnalysis.analyze(bytes: try Fixtures.hexBytes(vector), signatures: &signatures)
        var view = TrustView()
        for name in ["elector1", "elector2", "elector3"] { view.trust(try facts(name)) }
        view.learn(try facts("outsider"))
        return BallotEvaluator.evaluate(ballot, expected: expected, view: view, time: time,
                                        policy: TrustPolicy(quorum: quorum), signatures: &signatures)
    }

    @Test func certificatesMatchTheirProfiles() throws {
        for name in ["elector1", "elector2", "elector3", "elector4", "outsider"] {
            let facts = try Self.facts(name)
            #expect(facts.role == .elector, "\(name): \(facts.profileProblems)")
            #expect(facts.selfSignature == .valid)
            #expect(facts.validity == ValidityWindow(start: 600_000_000, years: 12))
        }
        let root = try Self.facts("root1")
        #expect(root.role == .root, "\(root.profileProblems)")
        #expect(root.selfSignature == .valid)
        let ma = try Self.facts("ma1")
        #expect(ma.role == .other)
        #expect(ma.selfSignature == .notSelfSigned)
        let e1 = try Self.facts("elector1")
        #expect(e1.id.hex == "e5883ec9cf5c9ab6f5cd2f664d8e81e36c45e5c7c1c7f97f3fd65a6e01cf55b0")
        // The real TTA root is a root too (psid 35 RootCaSsp + psid 256), even with the CRL permission required.
        let tta = try Certificate(coer: Fixtures.hexBytes("tta-rootca-selfsigned-cert.hex"))
        #expect(CertificateAnalysis.facts(tta, options: ProfileOptions(requireRootCrlPermission: true)).role == .root)
        #expect(CertificateAnalysis.facts(tta).selfSignature == .valid)
    }

    @Test func validBallotsAreAccepted() throws {
        let elector4 = try Self.facts("elector4").id
        for vector in ["synthetic-camp-elector4-ballot.hex", "synthetic-camp-elector4-ballot-digest-signers.hex"] {
            let decision = try Self.decide(vector)
            #expect(decision.accepted, "\(vector): \(decision.findings)")
            #expect(decision.findings.isEmpty)
            #expect(decision.target == elector4)
            let e1 = try Self.facts("elector1").id, e2 = try Self.facts("elector2").id
            #expect(decision.endorsers == [e1, e2])
        }
        let root = try Self.decide("synthetic-camp-root-ballot.hex", .addRoot, quorum: 3)
        #expect(root.accepted, "\(root.findings)")
        #expect(root.endorserCount == 3)
        #expect(try Self.decide("synthetic-camp-elector4-ballot.hex", quorum: 3).sortedKeys == keys((.insufficientQuorum, nil)))
    }

    @Test func negativeVectorsGetTheirCodes() throws {
        #expect(try Self.decide("synthetic-camp-neg-duplicate-signer.hex").sortedKeys
                == keys((.duplicateEndorser, 1), (.insufficientQuorum, nil)))
        #expect(try Self.decide("synthetic-camp-neg-outsider-signer.hex").sortedKeys
                == keys((.signerUnknown, 1), (.insufficientQuorum, nil)))
        #expect(try Self.decide("synthetic-camp-neg-wrong-certificate-hash.hex").sortedKeys
                == keys((.certificateHashMismatch, 1), (.inconsistentEndorsements, 1), (.insufficientQuorum, nil)))
        #expect(try Self.decide("synthetic-camp-neg-wrong-type-addRoot-for-elector.hex").sortedKeys
                == keys((.typeMismatch, 0), (.typeMismatch, 1), (.insufficientQuorum, nil)))
        #expect(try Self.decide("synthetic-camp-root-ballot.hex", .addElector).codes
                == [.targetProfile, .typeMismatch, .insufficientQuorum])
        let garbage = try Self.decide("tta-ma-cert.hex")
        // An MA certificate is no ballot: the codec's reason (here nonCanonical, or malformed) and no quorum.
        #expect(garbage.codes.isSubset(of: [.malformed, .nonCanonical, .insufficientQuorum]) && garbage.codes.count == 2,
                "\(garbage.findings)")
        #expect(!garbage.accepted)
    }

    @Test func gccfVectorEvaluatesToTheExpectedTrustedSets() throws {
        let file = try ScmsFile(coer: Fixtures.hexBytes("synthetic-camp-gccf-scmsfile.hex"))
        var signatures = SignatureResolver.crypto()
        let received = try ChainFileAnalysis.analyze(file, signatures: &signatures).get()
        #expect(received.version == .gccf(7))
        let anchors = try ["elector1", "elector2", "elector3"].map(Self.facts)
        let state = RelyingPartyState(policy: TrustPolicy(quorum: 2), electorAnchors: anchors)
        let update = try RelyingParty.apply(received, to: state, at: Self.time, signatures: &signatures).get()
        let elector4 = try Self.facts("elector4").id, root1 = try Self.facts("root1").id
        #expect(update.state.trustedElectors(at: Self.time) == (anchors.map(\.id) + [elector4]).sorted())
        #expect(update.state.trustedRoots(at: Self.time) == [root1])
        #expect(update.state.lastGCCFVersion == 7)
        #expect(update.decisions.filter { !$0.accepted }.isEmpty)
        // The same file again is a replay.
        let replay = RelyingParty.apply(received, to: update.state, at: Self.time + 10, signatures: &signatures)
        guard case .failure(let rejection) = replay else {
            Issue.record("replay accepted")
            return
        }
        #expect(rejection.findings.map { $0.code } == [ReasonCode.rollback])
    }
}
