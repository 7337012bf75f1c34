import ElectorCrypto
import RootManagement

/// A certificate holder for fact-level tests: a fresh P-256 key and the facts of a certificate for it.
/// Certificate IDs are SHA-256 of a description (there are no certificate bytes at this level); signatures are
/// real ECDSA over the 1609.2 input `SHA256(dataHash ‖ certificate ID)`.
struct Party {
    let name: String
    let key: PrivateKey
    var facts: CertificateFacts
    var id: CertificateID { facts.id }
}

enum FactWorld {
    static let t0: UInt32 = 600_000_000
    static let year: UInt32 = 31_556_952

    static func party(_ name: String, role: CertificateRole = .elector, start: UInt32 = t0, years: UInt16 = 12,
                      key: PrivateKey? = nil, selfSignature: SelfSignatureStatus = .valid) throws -> Party {
        let key = try key ?? PrivateKey.generate()
        let compressed = key.publicKey.compressedRepresentation
        var seed = Array(name.utf8) + compressed
        withUnsafeBytes(of: start.bigEndian) { seed.append(contentsOf: $0) }
        seed.append(UInt8(truncatingIfNeeded: years))
        let facts = CertificateFacts(id: CertificateID(bytes: Digest.sha256(seed))!,
                                     publicKey: PublicKeyID(bytes: compressed)!,
                                     validity: ValidityWindow(start: start, years: years), role: role,
                                     profileProblems: role == .other ? ["not an elector or root"] : [],
                                     selfSignature: selfSignature, name: name)
        return Party(name: name, key: key, facts: facts)
    }

    enum Reference { case certificate, digest, selfSigned }

    /// One endorsement by `signer` of `target`, signed for real.
    static func endorsement(_ index: Int, by signer: Party, _ action: EndorsementAction = .addElector,
                            of target: CertificateFacts, at generation: UInt32 = t0 + 1_000,
                            headerMicros: UInt64? = nil, reference: Reference = .certificate,
                            certificateHash: CertificateID? = nil, corrupt: Bool = false) throws -> EndorsementFacts {
        let statement = EndorsementStatement(action: action, certificateHash: certificateHash ?? target.id,
                                             generationTime: generation)
        let header = headerMicros ?? UInt64(generation) * 1_000_000
        var encoded = [UInt8(statement.typeValue)] + statement.certificateHash
        withUnsafeBytes(of: statement.generationTime.bigEndian) { encoded.append(contentsOf: $0) }
        withUnsafeBytes(of: header.bigEndian) { encoded.append(contentsOf: $0) }
        let dataHash = Digest.sha256(encoded)
        let (r, s) = try signer.key.signature(forDigest: Digest.sha256(dataHash + signer.id.bytes))
        var material = SignatureMaterial(dataHash: dataHash, r: r, s: s)
        if corrupt { material.s[31] ^= 0x01 }
        let ref: SignerReference
        switch reference {
        case .certificate: ref = .certificate(signer.facts)
        case .digest: ref = .digest(signer.facts.shortID)
        case .selfSigned: ref = .selfSigned
        }
        return EndorsementFacts(index: index, statement: statement, headerGenerationTime: header, signer: ref,
                                signature: material)
    }

    /// A ballot for `target` endorsed by `signers` (in order).
    static func ballot(_ target: Party, _ action: EndorsementAction = .addElector, by signers: [Party],
                       at generation: UInt32 = t0 + 1_000, reference: Reference = .certificate) throws -> AnalyzedBallot {
        let endorsements = try signers.enumerated().map { index, signer in
            try endorsement(index, by: signer, action, of: target.facts, at: generation, reference: reference)
        }
        return make(target.facts, endorsements)
    }

    static func make(_ target: CertificateFacts?, _ endorsements: [EndorsementFacts], findings: [Finding] = []) -> AnalyzedBallot {
        var seed = target?.id.bytes ?? []
        for endorsement in endorsements {
            seed += endorsement.signature.map { $0.r + $0.s } ?? [UInt8(endorsement.index)]
        }
        return AnalyzedBallot(id: BallotID(bytes: Digest.sha256(seed))!, target: target, endorsements: endorsements,
                              findings: findings)
    }

    static func view(trusting electors: [Party], knowing others: [Party] = [], denied: DenyList = DenyList()) -> TrustView {
        var view = TrustView(denyList: denied)
        for party in electors { view.trust(party.facts) }
        for party in others { view.learn(party.facts) }
        return view
    }

    static func decide(_ ballot: AnalyzedBallot, _ expected: EndorsementAction = .addElector, view: TrustView,
                       quorum: Int = 2, floor: Int = 1, time: UInt32 = t0 + 2_000,
                       signatures: inout SignatureResolver) -> BallotDecision {
        BallotEvaluator.evaluate(ballot, expected: expected, view: view, time: time,
                                 policy: TrustPolicy(quorum: quorum, quorumFloor: floor), signatures: &signatures)
    }
}

extension BallotDecision {
    /// The (code, index) pairs, sorted, for readable expectations.
    var sortedKeys: [FindingKey] { keys.sorted() }
}

func keys(_ pairs: (ReasonCode, Int?)...) -> [FindingKey] {
    pairs.map { FindingKey($0.0, $0.1) }.sorted()
}
