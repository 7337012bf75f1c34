public import BallotCodec
public import ElectorCrypto

// Written on the `ctl` branch: the offline ceremony steps `electorctl elector|root|ma init`, `endorse` and
// `ballot assemble` run, with the refusals an operator needs before anything is signed or written. No I/O here.

/// Which CAMP profile a freshly set-up self-signed certificate follows.
public enum SelfSignedProfile: String, Sendable, Hashable, CaseIterable {
    /// The elector profile (psid 35 with ElectorSsp); CAMP CVP duration 6 years, POC 12.
    case elector
    /// The root CA profile (psid 35 with RootCaSsp, psid 256, certIssuePermissions); CAMP POC duration 17 years.
    case root

    /// The role `CertificateAnalysis` must find in the result.
    public var role: CertificateRole { self == .elector ? .elector : .root }
}

/// Why a ceremony step refused to go on. Each case has a stable ``code``; `endorsementIndex` (where present) is the
/// position of the offending endorsement in the caller's list, so a CLI can name the file.
public enum CeremonyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The private key is not the key of the certificate it is used with.
    case keyDoesNotMatchCertificate
    /// The signing certificate is not a usable elector certificate (profile problems or a bad self-signature).
    case signerNotElector(problems: [String])
    /// The signing certificate is not valid at the endorsement time.
    case signerNotValid(status: TemporalStatus)
    /// The target certificate does not match the profile the endorsement type needs.
    case targetProfile(expected: CertificateRole, found: CertificateRole, problems: [String])
    /// The target certificate's self-signature does not verify (or it is not self-signed).
    case targetSelfSignature(SelfSignatureStatus)
    /// The issuer of a component certificate is not a root CA certificate.
    case issuerNotRoot(problems: [String])
    /// A freshly built certificate does not match its profile (a bug, never input).
    case profileCheckFailed(problems: [String])
    /// No endorsements were given.
    case noEndorsements
    /// An endorsement is not a well-formed SignedElectorEndorsement (its static findings).
    case malformedEndorsement(endorsementIndex: Int, findings: [Finding])
    /// An endorsement's `certificateHash` is not SHA-256 of the target certificate.
    case endorsementForAnotherCertificate(endorsementIndex: Int, certificateHash: [UInt8], target: CertificateID)
    /// An endorsement signs a different `TbsElectorEndorsement` than the first one.
    case endorsementsDiffer(endorsementIndex: Int, first: EndorsementStatement, other: EndorsementStatement)
    /// Two endorsements name the same signer (same certificate or same HashedId8).
    case duplicateSigner(endorsementIndex: Int, firstIndex: Int)
    /// A cryptographic operation failed.
    case crypto(CryptoError)

    /// Stable reason code.
    public var code: String {
        switch self {
        case .keyDoesNotMatchCertificate: return "keyDoesNotMatchCertificate"
        case .signerNotElector: return "signerNotElector"
        case .signerNotValid: return "signerNotValid"
        case .targetProfile: return "targetProfile"
        case .targetSelfSignature: return "targetBadSelfSignature"
        case .issuerNotRoot: return "issuerNotRoot"
        case .profileCheckFailed: return "profileCheckFailed"
        case .noEndorsements: return "noEndorsements"
        case .malformedEndorsement: return "malformed"
        case .endorsementForAnotherCertificate: return "certificateHashMismatch"
        case .endorsementsDiffer: return "inconsistentEndorsements"
        case .duplicateSigner: return "duplicateEndorser"
        case .crypto(let error): return error.code
        }
    }

    /// The endorsement the error is about, if any.
    public var endorsementIndex: Int? {
        switch self {
        case .malformedEndorsement(let index, _), .endorsementForAnotherCertificate(let index, _, _),
             .endorsementsDiffer(let index, _, _), .duplicateSigner(let index, _):
            return index
        default:
            return nil
        }
    }

    public var description: String {
        func name(_ statement: EndorsementStatement) -> String {
            "\(statement.action?.description ?? "type \(statement.typeValue)") of \(HexText.encode(statement.certificateHash)) at Time32 \(statement.generationTime)"
        }
        switch self {
        case .keyDoesNotMatchCertificate:
            return "\(code): the private key is not the key of the certificate"
        case .signerNotElector(let problems):
            return "\(code): the signing certificate is not a usable elector certificate: \(problems.joined(separator: "; "))"
        case .signerNotValid(let status):
            return "\(code): the signing certificate is \(status == .expired ? "expired" : "not yet valid") at the endorsement time"
        case .targetProfile(let expected, let found, let problems):
            let why = problems.isEmpty ? "it matches the \(found) profile" : problems.joined(separator: "; ")
            return "\(code): the target is not a \(expected) certificate: \(why)"
        case .targetSelfSignature(let status):
            return "\(code): the target's self-signature is \(status == .notSelfSigned ? "absent (not self-signed)" : "invalid")"
        case .issuerNotRoot(let problems):
            return "\(code): the issuer is not a root CA certificate: \(problems.joined(separator: "; "))"
        case .profileCheckFailed(let problems):
            return "\(code): the new certificate does not match its profile: \(problems.joined(separator: "; "))"
        case .noEndorsements:
            return "\(code): at least one endorsement is needed"
        case .malformedEndorsement(_, let findings):
            return "\(code): not a well-formed SignedElectorEndorsement: \(findings.map(\.description).joined(separator: "; "))"
        case .endorsementForAnotherCertificate(_, let hash, let target):
            return "\(code): it endorses certificate \(HexText.encode(hash)), not the target \(target.hex)"
        case .endorsementsDiffer(_, let first, let other):
            return "\(code): it signs \(name(other)), the first endorsement signs \(name(first))"
        case .duplicateSigner(_, let firstIndex):
            return "\(code): same signer as endorsement \(firstIndex)"
        case .crypto(let error):
            return error.description
        }
    }
}

/// The offline ceremony of Use Case 11.1.3 (Setup Elector, endorse, assemble), and setting up roots and MAs.
public enum ElectorCeremony {
    /// The `certIssuePermissions` of a root set up here (the CAMP root profile's four groups).
    public static var rootIssuePermissions: [PsidGroupPermissions] { CertificateSigning.rootIssuePermissions }

    /// Setup Elector (or Setup Root CA): a self-signed certificate of `profile` for `key`, checked against the
    /// profile and its own signature before it is returned.
    public static func selfSignedCertificate(_ profile: SelfSignedProfile, name: String, key: PrivateKey,
                                             start: Time32, duration: BallotCodec.Duration) -> Result<Certificate, CeremonyError> {
        var tbs: ToBeSignedCertificate
        switch profile {
        case .elector: tbs = CertificateSigning.electorTemplate(name: name, key: key.publicKey, start: start)
        case .root:
            tbs = CertificateSigning.rootTemplate(name: name, key: key.publicKey, start: start)
        }
        tbs.validityPeriod = ValidityPeriod(start: start, duration: duration)
        let certificate: Certificate
        do {
            certificate = try CertificateSigning.selfSigned(tbs, key: key)
        } catch {
            return .failure(.crypto(error))
        }
        let facts = CertificateAnalysis.facts(certificate)
        guard facts.role == profile.role, facts.selfSignature == .valid else {
            return .failure(.profileCheckFailed(problems: facts.profileProblems + ["self-signature \(facts.selfSignature)"]))
        }
        return .success(certificate)
    }

    /// An MA certificate issued by `issuer` (a root CA certificate whose key is `issuerKey`).
    public static func maCertificate(name: String, key: PublicKey, issuer: Certificate, issuerKey: PrivateKey,
                                     start: Time32, duration: BallotCodec.Duration,
                                     relevantPsids: [UInt64] = [0x20]) -> Result<Certificate, CeremonyError> {
        let issuerFacts = CertificateAnalysis.facts(issuer)
        guard issuerFacts.role == .root, issuerFacts.selfSignature == .valid else {
            return .failure(.issuerNotRoot(problems: issuerFacts.profileProblems.isEmpty
                ? ["\(issuerFacts.role) certificate, self-signature \(issuerFacts.selfSignature)"] : issuerFacts.profileProblems))
        }
        guard CertificateSigning.issuerKeyMatches(issuerKey, certificate: issuer) else { return .failure(.keyDoesNotMatchCertificate) }
        let tbs = CertificateSigning.maTemplate(name: name, key: key, issuer: issuer, start: start, duration: duration,
                                                relevantPsids: relevantPsids)
        do {
            return .success(try CertificateSigning.issued(tbs, issuer: issuer, issuerKey: issuerKey))
        } catch {
            return .failure(.crypto(error))
        }
    }

    /// One `SignedElectorEndorsement` of `target` by the elector `signer` (private key `key`), at `time`.
    ///
    /// Refuses a key that is not `signer`'s, a signer that is not a valid elector certificate at `time`, and a target
    /// that does not match the profile `type` needs (or whose self-signature does not verify).
    public static func endorse(target: Certificate, type: EndorsementAction, signer: Certificate, key: PrivateKey,
                               form: EndorsementSigning.SignerForm = .certificate,
                               time: UInt32) -> Result<SignedElectorEndorsement, CeremonyError> {
        guard CertificateSigning.issuerKeyMatches(key, certificate: signer) else { return .failure(.keyDoesNotMatchCertificate) }
        let signerFacts = CertificateAnalysis.facts(signer)
        guard signerFacts.role == .elector, signerFacts.selfSignature == .valid else {
            var problems = signerFacts.profileProblems
            if signerFacts.role != .elector && problems.isEmpty { problems.append("it is a \(signerFacts.role) certificate") }
            if signerFacts.selfSignature != .valid { problems.append("self-signature \(signerFacts.selfSignature)") }
            return .failure(.signerNotElector(problems: problems))
        }
        let status = signerFacts.validity.status(at: time)
        guard status == .valid else { return .failure(.signerNotValid(status: status)) }
        let targetFacts = CertificateAnalysis.facts(target)
        guard targetFacts.role == type.targetRole else {
            return .failure(.targetProfile(expected: type.targetRole, found: targetFacts.role, problems: targetFacts.profileProblems))
        }
        guard targetFacts.selfSignature == .valid else { return .failure(.targetSelfSignature(targetFacts.selfSignature)) }
        let tbs = TbsElectorEndorsement(type: EndorsementType(rawValue: type.rawValue),
                                        certificateHash: HashedId32(uncheckedBytes: targetFacts.id.bytes),
                                        generationTime: Time32(time))
        do {
            return .success(try EndorsementSigning.endorse(tbs, signer: signer, key: key, form: form))
        } catch {
            return .failure(.crypto(error))
        }
    }

    /// One `ElectorBallot` of `target` from `endorsements` (in the given order).
    ///
    /// Refuses an endorsement that is not well formed, that endorses another certificate, whose signed
    /// `TbsElectorEndorsement` differs from the first one's, or whose signer already signed another one. Signatures
    /// and trust are not judged here (that is `ballot verify`): an assembler holds no trust anchors.
    public static func assemble(target: Certificate,
                                endorsements: [SignedElectorEndorsement]) -> Result<ElectorBallot, CeremonyError> {
        guard !endorsements.isEmpty else { return .failure(.noEndorsements) }
        let targetID = CertificateAnalysis.facts(target).id
        var first: EndorsementStatement?
        var signers: [CertificateShortID: Int] = [:]
        for (index, endorsement) in endorsements.enumerated() {
            let facts = BallotAnalysis.analyze(endorsement, index: index)
            guard facts.findings.isEmpty, let statement = facts.statement else {
                return .failure(.malformedEndorsement(endorsementIndex: index, findings: facts.findings))
            }
            guard statement.certificateHash == targetID.bytes else {
                return .failure(.endorsementForAnotherCertificate(endorsementIndex: index,
                                                                  certificateHash: statement.certificateHash, target: targetID))
            }
            if let first, first != statement {
                return .failure(.endorsementsDiffer(endorsementIndex: index, first: first, other: statement))
            }
            first = first ?? statement
            let short: CertificateShortID?
            switch facts.signer {
            case .certificate(let signer): short = signer.shortID
            case .digest(let digest): short = digest
            case .selfSigned, .unusable: short = nil
            }
            if let short {
                if let earlier = signers[short] { return .failure(.duplicateSigner(endorsementIndex: index, firstIndex: earlier)) }
                signers[short] = index
            }
        }
        return .success(ElectorBallot(certificate: target, endorsements: endorsements))
    }
}
