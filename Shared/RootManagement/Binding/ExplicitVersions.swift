public import BallotCodec

// Written on the `ctl` branch: chain files published under a version the operator names (`electorctl gccf build
// --version V`, `lccf derive --version N`), for offline use where no previous build's state is at hand. A new file
// so it merges cleanly.

extension GCCFBuilder {
    /// Builds a GCCF from ballots and anchors at `time` and publishes it as exactly `version` (≥ 1).
    public static func build(electorAnchors: [Certificate], rootAnchors: [Certificate] = [],
                             ballots: [(ElectorBallot, EndorsementAction)], denyList: DenyList = DenyList(),
                             maCertificate: Certificate, certificates: [Certificate] = [], policy: TrustPolicy,
                             time: UInt32, version: UInt16, options: ProfileOptions = ProfileOptions(),
                             requireTrustedMA: Bool = true,
                             signatures: inout SignatureResolver) -> Result<GCCFBuild, Finding> {
        guard version >= 1 else { return .failure(Finding(.versionExhausted, "GCCF versions start at 1")) }
        // A previous version whose digest no content can have: the build then publishes previous + 1 = `version`.
        let previous = version == 1 ? nil : PublishedVersion(version: version - 1, contentDigest: [])
        return build(electorAnchors: electorAnchors, rootAnchors: rootAnchors, ballots: ballots, denyList: denyList,
                     maCertificate: maCertificate, certificates: certificates, policy: policy, time: time,
                     previous: previous, options: options, requireTrustedMA: requireTrustedMA, signatures: &signatures)
    }
}

extension LCCFBuilder {
    /// Derives an LCCF from `gccf` for `raHostname` and publishes it as exactly `lccfVersion` (≥ 1).
    public static func derive(from gccf: GlobalCertificateChainFile, raHostname: String, lccfVersion: UInt16,
                              optionalCertificates: [Certificate] = []) -> Result<LCCFBuild, Finding> {
        guard lccfVersion >= 1 else { return .failure(Finding(.versionExhausted, "LCCF versions start at 1")) }
        let previous = lccfVersion == 1 ? nil
            : PublishedLCCFVersion(version: CompositeVersionValue(gccfVersion: gccf.version, lccfVersion: lccfVersion - 1,
                                                                  raHostname: raHostname), contentDigest: [])
        return derive(from: gccf, raHostname: raHostname, optionalCertificates: optionalCertificates, previous: previous)
    }
}
