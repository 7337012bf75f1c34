import BallotCodec
import ElectorCrypto
import RootManagement
import ServiceKit

/// Intake's own reason codes (`docs/PIPELINE.md`), plus `tooManyEndorsements` from RootManagement.
enum IntakeReason: String, Sendable, CaseIterable {
    /// Larger than `max-record-bytes`.
    case oversized
    /// A tombstone or zero bytes.
    case emptyRecord
    /// Not a valid COER encoding of any ballot form.
    case malformed
    /// Valid OER but not canonical.
    case nonCanonical
    /// Valid encoding the codec cannot decode.
    case unsupported
    /// Valid COER of another type.
    case notBallot
    /// More endorsements than `max-endorsements`.
    case tooManyEndorsements
}

/// A ballot intake accepts: the canonical bytes and the header facts.
struct AcceptedBallot: Sendable, Hashable {
    /// COER of the `ElectorBallot` (whatever the submitted form).
    var canonical: [UInt8]
    /// Hex SHA-256 of `canonical`.
    var digest: String
    /// Hex SHA-256 of the ballot's certificate (the record key).
    var targetHash: String
    /// The type the first endorsement declares.
    var type: EndorsementAction
    var form: SubmissionForm
}

/// Why intake refused a record.
struct IntakeRejection: Error, Sendable, Hashable {
    var reason: IntakeReason
    var detail: String
}

/// The pure part of intake: bytes in, accepted ballot or rejection out. No state, no clock.
struct IntakeClassifier: Sendable {
    /// The largest accepted record.
    var maxRecordBytes: Int
    /// The most endorsements a ballot may carry.
    var maxEndorsements: Int

    func classify(_ value: [UInt8]?) -> Result<AcceptedBallot, IntakeRejection> {
        guard let value, !value.isEmpty else {
            return .failure(IntakeRejection(reason: .emptyRecord, detail: value == nil ? "tombstone (null value)" : "zero bytes"))
        }
        guard value.count <= maxRecordBytes else {
            return .failure(IntakeRejection(reason: .oversized,
                                            detail: "\(value.count) bytes, at most \(maxRecordBytes) accepted"))
        }
        let form: BallotForm
        do {
            form = try BallotForm.decode(value, limits: COERLimits(maxInputBytes: maxRecordBytes))
        } catch {
            if let other = Self.otherType(value) {
                return .failure(IntakeRejection(reason: .notBallot, detail: "a valid \(other), not a ballot (\(error))"))
            }
            let reason: IntakeReason
            switch error.reason {
            case .nonCanonical: reason = .nonCanonical
            case .unsupported: reason = .unsupported
            default: reason = .malformed
            }
            return .failure(IntakeRejection(reason: reason, detail: error.description))
        }
        guard let ballot = form.electorBallotIfPresent else {
            return .failure(IntakeRejection(reason: .notBallot, detail: "\(form.formName) carries no ElectorBallot"))
        }
        guard !ballot.endorsements.isEmpty else {
            return .failure(IntakeRejection(reason: .malformed, detail: "ElectorBallot.endorsements is empty"))
        }
        guard ballot.endorsements.count <= maxEndorsements else {
            return .failure(IntakeRejection(reason: .tooManyEndorsements,
                                            detail: "\(ballot.endorsements.count) endorsements, at most \(maxEndorsements) accepted"))
        }
        // The type header: what the first endorsement that names a known type declares (the validator checks
        // that every endorsement agrees, and everything else about them).
        var type: EndorsementAction?
        var firstProblem: String?
        for (index, endorsement) in ballot.endorsements.enumerated() {
            switch Self.declaredType(endorsement) {
            case .success(let action):
                type = action
            case .failure(let problem):
                firstProblem = firstProblem ?? "endorsements[\(index)]: \(problem.detail)"
            }
            if type != nil { break }
        }
        guard let type else {
            return .failure(IntakeRejection(reason: .malformed,
                                            detail: "no endorsement declares a known type: \(firstProblem ?? "")"))
        }
        // A bare ElectorBallot that decoded is canonical already (the codec refuses non-canonical input).
        let canonical: [UInt8]
        if case .ballot = form { canonical = value } else { canonical = ballot.coerEncoded }
        let submitted: SubmissionForm
        switch form {
        case .ballot: submitted = .ballot
        case .scoped: submitted = .scoped
        case .unsecured: submitted = .unsecured
        }
        return .success(AcceptedBallot(canonical: canonical, digest: Hex.encode(Digest.sha256(canonical)),
                                       targetHash: Hex.encode(Digest.sha256(ballot.certificate.coerEncoded)),
                                       type: type, form: submitted))
    }

    /// The type one endorsement's `TbsElectorEndorsement` declares (decoding only what that takes).
    static func declaredType(_ endorsement: SignedElectorEndorsement) -> Result<EndorsementAction, IntakeRejection> {
        guard let octets = endorsement.signedData?.tbsData.payload.data?.unsecuredData else {
            return .failure(IntakeRejection(reason: .malformed, detail: "not signedData over unsecuredData"))
        }
        guard let pdu = try? ScmsPDU(coer: octets), case .ccm(.tbsElectorEndorsement(let tbs)) = pdu.content else {
            return .failure(IntakeRejection(reason: .malformed, detail: "not a ScopedElectorEndorsement"))
        }
        guard let action = EndorsementAction(rawValue: tbs.type.rawValue) else {
            return .failure(IntakeRejection(reason: .malformed, detail: "unknown endorsement type \(tbs.type.rawValue)"))
        }
        return .success(action)
    }

    /// The name of another CAMP / 1609.2 type `bytes` is a complete, canonical encoding of, if any.
    static func otherType(_ bytes: [UInt8]) -> String? {
        if (try? ScmsPDU(coer: bytes)) != nil { return "ScmsPDU" }
        if (try? Ieee1609Dot2Data(coer: bytes)) != nil { return "Ieee1609Dot2Data" }
        if (try? ScmsFile(coer: bytes)) != nil { return "ScmsFile" }
        if (try? Certificate(coer: bytes)) != nil { return "Certificate" }
        return nil
    }
}
