import BallotCodec
import ElectorCrypto
import RootManagement

/// Real COER electors, roots and ballots built from fresh keys (not the shared vectors).
struct Holder {
    let key: PrivateKey
    let certificate: Certificate
    var facts: CertificateFacts { CertificateAnalysis.facts(certificate) }
    var id: CertificateID { facts.id }
}

enum CoerWorld {
    static let t0: UInt32 = 600_000_000
    static let now: UInt32 = t0 + 2_000

    static func elector(_ name: String, start: UInt32 = t0, years: UInt16 = 12, key: PrivateKey? = nil) throws -> Holder {
        let key = try key ?? PrivateKey.generate()
        let tbs = CertificateSigning.electorTemplate(name: name, key: key.publicKey, start: Time32(start), years: years)
        return Holder(key: key, certificate: try CertificateSigning.selfSigned(tbs, key: key))
    }

    /// A root CA with the ceremony's (CAMP) `certIssuePermissions`, or `permissions` when given.
    static func root(_ name: String, start: UInt32 = t0, years: UInt16 = 17,
                     permissions: [PsidGroupPermissions]? = ElectorCeremony.rootIssuePermissions) throws -> Holder {
        let key = try PrivateKey.generate()
        var tbs = CertificateSigning.rootTemplate(name: name, key: key.publicKey, start: Time32(start), years: years)
        tbs.certIssuePermissions = permissions
        return Holder(key: key, certificate: try CertificateSigning.selfSigned(tbs, key: key))
    }

    /// A certificate issued by `issuer` with `mutate` applied to the MA template first (validity, permissions, …).
    static func issued(_ name: String, by issuer: Holder, start: UInt32 = t0, duration: BallotCodec.Duration = .years(3),
                       mutate: (inout ToBeSignedCertificate) -> Void = { _ in }) throws -> Holder {
        let key = try PrivateKey.generate()
        var tbs = CertificateSigning.maTemplate(name: name, key: key.publicKey, issuer: issuer.certificate,
                                                start: Time32(start), duration: duration)
        mutate(&tbs)
        return Holder(key: key, certificate: try CertificateSigning.issued(tbs, issuer: issuer.certificate,
                                                                          issuerKey: issuer.key))
    }

    static func statement(_ type: EndorsementType, of target: Certificate, at time: UInt32 = t0 + 1_000) -> TbsElectorEndorsement {
        TbsElectorEndorsement(type: type, certificateHash: HashedId32(uncheckedBytes: Digest.sha256(target.coerEncoded)),
                              generationTime: Time32(time))
    }

    static func endorse(_ target: Certificate, by signer: Holder, _ type: EndorsementType = .addElector,
                        at time: UInt32 = t0 + 1_000, form: EndorsementSigning.SignerForm = .certificate) throws -> SignedElectorEndorsement {
        try EndorsementSigning.endorse(statement(type, of: target, at: time), signer: signer.certificate, key: signer.key, form: form)
    }

    static func ballot(_ target: Holder, _ type: EndorsementType = .addElector, by signers: [Holder],
                       at time: UInt32 = t0 + 1_000, form: EndorsementSigning.SignerForm = .certificate) throws -> ElectorBallot {
        ElectorBallot(certificate: target.certificate,
                      endorsements: try signers.map { try endorse(target.certificate, by: $0, type, at: time, form: form) })
    }

    /// An endorsement whose ToBeSignedData is changed by `mutate` and then signed for real.
    static func endorse(_ target: Certificate, by signer: Holder, at time: UInt32 = t0 + 1_000,
                        mutate: (inout ToBeSignedData) -> Void) throws -> SignedElectorEndorsement {
        let valid = try endorse(target, by: signer, at: time)
        guard var tbsData = valid.signedData?.tbsData else { fatalError("builder made no SignedData") }
        mutate(&tbsData)
        return Ieee1609Dot2Data(content: .signedData(try EndorsementSigning.sign(tbsData, signer: signer.certificate, key: signer.key)))
    }

    static func verify(_ ballot: ElectorBallot, _ expected: EndorsementAction? = .addElector, trusted: [Holder],
                       known: [Holder] = [], denyList: DenyList = DenyList(), quorum: Int = 2, floor: Int = 1,
                       maxElectors: Int = 10, time: UInt32 = now) -> BallotVerdict {
        RootManagementCommands.verifyBallot(ballot.coerEncoded, expected: expected,
                                            trustedElectors: trusted.map(\.certificate), known: known.map(\.certificate),
                                            denyList: denyList,
                                            policy: TrustPolicy(quorum: quorum, quorumFloor: floor, maxElectors: maxElectors),
                                            time: time)
    }
}

extension BallotVerdict {
    var sortedKeys: [FindingKey] { reasons.map(\.key).sorted() }
}
