public import BallotCodec
import ElectorCrypto

/// Extracts the static facts of an `ElectorBallot` (once), with every codec-level check of `notes/domain.md`
/// §7.1 items 1–3 and the signature inputs of every endorsement. Decisions then run on the facts.
public enum BallotAnalysis {
    /// Analyzes ballot bytes in any of the three forms (`ElectorBallot`, `ScopedElectorBallot`,
    /// `UnsecuredElectorBallot`). Bytes that do not decode give a ballot with a `malformed` (or `nonCanonical`)
    /// finding whose ID is SHA-256 of the input. Embedded signer signatures are verified into `signatures`.
    public static func analyze(bytes: [UInt8], options: ProfileOptions = ProfileOptions(),
                               signatures: inout SignatureResolver) -> AnalyzedBallot {
        do {
            let form = try BallotForm.decode(bytes)
            guard let ballot = form.electorBallotIfPresent else {
                return undecodable(bytes, Finding(.malformed, "\(form.formName) carries no ElectorBallot"))
            }
            return analyze(ballot, options: options, signatures: &signatures)
        } catch {
            return undecodable(bytes, finding(for: error, endorsement: nil))
        }
    }

    /// Analyzes a decoded ballot.
    public static func analyze(_ ballot: ElectorBallot, options: ProfileOptions = ProfileOptions(),
                               signatures: inout SignatureResolver) -> AnalyzedBallot {
        let id = ballotID(ballot)
        var findings: [Finding] = []
        if ballot.endorsements.isEmpty { findings.append(Finding(.malformed, "no endorsements")) }
        let target = CertificateAnalysis.facts(ballot.certificate, options: options)
        let endorsements = ballot.endorsements.enumerated().map { index, endorsement in
            analyze(endorsement, index: index, options: options)
        }
        let analyzed = AnalyzedBallot(id: id, target: target, endorsements: endorsements, findings: findings)
        signatures.prime(analyzed)
        return analyzed
    }

    /// SHA-256 of the ballot's canonical encoding.
    public static func ballotID(_ ballot: ElectorBallot) -> BallotID {
        BallotID(uncheckedBytes: Digest.sha256(ballot.coerEncoded))
    }

    static func undecodable(_ bytes: [UInt8], _ finding: Finding) -> AnalyzedBallot {
        AnalyzedBallot(id: BallotID(uncheckedBytes: Digest.sha256(bytes)), target: nil, endorsements: [],
                       findings: [finding])
    }

    /// `nonCanonical` for a non-canonical encoding, `malformed` for everything else.
    static func finding(for error: COERError, endorsement: Int?) -> Finding {
        Finding(error.reason == .nonCanonical ? .nonCanonical : .malformed, endorsement: endorsement, error.description)
    }

    /// The facts of one `SignedElectorEndorsement`.
    public static func analyze(_ endorsement: SignedElectorEndorsement, index: Int,
                               options: ProfileOptions = ProfileOptions()) -> EndorsementFacts {
        var findings: [Finding] = []
        func add(_ code: ReasonCode, _ detail: String) { findings.append(Finding(code, endorsement: index, detail)) }
        if endorsement.protocolVersion != 3 { add(.wrongProtocolVersion, "protocolVersion \(endorsement.protocolVersion)") }
        guard let signed = endorsement.signedData else {
            add(.notSignedData, "content is not signedData")
            return EndorsementFacts(index: index, statement: nil, headerGenerationTime: nil, signer: .unusable,
                                    signature: nil, findings: findings)
        }
        switch signed.hashId {
        case .sha256: break
        default: add(.unsupportedHashAlgorithm, "hashId \(signed.hashId.rawValue)")
        }

        // Header: psid 35, generationTime present, nothing else.
        let header = signed.tbsData.headerInfo
        if header.psid.value != CertificateAnalysis.securityManagementPsid { add(.wrongPsid, "psid \(header.psid.value)") }
        if header.generationTime == nil { add(.missingGenerationTime, "headerInfo.generationTime absent") }
        var extra: [String] = []
        if header.expiryTime != nil { extra.append("expiryTime") }
        if header.generationLocation != nil { extra.append("generationLocation") }
        if header.p2pcdLearningRequest != nil { extra.append("p2pcdLearningRequest") }
        if header.missingCrlIdentifier != nil { extra.append("missingCrlIdentifier") }
        if header.encryptionKey != nil { extra.append("encryptionKey") }
        if header.inlineP2pcdRequest != nil { extra.append("inlineP2pcdRequest") }
        if header.requestedCertificate != nil { extra.append("requestedCertificate") }
        if !header.unknownExtensionAdditions.isEmpty { extra.append("unknown header extension") }
        let payload = signed.tbsData.payload
        if payload.extDataHash != nil { extra.append("payload.extDataHash") }
        if !payload.unknownExtensionAdditions.isEmpty { extra.append("unknown payload extension") }
        if !extra.isEmpty { add(.unexpectedHeaderField, extra.joined(separator: ", ")) }

        // Signer.
        var signer: SignerReference = .unusable
        var signerKeyIsP256 = true
        switch signed.signer {
        case .certificate(let certificates) where certificates.count == 1:
            let facts = CertificateAnalysis.facts(certificates[0], options: options)
            signer = .certificate(facts)
            if case .ecdsaNistP256? = certificates[0].verificationKey {} else { signerKeyIsP256 = false }
        case .certificate(let certificates):
            add(.malformed, "signer certificate sequence has \(certificates.count) certificates, expected 1")
        case .digest(let digest):
            signer = .digest(CertificateShortID(uncheckedBytes: digest.bytes))
        case .self:
            signer = .selfSigned
        case .unknownExtension(let tag, _):
            add(.malformed, "unknown SignerIdentifier alternative [\(tag)]")
        }

        // Signature: ecdsaNistP256Signature with an x-only rSig.
        var material: SignatureMaterial?
        switch signed.signature {
        case .ecdsaNistP256Signature(let signature):
            if !signerKeyIsP256 { add(.hashAlgorithmMismatch, "ecdsaNistP256Signature with a non-P-256 signer key") }
            if case .xOnly = signature.rSig {} else { add(.nonCanonical, "rSig is not x-only") }
            if let r = CertificateAnalysis.xCoordinate(signature.rSig) {
                material = SignatureMaterial(dataHash: Digest.sha256(signed.tbsData.coerEncoded), r: r,
                                             s: signature.sSig.bytes)
            } else {
                add(.badSignature, "rSig is fill")
            }
        default:
            add(.hashAlgorithmMismatch, "signature is not ecdsaNistP256Signature (sha256 / P-256 required)")
        }

        // Inner data: Ieee1609Dot2Data v3, unsecuredData holding a canonical ScopedElectorEndorsement.
        var statement: EndorsementStatement?
        if let data = payload.data {
            if data.protocolVersion != 3 { add(.wrongProtocolVersion, "inner protocolVersion \(data.protocolVersion)") }
            if let octets = data.unsecuredData {
                do {
                    let pdu = try COERReader.decodeContained(ScmsPDU.self, from: octets, limits: COERLimits(),
                                                             pathPrefix: "endorsements[\(index)].unsecuredData")
                    if pdu.version != 1 { add(.wrongProtocolVersion, "ScmsPDU version \(pdu.version)") }
                    if pdu.coerEncoded != octets { add(.nonCanonical, "ScopedElectorEndorsement re-encodes differently") }
                    if case .ccm(.tbsElectorEndorsement(let tbs)) = pdu.content {
                        statement = EndorsementStatement(typeValue: tbs.type.rawValue,
                                                         certificateHash: tbs.certificateHash.bytes,
                                                         generationTime: tbs.generationTime.seconds)
                    } else {
                        add(.notEndorsement, "ScmsPDU is not ccm.tbsElectorEndorsement")
                    }
                } catch {
                    findings.append(finding(for: error, endorsement: index))
                }
            } else {
                add(.notSignedData, "payload data is not unsecuredData")
            }
        } else {
            add(.notSignedData, "tbsData.payload.data absent")
        }
        return EndorsementFacts(index: index, statement: statement,
                                headerGenerationTime: header.generationTime?.microseconds, signer: signer,
                                signature: statement == nil ? nil : material, findings: findings)
    }
}
