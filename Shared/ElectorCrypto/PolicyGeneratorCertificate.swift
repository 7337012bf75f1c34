public import BallotCodec

// Written on the `svca` branch for signed GPFs (`electorctl policy publish`, `dev up`, the quorum validator). A new
// file so it merges cleanly.

extension CertificateSigning {
    /// `ScmsSsp` pg v1 (`82 00 01`).
    public static let pgSsp: [UInt8] = ScmsSsp.pg(VersionedSsp(version: 1)).coerEncoded

    /// A Policy Generator certificate profile: name, cracaId 000000, crlSeries 256 (SCMS special components), psid 35
    /// with `PgSsp` v1, P-256 key. Sign it with ``selfSigned(_:key:)`` (a pinned PG certificate, as the dev stack
    /// uses) or ``issued(_:issuer:issuerKey:)`` by a root.
    public static func pgTemplate(name: String, key: PublicKey, start: Time32,
                                  duration: BallotCodec.Duration = .years(3)) -> ToBeSignedCertificate {
        ToBeSignedCertificate(id: .name(Hostname(name)), cracaId: HashedId3(uncheckedBytes: [0, 0, 0]), crlSeries: 256,
                              validityPeriod: ValidityPeriod(start: start, duration: duration),
                              appPermissions: [PsidSsp(psid: 35, ssp: .opaque(pgSsp))],
                              verifyKeyIndicator: verificationKey(key))
    }
}
