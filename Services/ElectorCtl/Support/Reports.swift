import BallotCodec
import ElectorCrypto
import RootManagement

/// JSON pieces several commands print: findings, certificate and ballot summaries.
struct Reports {
    let context: CLIContext

    /// `[{"code": …, "endorsementIndex": …, "detail": …}]` (the index only for endorsement-level findings).
    func findings(_ findings: [Finding]) -> JSONValue {
        .array(findings.map(finding))
    }

    func finding(_ finding: Finding) -> JSONValue {
        var members: [(String, JSONValue)] = [("code", .string(finding.code.rawValue))]
        if let index = finding.endorsementIndex { members.append(("endorsementIndex", .int(Int64(index)))) }
        if !finding.detail.isEmpty { members.append(("detail", .string(finding.detail))) }
        return .object(members)
    }

    /// The key fields of a certificate: name, identities, issuer, profile, self-signature, validity.
    func certificate(_ certificate: Certificate) -> JSONValue {
        let facts = CertificateAnalysis.facts(certificate)
        var members: [(String, JSONValue)] = []
        if let name = facts.name { members.append(("name", .string(name))) }
        members.append(("sha256", .string(facts.id.hex)))
        members.append(("hashedId8", .string(facts.shortID.hex)))
        switch certificate.issuer {
        case .self: members.append(("issuer", .string("self")))
        case .sha256AndDigest(let digest): members.append(("issuer", .object([("sha256AndDigest", .string(digest.hex))])))
        case .sha384AndDigest(let digest): members.append(("issuer", .object([("sha384AndDigest", .string(digest.hex))])))
        case .unknownExtension(let tag, _): members.append(("issuer", .string("unknown alternative [\(tag)]")))
        }
        members.append(("profile", .string(facts.role.rawValue)))
        if !facts.profileProblems.isEmpty {
            members.append(("profileProblems", .array(facts.profileProblems.map { .string($0) })))
        }
        members.append(("selfSignature", .string(facts.selfSignature.rawValue)))
        var validity: [(String, JSONValue)] = [("start", context.timeJSON(facts.validity.start))]
        if let end = UInt32(exactly: facts.validity.end) { validity.append(("end", context.timeJSON(end))) }
        validity.append(("duration", certificate.toBeSigned.validityPeriod.duration.jsonValue(context.json)))
        members.append(("validity", .object(validity)))
        return .object(members)
    }

    /// Component-certificate verdicts: `[{"certificate": {name, sha256, hashedId8}, "placement", "index", "trusted",
    /// "chain": [issuer labels up to the root], "reasons": [...]}]`.
    func components(_ verdicts: [ComponentVerdict], names: CertificateNames) -> JSONValue {
        .array(verdicts.map { verdict in
            .object([("certificate", names.json(verdict.certificate)), ("placement", .string(verdict.placement.rawValue)),
                     ("index", .int(Int64(verdict.index))), ("trusted", .bool(verdict.trusted)),
                     ("chain", .array(verdict.chain.map { .string(names.label($0)) })),
                     ("reasons", findings(verdict.findings))])
        })
    }

    /// A short certificate reference: name, SHA-256, HashedId8.
    func certificateReference(_ certificate: Certificate) -> JSONValue {
        var names = CertificateNames()
        names.add(certificate)
        return names.json(CertificateAnalysis.facts(certificate).id)
    }

    /// The key fields of one SignedElectorEndorsement.
    func endorsement(_ endorsement: SignedElectorEndorsement, index: Int) -> JSONValue {
        let facts = BallotAnalysis.analyze(endorsement, index: index)
        var members: [(String, JSONValue)] = [("index", .int(Int64(index)))]
        if let statement = facts.statement {
            members.append(("type", .string(statement.action?.description ?? "unknown(\(statement.typeValue))")))
            members.append(("certificateHash", .string(HexText.encode(statement.certificateHash))))
            members.append(("generationTime", context.timeJSON(statement.generationTime)))
        }
        if let header = facts.headerGenerationTime {
            members.append(("headerGenerationTime", Time64(header).jsonValue(context.json)))
        }
        switch facts.signer {
        case .certificate(let signer):
            var names = CertificateNames()
            if case .certificate(let certificates)? = endorsement.signedData?.signer, let first = certificates.first {
                names.add(first)
            }
            members.append(("signer", .object([("certificate", names.json(signer.id))])))
        case .digest(let digest): members.append(("signer", .object([("digest", .string(digest.hex))])))
        case .selfSigned: members.append(("signer", .string("self")))
        case .unusable: members.append(("signer", .string("unusable")))
        }
        if !facts.findings.isEmpty { members.append(("findings", findings(facts.findings))) }
        return .object(members)
    }

    /// The key fields of a ballot: its ID, target, what it endorses and who signed.
    func ballot(_ ballot: ElectorBallot, form: String? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = []
        if let form { members.append(("form", .string(form))) }
        members.append(("ballotId", .string(BallotAnalysis.ballotID(ballot).hex)))
        members.append(("certificate", self.certificate(ballot.certificate)))
        let endorsements = ballot.endorsements.enumerated().map { endorsement($1, index: $0) }
        if let first = endorsements.first {
            for key in ["type", "generationTime"] { if let value = first[key] { members.append((key, value)) } }
        }
        members.append(("endorsementCount", .int(Int64(ballot.endorsements.count))))
        members.append(("endorsements", .array(endorsements)))
        return .object(members)
    }

    /// The targets of a list of ballots: `[{"name", "sha256", "hashedId8", "endorsements": n}]`.
    func ballotTargets(_ ballots: [ElectorBallot]) -> JSONValue {
        .array(ballots.map { ballot in
            guard case .object(var members) = certificateReference(ballot.certificate) else { return .null }
            members.append(("endorsements", .int(Int64(ballot.endorsements.count))))
            return .object(members)
        })
    }

    /// The key fields of a certificate store.
    func certificateStore(_ store: CertificateStore) -> [(String, JSONValue)] {
        [("rootCAEndorsements", ballotTargets(store.rootCAEndorsements)),
         ("electorEndorsements", ballotTargets(store.electorEndorsements)),
         ("maCertificate", certificateReference(store.maCertificate)),
         ("certs", .array(store.certs.map(certificateReference)))]
    }

    /// The key fields of an `ScmsFile`.
    func scmsFile(_ file: ScmsFile) -> JSONValue {
        var members: [(String, JSONValue)] = [("version", .int(Int64(file.version)))]
        if let gccf = file.globalCertificateChainFile {
            members.append(("kind", .string("globalCertificateChainFile")))
            members.append(("gccfVersion", .int(Int64(gccf.version))))
            members += certificateStore(gccf.certStore)
        } else if let lccf = file.localCertificateChainFile {
            members.append(("kind", .string("localCertificateChainFile")))
            members.append(("compositeVersion", lccf.version.jsonValue(context.json)))
            members += certificateStore(lccf.requiredCertStore)
            members.append(("optionalCertList", .array(lccf.optionalCertList.map(certificateReference))))
        } else if file.globalPolicyFile != nil {
            members.append(("kind", .string("globalPolicyFile")))
        } else {
            members.append(("kind", .string("other")))
        }
        return .object(members)
    }

    /// The key fields of a CAMP `CompositeCrl`.
    func compositeCrl(_ crl: CompositeCrl) -> JSONValue {
        .object([("securedCrlSeries", .int(Int64(crl.securedCrlSeries.count))),
                 ("revokedRootCAs", ballotTargets(crl.revokedRootCAs)),
                 ("revokedElectors", ballotTargets(crl.revokedElectors))])
    }
}
