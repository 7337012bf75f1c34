import BallotCodec
import ElectorCrypto
import RootManagement
import Testing
import TestSupport

/// Component certificates (`maCertificate`, `certs`, `optionalCertList`) validated up to a trusted root: the real
/// TTA chain, the shared synthetic ma1, and one fresh-key case per reason code.
@Suite struct ComponentChainTests {
    typealias C = CoerWorld

    static func tta(_ name: String) throws -> Certificate {
        try Certificate(coer: Fixtures.hexBytes("tta-\(name).hex"))
    }

    static func id(_ certificate: Certificate) -> CertificateID { CertificateAnalysis.facts(certificate).id }

    /// Verdicts on `certificates` (all in `certs`) with `roots` trusted, at `time`.
    static func verdicts(_ certificates: [Certificate], roots: [Certificate], at time: UInt32 = C.now,
                         maxDepth: Int = ComponentChainValidator.defaultMaxDepth) -> [ComponentVerdict] {
        let components = certificates.enumerated().map {
            ReceivedComponent(placement: .certs, index: $0.offset, certificate: CertificateAnalysis.issuedFacts($0.element))
        }
        var signatures = SignatureResolver.crypto()
        return ComponentChainValidator.validate(components, roots: roots.map { CertificateAnalysis.facts($0) }, at: time,
                                                maxDepth: maxDepth, signatures: &signatures).verdicts
    }

    static func codes(_ verdict: ComponentVerdict?) -> Set<ReasonCode> { Set(verdict?.findings.map(\.code) ?? [.malformed]) }

    /// An ICA-like intermediate: psid 35 and issuing rights for psid 35 chains of any length.
    static func intermediate(_ name: String, by issuer: Holder, duration: BallotCodec.Duration = .years(10)) throws -> Holder {
        try C.issued(name, by: issuer, duration: duration) { tbs in
            tbs.certIssuePermissions = [PsidGroupPermissions(subjectPermissions: .explicit([PsidSspRange(psid: 35)]),
                                                             chainLengthRange: -1, eeType: [.app, .enrol])]
        }
    }

    static func tampered(_ certificate: Certificate) -> Certificate {
        var copy = certificate
        if case .ecdsaNistP256Signature(var signature)? = copy.signature {
            var s = signature.sSig.bytes
            s[31] ^= 0x01
            signature.sSig = Octets32(uncheckedBytes: s)
            copy.signature = .ecdsaNistP256Signature(signature)
        }
        return copy
    }

    @Test func chainReasonCodesAreStable() throws {
        let expected = ["chainIssuerUnknown", "chainIssuerNotTrusted", "chainRootNotTrusted", "chainBadSignature",
                        "chainExpired", "chainNotYetValid", "chainValidityNotNested", "chainTooLong",
                        "chainIssuerNotPermitted", "chainUnsupported", "maCertificateUntrusted"]
        let all = ReasonCode.allCases.map(\.rawValue)
        let start = try #require(all.firstIndex(of: "chainIssuerUnknown"))
        #expect(all[start - 1] == "wrongFileKind")
        #expect(Array(all[start..<min(all.count, start + expected.count)]) == expected)
    }

    // MARK: - Real chains

    @Test func ttaChainsValidateUpToTheRoot() throws {
        let root = try Self.tta("rootca-selfsigned-cert"), ica = try Self.tta("ica-cert"), eca = try Self.tta("eca-cert")
        let pca = try Self.tta("pca-cert"), ra = try Self.tta("ra-cert"), ma = try Self.tta("ma-cert")
        let verdicts = Self.verdicts([ma, root, ica, eca, pca, ra], roots: [root], at: 600_000_000)
        #expect(verdicts.allSatisfy { $0.trusted }, "\(verdicts.map(\.findings))")
        let r = Self.id(root), i = Self.id(ica)
        #expect(verdicts.map(\.chain) == [[r], [], [r], [i, r], [i, r], [i, r]])
        // Without the ICA, its subordinates name an issuer nobody has.
        let orphans = Self.verdicts([eca, pca, ra], roots: [root], at: 600_000_000)
        #expect(orphans.map(Self.codes) == [[.chainIssuerUnknown], [.chainIssuerUnknown], [.chainIssuerUnknown]])
        // An implicit certificate (the 1609.2 editor's example, long expired, issuer 0101…01): not validated here.
        let implicit = try Certificate(coer: Fixtures.hexBytes("wwhyte-1609dot2-test-implicit-certificate.hex"))
        #expect(Self.codes(Self.verdicts([implicit], roots: [root], at: 600_000_000).first)
                == [.chainUnsupported, .chainIssuerUnknown, .chainExpired])
    }

    @Test func ttaLCCFThroughTheRelyingParty() throws {
        let bytes = try Fixtures.hexBytes("tta-lccf-scmsfile-no-electors.hex")
        let root = try Self.tta("rootca-selfsigned-cert"), ica = try Self.tta("ica-cert")
        let pca = try Self.tta("pca-cert"), ma = try Self.tta("ma-cert")
        let anchored = RelyingPartyState(policy: TrustPolicy(quorum: 1), electorAnchors: [],
                                         rootAnchors: [CertificateAnalysis.facts(root)])
        let time: UInt32 = 600_000_000
        let update = try RootManagementCommands.verifyChainFile(bytes, state: anchored, time: time).get()
        #expect(update.warnings.isEmpty)
        #expect(update.components.map(\.placement) == [.maCertificate, .certs, .certs, .certs])
        #expect(update.components.map(\.certificate) == [ma, root, ica, pca].map(Self.id))
        #expect(update.components.allSatisfy { $0.trusted }, "\(update.components.map(\.findings))")
        #expect(update.state.trustedComponentIDs(at: time) == [ma, root, ica, pca].map(Self.id).sorted())

        // 2023-03 → 2026: the MA (35208 h from 2021-04) has expired; the file is still accepted, loudly.
        let later: UInt32 = 700_000_000
        let expired = try RootManagementCommands.verifyChainFile(bytes, state: anchored, time: later).get()
        #expect(expired.warnings.map(\.code) == [.maCertificateUntrusted])
        #expect(expired.components.map(Self.codes) == [[.chainExpired], [], [], []])
        #expect(expired.state.trustedComponentIDs(at: later) == [root, ica, pca].map(Self.id).sorted())
        // The stored set drops the MA by itself once it expires.
        #expect(update.state.trustedComponentIDs(at: later) == [root, ica, pca].map(Self.id).sorted())

        // Without the root anchor nothing chains; elector/root decisions (none here) still stand.
        let bare = RelyingPartyState(policy: TrustPolicy(quorum: 1), electorAnchors: [])
        let unanchored = try RootManagementCommands.verifyChainFile(bytes, state: bare, time: time).get()
        #expect(unanchored.warnings.map(\.code) == [.maCertificateUntrusted])
        #expect(unanchored.components.map(Self.codes)
                == [[.chainIssuerNotTrusted], [.chainRootNotTrusted], [.chainIssuerNotTrusted], [.chainIssuerNotTrusted]])
        #expect(unanchored.state.trustedComponents == [])
        #expect(unanchored.state.lastLCCFVersion?.raHostname == "ra.scms.tta.or.kr")
    }

    /// The shared synthetic root1 grants `all` PSIDs only for chains of exactly 2 below it (minChainLength 2,
    /// chainLengthRange 0), so ma1 directly under it is outside root1's certIssuePermissions — everything else
    /// (issuer digest, signature, nesting, validity) checks out.
    @Test func syntheticMA1IsOutsideRoot1sIssuePermissions() throws {
        let root1 = try Certificate(coer: Fixtures.hexBytes("synthetic-camp-cert-root1.hex"))
        let ma1 = try Certificate(coer: Fixtures.hexBytes("synthetic-camp-cert-ma1.hex"))
        let verdict = try #require(Self.verdicts([ma1], roots: [root1], at: 600_002_000).first)
        #expect(verdict.findings.map(\.code) == [.chainIssuerNotPermitted])
        #expect(verdict.findings.first?.detail.contains("appPermissions psid 35") == true)
        // Re-issued under a root with the CAMP four-group permissions, the same template chains.
        let root = try C.root("root1.test")
        let ma = try C.issued("ma1.example.test", by: root)
        #expect(Self.verdicts([ma.certificate], roots: [root.certificate]).first?.chain == [root.id])

        // The shared GCCF at a relying party: root1 is trusted through its ballot, ma1 is reported.
        let anchors = try ["elector1", "elector2", "elector3"].map {
            CertificateAnalysis.facts(try Certificate(coer: Fixtures.hexBytes("synthetic-camp-cert-\($0).hex")))
        }
        let state = RelyingPartyState(policy: TrustPolicy(quorum: 2), electorAnchors: anchors)
        let update = try RootManagementCommands.verifyChainFile(try Fixtures.hexBytes("synthetic-camp-gccf-scmsfile.hex"),
                                                                state: state, time: 600_002_000).get()
        #expect(update.state.trustedRoots(at: 600_002_000) == [Self.id(root1)])
        #expect(update.warnings.map(\.code) == [.maCertificateUntrusted])
        #expect(update.components.map(Self.codes) == [[.chainIssuerNotPermitted]])
    }

    // MARK: - One fresh-key case per code

    @Test func signatureValidityAndNesting() throws {
        let root = try C.root("root.test")
        let ma = try C.issued("ma.test", by: root)
        #expect(Self.verdicts([ma.certificate], roots: [root.certificate]).map(\.trusted) == [true])
        #expect(Self.codes(Self.verdicts([Self.tampered(ma.certificate)], roots: [root.certificate]).first)
                == [.chainBadSignature])
        // Signed by a key that is not the issuer's (same name, same template, another root key).
        let impostor = try PrivateKey.generate()
        var tbs = ma.certificate.toBeSigned
        tbs.id = .name(Hostname("other-ma.test"))
        let digest = Ieee1609Dot2Signing.signingDigest(dataInput: tbs.coerEncoded, signerInput: root.certificate.coerEncoded)
        let (r, s) = try impostor.signature(forDigest: digest)
        let forged = Certificate(type: .explicit, issuer: ma.certificate.issuer, toBeSigned: tbs,
                                 signature: CertificateSigning.signature(r: r, s: s))
        #expect(Self.codes(Self.verdicts([forged], roots: [root.certificate]).first) == [.chainBadSignature])

        let end = UInt32(CertificateAnalysis.facts(ma.certificate).validity.end)
        #expect(Self.codes(Self.verdicts([ma.certificate], roots: [root.certificate], at: end).first) == [.chainExpired])
        let late = try C.issued("late.test", by: root, start: C.t0 + 5_000)
        #expect(Self.codes(Self.verdicts([late.certificate], roots: [root.certificate], at: C.t0 + 4_999).first)
                == [.chainNotYetValid])
        let shortRoot = try C.root("short.test", years: 1)
        let outliving = try C.issued("outliving.test", by: shortRoot, duration: .years(3))
        #expect(Self.codes(Self.verdicts([outliving.certificate], roots: [shortRoot.certificate]).first)
                == [.chainValidityNotNested])
    }

    @Test func issuersAndDepth() throws {
        let root = try C.root("root.test")
        let ica1 = try Self.intermediate("ica1.test", by: root)
        let ica2 = try Self.intermediate("ica2.test", by: ica1)
        let leaf = try C.issued("leaf.test", by: ica2)
        let pool = [leaf.certificate, ica2.certificate, ica1.certificate]
        let deep = Self.verdicts(pool, roots: [root.certificate])
        #expect(deep.map(\.trusted) == [true, true, true], "\(deep.map(\.findings))")
        #expect(deep.first?.chain == [ica2.id, ica1.id, root.id])
        let bounded = Self.verdicts(pool, roots: [root.certificate], maxDepth: 2)
        #expect(bounded.map(Self.codes) == [[.chainTooLong], [], []])
        // Missing link: the leaf names ica2, which is not there.
        #expect(Self.codes(Self.verdicts([leaf.certificate, ica1.certificate], roots: [root.certificate]).first)
                == [.chainIssuerUnknown])
        // An issuer in the file that does not chain (its signature is broken) taints its subordinate.
        let broken = Self.tampered(ica1.certificate)
        let child = try CertificateSigning.issued(
            CertificateSigning.maTemplate(name: "child.test", key: try PrivateKey.generate().publicKey, issuer: broken,
                                          start: Time32(C.t0)),
            issuer: broken, issuerKey: ica1.key)
        #expect(Self.verdicts([child, broken], roots: [root.certificate]).map(Self.codes)
                == [[.chainIssuerNotTrusted], [.chainBadSignature]])
        // A self-signed certificate that is not a trusted root; a root that is trusted stands for itself.
        let elector = try C.elector("elector.test")
        #expect(Self.verdicts([elector.certificate, root.certificate], roots: [root.certificate]).map(Self.codes)
                == [[.chainRootNotTrusted], []])
        // Unsupported forms: a SHA-384 issuer reference, an implicit type.
        var sha384 = leaf.certificate
        sha384.issuer = .sha384AndDigest(HashedId8(uncheckedBytes: Array(ica2.id.bytes.suffix(8))))
        #expect(Self.codes(Self.verdicts([sha384, ica2.certificate, ica1.certificate], roots: [root.certificate]).first)
                == [.chainUnsupported])
        var implicit = leaf.certificate
        implicit.type = .implicit
        #expect(Self.codes(Self.verdicts([implicit, ica2.certificate, ica1.certificate], roots: [root.certificate]).first)
                == [.chainUnsupported])
    }

    @Test func issuePermissions() throws {
        // A root without certIssuePermissions is no CA; one with the old single group (all, exactly 2 below) does
        // not allow an MA directly below it.
        let oldSingleGroup = [PsidGroupPermissions(subjectPermissions: .all, minChainLength: 2, eeType: [.app, .enrol])]
        for permissions in [nil, oldSingleGroup] {
            let root = try C.root("root.test", permissions: permissions)
            let ma = try C.issued("ma.test", by: root)
            let verdict = Self.verdicts([ma.certificate], roots: [root.certificate]).first
            #expect(Self.codes(verdict) == [.chainIssuerNotPermitted], "\(String(describing: verdict?.findings))")
        }
        // An intermediate without certIssuePermissions cannot issue; one that claims more than its issuer grants
        // (all PSIDs while the root grants all only for chains of 3 or more) is itself not permitted.
        let root = try C.root("root.test")
        let noCA = try C.issued("no-ca.test", by: root)
        let under = try C.issued("under.test", by: noCA)
        #expect(Self.verdicts([under.certificate, noCA.certificate], roots: [root.certificate]).map(Self.codes)
                == [[.chainIssuerNotPermitted], []])
        let greedy = try C.issued("greedy.test", by: root) { tbs in
            tbs.certIssuePermissions = [PsidGroupPermissions(subjectPermissions: .all, chainLengthRange: -1)]
        }
        #expect(Self.codes(Self.verdicts([greedy.certificate], roots: [root.certificate]).first) == [.chainIssuerNotPermitted])
        // An ICA's `all` group for chains of exactly 2 below it is 3 below the root: within the root's `all`
        // (3 or more), and the PSIDs the root names apart (35, 38, 256) are granted by its own groups — as for TTA.
        let ica = try C.issued("ica.test", by: root) { tbs in
            tbs.certIssuePermissions = [PsidGroupPermissions(subjectPermissions: .all, minChainLength: 2,
                                                             eeType: [.app, .enrol])]
        }
        #expect(Self.verdicts([ica.certificate], roots: [root.certificate]).first?.trusted == true)
    }

    @Test func gccfBuilderRefusesAnMAThatDoesNotChain() throws {
        let e1 = try C.elector("e1.test"), e2 = try C.elector("e2.test"), root0 = try C.root("root0.test")
        let other = try C.root("other-root.test")
        func build(ma: Holder, certificates: [Certificate] = [], ballots: [(ElectorBallot, EndorsementAction)] = [],
                   requireTrustedMA: Bool = true) -> Result<GCCFBuild, Finding> {
            var signatures = SignatureResolver.crypto()
            return GCCFBuilder.build(electorAnchors: [e1.certificate, e2.certificate], rootAnchors: [root0.certificate],
                                     ballots: ballots, maCertificate: ma.certificate, certificates: certificates,
                                     policy: TrustPolicy(quorum: 2), time: C.now, previous: nil,
                                     requireTrustedMA: requireTrustedMA, signatures: &signatures)
        }
        let good = try build(ma: try C.issued("ma.test", by: root0)).get()
        #expect(good.components.map(\.chain) == [[root0.id]])
        let stray = try C.issued("stray-ma.test", by: other)
        guard case .failure(let refusal) = build(ma: stray) else { Issue.record("untrusted MA accepted"); return }
        #expect(refusal.code == .maCertificateUntrusted && refusal.detail.contains("chainIssuerUnknown"))
        let forced = try build(ma: stray, requireTrustedMA: false).get()
        #expect(forced.components.map(Self.codes) == [[.chainIssuerUnknown]])
        #expect(forced.file.globalCertificateChainFile?.certStore.maCertificate == stray.certificate)
        // The other root endorsed in the same build: the MA now chains through it.
        let endorsed = try build(ma: stray, ballots: [(try C.ballot(other, .addRoot, by: [e1, e2]), .addRoot)]).get()
        #expect(endorsed.components.map(\.chain) == [[other.id]])
        // Through an intermediate given among the other certificates (reported in file order: MA, then certs).
        let ica = try Self.intermediate("ica.test", by: root0)
        let viaICA = try build(ma: try C.issued("ma2.test", by: ica), certificates: [ica.certificate]).get()
        #expect(viaICA.components.map(\.chain) == [[ica.id, root0.id], [root0.id]])
    }

    /// The shared GCCF vector is still reproducible, but only by overriding the MA check.
    @Test func sharedGCCFNeedsTheOverride() throws {
        func vector(_ name: String) throws -> Certificate { try Certificate(coer: Fixtures.hexBytes("synthetic-camp-cert-\(name).hex")) }
        let ballots: [(ElectorBallot, EndorsementAction)] = [
            (try BallotForm.decode(Fixtures.hexBytes("synthetic-camp-elector4-ballot.hex")).electorBallot, .addElector),
            (try BallotForm.decode(Fixtures.hexBytes("synthetic-camp-root-ballot.hex")).electorBallot, .addRoot),
        ]
        func build(_ requireTrustedMA: Bool) throws -> Result<GCCFBuild, Finding> {
            var signatures = SignatureResolver.crypto()
            return GCCFBuilder.build(electorAnchors: try ["elector1", "elector2", "elector3"].map(vector), ballots: ballots,
                                     maCertificate: try vector("ma1"), policy: TrustPolicy(quorum: 2), time: 600_002_000,
                                     version: 7, requireTrustedMA: requireTrustedMA, signatures: &signatures)
        }
        guard case .failure(let refusal) = try build(true) else { Issue.record("ma1 accepted"); return }
        #expect(refusal.code == .maCertificateUntrusted && refusal.detail.contains("chainIssuerNotPermitted"))
        let forced = try build(false).get()
        #expect(forced.bytes == (try Fixtures.hexBytes("synthetic-camp-gccf-scmsfile.hex")))
    }

    @Test func relyingPartyKeepsOnlyChainingComponents() throws {
        let e1 = try C.elector("e1.test"), root0 = try C.root("root0.test")
        let ma = try C.issued("ma.test", by: root0), stray = try C.issued("stray.test", by: try C.root("x.test"))
        let store = CertificateStore(rootCAEndorsements: [], electorEndorsements: [], maCertificate: ma.certificate,
                                     certs: [stray.certificate, ma.certificate])
        let lccf = ScmsFile(content: .certChain(.localCertificateChainFile(LocalCertificateChainFile(
            version: CompositeVersion(gccfVersion: 1, lccfVersion: 1, raHostname: Hostname("ra.test")),
            requiredCertStore: store, optionalCertList: [root0.certificate]))))
        let state = RelyingPartyState(policy: TrustPolicy(quorum: 1), electorAnchors: [e1.facts], rootAnchors: [root0.facts])
        let update = try RootManagementCommands.verifyChainFile(lccf.coerEncoded, state: state, time: C.now).get()
        #expect(update.warnings.isEmpty)
        #expect(update.components.map(\.placement) == [.maCertificate, .certs, .certs, .optionalCertList])
        #expect(update.components.map(Self.codes) == [[], [.chainIssuerUnknown], [], []])
        #expect(update.state.trustedComponents?.map(\.facts.id) == [ma.id, root0.id].sorted())
        #expect(update.state.trustedComponents?.first { $0.facts.id == ma.id }?.placement == .maCertificate)
        // A later state without the root (it expired, or was removed) no longer trusts the MA.
        var withoutRoot = update.state
        withoutRoot.rootAnchors = []
        #expect(withoutRoot.trustedComponentIDs(at: C.now).isEmpty)
    }
}
