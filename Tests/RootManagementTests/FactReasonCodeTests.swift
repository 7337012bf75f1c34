import ElectorCrypto
import RootManagement
import Testing

/// One case per dynamic and semantic reason code, on facts with fresh keys and real signatures.
@Suite struct FactReasonCodeTests {
    typealias W = FactWorld
    let e1: Party, e2: Party, e3: Party, newcomer: Party, outsider: Party, root: Party
    let expired: Party, future: Party

    init() throws {
        e1 = try W.party("e1"); e2 = try W.party("e2"); e3 = try W.party("e3")
        newcomer = try W.party("newcomer"); outsider = try W.party("outsider")
        root = try W.party("root", role: .root, years: 17)
        expired = try W.party("expired", start: W.t0 - 13 * W.year)
        future = try W.party("future", start: W.t0 + W.year)
    }

    var anchors: [Party] { [e1, e2, e3] }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var accepted: Bool
        var keys: [FindingKey]
        var endorsers: Int
        var description: String { name }
    }

    func check(_ name: String, _ ballot: AnalyzedBallot, _ expected: EndorsementAction = .addElector,
               view: TrustView? = nil, quorum: Int = 2, floor: Int = 1, time: UInt32 = W.t0 + 2_000,
               accepted: Bool, keys expectedKeys: [FindingKey], endorsers: Int? = nil) {
        var signatures = SignatureResolver.crypto()
        let decision = W.decide(ballot, expected, view: view ?? W.view(trusting: anchors, knowing: [outsider, root, expired, future]),
                                quorum: quorum, floor: floor, time: time, signatures: &signatures)
        #expect(decision.accepted == accepted, "\(name): \(decision.findings)")
        #expect(decision.sortedKeys == expectedKeys, "\(name): \(decision.findings)")
        if let endorsers { #expect(decision.endorserCount == endorsers, "\(name)") }
    }

    @Test func acceptedWithCertificateAndDigestSigners() throws {
        check("certificate signers", try W.ballot(newcomer, by: [e1, e2]), accepted: true, keys: [], endorsers: 2)
        check("digest signers", try W.ballot(newcomer, by: [e1, e2, e3], reference: .digest), accepted: true, keys: [],
              endorsers: 3)
        check("root ballot", try W.ballot(root, .addRoot, by: [e1, e2, e3]), .addRoot, quorum: 3, accepted: true,
              keys: [], endorsers: 3)
    }

    @Test func signerCodes() throws {
        let n = newcomer.facts
        check("signerSelf", W.make(n, [try W.endorsement(0, by: e1, of: n), try W.endorsement(1, by: e2, of: n, reference: .selfSigned)]),
              accepted: false, keys: keys((.signerSelf, 1), (.insufficientQuorum, nil)))
        check("signerUnknown (certificate)", try W.ballot(newcomer, by: [e1, outsider]),
              accepted: false, keys: keys((.signerUnknown, 1), (.insufficientQuorum, nil)))
        check("signerUnknown (digest of nobody)", W.make(n, [try W.endorsement(0, by: e1, of: n),
              try W.endorsement(1, by: try W.party("nobody"), of: n, reference: .digest)]),
              accepted: false, keys: keys((.signerUnknown, 1), (.insufficientQuorum, nil)))
        check("signerNotElector", try W.ballot(newcomer, by: [e1, root]),
              accepted: false, keys: keys((.signerNotElector, 1), (.insufficientQuorum, nil)))
        check("signerExpired", try W.ballot(newcomer, by: [e1, expired]),
              accepted: false, keys: keys((.signerExpired, 1), (.insufficientQuorum, nil)))
        check("signerNotYetValid", try W.ballot(newcomer, by: [e1, future]),
              accepted: false, keys: keys((.signerNotYetValid, 1), (.insufficientQuorum, nil)))
        let late = try W.party("late", start: W.t0 + 1_500)
        check("signerNotYetValid at generation time", try W.ballot(newcomer, by: [e1, late]),
              view: W.view(trusting: [e1, late]), accepted: false,
              keys: keys((.signerNotYetValid, 1), (.insufficientQuorum, nil)))
        var denied = DenyList()
        denied.deny(e2.id, Denial(effectiveTime: W.t0 + 500, ballot: nil))
        check("signerRemoved", try W.ballot(newcomer, by: [e1, e2]),
              view: W.view(trusting: [e1, e3], knowing: [e2], denied: denied), accepted: false,
              keys: keys((.signerRemoved, 1), (.insufficientQuorum, nil)))
        check("badSignature", W.make(n, [try W.endorsement(0, by: e1, of: n), try W.endorsement(1, by: e2, of: n, corrupt: true)]),
              accepted: false, keys: keys((.badSignature, 1), (.insufficientQuorum, nil)))
        check("badSignature (digest)", W.make(n, [try W.endorsement(0, by: e1, of: n),
              try W.endorsement(1, by: e2, of: n, reference: .digest, corrupt: true)]),
              accepted: false, keys: keys((.badSignature, 1), (.insufficientQuorum, nil)))
    }

    @Test func distinctEndorsers() throws {
        check("duplicateEndorser (same certificate)", try W.ballot(newcomer, by: [e1, e1]),
              accepted: false, keys: keys((.duplicateEndorser, 1), (.insufficientQuorum, nil)), endorsers: 1)
        let twin = try W.party("e1-second-certificate", key: e1.key)
        check("duplicateEndorser (same key, two certificates)", try W.ballot(newcomer, by: [e1, twin]),
              view: W.view(trusting: [e1, twin, e2]), accepted: false,
              keys: keys((.duplicateEndorser, 1), (.insufficientQuorum, nil)), endorsers: 1)
        check("targetIsEndorser (certificate)", try W.ballot(newcomer, by: [e1, newcomer]),
              accepted: false, keys: keys((.targetIsEndorser, 1), (.insufficientQuorum, nil)))
        check("targetIsEndorser (digest)", try W.ballot(newcomer, by: [e1, newcomer], reference: .digest),
              view: W.view(trusting: anchors, knowing: [newcomer]), accepted: false,
              keys: keys((.targetIsEndorser, 1), (.insufficientQuorum, nil)))
        let sameKeyAsTarget = try W.party("trusted-with-target-key", key: newcomer.key)
        check("targetIsEndorser (trusted certificate with the target's key)", try W.ballot(newcomer, by: [e1, sameKeyAsTarget]),
              view: W.view(trusting: [e1, e2, sameKeyAsTarget]), accepted: false,
              keys: keys((.targetIsEndorser, 1), (.insufficientQuorum, nil)))
        // A HashedId8 shared by two trusted electors: every candidate is tried.
        var clash = try W.party("clash")
        clash.facts.id = CertificateID(bytes: Array(clash.id.bytes.prefix(24)) + e2.id.shortID.bytes)!
        check("digest collision resolved by trying each candidate", try W.ballot(newcomer, by: [e1, e2], reference: .digest),
              view: W.view(trusting: [e1, e2, clash]), accepted: true, keys: [], endorsers: 2)
    }

    @Test func targetCodes() throws {
        var denied = DenyList()
        denied.deny(newcomer.id, Denial(effectiveTime: W.t0 + 100, ballot: nil))
        check("targetRemoved", try W.ballot(newcomer, by: [e1, e2]),
              view: W.view(trusting: anchors, denied: denied), accepted: false, keys: keys((.targetRemoved, nil)))
        check("targetExpired", try W.ballot(expired, by: [e1, e2]), accepted: false, keys: keys((.targetExpired, nil)))
        check("targetNotYetValid", try W.ballot(future, by: [e1, e2]), accepted: false, keys: keys((.targetNotYetValid, nil)))
        check("targetProfile", try W.ballot(root, by: [e1, e2]), accepted: false, keys: keys((.targetProfile, nil)))
        let issued = try W.party("issued", selfSignature: .notSelfSigned)
        check("targetNotSelfSigned", try W.ballot(issued, by: [e1, e2]), accepted: false, keys: keys((.targetNotSelfSigned, nil)))
        let forged = try W.party("forged", selfSignature: .invalid)
        check("targetBadSelfSignature", try W.ballot(forged, by: [e1, e2]), accepted: false,
              keys: keys((.targetBadSelfSignature, nil)))
        check("removal of an expired elector still counts", try W.ballot(expired, .removeElector, by: [e1, e2]),
              .removeElector, accepted: true, keys: [])
    }

    @Test func statementCodes() throws {
        let n = newcomer.facts
        check("typeMismatch", try W.ballot(newcomer, .addRoot, by: [e1, e2]), accepted: false,
              keys: keys((.typeMismatch, 0), (.typeMismatch, 1), (.insufficientQuorum, nil)))
        check("inconsistentEndorsements", W.make(n, [try W.endorsement(0, by: e1, of: n, at: W.t0 + 1_000),
                                                     try W.endorsement(1, by: e2, of: n, at: W.t0 + 1_001)]),
              accepted: false, keys: keys((.inconsistentEndorsements, 1), (.insufficientQuorum, nil)))
        check("certificateHashMismatch", W.make(n, [try W.endorsement(0, by: e1, of: n),
                                                    try W.endorsement(1, by: e2, of: n, certificateHash: outsider.id)]),
              accepted: false,
              keys: keys((.certificateHashMismatch, 1), (.inconsistentEndorsements, 1), (.insufficientQuorum, nil)))
        check("generationTimeMismatch", W.make(n, [try W.endorsement(0, by: e1, of: n),
              try W.endorsement(1, by: e2, of: n, headerMicros: UInt64(W.t0 + 999) * 1_000_000)]),
              accepted: false, keys: keys((.generationTimeMismatch, 1), (.insufficientQuorum, nil)))
        var noHeader = try W.endorsement(1, by: e2, of: n)
        noHeader.headerGenerationTime = nil
        check("missingGenerationTime", W.make(n, [try W.endorsement(0, by: e1, of: n), noHeader]),
              accepted: false, keys: keys((.missingGenerationTime, 1), (.insufficientQuorum, nil)))
        var codec = try W.endorsement(1, by: e2, of: n)
        codec.findings = [Finding(.wrongPsid, endorsement: 1, "psid 36")]
        check("codec finding invalidates its endorsement", W.make(n, [try W.endorsement(0, by: e1, of: n), codec]),
              accepted: false, keys: keys((.wrongPsid, 1), (.insufficientQuorum, nil)))
        check("malformed ballot", W.make(nil, [], findings: [Finding(.malformed, "truncated")]), accepted: false,
              keys: keys((.malformed, nil), (.insufficientQuorum, nil)))
    }

    @Test func timeAndBounds() throws {
        let t = W.t0 + 2_000
        check("generationTimeInFuture", try W.ballot(newcomer, by: [e1, e2], at: t + 301), time: t, accepted: false,
              keys: keys((.generationTimeInFuture, 0), (.generationTimeInFuture, 1), (.insufficientQuorum, nil)))
        check("within the clock skew", try W.ballot(newcomer, by: [e1, e2], at: t + 300), time: t, accepted: true, keys: [])
        let many = try (0..<11).map { try W.party("m\($0)") }
        check("tooManyEndorsements", try W.ballot(newcomer, by: many), view: W.view(trusting: many), accepted: false,
              keys: keys((.tooManyEndorsements, nil), (.insufficientQuorum, nil)))
        check("insufficientQuorum", try W.ballot(newcomer, by: [e1, e2]), quorum: 3, accepted: false,
              keys: keys((.insufficientQuorum, nil)))
        check("quorum above the electors able to sign", try W.ballot(newcomer, by: [e1, e2, e3]), quorum: 4,
              accepted: false, keys: keys((.insufficientQuorum, nil)))
        check("quorumBelowFloor", try W.ballot(newcomer, by: [e1, e2]), quorum: 1, floor: 2, accepted: false,
              keys: keys((.quorumBelowFloor, nil)))
        check("quorum 0", try W.ballot(newcomer, by: [e1, e2]), quorum: 0, accepted: false,
              keys: keys((.quorumBelowFloor, nil)))
    }

    @Test func reasonCodesAreStable() {
        // The wire strings services and auditors rely on.
        #expect(ReasonCode.allCases.map(\.rawValue).prefix(32) == [
            "malformed", "nonCanonical", "wrongProtocolVersion", "notSignedData", "unsupportedHashAlgorithm",
            "hashAlgorithmMismatch", "wrongPsid", "missingGenerationTime", "unexpectedHeaderField", "notEndorsement",
            "typeMismatch", "inconsistentEndorsements", "certificateHashMismatch", "signerSelf", "signerUnknown",
            "signerNotElector", "signerExpired", "signerNotYetValid", "signerRemoved", "badSignature",
            "duplicateEndorser", "targetIsEndorser", "targetNotSelfSigned", "targetBadSelfSignature", "targetProfile",
            "targetExpired", "targetNotYetValid", "targetRemoved", "generationTimeInFuture", "tooManyEndorsements",
            "insufficientQuorum", "quorumBelowFloor",
        ])
    }
}
