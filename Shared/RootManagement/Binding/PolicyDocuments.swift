public import BallotCodec
public import ElectorCrypto

// Written on the `svca` branch: signed GPFs carrying the elector quorum (`temporalSeriesOfElectorQuorum`), as
// `electorctl policy publish` produces them and the quorum validator and assembler accept them from `scms.policy`.
// A new file so it merges cleanly.

/// Why a signed GPF is refused. The raw values are stable (logs, metrics, rejection headers).
public enum PolicyDocumentReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The bytes do not decode (or not canonically) as `Ieee1609Dot2Data`, or its payload not as `ScmsFile`.
    case malformed
    /// Not `signedData` with sha256, or its payload is not `unsecuredData`.
    case notSignedData
    /// The `ScmsFile` is not a global policy file (or its policy is not `global`).
    case wrongFileKind
    /// The signer is not the configured PG certificate.
    case unknownSigner
    /// The signature (or every PG countersignature) does not verify with the PG key.
    case badSignature
    /// The PG certificate is not valid at the GPF's generation time.
    case signerExpired
    /// `temporalSeriesOfElectorQuorum` is absent.
    case missingQuorum
    /// A quorum value in the series is 0.
    case invalidQuorum
}

/// A refused GPF: the reason and a detail for people.
public struct PolicyDocumentError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: PolicyDocumentReason
    public var detail: String

    public init(_ reason: PolicyDocumentReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}

/// A signed GPF that verified against the configured PG certificate.
public struct VerifiedPolicy: Sendable {
    /// The policy data.
    public var policy: GlobalPolicyData
    /// The quorum series (always present in a verified policy).
    public var quorumSeries: TemporalSeries<PolicySeries.ElectorQuorum>
    /// `ToBeSignedPolicyData.generationTime`.
    public var generationTime: Time64
    /// `ToBeSignedPolicyData.activeTime`.
    public var activeTime: Time64
    /// `ToBeSignedPolicyData.policyID`.
    public var policyID: [UInt8]
    /// SHA-256 of the signed GPF bytes.
    public var digest: [UInt8]

    /// The quorum in force at `time` (the series' value; before ``activeTime`` still this GPF's initial value).
    public func quorum(at time: Time64) -> Int { Int(quorumSeries.value(at: time)) }
}

/// Builds and verifies `SignedGlobalPolicyFile`s: `Ieee1609Dot2Data` signedData (psid 35, generationTime, signer
/// the PG certificate) whose payload is `unsecuredData` holding a ScopedGlobalPolicyFile (`ScmsFile` policy
/// globalPolicyFile), whose own `signatures` carry one PG `Countersignature` over `SHA-256(COER(tbsData))`.
/// The quorum is the `temporalSeriesOfElectorQuorum` extension addition of `GlobalPolicyData`.
public enum PolicyDocuments {
    /// SecurityMgmtPsid.
    static let psid: UInt64 = 35

    /// A signed GPF with `quorum` from `activeTime` on (optionally changing at `intervals`), generated at
    /// `generationTime`. Other policy series come from `base`.
    ///
    /// - Throws: ``CryptoError/invalidPrivateKey`` when `pgKey` is not the key of `pgCertificate`.
    public static func signedGPF(quorum: UInt8, intervals: [(startTime: Time64, quorum: UInt8)] = [],
                                 generationTime: Time64, activeTime: Time64? = nil, policyID: [UInt8] = [],
                                 base: GlobalPolicyData = GlobalPolicyData(), pgCertificate: Certificate,
                                 pgKey: PrivateKey) throws(CryptoError) -> Ieee1609Dot2Data {
        guard CertificateSigning.issuerKeyMatches(pgKey, certificate: pgCertificate) else { throw .invalidPrivateKey }
        var policy = base
        policy.electorQuorum = TemporalSeries(initial: quorum, intervals: intervals.map {
            TemporalSeries<PolicySeries.ElectorQuorum>.Interval(startTime: $0.startTime, value: $0.quorum)
        })
        let tbs = ToBeSignedPolicyData(policyID: Array(policyID.prefix(32)), generationTime: generationTime,
                                       activeTime: activeTime ?? generationTime, policy: .global(policy))
        let header = HeaderInfo(psid: Psid(psid), generationTime: generationTime)
        let counter = ToBeSignedData(
            payload: SignedDataPayload(extDataHash: .sha256HashedData(HashedId32(uncheckedBytes: Digest.sha256(tbs.coerEncoded)))),
            headerInfo: header)
        let countersignature = Ieee1609Dot2Data(content: .signedData(
            try EndorsementSigning.sign(counter, signer: pgCertificate, key: pgKey, form: .digest)))
        let file = ScmsFile(content: .policy(.globalPolicyFile(BasePolicyFile(tbsData: tbs, signatures: [countersignature]))))
        let outer = ToBeSignedData(payload: SignedDataPayload(data: Ieee1609Dot2Data(content: .unsecuredData(file.coerEncoded))),
                                   headerInfo: header)
        return Ieee1609Dot2Data(content: .signedData(try EndorsementSigning.sign(outer, signer: pgCertificate, key: pgKey)))
    }

    /// Verifies `bytes` as a signed GPF from `pgCertificate` (pinned by local configuration).
    public static func verify(_ bytes: [UInt8], pgCertificate: Certificate) -> Result<VerifiedPolicy, PolicyDocumentError> {
        let data: Ieee1609Dot2Data
        do {
            data = try Ieee1609Dot2Data(coer: bytes)
        } catch {
            return .failure(PolicyDocumentError(.malformed, "signed GPF: \(error)"))
        }
        guard data.protocolVersion == Ieee1609Dot2Data.currentProtocolVersion, let signed = data.signedData else {
            return .failure(PolicyDocumentError(.notSignedData, "not Ieee1609Dot2Data v3 signedData"))
        }
        guard case .sha256 = signed.hashId else { return .failure(PolicyDocumentError(.notSignedData, "hashId is not sha256")) }
        guard let pgKey = publicKey(of: pgCertificate) else {
            return .failure(PolicyDocumentError(.unknownSigner, "the configured PG certificate has no P-256 key"))
        }
        let pgBytes = pgCertificate.coerEncoded
        guard names(signed.signer, certificate: pgCertificate, bytes: pgBytes) else {
            return .failure(PolicyDocumentError(.unknownSigner, "signed by someone other than the configured PG certificate"))
        }
        guard isValid(signed, key: pgKey, signerBytes: pgBytes) else {
            return .failure(PolicyDocumentError(.badSignature, "GPF signature does not verify with the PG key"))
        }
        guard let octets = signed.tbsData.payload.data?.unsecuredData else {
            return .failure(PolicyDocumentError(.notSignedData, "payload is not unsecuredData"))
        }
        let file: ScmsFile
        do {
            file = try COERReader.decodeContained(ScmsFile.self, from: octets, limits: COERLimits(), pathPrefix: "unsecuredData")
        } catch {
            return .failure(PolicyDocumentError(.malformed, "ScopedGlobalPolicyFile: \(error)"))
        }
        guard let gpf = file.globalPolicyFile, case .global(let policy) = gpf.tbsData.policy else {
            return .failure(PolicyDocumentError(.wrongFileKind, "ScmsFile is not a global policy file"))
        }
        let tbsHash = Digest.sha256(gpf.tbsData.coerEncoded)
        let countersigned = gpf.signatures.contains { counter in
            guard let s = counter.signedData, names(s.signer, certificate: pgCertificate, bytes: pgBytes),
                  case .sha256HashedData(let hash)? = s.tbsData.payload.extDataHash, hash.bytes == tbsHash else { return false }
            return isValid(s, key: pgKey, signerBytes: pgBytes)
        }
        guard countersigned else {
            return .failure(PolicyDocumentError(.badSignature, "no PG countersignature over the policy verifies"))
        }
        let generation = gpf.tbsData.generationTime
        let validity = pgCertificate.toBeSigned.validityPeriod
        let seconds = Int64(generation.microseconds / 1_000_000)
        guard seconds >= Int64(validity.start.seconds), seconds < validity.endSeconds else {
            return .failure(PolicyDocumentError(.signerExpired, "PG certificate not valid at the GPF generation time"))
        }
        guard let series = policy.electorQuorum else {
            return .failure(PolicyDocumentError(.missingQuorum, "GlobalPolicyData has no temporalSeriesOfElectorQuorum"))
        }
        guard series.initial > 0, series.intervals.allSatisfy({ $0.value > 0 }) else {
            return .failure(PolicyDocumentError(.invalidQuorum, "an elector quorum of 0"))
        }
        return .success(VerifiedPolicy(policy: policy, quorumSeries: series, generationTime: generation,
                                       activeTime: gpf.tbsData.activeTime, policyID: gpf.tbsData.policyID,
                                       digest: Digest.sha256(bytes)))
    }

    /// Whether `signer` names `certificate` (the certificate itself, or its HashedId8).
    static func names(_ signer: SignerIdentifier, certificate: Certificate, bytes: [UInt8]) -> Bool {
        switch signer {
        case .certificate(let certificates): return certificates.count == 1 && certificates[0].coerEncoded == bytes
        case .digest(let digest): return digest.bytes == HashedIds.hashedId8(of: bytes)
        default: return false
        }
    }

    static func isValid(_ signed: SignedData, key: PublicKey, signerBytes: [UInt8]) -> Bool {
        guard case .ecdsaNistP256Signature(let signature) = signed.signature,
              let r = CertificateAnalysis.xCoordinate(signature.rSig) else { return false }
        let digest = Ieee1609Dot2Signing.signingDigest(dataInput: signed.tbsData.coerEncoded, signerInput: signerBytes)
        return key.isValidSignature(r: r, s: signature.sSig.bytes, digest: digest)
    }

    static func publicKey(of certificate: Certificate) -> PublicKey? {
        guard case .ecdsaNistP256(let point)? = certificate.verificationKey,
              let compressed = CertificateAnalysis.compressedP256(point) else { return nil }
        return try? PublicKey(curve: .p256, compressed: compressed)
    }
}
