import BallotCodec
import ElectorCrypto
import RootManagement
import Testing

/// The adversarial table on real COER built from fresh keys: one case per reason code, each asserting the exact
/// decision and (code, endorsement index) pairs.
@Suite struct AdversarialTests {
    typealias C = CoerWorld
    let e1: Holder, e2: Holder, e3: Holder, newcomer: Holder, outsider: Holder, root: Holder

    init() throws {
        e1 = try C.elector("e1.test"); e2 = try C.elector("e2.test"); e3 = try C.elector("e3.test")
        newcomer = try C.elector("new.test"); outsider = try C.elector("outsider.test"); root = try C.root("root.test")
    }

    var anchors: [Holder] { [e1, e2, e3] }

    /// A ballot for the newcomer: a valid endorsement by e1 and `second` as endorsement #1.
    func withSecond(_ second: SignedElectorEndorsement) throws -> ElectorBallot {
        ElectorBallot(certificate: newcomer.certificate,
                      endorsements: [try C.endorse(newcomer.certificate, by: e1), second])
    }

    func expect(_ verdict: BallotVerdict, accepted: Bool = false, _ expected: [FindingKey],
                sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(verdict.accepted == accepted, "\(verdict.reasons)", sourceLocation: sourceLocation)
        #expect(verdict.sortedKeys == expected, "\(verdict.reasons)", sourceLocation: sourceLocation)
    }

    @Test func validBallots() throws {
        let verdict = C.verify(try C.ballot(newcomer, by: [e1, e2]), trusted: anchors)
        expect(verdict, accepted: true, [])
        #expect(verdict.endorsers == [e1.id, e2.id])
        expect(C.verify(try C.ballot(newcomer, by: [e1, e2, e3], form: .digest), trusted: anchors, quorum: 3), accepted: true, [])
        expect(C.verify(try C.ballot(root, .addRoot, by: [e1, e2]), .addRoot, trusted: anchors), accepted: true, [])
        // Type taken from the endorsements when none is expected.
        #expect(C.verify(try C.ballot(root, .addRoot, by: [e1, e2]), nil, trusted: anchors).expected == .addRoot)
        // The three wire forms verify the same.
        let ballot = try C.ballot(newcomer, by: [e1, e2])
        let scoped = ScmsPDU.scopedBallot(ballot).coerEncoded
        let unsecured = Ieee1609Dot2Data(content: .unsecuredData(scoped)).coerEncoded
        for bytes in [scoped, unsecured] {
            let verdict = RootManagementCommands.verifyBallot(bytes, trustedElectors: anchors.map(\.certificate),
                                                              policy: TrustPolicy(quorum: 2), time: C.now)
            #expect(verdict.accepted && verdict.ballot == BallotAnalysis.ballotID(ballot))
        }
    }

    @Test func encodingCodes() throws {
        let n = newcomer.certificate
        // malformed: truncated bytes.
        let bytes = try C.ballot(newcomer, by: [e1, e2]).coerEncoded
        let truncated = RootManagementCommands.verifyBallot(Array(bytes.dropLast(5)), trustedElectors: anchors.map(\.certificate),
                                                            policy: TrustPolicy(quorum: 2), time: C.now)
        expect(truncated, keys((.malformed, nil), (.insufficientQuorum, nil)))
        // nonCanonical: rSig as a compressed point instead of x-only (the signature itself still verifies).
        var second = try C.endorse(n, by: e2)
        if case .signedData(var signed) = second.content, case .ecdsaNistP256Signature(let sig) = signed.signature,
           case .xOnly(let x) = sig.rSig {
            signed.signature = .ecdsaNistP256Signature(EcdsaP256Signature(rSig: .compressedY0(x), sSig: sig.sSig))
            second.content = .signedData(signed)
        }
        expect(C.verify(try withSecond(second), trusted: anchors), keys((.nonCanonical, 1), (.insufficientQuorum, nil)))
        // wrongProtocolVersion: outer version 2.
        var v2 = try C.endorse(n, by: e2)
        v2.protocolVersion = 2
        expect(C.verify(try withSecond(v2), trusted: anchors), keys((.wrongProtocolVersion, 1), (.insufficientQuorum, nil)))
        // notSignedData.
        let unsigned = Ieee1609Dot2Data(content: .unsecuredData(ScmsPDU.scopedEndorsement(C.statement(.addElector, of: n)).coerEncoded))
        expect(C.verify(try withSecond(unsigned), trusted: anchors), keys((.notSignedData, 1), (.insufficientQuorum, nil)))
        // unsupportedHashAlgorithm: hashId sha384.
        var sha384 = try C.endorse(n, by: e2)
        if case .signedData(var signed) = sha384.content { signed.hashId = .sha384; sha384.content = .signedData(signed) }
        expect(C.verify(try withSecond(sha384), trusted: anchors), keys((.unsupportedHashAlgorithm, 1), (.insufficientQuorum, nil)))
        // hashAlgorithmMismatch: a brainpool signature choice.
        var brainpool = try C.endorse(n, by: e2)
        if case .signedData(var signed) = brainpool.content, case .ecdsaNistP256Signature(let sig) = signed.signature {
            signed.signature = .ecdsaBrainpoolP256r1Signature(sig)
            brainpool.content = .signedData(signed)
        }
        expect(C.verify(try withSecond(brainpool), trusted: anchors), keys((.hashAlgorithmMismatch, 1), (.insufficientQuorum, nil)))
        // wrongPsid, missingGenerationTime, unexpectedHeaderField: re-signed, so only the header is wrong.
        let psid = try C.endorse(n, by: e2) { $0.headerInfo.psid = 36 }
        expect(C.verify(try withSecond(psid), trusted: anchors), keys((.wrongPsid, 1), (.insufficientQuorum, nil)))
        let noTime = try C.endorse(n, by: e2) { $0.headerInfo.generationTime = nil }
        expect(C.verify(try withSecond(noTime), trusted: anchors), keys((.missingGenerationTime, 1), (.insufficientQuorum, nil)))
        let expiry = try C.endorse(n, by: e2) { $0.headerInfo.expiryTime = Time64(UInt64(C.t0 + 9_000) * 1_000_000) }
        expect(C.verify(try withSecond(expiry), trusted: anchors), keys((.unexpectedHeaderField, 1), (.insufficientQuorum, nil)))
        // notEndorsement: the inner ScmsPDU carries a ballot.
        let inner = try C.ballot(outsider, by: [e1])
        let notEndorsement = try C.endorse(n, by: e2) {
            $0.payload.data = Ieee1609Dot2Data(content: .unsecuredData(ScmsPDU.scopedBallot(inner).coerEncoded))
        }
        expect(C.verify(try withSecond(notEndorsement), trusted: anchors), keys((.notEndorsement, 1), (.insufficientQuorum, nil)))
        // generationTimeMismatch: header a second later than the signed TBS time.
        let skewed = try EndorsementSigning.endorse(C.statement(.addElector, of: n), signer: e2.certificate, key: e2.key,
                                                    headerGenerationTime: Time64(UInt64(C.t0 + 1_001) * 1_000_000))
        expect(C.verify(try withSecond(skewed), trusted: anchors), keys((.generationTimeMismatch, 1), (.insufficientQuorum, nil)))
    }

    @Test func statementCodes() throws {
        let n = newcomer.certificate
        expect(C.verify(try C.ballot(newcomer, .addRoot, by: [e1, e2]), trusted: anchors),
               keys((.typeMismatch, 0), (.typeMismatch, 1), (.insufficientQuorum, nil)))
        let otherTarget = try EndorsementSigning.endorse(C.statement(.addElector, of: outsider.certificate),
                                                         signer: e2.certificate, key: e2.key)
        expect(C.verify(try withSecond(otherTarget), trusted: anchors),
               keys((.certificateHashMismatch, 1), (.inconsistentEndorsements, 1), (.insufficientQuorum, nil)))
        expect(C.verify(try withSecond(try C.endorse(n, by: e2, at: C.t0 + 1_100)), trusted: anchors),
               keys((.inconsistentEndorsements, 1), (.insufficientQuorum, nil)))
        expect(C.verify(try C.ballot(newcomer, by: [e1, e2], at: C.now + 301), trusted: anchors),
               keys((.generationTimeInFuture, 0), (.generationTimeInFuture, 1), (.insufficientQuorum, nil)))
    }

    @Test func signerCodes() throws {
        let n = newcomer.certificate
        let selfSigned = try C.endorse(n, by: e2) { _ in }
        var selfSigner = selfSigned
        if case .signedData(var signed) = selfSigner.content { signed.signer = .self; selfSigner.content = .signedData(signed) }
        expect(C.verify(try withSecond(selfSigner), trusted: anchors), keys((.signerSelf, 1), (.insufficientQuorum, nil)))
        expect(C.verify(try C.ballot(newcomer, by: [e1, outsider]), trusted: anchors),
               keys((.signerUnknown, 1), (.insufficientQuorum, nil)))
        expect(C.verify(try C.ballot(newcomer, by: [e1, outsider], form: .digest), trusted: anchors),
               keys((.signerUnknown, 1), (.insufficientQuorum, nil)))
        expect(C.verify(try C.ballot(newcomer, by: [e1, root]), trusted: anchors),
               keys((.signerNotElector, 1), (.insufficientQuorum, nil)))
        let old = try C.elector("old.test", start: C.t0 - 2 * 31_556_952, years: 1)
        expect(C.verify(try C.ballot(newcomer, by: [e1, old]), trusted: anchors + [old]),
               keys((.signerExpired, 1), (.insufficientQuorum, nil)))
        let early = try C.elector("early.test", start: C.now + 10_000)
        expect(C.verify(try C.ballot(newcomer, by: [e1, early]), trusted: anchors + [early]),
               keys((.signerNotYetValid, 1), (.insufficientQuorum, nil)))
        var denied = DenyList()
        denied.deny(e2.id, Denial(effectiveTime: C.t0 + 1_500, ballot: nil))
        expect(C.verify(try C.ballot(newcomer, by: [e1, e2]), trusted: anchors, denyList: denied),
               keys((.signerRemoved, 1), (.insufficientQuorum, nil)))
        var forged = try C.endorse(n, by: e2)
        if case .signedData(var signed) = forged.content, case .ecdsaNistP256Signature(var sig) = signed.signature {
            var s = sig.sSig.bytes
            s[0] ^= 0x40
            sig.sSig = Octets32(uncheckedBytes: s)
            signed.signature = .ecdsaNistP256Signature(sig)
            forged.content = .signedData(signed)
        }
        expect(C.verify(try withSecond(forged), trusted: anchors), keys((.badSignature, 1), (.insufficientQuorum, nil)))
    }

    @Test func distinctEndorsersAndTargets() throws {
        // The same key under two trusted certificates counts once.
        let twin = try C.elector("e1-twin.test", key: e1.key)
        expect(C.verify(try C.ballot(newcomer, by: [e1, twin]), trusted: anchors + [twin]),
               keys((.duplicateEndorser, 1), (.insufficientQuorum, nil)))
        expect(C.verify(try C.ballot(newcomer, by: [e1, e1]), trusted: anchors), keys((.duplicateEndorser, 1), (.insufficientQuorum, nil)))
        expect(C.verify(try C.ballot(newcomer, by: [e1, newcomer]), trusted: anchors),
               keys((.targetIsEndorser, 1), (.insufficientQuorum, nil)))
        // Target not self-signed: issued by e1's digest.
        var issued = newcomer.certificate
        issued.issuer = .sha256AndDigest(HashedId8(uncheckedBytes: HashedIds.hashedId8(of: e1.certificate.coerEncoded)))
        let issuedHolder = Holder(key: newcomer.key, certificate: issued)
        expect(C.verify(try C.ballot(issuedHolder, by: [e1, e2]), trusted: anchors),
               keys((.targetNotSelfSigned, nil), (.targetProfile, nil)))
        var tampered = newcomer.certificate
        tampered.toBeSigned.crlSeries = 0
        tampered.toBeSigned.id = .name(Hostname("renamed.test"))
        expect(C.verify(try C.ballot(Holder(key: newcomer.key, certificate: tampered), by: [e1, e2]), trusted: anchors),
               keys((.targetBadSelfSignature, nil)))
        // Elector profile violated (extra psid) but properly self-signed.
        var tbs = CertificateSigning.electorTemplate(name: "wide.test", key: newcomer.key.publicKey, start: Time32(C.t0))
        tbs.appPermissions?.append(PsidSsp(psid: 32))
        let wide = Holder(key: newcomer.key, certificate: try CertificateSigning.selfSigned(tbs, key: newcomer.key))
        expect(C.verify(try C.ballot(wide, by: [e1, e2]), trusted: anchors), keys((.targetProfile, nil)))
        expect(C.verify(try C.ballot(root, by: [e1, e2]), trusted: anchors), keys((.targetProfile, nil)))
        let expired = try C.elector("expired.test", start: C.t0 - 2 * 31_556_952, years: 1)
        expect(C.verify(try C.ballot(expired, by: [e1, e2]), trusted: anchors), keys((.targetExpired, nil)))
        let future = try C.elector("future.test", start: C.now + 10_000)
        expect(C.verify(try C.ballot(future, by: [e1, e2]), trusted: anchors), keys((.targetNotYetValid, nil)))
        var denied = DenyList()
        denied.deny(newcomer.id, Denial(effectiveTime: C.t0, ballot: nil))
        expect(C.verify(try C.ballot(newcomer, by: [e1, e2]), trusted: anchors, denyList: denied), keys((.targetRemoved, nil)))
    }

    @Test func boundsAndQuorum() throws {
        let many = try (0..<11).map { try C.elector("m\($0).test") }
        expect(C.verify(try C.ballot(newcomer, by: many), trusted: many),
               keys((.tooManyEndorsements, nil), (.insufficientQuorum, nil)))
        expect(C.verify(try C.ballot(newcomer, by: [e1, e2]), trusted: anchors, quorum: 3), keys((.insufficientQuorum, nil)))
        // q larger than the electors who could sign.
        expect(C.verify(try C.ballot(newcomer, by: [e1, e2, e3]), trusted: anchors, quorum: 4), keys((.insufficientQuorum, nil)))
        expect(C.verify(try C.ballot(newcomer, by: [e1, e2]), trusted: anchors, quorum: 1, floor: 2), keys((.quorumBelowFloor, nil)))
        expect(C.verify(try C.ballot(newcomer, by: [e1, e2]), trusted: anchors, maxElectors: 3),
               keys((.electorCapacityExceeded, nil)))
    }
}
