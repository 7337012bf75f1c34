/// The facts the rules decide on. A binding (see `BallotAnalysis`) extracts them once from COER values; every
/// later decision at a time `t` with a quorum `q` works on these values only, never on bytes or signatures.

/// A certificate's validity window in `Time32` seconds: valid at `t` iff `start ≤ t < end`.
public struct ValidityWindow: Sendable, Hashable, Codable {
    /// `validityPeriod.start`.
    public var start: UInt32
    /// `start + duration` in seconds (exclusive); 64 bits so long durations never wrap.
    public var end: UInt64

    /// The length of a `Duration.years` unit (IEEE 1609.2: 31556952 s).
    public static let secondsPerYear: UInt64 = 31_556_952

    public init(start: UInt32, end: UInt64) {
        self.start = start
        self.end = end
    }

    /// A window of `years` 1609.2 years from `start`.
    public init(start: UInt32, years: UInt16) {
        self.init(start: start, end: UInt64(start) + UInt64(years) * Self.secondsPerYear)
    }

    /// Where `t` falls relative to the window.
    public func status(at t: UInt32) -> TemporalStatus {
        if t < start { return .notYetValid }
        if UInt64(t) >= end { return .expired }
        return .valid
    }

    /// `status(at: t) == .valid`.
    public func contains(_ t: UInt32) -> Bool { status(at: t) == .valid }
}

/// Where an instant falls relative to a validity window.
public enum TemporalStatus: String, Sendable, Codable {
    case notYetValid, valid, expired
}

/// The certificate profile a certificate matches (`notes/domain.md` §3).
public enum CertificateRole: String, Sendable, Codable, Hashable {
    /// The CAMP elector profile: self-signed explicit, psid 35 with ElectorSsp, P-256 compressed key.
    case elector
    /// The CAMP root CA profile: self-signed explicit, psid 35 with RootCaSsp, certIssuePermissions, P-256.
    case root
    /// Neither.
    case other
}

/// The state of a certificate's own signature.
public enum SelfSignatureStatus: String, Sendable, Codable, Hashable {
    /// `issuer self` and the signature verifies over `SHA256(SHA256(tbs) ‖ SHA256(""))` with its own key.
    case valid
    /// `issuer self` but the signature does not verify (or is missing).
    case invalid
    /// Issued by another certificate.
    case notSelfSigned
}

/// What the rules need to know about one certificate.
public struct CertificateFacts: Sendable, Hashable, Codable {
    /// SHA-256 of the canonical encoding.
    public var id: CertificateID
    /// The verification key (compressed point).
    public var publicKey: PublicKeyID
    /// Validity window.
    public var validity: ValidityWindow
    /// The profile it matches.
    public var role: CertificateRole
    /// Why it matches neither the elector nor the root profile (empty when it matches one).
    public var profileProblems: [String]
    /// Its self-signature.
    public var selfSignature: SelfSignatureStatus
    /// `toBeSigned.id` when it is a name, for reports.
    public var name: String?
    /// `certIssuePermissions` (empty when the certificate has none), used when this certificate issues another in a
    /// chain. Nil when unknown: facts built by hand or persisted before the field existed (such an issuer is never
    /// taken to permit anything).
    public var certIssuePermissions: [IssuePermission]?

    public init(id: CertificateID, publicKey: PublicKeyID, validity: ValidityWindow, role: CertificateRole,
                profileProblems: [String] = [], selfSignature: SelfSignatureStatus, name: String? = nil,
                certIssuePermissions: [IssuePermission]? = nil) {
        self.id = id
        self.publicKey = publicKey
        self.validity = validity
        self.role = role
        self.profileProblems = profileProblems
        self.selfSignature = selfSignature
        self.name = name
        self.certIssuePermissions = certIssuePermissions
    }

    /// Its `HashedId8`.
    public var shortID: CertificateShortID { id.shortID }
}

/// `EndorsementType` of CAMP scms-asn 1.2.4, as the rules see it.
public enum EndorsementAction: Int, Sendable, Codable, Hashable, CaseIterable, Comparable,
    CustomStringConvertible {
    case addRoot = 0
    case addElector = 1
    case removeRoot = 2
    case removeElector = 3

    /// The profile the target certificate must match.
    public var targetRole: CertificateRole {
        switch self {
        case .addRoot, .removeRoot: return .root
        case .addElector, .removeElector: return .elector
        }
    }

    /// Whether the ballot removes its target.
    public var isRemoval: Bool { self == .removeRoot || self == .removeElector }

    /// The ASN.1 identifier.
    public var description: String {
        switch self {
        case .addRoot: return "addRoot"
        case .addElector: return "addElector"
        case .removeRoot: return "removeRoot"
        case .removeElector: return "removeElector"
        }
    }

    /// Parses the ASN.1 identifier.
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.description == name }) else { return nil }
        self = match
    }

    public static func < (lhs: EndorsementAction, rhs: EndorsementAction) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The signed `TbsElectorEndorsement` of one endorsement.
public struct EndorsementStatement: Sendable, Hashable, Codable {
    /// `type` as its enumeration value (values outside 0…3 are unknown extension values).
    public var typeValue: Int
    /// `certificateHash`.
    public var certificateHash: [UInt8]
    /// `generationTime` (Time32).
    public var generationTime: UInt32

    public init(typeValue: Int, certificateHash: [UInt8], generationTime: UInt32) {
        self.typeValue = typeValue
        self.certificateHash = certificateHash
        self.generationTime = generationTime
    }

    public init(action: EndorsementAction, certificateHash: CertificateID, generationTime: UInt32) {
        self.init(typeValue: action.rawValue, certificateHash: certificateHash.bytes, generationTime: generationTime)
    }

    /// The action, when the value is a known one.
    public var action: EndorsementAction? { EndorsementAction(rawValue: typeValue) }
}

/// How an endorsement names its signer.
public enum SignerReference: Sendable, Hashable, Codable {
    /// `certificate` with exactly one certificate (the facts of that embedded certificate).
    case certificate(CertificateFacts)
    /// `digest`: the `HashedId8` of the signer's certificate.
    case digest(CertificateShortID)
    /// `self`.
    case selfSigned
    /// Anything else (an empty or longer certificate sequence, an unknown choice); the analysis reports it.
    case unusable
}

/// What a signature check needs, beyond the signer's key and certificate hash: `SHA256(COER(tbsData))` and the
/// signature's `r` (x-coordinate) and `s`. The signing digest is `SHA256(dataHash ‖ signer.id)`.
public struct SignatureMaterial: Sendable, Hashable, Codable {
    public var dataHash: [UInt8]
    public var r: [UInt8]
    public var s: [UInt8]

    public init(dataHash: [UInt8], r: [UInt8], s: [UInt8]) {
        self.dataHash = dataHash
        self.r = r
        self.s = s
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combineBytes(dataHash)
        hasher.combineBytes(r)
        hasher.combineBytes(s)
    }
}

/// The static facts of one `SignedElectorEndorsement`.
public struct EndorsementFacts: Sendable, Hashable, Codable {
    /// Position in `ElectorBallot.endorsements`.
    public var index: Int
    /// The signed statement, when it could be decoded.
    public var statement: EndorsementStatement?
    /// `headerInfo.generationTime` (Time64, microseconds), when present.
    public var headerGenerationTime: UInt64?
    /// The signer.
    public var signer: SignerReference
    /// Signature inputs, when the endorsement is well-formed enough to check one.
    public var signature: SignatureMaterial?
    /// Problems found while decoding this endorsement (codec-level codes: malformed, wrongPsid, …).
    public var findings: [Finding]

    public init(index: Int, statement: EndorsementStatement?, headerGenerationTime: UInt64?,
                signer: SignerReference, signature: SignatureMaterial?, findings: [Finding] = []) {
        self.index = index
        self.statement = statement
        self.headerGenerationTime = headerGenerationTime
        self.signer = signer
        self.signature = signature
        self.findings = findings
    }

    /// The header generation time in whole seconds.
    public var headerGenerationSeconds: UInt64? { headerGenerationTime.map { $0 / 1_000_000 } }

    /// The latest generation time this endorsement claims, in seconds (TBS and header).
    var latestGenerationSeconds: UInt64? {
        let values = [statement.map { UInt64($0.generationTime) }, headerGenerationSeconds].compactMap { $0 }
        return values.max()
    }
}

/// One ballot's static facts, computed once (`AnalyzedBallot` of the issue): everything that does not depend on
/// the time, the quorum or who is trusted. Construction adds the checks that need only these facts:
/// `inconsistentEndorsements`, `certificateHashMismatch`, `missingGenerationTime`, `generationTimeMismatch`.
public struct AnalyzedBallot: Sendable, Hashable, Codable {
    /// SHA-256 of the canonical ballot encoding.
    public var id: BallotID
    /// The endorsed certificate, when it decoded.
    public var target: CertificateFacts?
    /// The endorsements, in order.
    public var endorsements: [EndorsementFacts]
    /// Every static finding (ballot-level ones without an index, per-endorsement ones with one), sorted.
    public private(set) var findings: [Finding]
    /// The statement of the first decodable endorsement.
    public private(set) var statement: EndorsementStatement?
    /// Indexes of endorsements that already have a static finding (they never count).
    public private(set) var staticallyInvalid: Set<Int>

    /// Builds the facts and adds the static semantic checks. `findings` are codec-level problems of the ballot.
    public init(id: BallotID, target: CertificateFacts?, endorsements: [EndorsementFacts], findings: [Finding] = []) {
        self.id = id
        self.target = target
        self.endorsements = endorsements
        var all = findings
        let first = endorsements.first(where: { $0.statement != nil })?.statement
        for endorsement in endorsements {
            all.append(contentsOf: endorsement.findings)
            guard let statement = endorsement.statement else { continue }
            if let first, statement != first {
                all.append(Finding(.inconsistentEndorsements, endorsement: endorsement.index,
                                   "signed TbsElectorEndorsement differs from the first endorsement's"))
            }
            if let target, statement.certificateHash != target.id.bytes {
                all.append(Finding(.certificateHashMismatch, endorsement: endorsement.index,
                                   "certificateHash \(HexText.encode(statement.certificateHash)) is not SHA-256 of the ballot certificate \(target.id.hex)"))
            }
            if let header = endorsement.headerGenerationSeconds {
                if header != UInt64(statement.generationTime) {
                    all.append(Finding(.generationTimeMismatch, endorsement: endorsement.index,
                                       "header generationTime \(endorsement.headerGenerationTime ?? 0) µs is not TBS generationTime \(statement.generationTime) s"))
                }
            } else if !endorsement.findings.contains(where: { $0.code == .missingGenerationTime }) {
                all.append(Finding(.missingGenerationTime, endorsement: endorsement.index, "headerInfo.generationTime absent"))
            }
        }
        self.findings = Array(Set(all)).sorted()
        self.statement = first
        self.staticallyInvalid = Set(self.findings.compactMap(\.endorsementIndex))
    }

    /// The `HashedId8`s this ballot's endorsements name (directly or through an embedded certificate).
    public var signerShortIDs: Set<CertificateShortID> {
        var out = Set<CertificateShortID>()
        for endorsement in endorsements {
            switch endorsement.signer {
            case .certificate(let facts): out.insert(facts.shortID)
            case .digest(let short): out.insert(short)
            case .selfSigned, .unusable: break
            }
        }
        return out
    }

    /// Certificates embedded as signers.
    public var embeddedSigners: [CertificateFacts] {
        endorsements.compactMap { if case .certificate(let facts) = $0.signer { return facts } else { return nil } }
    }
}
