public import BallotCodec

// Written on the `rules` branch: the certificate and endorsement builders RootManagement's adversarial tests (and
// `electorctl elector init` / `endorse`) need, on top of this module's byte-level ECDSA. A new file so it merges
// cleanly with the crypto branch.

/// Self-signed 1609.2 certificates (CAMP elector and root CA profiles, `notes/domain.md` §3).
public enum CertificateSigning {
    /// `ScmsSsp` elector v1 (`80 00 01`).
    public static let electorSsp: [UInt8] = [0x80, 0x00, 0x01]
    /// `ScmsSsp` root v1 (`81 00 01`).
    public static let rootCaSsp: [UInt8] = [0x81, 0x00, 0x01]
    /// The CRL-signer SSP the TTA test SCMS root carries for psid 256.
    public static let rootCrlSsp: [UInt8] = [0x00, 0x01, 0x00, 0x01, 0x01, 0x01, 0x00]

    /// `verificationKey ecdsaNistP256` with the compressed point of `key`.
    public static func verificationKey(_ key: PublicKey) -> VerificationKeyIndicator {
        let x = Octets32(uncheckedBytes: key.x)
        return .verificationKey(.ecdsaNistP256(key.yIsOdd ? .compressedY1(x) : .compressedY0(x)))
    }

    /// The elector profile: name, cracaId 000000, crlSeries 0, psid 35 with ElectorSsp, nothing else, P-256 key.
    public static func electorTemplate(name: String, key: PublicKey, start: Time32, years: UInt16 = 12) -> ToBeSignedCertificate {
        ToBeSignedCertificate(id: .name(Hostname(name)), cracaId: HashedId3(uncheckedBytes: [0, 0, 0]), crlSeries: 0,
                              validityPeriod: ValidityPeriod(start: start, duration: .years(years)),
                              appPermissions: [PsidSsp(psid: 35, ssp: .opaque(electorSsp))],
                              verifyKeyIndicator: verificationKey(key))
    }

    /// The `certIssuePermissions` of a root CA: the four groups of the CAMP root profile, as the TTA test SCMS
    /// root carries them — `all` PSIDs for chains of 3 or more (root → ICA → PCA/ECA → end entity), and
    /// SecurityMgmt (35), MisbehaviorReporting (38) and CRL (256) for chains of 1 or more, so an MA (psid 35)
    /// issued directly by the root is within the root's permissions. `app` and `enrol` throughout.
    public static let rootIssuePermissions: [PsidGroupPermissions] = [
        PsidGroupPermissions(subjectPermissions: .all, minChainLength: 3, chainLengthRange: -1, eeType: [.app, .enrol]),
    ] + ([35, 38, 256] as [UInt64]).map { psid in
        PsidGroupPermissions(subjectPermissions: .explicit([PsidSspRange(psid: Psid(psid))]), minChainLength: 1,
                             chainLengthRange: -1, eeType: [.app, .enrol])
    }

    /// The root CA profile: psid 35 with RootCaSsp and psid 256 (CRL), the CAMP root's four
    /// ``rootIssuePermissions`` groups, P-256 key.
    public static func rootTemplate(name: String, key: PublicKey, start: Time32, years: UInt16 = 17) -> ToBeSignedCertificate {
        ToBeSignedCertificate(id: .name(Hostname(name)), cracaId: HashedId3(uncheckedBytes: [0, 0, 0]), crlSeries: 0,
                              validityPeriod: ValidityPeriod(start: start, duration: .years(years)),
                              appPermissions: [PsidSsp(psid: 35, ssp: .opaque(rootCaSsp)),
                                               PsidSsp(psid: 256, ssp: .opaque(rootCrlSsp))],
                              certIssuePermissions: rootIssuePermissions,
                              verifyKeyIndicator: verificationKey(key))
    }

    /// Signs `toBeSigned` with its own key: explicit, issuer `self sha256`, signature over
    /// `SHA256(SHA256(COER(tbs)) ‖ SHA256(""))`, rSig x-only.
    public static func selfSigned(_ toBeSigned: ToBeSignedCertificate, key: PrivateKey) throws(CryptoError) -> Certificate {
        let digest = Ieee1609Dot2Signing.selfSignedDigest(dataInput: toBeSigned.coerEncoded)
        let (r, s) = try key.signature(forDigest: digest)
        return Certificate(type: .explicit, issuer: .self(.sha256), toBeSigned: toBeSigned,
                           signature: signature(r: r, s: s))
    }

    /// `ecdsaNistP256Signature` with an x-only rSig.
    public static func signature(r: [UInt8], s: [UInt8]) -> Signature {
        .ecdsaNistP256Signature(EcdsaP256Signature(rSig: .xOnly(Octets32(uncheckedBytes: r)), sSig: Octets32(uncheckedBytes: s)))
    }
}

/// `SignedElectorEndorsement`s: 1609.2 SignedData over a ScopedElectorEndorsement (psid 35, generationTime only).
public enum EndorsementSigning {
    /// How the endorsement names its signer.
    public enum SignerForm: Sendable, Hashable {
        /// `signer certificate` with the one signing certificate.
        case certificate
        /// `signer digest` with its HashedId8.
        case digest
    }

    /// Signs `tbs` as `signer` (whose private key is `key`). The header generation time defaults to the TBS time.
    public static func endorse(_ tbs: TbsElectorEndorsement, signer: Certificate, key: PrivateKey,
                               form: SignerForm = .certificate,
                               headerGenerationTime: Time64? = nil) throws(CryptoError) -> SignedElectorEndorsement {
        let payload = SignedDataPayload(data: Ieee1609Dot2Data(content: .unsecuredData(ScmsPDU.scopedEndorsement(tbs).coerEncoded)))
        let header = HeaderInfo(psid: 35, generationTime: headerGenerationTime ?? Time64(tbs.generationTime))
        return Ieee1609Dot2Data(content: .signedData(try sign(ToBeSignedData(payload: payload, headerInfo: header),
                                                                signer: signer, key: key, form: form)))
    }

    /// Signs any `ToBeSignedData` with `signer`'s key: `SHA256(SHA256(COER(tbsData)) ‖ SHA256(COER(signer)))`.
    public static func sign(_ tbsData: ToBeSignedData, signer: Certificate, key: PrivateKey,
                            form: SignerForm = .certificate) throws(CryptoError) -> SignedData {
        let signerBytes = signer.coerEncoded
        let digest = Ieee1609Dot2Signing.signingDigest(dataInput: tbsData.coerEncoded, signerInput: signerBytes)
        let (r, s) = try key.signature(forDigest: digest)
        let identifier: SignerIdentifier
        switch form {
        case .certificate: identifier = .certificate([signer])
        case .digest: identifier = .digest(HashedId8(uncheckedBytes: HashedIds.hashedId8(of: signerBytes)))
        }
        return SignedData(hashId: .sha256, tbsData: tbsData, signer: identifier,
                          signature: CertificateSigning.signature(r: r, s: s))
    }
}
