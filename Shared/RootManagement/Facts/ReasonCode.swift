/// Why a decision went the way it did. The raw values are stable strings: services put them in record headers and
/// metrics, `electorctl` prints them, auditors grep for them. Never rename a case; add new ones at the end.
public enum ReasonCode: String, Sendable, Codable, CaseIterable, Comparable {
    // Encoding of the ballot or of one endorsement.
    /// The bytes do not decode as the expected type.
    case malformed
    /// The bytes decode but are not the canonical (COER) encoding of the value.
    case nonCanonical
    /// `Ieee1609Dot2Data.protocolVersion` (outer or inner) is not 3, or `ScmsPDU.version` is not 1.
    case wrongProtocolVersion
    /// The endorsement is not `signedData` (or its payload is not `unsecuredData`).
    case notSignedData
    /// `SignedData.hashId` is not sha256.
    case unsupportedHashAlgorithm
    /// `hashId`, signature type and signer key disagree (P-256 requires sha256 and an ecdsaNistP256 signature).
    case hashAlgorithmMismatch
    /// `headerInfo.psid` is not 35 (SecurityMgmtPsid).
    case wrongPsid
    /// `headerInfo.generationTime` is absent.
    case missingGenerationTime
    /// A header field other than psid and generationTime is present (or `extDataHash` in the payload).
    case unexpectedHeaderField
    /// The inner `ScmsPDU` is not `ccm` / `tbsElectorEndorsement`.
    case notEndorsement

    // What was endorsed.
    /// The endorsement type is not the one expected for the list the ballot was found in.
    case typeMismatch
    /// The signed `TbsElectorEndorsement`s of one ballot differ (endorsement index = first one differing from #0).
    case inconsistentEndorsements
    /// `certificateHash` is not SHA-256 of the ballot's certificate.
    case certificateHashMismatch

    // Who signed.
    /// The signer identifier is `self` (an endorsement must be signed by another elector).
    case signerSelf
    /// The signer is not a trusted elector (or no trusted elector has the `HashedId8` it names).
    case signerUnknown
    /// The signing certificate does not match the elector profile.
    case signerNotElector
    /// The signer's certificate has expired (at the decision time, or at the endorsement's generation time).
    case signerExpired
    /// The signer's certificate is not yet valid (at the decision time, or at the endorsement's generation time).
    case signerNotYetValid
    /// The signer was removed by a valid removal ballot.
    case signerRemoved
    /// The signature does not verify with the signer's key over the 1609.2 hash-then-sign input.
    case badSignature
    /// The same elector (by certificate or by public key) endorsed more than once; it counts once.
    case duplicateEndorser
    /// The ballot's own certificate (by certificate or by public key) signed an endorsement; it never counts.
    case targetIsEndorser

    // The certificate the ballot is about.
    /// The target certificate is not self-signed.
    case targetNotSelfSigned
    /// The target certificate's self-signature does not verify.
    case targetBadSelfSignature
    /// The target certificate does not match the elector (or root) profile.
    case targetProfile
    /// The target certificate has expired at the decision time.
    case targetExpired
    /// The target certificate is not yet valid at the decision time.
    case targetNotYetValid
    /// The target certificate was removed by a valid removal ballot.
    case targetRemoved

    // Time, bounds, quorum.
    /// An endorsement's generation time is later than the decision time plus the allowed clock skew.
    case generationTimeInFuture
    /// The ballot carries more endorsements than the policy allows.
    case tooManyEndorsements
    /// Fewer distinct valid endorsers than the quorum.
    case insufficientQuorum
    /// The quorum is below 1 or below the configured floor.
    case quorumBelowFloor

    // Additions beyond the issue's list.
    /// Admitting the certificate would make more trusted electors than the policy maximum.
    case electorCapacityExceeded
    /// The header `generationTime` (Time64, µs) and the signed `TbsElectorEndorsement.generationTime` (Time32, s)
    /// name different seconds.
    case generationTimeMismatch
    /// A chain file's version is not newer than the last accepted one (anti-rollback).
    case rollback
    /// An LCCF names a different RA hostname than the one the relying party follows.
    case raHostnameMismatch
    /// An LCCF lost an elector or root endorsement of its GCCF, or names another GCCF version.
    case lccfIncomplete
    /// The chain file version cannot be increased any further (Uint16 exhausted).
    case versionExhausted
    /// A chain file is not the expected kind (GCCF where an LCCF was expected, a policy file, …).
    case wrongFileKind

    // Component certificate chains (`maCertificate`, `certs`, `optionalCertList`; `notes/domain.md` §7.3 step 5).
    /// No trusted root and no certificate of the same file has the `HashedId8` the certificate names as issuer.
    case chainIssuerUnknown
    /// The issuing certificate is in the file but does not itself chain to a trusted root.
    case chainIssuerNotTrusted
    /// A self-signed certificate that is not a trusted root.
    case chainRootNotTrusted
    /// The signature does not verify with the issuer's key over the 1609.2 input (signerInput = COER(issuer)).
    case chainBadSignature
    /// The certificate has expired at the validation time.
    case chainExpired
    /// The certificate is not yet valid at the validation time.
    case chainNotYetValid
    /// The certificate's validity period is not within its issuer's.
    case chainValidityNotNested
    /// More certificates below the trusted root than the bound allows.
    case chainTooLong
    /// The issuer's `certIssuePermissions` do not allow issuing this certificate (see `IssuanceRules`).
    case chainIssuerNotPermitted
    /// The certificate cannot be validated here (implicit, not P-256 / SHA-256, uncompressed points, no signature).
    case chainUnsupported
    /// A chain file's `maCertificate` does not chain to a trusted root.
    case maCertificateUntrusted

    public static func < (lhs: ReasonCode, rhs: ReasonCode) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One reason a decision carries: a stable code, the endorsement it is about (when it is about one), and a
/// human-readable detail that may change between releases (match on `code`, never on `detail`).
public struct Finding: Error, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The stable reason code.
    public var code: ReasonCode
    /// Index into the ballot's `endorsements`, when the finding is about one endorsement.
    public var endorsementIndex: Int?
    /// Free text for people.
    public var detail: String

    /// A finding about the whole ballot (`endorsementIndex` nil) or about one endorsement.
    public init(_ code: ReasonCode, endorsement endorsementIndex: Int? = nil, _ detail: String = "") {
        self.code = code
        self.endorsementIndex = endorsementIndex
        self.detail = detail
    }

    /// Ballot-level findings first, then by endorsement index, then by code.
    public static func < (lhs: Finding, rhs: Finding) -> Bool {
        let l = lhs.endorsementIndex ?? -1, r = rhs.endorsementIndex ?? -1
        if l != r { return l < r }
        if lhs.code != rhs.code { return lhs.code < rhs.code }
        return lhs.detail < rhs.detail
    }

    public var description: String {
        let at = endorsementIndex.map { "[\($0)]" } ?? ""
        return detail.isEmpty ? "\(code.rawValue)\(at)" : "\(code.rawValue)\(at): \(detail)"
    }
}

/// A code and the endorsement it is tied to, without the detail text: what tests and auditors compare.
public struct FindingKey: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var code: ReasonCode
    public var endorsementIndex: Int?

    public init(_ code: ReasonCode, _ endorsementIndex: Int? = nil) {
        self.code = code
        self.endorsementIndex = endorsementIndex
    }

    public static func < (lhs: FindingKey, rhs: FindingKey) -> Bool {
        Finding(lhs.code, endorsement: lhs.endorsementIndex) < Finding(rhs.code, endorsement: rhs.endorsementIndex)
    }

    public var description: String { "\(code.rawValue)\(endorsementIndex.map { "[\($0)]" } ?? "")" }
}

extension Finding {
    /// The code and index of this finding.
    public var key: FindingKey { FindingKey(code, endorsementIndex) }
}
