public import BallotCodec
import ElectorCrypto

/// Profile options. The defaults follow `notes/domain.md` §3, with one relaxation so the shared synthetic root
/// (psid 35 only) passes: the root's CRL permission (psid 256) is allowed but not required unless
/// `requireRootCrlPermission` is set.
public struct ProfileOptions: Sendable, Hashable, Codable {
    /// Require psid 256 (CRL) in a root's appPermissions.
    public var requireRootCrlPermission: Bool

    public init(requireRootCrlPermission: Bool = false) { self.requireRootCrlPermission = requireRootCrlPermission }
}

/// Turns a decoded `Certificate` into `CertificateFacts`: SHA-256 identity, compressed key, validity window,
/// self-signature check (ECDSA over `SHA256(SHA256(tbs) ‖ SHA256(""))`) and the elector / root profile match.
public enum CertificateAnalysis {
    /// ElectorSsp v1 as `ScmsSsp` COER: `80 00 01`.
    public static let electorSsp: [UInt8] = [0x80, 0x00, 0x01]
    /// RootCaSsp v1 as `ScmsSsp` COER: `81 00 01`.
    public static let rootCaSsp: [UInt8] = [0x81, 0x00, 0x01]
    /// SecurityMgmtPsid.
    public static let securityManagementPsid: UInt64 = 35
    /// CrlPsid.
    public static let crlPsid: UInt64 = 256

    /// The facts of `certificate`, through `CertificateFactsCache.shared` (a certificate seen before costs one
    /// encoding and one SHA-256).
    public static func facts(_ certificate: Certificate, options: ProfileOptions = ProfileOptions()) -> CertificateFacts {
        CertificateFactsCache.shared.facts(certificate, options: options)
    }

    /// The facts of `certificate` through `cache`.
    public static func facts(_ certificate: Certificate, options: ProfileOptions = ProfileOptions(),
                             cache: CertificateFactsCache) -> CertificateFacts {
        cache.facts(certificate, options: options)
    }

    /// The facts, computed (no cache); `id` is SHA-256 of the certificate's encoding. A known `selfSignature` status
    /// (e.g. from the validator's verdict) is taken as it is instead of verifying the self-signature.
    static func computeFacts(_ certificate: Certificate, id: CertificateID, options: ProfileOptions,
                             selfSignature known: SelfSignatureStatus? = nil) -> CertificateFacts {
        let tbs = certificate.toBeSigned
        let start = tbs.validityPeriod.start.seconds
        let end = UInt64(max(0, tbs.validityPeriod.endSeconds))
        let key = publicKeyID(certificate)
        let electorProblems = electorProfileProblems(certificate)
        let rootProblems = rootProfileProblems(certificate, options: options)
        let role: CertificateRole
        var problems: [String] = []
        if electorProblems.isEmpty {
            role = .elector
        } else if rootProblems.isEmpty {
            role = .root
        } else {
            role = .other
            problems = electorProblems.map { "elector: \($0)" } + rootProblems.map { "root: \($0)" }
        }
        var name: String?
        if case .name(let hostname) = tbs.id { name = hostname.string }
        return CertificateFacts(id: id, publicKey: key, validity: ValidityWindow(start: start, end: end), role: role,
                                profileProblems: problems, selfSignature: known ?? selfSignature(certificate), name: name,
                                certIssuePermissions: (tbs.certIssuePermissions ?? []).map(issuePermission))
    }

    /// The key identity: the compressed P-256 point; for other keys their tag and encoding (never equal to a P-256 one).
    static func publicKeyID(_ certificate: Certificate) -> PublicKeyID {
        switch certificate.verificationKey {
        case .ecdsaNistP256(let point)?:
            if let compressed = compressedP256(point) { return PublicKeyID(uncheckedBytes: compressed) }
            return PublicKeyID(uncheckedBytes: [0xff] + point.coerEncoded)
        case let other?:
            return PublicKeyID(uncheckedBytes: [0xfe] + other.coerEncoded)
        case nil:
            return PublicKeyID(uncheckedBytes: [0xfd] + certificate.toBeSigned.verifyKeyIndicator.coerEncoded)
        }
    }

    /// `02|x` / `03|x` for a P-256 point (uncompressed points are compressed; x-only and fill are not keys).
    static func compressedP256(_ point: EccP256CurvePoint) -> [UInt8]? {
        switch point {
        case .compressedY0(let x): return [0x02] + x.bytes
        case .compressedY1(let x): return [0x03] + x.bytes
        case .uncompressed(let x, let y):
            return try? PublicKey(curve: .p256, uncompressed: [0x04] + x.bytes + y.bytes).compressedRepresentation
        case .xOnly, .fill: return nil
        }
    }

    /// The self-signature status.
    public static func selfSignature(_ certificate: Certificate) -> SelfSignatureStatus {
        guard case .self(let hash) = certificate.issuer else { return .notSelfSigned }
        guard case .sha256 = hash, case .ecdsaNistP256(let point)? = certificate.verificationKey,
              let compressed = compressedP256(point),
              let key = PublicKeyCache.shared.p256(compressed: compressed),
              case .ecdsaNistP256Signature(let signature)? = certificate.signature,
              let r = xCoordinate(signature.rSig) else { return .invalid }
        let digest = Ieee1609Dot2Signing.selfSignedDigest(dataInput: certificate.toBeSigned.coerEncoded)
        return key.isValidSignature(r: r, s: signature.sSig.bytes, digest: digest) ? .valid : .invalid
    }

    /// The x coordinate a signature's `rSig` carries.
    static func xCoordinate(_ point: EccP256CurvePoint) -> [UInt8]? {
        switch point {
        case .xOnly(let x), .compressedY0(let x), .compressedY1(let x): return x.bytes
        case .uncompressed(let x, _): return x.bytes
        case .fill: return nil
        }
    }

    /// What is common to both profiles.
    private static func baseProblems(_ certificate: Certificate) -> [String] {
        var problems: [String] = []
        let tbs = certificate.toBeSigned
        if certificate.version != 3 { problems.append("version \(certificate.version)") }
        if case .explicit = certificate.type {} else { problems.append("not explicit") }
        if case .self(.sha256) = certificate.issuer {} else { problems.append("issuer is not self sha256") }
        if tbs.cracaId.bytes != [0, 0, 0] { problems.append("cracaId is not 000000") }
        if tbs.crlSeries != 0 { problems.append("crlSeries \(tbs.crlSeries)") }
        switch certificate.verificationKey {
        case .ecdsaNistP256(.compressedY0)?, .ecdsaNistP256(.compressedY1)?: break
        default: problems.append("verification key is not a compressed ecdsaNistP256 point")
        }
        if case .ecdsaNistP256Signature? = certificate.signature {} else {
            problems.append("signature is not ecdsaNistP256Signature")
        }
        if tbs.encryptionKey != nil { problems.append("encryptionKey present") }
        if tbs.canRequestRollover { problems.append("canRequestRollover present") }
        if tbs.certRequestPermissions != nil { problems.append("certRequestPermissions present") }
        return problems
    }

    /// Why `certificate` is not an elector certificate (empty: it is one).
    public static func electorProfileProblems(_ certificate: Certificate) -> [String] {
        var problems = baseProblems(certificate)
        let tbs = certificate.toBeSigned
        if tbs.region != nil { problems.append("region present") }
        if tbs.assuranceLevel != nil { problems.append("assuranceLevel present") }
        if tbs.certIssuePermissions != nil { problems.append("certIssuePermissions present") }
        let permissions = tbs.appPermissions ?? []
        if permissions.count != 1 || permissions[0].psid.value != securityManagementPsid
            || permissions[0].ssp != .opaque(electorSsp) {
            problems.append("appPermissions is not exactly psid 35 with ElectorSsp (80 00 01)")
        }
        return problems
    }

    /// Why `certificate` is not a root CA certificate (empty: it is one).
    public static func rootProfileProblems(_ certificate: Certificate, options: ProfileOptions) -> [String] {
        var problems = baseProblems(certificate)
        let tbs = certificate.toBeSigned
        let permissions = tbs.appPermissions ?? []
        if !permissions.contains(where: { $0.psid.value == securityManagementPsid && $0.ssp == .opaque(rootCaSsp) }) {
            problems.append("appPermissions lacks psid 35 with RootCaSsp (81 00 01)")
        }
        if options.requireRootCrlPermission && !permissions.contains(where: { $0.psid.value == crlPsid }) {
            problems.append("appPermissions lacks psid 256 (CRL)")
        }
        if permissions.contains(where: { $0.psid.value != securityManagementPsid && $0.psid.value != crlPsid }) {
            problems.append("appPermissions has a psid other than 35 and 256")
        }
        if (tbs.certIssuePermissions ?? []).isEmpty { problems.append("certIssuePermissions absent") }
        return problems
    }
}
