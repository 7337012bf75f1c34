public import BallotCodec

// Written on the `ctl` branch for `electorctl root|elector|ma init`: validity spans other than whole years, and
// certificates issued by another certificate (the MA certificate a GCCF carries). A new file so it merges cleanly.

extension CertificateSigning {
    /// `ScmsSsp` ma v1 whose `relevantPsids` are `psids` (COER of `ScmsSsp.ma(MaSsp)`).
    public static func maSsp(relevantPsids psids: [UInt64]) -> [UInt8] {
        ScmsSsp.ma(MaSsp(relevantPsids: psids.map { Psid($0) })).coerEncoded
    }

    /// The 1609.2 `Duration` that spans exactly `seconds`, in the largest unit that holds it in a `Uint16`
    /// (years of 31 556 952 s, then hours, minutes, seconds, sixty-hour blocks), or nil when none does
    /// (zero, negative, or e.g. `10y1d`, which is neither whole years nor at most 65 535 hours).
    public static func duration(seconds: Int64) -> BallotCodec.Duration? {
        guard seconds > 0 else { return nil }
        let units: [(Int64, (UInt16) -> BallotCodec.Duration)] = [
            (BallotCodec.Duration.secondsPerYear, BallotCodec.Duration.years),
            (3_600, BallotCodec.Duration.hours),
            (60, BallotCodec.Duration.minutes),
            (1, BallotCodec.Duration.seconds),
            (216_000, BallotCodec.Duration.sixtyHours),
        ]
        for (unit, make) in units where seconds % unit == 0 {
            if let count = UInt16(exactly: seconds / unit) { return make(count) }
        }
        return nil
    }

    /// The MA profile of the CAMP POC (as the shared `ma1` vector and the TTA test SCMS carry it): issued by a root
    /// (`cracaId` = HashedId3 of the issuer), crlSeries 256 (SCMS special components), psid 35 with `MaSsp` v1
    /// naming `relevantPsids` (default BSM, 0x20), P-256 verification key.
    public static func maTemplate(name: String, key: PublicKey, issuer: Certificate, start: Time32,
                                  duration: BallotCodec.Duration = .years(3),
                                  relevantPsids: [UInt64] = [0x20]) -> ToBeSignedCertificate {
        let issuerBytes = issuer.coerEncoded
        return ToBeSignedCertificate(id: .name(Hostname(name)),
                                     cracaId: HashedId3(uncheckedBytes: HashedIds.hashedId3(of: issuerBytes)),
                                     crlSeries: 256,
                                     validityPeriod: ValidityPeriod(start: start, duration: duration),
                                     appPermissions: [PsidSsp(psid: 35, ssp: .opaque(maSsp(relevantPsids: relevantPsids)))],
                                     verifyKeyIndicator: verificationKey(key))
    }

    /// Signs `toBeSigned` with the issuer's key: explicit, issuer `sha256AndDigest` (HashedId8 of the issuer
    /// certificate), signature over `SHA256(SHA256(COER(tbs)) ‖ SHA256(COER(issuer)))`, rSig x-only.
    ///
    /// Throws ``CryptoError/invalidPrivateKey`` when `issuerKey` is not the key of `issuer`'s verification key
    /// (checked before signing, so a mismatched pair never produces a certificate).
    public static func issued(_ toBeSigned: ToBeSignedCertificate, issuer: Certificate,
                              issuerKey: PrivateKey) throws(CryptoError) -> Certificate {
        guard issuerKeyMatches(issuerKey, certificate: issuer) else { throw .invalidPrivateKey }
        let issuerBytes = issuer.coerEncoded
        let digest = Ieee1609Dot2Signing.signingDigest(dataInput: toBeSigned.coerEncoded, signerInput: issuerBytes)
        let (r, s) = try issuerKey.signature(forDigest: digest)
        return Certificate(type: .explicit,
                           issuer: .sha256AndDigest(HashedId8(uncheckedBytes: HashedIds.hashedId8(of: issuerBytes))),
                           toBeSigned: toBeSigned, signature: signature(r: r, s: s))
    }

    /// Whether `key` is the private key of `certificate`'s P-256 verification key (compressed points compared).
    public static func issuerKeyMatches(_ key: PrivateKey, certificate: Certificate) -> Bool {
        guard key.curve == .p256, case .ecdsaNistP256(let point)? = certificate.verificationKey else { return false }
        let compressed: [UInt8]
        switch point {
        case .compressedY0(let x): compressed = [0x02] + x.bytes
        case .compressedY1(let x): compressed = [0x03] + x.bytes
        case .uncompressed(let x, let y):
            guard let key = try? PublicKey(curve: .p256, uncompressed: [0x04] + x.bytes + y.bytes) else { return false }
            compressed = key.compressedRepresentation
        case .xOnly, .fill:
            return false
        }
        return key.publicKey.compressedRepresentation == compressed
    }
}
