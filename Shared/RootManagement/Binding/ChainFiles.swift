public import BallotCodec
import ElectorCrypto

/// Reads received chain files and CRL removals into the facts `RelyingParty` decides on.
public enum ChainFileAnalysis {
    /// A GCCF or LCCF `ScmsFile`, with the removal ballots of a composite CRL processed alongside.
    public static func analyze(_ file: ScmsFile, crl: CompositeCrl? = nil, options: ProfileOptions = ProfileOptions(),
                               signatures: inout SignatureResolver) -> Result<ReceivedChainFile, Finding> {
        guard file.version == 1 else { return .failure(Finding(.wrongProtocolVersion, "ScmsFile version \(file.version)")) }
        let version: ReceivedChainFile.Version
        let store: CertificateStore
        var optional: [Certificate] = []
        if let gccf = file.globalCertificateChainFile {
            version = .gccf(gccf.version)
            store = gccf.certStore
        } else if let lccf = file.localCertificateChainFile {
            version = .lccf(CompositeVersionValue(lccf.version))
            store = lccf.requiredCertStore
            optional = lccf.optionalCertList
        } else {
            return .failure(Finding(.wrongFileKind, "ScmsFile is not a certificate chain file"))
        }
        let roots = store.rootCAEndorsements.map { BallotAnalysis.analyze($0, options: options, signatures: &signatures) }
        let electors = store.electorEndorsements.map { BallotAnalysis.analyze($0, options: options, signatures: &signatures) }
        return .success(ReceivedChainFile(version: version, rootBallots: roots, electorBallots: electors,
                                          removals: crl.map { removals($0, options: options, signatures: &signatures) } ?? [],
                                          components: CertificateAnalysis.components(of: store, optional: optional,
                                                                                     options: options)))
    }

    /// Chain-file bytes (and optional composite-CRL bytes).
    public static func analyze(bytes: [UInt8], crl: [UInt8]? = nil, options: ProfileOptions = ProfileOptions(),
                               signatures: inout SignatureResolver) -> Result<ReceivedChainFile, Finding> {
        do {
            let file = try ScmsFile(coer: bytes)
            let composite = try crl.map { bytes throws(COERError) in try CompositeCrl(coer: bytes) }
            return analyze(file, crl: composite, options: options, signatures: &signatures)
        } catch {
            return .failure(BallotAnalysis.finding(for: error, endorsement: nil))
        }
    }

    /// `revokedElectors` as removeElector entries and `revokedRootCAs` as removeRoot entries.
    public static func removals(_ crl: CompositeCrl, options: ProfileOptions = ProfileOptions(),
                                signatures: inout SignatureResolver) -> [BallotEntry] {
        crl.revokedElectors.map { BallotEntry(BallotAnalysis.analyze($0, options: options, signatures: &signatures), as: .removeElector) }
            + crl.revokedRootCAs.map { BallotEntry(BallotAnalysis.analyze($0, options: options, signatures: &signatures), as: .removeRoot) }
    }
}

extension CompositeVersionValue {
    /// The facts of a codec `CompositeVersion`.
    public init(_ version: CompositeVersion) {
        self.init(gccfVersion: version.gccfVersion, lccfVersion: version.lccfVersion, raHostname: version.raHostname.string)
    }
}

/// A built GCCF.
public struct GCCFBuild: Sendable {
    /// The `ScmsFile`.
    public var file: ScmsFile
    /// Its COER bytes.
    public var bytes: [UInt8]
    /// The version published and its content digest (persist it for the next build).
    public var published: PublishedVersion
    /// Whether the content differs from the previous build (and the version went up).
    public var changed: Bool
    /// What went in, what stayed out and why.
    public var selection: ChainFileSelection
    /// A verdict on the `maCertificate` and every other component certificate, against the roots trusted at the
    /// build time (the builder refuses an `maCertificate` that does not chain unless told otherwise).
    public var components: [ComponentVerdict] = []
}

/// The PG's GCCF assembly: deterministic bytes from the same inputs; the version goes up by one exactly when the
/// content (everything but the version) changes.
///
/// The `maCertificate` must chain to a root trusted at the build time (an anchor or a root the selection trusts),
/// through the other `certificates` where needed (`ComponentChainValidator`); otherwise the build fails with
/// `maCertificateUntrusted` (its detail names the chain codes), unless `requireTrustedMA` is false, when the build
/// goes on and `GCCFBuild.components` carries the verdict. Other component certificates that do not chain are
/// included as given and reported in `GCCFBuild.components`.
public enum GCCFBuilder {
    /// Builds from a snapshot. `ballots` must hold every ballot of the snapshot by ID; `certificates` are the other
    /// component certificates (sorted by SHA-256 and de-duplicated in the file).
    public static func build(snapshot: TrustSnapshot, ballots: [BallotID: ElectorBallot], maCertificate: Certificate,
                             certificates: [Certificate], previous: PublishedVersion?,
                             requireTrustedMA: Bool = true) -> Result<GCCFBuild, Finding> {
        let selection = ChainFileSelector.select(snapshot)
        var roots: [ElectorBallot] = [], electors: [ElectorBallot] = []
        for id in selection.rootBallots {
            guard let ballot = ballots[id] else { return .failure(Finding(.malformed, "ballot \(id.hex) not supplied")) }
            roots.append(ballot)
        }
        for id in selection.electorBallots {
            guard let ballot = ballots[id] else { return .failure(Finding(.malformed, "ballot \(id.hex) not supplied")) }
            electors.append(ballot)
        }
        var seen = Set<[UInt8]>()
        let others = certificates.map { (Digest.sha256($0.coerEncoded), $0) }
            .sorted { $0.0.lexicographicallyPrecedes($1.0) }
            .filter { seen.insert($0.0).inserted }.map(\.1)
        let store = CertificateStore(rootCAEndorsements: roots, electorEndorsements: electors,
                                     maCertificate: maCertificate, certs: others)
        var verifier = SignatureResolver.crypto()
        let chains = ComponentChainValidator.validate(CertificateAnalysis.components(of: store),
                                                      roots: snapshot.roots.values.map(\.facts).sorted { $0.id < $1.id },
                                                      at: snapshot.time, signatures: &verifier)
        if requireTrustedMA, let untrusted = chains.findings.first(where: { $0.code == .maCertificateUntrusted }) {
            return .failure(untrusted)
        }
        let digest = Digest.sha256(store.coerEncoded)
        switch PublishedVersion.next(after: previous, contentDigest: digest) {
        case .failure(let finding):
            return .failure(finding)
        case .success(let published):
            let file = ScmsFile(content: .certChain(.globalCertificateChainFile(
                GlobalCertificateChainFile(version: published.version, certStore: store))))
            return .success(GCCFBuild(file: file, bytes: file.coerEncoded, published: published,
                                      changed: previous?.contentDigest != digest, selection: selection,
                                      components: chains.verdicts))
        }
    }

    /// Builds from ballots and anchors at `time` (computes the snapshot, capacity enforced).
    public static func build(electorAnchors: [Certificate], rootAnchors: [Certificate] = [],
                             ballots: [(ElectorBallot, EndorsementAction)], denyList: DenyList = DenyList(),
                             maCertificate: Certificate, certificates: [Certificate] = [], policy: TrustPolicy,
                             time: UInt32, previous: PublishedVersion?, options: ProfileOptions = ProfileOptions(),
                             requireTrustedMA: Bool = true,
                             signatures: inout SignatureResolver) -> Result<GCCFBuild, Finding> {
        var byID: [BallotID: ElectorBallot] = [:]
        var entries: [BallotEntry] = []
        for (ballot, action) in ballots {
            let analyzed = BallotAnalysis.analyze(ballot, options: options, signatures: &signatures)
            byID[analyzed.id] = ballot
            entries.append(BallotEntry(analyzed, as: action))
        }
        let inputs = TrustInputs(electorAnchors: electorAnchors.map { CertificateAnalysis.facts($0, options: options) },
                                 rootAnchors: rootAnchors.map { CertificateAnalysis.facts($0, options: options) },
                                 ballots: entries, denyList: denyList)
        let snapshot = TrustEvaluator.evaluate(inputs, policy: policy, time: time, signatures: &signatures)
        return build(snapshot: snapshot, ballots: byID, maCertificate: maCertificate, certificates: certificates,
                     previous: previous, requireTrustedMA: requireTrustedMA)
    }

    /// Builds from an incremental engine's current state (the assembler's path): the engine's inputs at its time
    /// and policy, its signature cache (no signature is verified again).
    public static func build(engine: TrustEngine, ballots: [BallotID: ElectorBallot], maCertificate: Certificate,
                             certificates: [Certificate], previous: PublishedVersion?,
                             requireTrustedMA: Bool = true) -> Result<GCCFBuild, Finding> {
        var signatures = engine.signatures
        let snapshot = TrustEvaluator.evaluate(engine.inputs, policy: engine.policy, time: engine.time,
                                               signatures: &signatures)
        return build(snapshot: snapshot, ballots: ballots, maCertificate: maCertificate, certificates: certificates,
                     previous: previous, requireTrustedMA: requireTrustedMA)
    }
}

/// The version of an RA's LCCF and a digest of its content.
public struct PublishedLCCFVersion: Sendable, Hashable, Codable {
    public var version: CompositeVersionValue
    public var contentDigest: [UInt8]
}

/// A derived LCCF.
public struct LCCFBuild: Sendable {
    public var file: ScmsFile
    public var bytes: [UInt8]
    public var published: PublishedLCCFVersion
    public var changed: Bool
}

/// LCCF derivation by an RA and the completeness check.
public enum LCCFBuilder {
    /// Derives an LCCF from a GCCF: `requiredCertStore` = the GCCF's whole store (every root and elector endorsement,
    /// the MA certificate, the other certificates), `optionalCertList` = the RA's additions (sorted by SHA-256).
    /// `lccfVersion` goes up by one when the content (GCCF version included) changes; the first is 1.
    public static func derive(from gccf: GlobalCertificateChainFile, raHostname: String,
                              optionalCertificates: [Certificate] = [],
                              previous: PublishedLCCFVersion?) -> Result<LCCFBuild, Finding> {
        if let previous, previous.version.raHostname != raHostname {
            return .failure(Finding(.raHostnameMismatch, "previous LCCF is from \(previous.version.raHostname)"))
        }
        var seen = Set<[UInt8]>()
        let optional = optionalCertificates.map { (Digest.sha256($0.coerEncoded), $0) }
            .sorted { $0.0.lexicographicallyPrecedes($1.0) }
            .filter { seen.insert($0.0).inserted }.map(\.1)
        var content: [UInt8] = [UInt8(gccf.version >> 8), UInt8(gccf.version & 0xff)]
        content += gccf.certStore.coerEncoded
        for certificate in optional { content += certificate.coerEncoded }
        let digest = Digest.sha256(content)
        let lccfVersion: UInt16
        if let previous {
            if previous.contentDigest == digest {
                lccfVersion = previous.version.lccfVersion
            } else {
                guard previous.version.lccfVersion < UInt16.max else {
                    return .failure(Finding(.versionExhausted, "lccfVersion \(previous.version.lccfVersion)"))
                }
                lccfVersion = previous.version.lccfVersion + 1
            }
        } else {
            lccfVersion = 1
        }
        let version = CompositeVersion(gccfVersion: gccf.version, lccfVersion: lccfVersion, raHostname: Hostname(raHostname))
        let file = ScmsFile(content: .certChain(.localCertificateChainFile(
            LocalCertificateChainFile(version: version, requiredCertStore: gccf.certStore, optionalCertList: optional))))
        return .success(LCCFBuild(file: file, bytes: file.coerEncoded,
                                  published: PublishedLCCFVersion(version: CompositeVersionValue(version), contentDigest: digest),
                                  changed: previous?.contentDigest != digest))
    }

    /// `lccfIncomplete` findings for every elector or root endorsement of `gccf` that `lccf` lost, and for a GCCF
    /// version mismatch; empty when complete.
    public static func check(_ lccf: LocalCertificateChainFile, against gccf: GlobalCertificateChainFile) -> [Finding] {
        func ids(_ ballots: [ElectorBallot]) -> [BallotID] { ballots.map(BallotAnalysis.ballotID) }
        return LCCFCompleteness.check(
            gccfVersion: gccf.version, gccfRootBallots: ids(gccf.certStore.rootCAEndorsements),
            gccfElectorBallots: ids(gccf.certStore.electorEndorsements), lccfGccfVersion: lccf.version.gccfVersion,
            lccfRootBallots: ids(lccf.requiredCertStore.rootCAEndorsements),
            lccfElectorBallots: ids(lccf.requiredCertStore.electorEndorsements))
    }
}
