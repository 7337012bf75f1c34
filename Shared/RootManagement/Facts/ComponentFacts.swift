/// The facts of the SCMS component certificates a chain file carries (`maCertificate`, `certs`,
/// `optionalCertList`), which a relying party validates up to a trusted root (`notes/domain.md` §7.3 step 5).

/// How a certificate names its issuer.
public enum IssuerReference: Sendable, Hashable, Codable {
    /// `self`.
    case selfSigned
    /// `sha256AndDigest`: the `HashedId8` of the issuing certificate.
    case digest(CertificateShortID)
    /// `sha384AndDigest` or an unknown alternative (this implementation validates P-256 / SHA-256 chains only).
    case unsupported(String)
}

/// Where a component certificate sits in its chain file.
public enum ComponentPlacement: String, Sendable, Hashable, Codable, CaseIterable {
    /// `CertificateStore.maCertificate`.
    case maCertificate
    /// `CertificateStore.certs`.
    case certs
    /// `LocalCertificateChainFile.optionalCertList`.
    case optionalCertList
}

/// What chain validation needs to know about one certificate (computed once by the binding).
public struct IssuedCertificateFacts: Sendable, Hashable, Codable {
    /// Identity, key, validity, `certIssuePermissions`.
    public var facts: CertificateFacts
    /// The issuer it names.
    public var issuer: IssuerReference
    /// `SHA256(COER(toBeSigned))`, `r` and `s`: valid when ECDSA verifies `SHA256(dataHash ‖ SHA256(COER(issuer)))`
    /// with the issuer's key (1609.2 hash-then-sign, `signerInput` = the issuing certificate). Nil when absent.
    public var signature: SignatureMaterial?
    /// `appPermissions`.
    public var appPermissions: [PermissionGrant]
    /// Why this implementation cannot validate it (implicit certificate, a key other than a compressed P-256
    /// point, a signature other than `ecdsaNistP256Signature`, …); empty when it can.
    public var unsupported: [String]

    public init(facts: CertificateFacts, issuer: IssuerReference, signature: SignatureMaterial?,
                appPermissions: [PermissionGrant] = [], unsupported: [String] = []) {
        self.facts = facts
        self.issuer = issuer
        self.signature = signature
        self.appPermissions = appPermissions
        self.unsupported = unsupported
    }
}

/// One component certificate of a received chain file.
public struct ReceivedComponent: Sendable, Hashable, Codable {
    /// The list it came from.
    public var placement: ComponentPlacement
    /// Its position in that list (0 for `maCertificate`).
    public var index: Int
    /// Its facts.
    public var certificate: IssuedCertificateFacts

    public init(placement: ComponentPlacement, index: Int, certificate: IssuedCertificateFacts) {
        self.placement = placement
        self.index = index
        self.certificate = certificate
    }
}

/// The outcome of validating one component certificate.
public struct ComponentVerdict: Sendable, Hashable, Codable {
    /// SHA-256 of the certificate.
    public var certificate: CertificateID
    /// `toBeSigned.id` when it is a name.
    public var name: String?
    /// Where it sits in the file.
    public var placement: ComponentPlacement
    /// Its position in that list.
    public var index: Int
    /// Whether it chains to a trusted root at the validation time.
    public var trusted: Bool
    /// When trusted: its issuers from the direct issuer up to the trusted root (empty when it is a trusted root).
    public var chain: [CertificateID]
    /// Why it is not trusted (stable `chain…` codes); empty when trusted.
    public var findings: [Finding]

    public init(certificate: CertificateID, name: String?, placement: ComponentPlacement, index: Int, trusted: Bool,
                chain: [CertificateID], findings: [Finding]) {
        self.certificate = certificate
        self.name = name
        self.placement = placement
        self.index = index
        self.trusted = trusted
        self.chain = chain
        self.findings = findings
    }
}

/// A component certificate a relying party trusts: it chained to a trusted root when its file was accepted.
public struct TrustedComponent: Sendable, Hashable, Codable {
    public var facts: CertificateFacts
    public var placement: ComponentPlacement
    /// Issuers up to the trusted root (empty when it is a trusted root itself).
    public var chain: [CertificateID]

    public init(facts: CertificateFacts, placement: ComponentPlacement, chain: [CertificateID]) {
        self.facts = facts
        self.placement = placement
        self.chain = chain
    }

    /// The trusted root the chain ends in.
    public var root: CertificateID { chain.last ?? facts.id }
}
