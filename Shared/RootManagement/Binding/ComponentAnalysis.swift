public import BallotCodec
import ElectorCrypto

/// Component certificates (MA, ICA, PCA, RA, …) into the facts `ComponentChainValidator` decides on.
extension CertificateAnalysis {
    /// What chain validation needs of `certificate`: its facts (through the shared cache), the issuer it names,
    /// the signature inputs (`SHA256(COER(toBeSigned))`, r, s), its `appPermissions`, and what this implementation
    /// cannot validate (implicit certificates, keys other than compressed P-256 points — hashing would need the
    /// canonical form —, signatures other than `ecdsaNistP256Signature`).
    public static func issuedFacts(_ certificate: Certificate,
                                   options: ProfileOptions = ProfileOptions()) -> IssuedCertificateFacts {
        var unsupported: [String] = []
        if certificate.version != 3 { unsupported.append("certificate version \(certificate.version)") }
        switch certificate.type {
        case .explicit: break
        case .implicit: unsupported.append("implicit certificate")
        case .unknown(let value): unsupported.append("certificate type \(value)")
        }
        let tbs = certificate.toBeSigned
        switch tbs.verifyKeyIndicator {
        case .verificationKey(.ecdsaNistP256(.compressedY0)), .verificationKey(.ecdsaNistP256(.compressedY1)): break
        case .verificationKey(.ecdsaNistP256(.uncompressed)):
            unsupported.append("uncompressed verification key (its canonical form is not re-encoded here)")
        case .verificationKey: unsupported.append("verification key is not a compressed ecdsaNistP256 point")
        case .reconstructionValue: unsupported.append("reconstructionValue (implicit certificate)")
        case .unknownExtension: unsupported.append("unknown verifyKeyIndicator alternative")
        }
        if let encryption = tbs.encryptionKey {
            switch encryption.publicKey {
            case .eciesNistP256(.uncompressed), .eciesBrainpoolP256r1(.uncompressed):
                unsupported.append("uncompressed encryption key (its canonical form is not re-encoded here)")
            default: break
            }
        }
        var signature: SignatureMaterial?
        switch certificate.signature {
        case .ecdsaNistP256Signature(let value)?:
            if let r = xCoordinate(value.rSig) {
                signature = SignatureMaterial(dataHash: Digest.sha256(tbs.coerEncoded), r: r, s: value.sSig.bytes)
            } else {
                unsupported.append("rSig is fill")
            }
        case nil: unsupported.append("no signature")
        default: unsupported.append("signature is not ecdsaNistP256Signature")
        }
        let issuer: IssuerReference
        switch certificate.issuer {
        case .self: issuer = .selfSigned
        case .sha256AndDigest(let digest): issuer = .digest(CertificateShortID(uncheckedBytes: digest.bytes))
        case .sha384AndDigest: issuer = .unsupported("sha384AndDigest")
        case .unknownExtension(let tag, _): issuer = .unsupported("unknown IssuerIdentifier alternative [\(tag)]")
        }
        return IssuedCertificateFacts(facts: facts(certificate, options: options), issuer: issuer, signature: signature,
                                      appPermissions: (tbs.appPermissions ?? []).map(permissionGrant),
                                      unsupported: unsupported)
    }

    /// A `PsidSsp` as a fact.
    public static func permissionGrant(_ entry: PsidSsp) -> PermissionGrant {
        let ssp: SspFacts?
        switch entry.ssp {
        case nil: ssp = nil
        case .opaque(let bytes)?: ssp = .opaque(bytes)
        case .bitmapSsp(let bytes)?: ssp = .bitmap(bytes)
        case .unknownExtension?: ssp = .unknown
        }
        return PermissionGrant(psid: entry.psid.value, ssp: ssp)
    }

    /// A `PsidGroupPermissions` as a fact.
    public static func issuePermission(_ group: PsidGroupPermissions) -> IssuePermission {
        let subjects: IssuePermission.Subjects
        switch group.subjectPermissions {
        case .all: subjects = .all
        case .explicit(let ranges):
            subjects = .explicit(ranges.map { range in
                let ssp: SspRangeFacts
                switch range.sspRange {
                case nil, .all?: ssp = .any
                case .opaque(let values)?: ssp = .opaque(values)
                case .bitmapSspRange(let bitmap)?: ssp = .bitmap(value: bitmap.sspValue, mask: bitmap.sspBitmask)
                case .unknownExtension?: ssp = .unknown
                }
                return PsidRangeFacts(psid: range.psid.value, ssp: ssp)
            })
        case .unknownExtension: subjects = .unknown
        }
        return IssuePermission(subjects: subjects, minChainLength: group.minChainLength,
                               chainLengthRange: group.chainLengthRange, app: group.eeType.contains(.app),
                               enrol: group.eeType.contains(.enrol))
    }

    /// The component certificates of a certificate store (and an LCCF's `optionalCertList`), in file order.
    public static func components(of store: CertificateStore, optional: [Certificate] = [],
                                  options: ProfileOptions = ProfileOptions()) -> [ReceivedComponent] {
        [ReceivedComponent(placement: .maCertificate, index: 0, certificate: issuedFacts(store.maCertificate, options: options))]
            + store.certs.enumerated().map {
                ReceivedComponent(placement: .certs, index: $0.offset, certificate: issuedFacts($0.element, options: options))
            }
            + optional.enumerated().map {
                ReceivedComponent(placement: .optionalCertList, index: $0.offset,
                                  certificate: issuedFacts($0.element, options: options))
            }
    }
}
