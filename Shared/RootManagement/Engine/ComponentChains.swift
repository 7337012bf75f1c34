/// The result of validating every component certificate of one chain file.
public struct ComponentChainReport: Sendable, Hashable {
    /// The validation time.
    public var time: UInt32
    /// One verdict per component entry, in file order (`maCertificate`, `certs`, `optionalCertList`).
    public var verdicts: [ComponentVerdict]
    /// `maCertificateUntrusted` when the file's `maCertificate` does not chain; empty otherwise.
    public var findings: [Finding]

    public init(time: UInt32, verdicts: [ComponentVerdict], findings: [Finding]) {
        self.time = time
        self.verdicts = verdicts
        self.findings = findings
    }

    /// The verdict on `maCertificate`, when the file has one.
    public var maCertificate: ComponentVerdict? { verdicts.first { $0.placement == .maCertificate } }

    /// Entries that do not chain.
    public var failing: [ComponentVerdict] { verdicts.filter { !$0.trusted } }
}

/// Validates a chain file's component certificates up to a trusted root (`notes/domain.md` §7.3 step 5).
///
/// A certificate is trusted when it is a trusted root, or when its issuer (`sha256AndDigest` = the `HashedId8` of a
/// trusted root or of another certificate of the same file that is itself trusted) signed it — ECDSA P-256 over
/// `SHA256(SHA256(COER(toBeSigned)) ‖ SHA256(COER(issuer)))` with the issuer's key — its validity period lies within
/// the issuer's and contains the validation time, the issuer's `certIssuePermissions` allow it (`IssuanceRules`),
/// and at most `maxDepth` certificates separate it from the root (the root not counted). The search runs
/// breadth-first from the roots, so every certificate gets its shortest chain, cycles cannot arise and the work is
/// bounded by the file (each issuer–subject pair is checked at most once per level; signatures go through the
/// resolver's cache).
public enum ComponentChainValidator {
    /// The default bound: root → ICA → component is 2; 4 leaves room for one more tier.
    public static let defaultMaxDepth = 4

    /// The verdicts on `components` given the roots trusted at `time`. A root's facts without
    /// `certIssuePermissions` (persisted before they were recorded) take them from an identical certificate of the
    /// file when there is one.
    public static func validate(_ components: [ReceivedComponent], roots: [CertificateFacts], at time: UInt32,
                                maxDepth: Int = defaultMaxDepth,
                                signatures: inout SignatureResolver) -> ComponentChainReport {
        var pool: [CertificateID: IssuedCertificateFacts] = [:]
        for component in components where pool[component.certificate.facts.id] == nil {
            pool[component.certificate.facts.id] = component.certificate
        }
        var rootFacts: [CertificateID: CertificateFacts] = [:]
        for root in roots {
            var facts = root
            if facts.certIssuePermissions == nil { facts.certIssuePermissions = pool[root.id]?.facts.certIssuePermissions }
            rootFacts[root.id] = facts
        }
        func issuerFacts(_ id: CertificateID) -> CertificateFacts? { rootFacts[id] ?? pool[id]?.facts }

        var children: [CertificateShortID: [CertificateID]] = [:]
        for (id, certificate) in pool where rootFacts[id] == nil {
            if case .digest(let short) = certificate.issuer { children[short, default: []].append(id) }
        }
        var candidatesByShort: [CertificateShortID: [CertificateID]] = [:]
        for id in Set(rootFacts.keys).union(pool.keys) { candidatesByShort[id.shortID, default: []].append(id) }

        // Breadth-first from the roots: level = certificates below the root.
        var level: [CertificateID: Int] = [:]
        var issuerOf: [CertificateID: CertificateID] = [:]
        var frontier = rootFacts.keys.sorted()
        for id in frontier { level[id] = 0 }
        var depth = 0
        while !frontier.isEmpty {
            var next: [CertificateID] = []
            for parentID in frontier {
                guard let parent = issuerFacts(parentID) else { continue }
                for childID in (children[parentID.shortID] ?? []).sorted() where level[childID] == nil {
                    guard let child = pool[childID], ownFindings(child, at: time).isEmpty,
                          edgeFindings(child, issuer: parent, signatures: &signatures).isEmpty else { continue }
                    level[childID] = depth + 1
                    issuerOf[childID] = parentID
                    next.append(childID)
                }
            }
            frontier = next
            depth += 1
        }

        func chain(_ id: CertificateID) -> [CertificateID] {
            var out: [CertificateID] = []
            var current = id
            while let issuer = issuerOf[current] {
                out.append(issuer)
                current = issuer
            }
            return out
        }

        var verdicts: [ComponentVerdict] = []
        var diagnosed: [CertificateID: [Finding]] = [:]
        for component in components {
            let certificate = component.certificate
            let id = certificate.facts.id
            var findings: [Finding] = []
            if let reached = level[id] {
                if reached > maxDepth {
                    findings.append(Finding(.chainTooLong, "\(reached) certificates below the trusted root \(chain(id).last?.hex ?? "?"), at most \(maxDepth)"))
                }
            } else if let known = diagnosed[id] {
                findings = known
            } else {
                findings = diagnose(certificate, at: time, level: level, candidates: candidatesByShort,
                                    issuerFacts: issuerFacts, signatures: &signatures)
                diagnosed[id] = findings
            }
            findings.sort()
            verdicts.append(ComponentVerdict(certificate: id, name: certificate.facts.name, placement: component.placement,
                                             index: component.index, trusted: findings.isEmpty,
                                             chain: findings.isEmpty ? chain(id) : [], findings: findings))
        }
        var fileFindings: [Finding] = []
        if let ma = verdicts.first(where: { $0.placement == .maCertificate }), !ma.trusted {
            fileFindings.append(Finding(.maCertificateUntrusted,
                "maCertificate \(ma.name ?? ma.certificate.hex) does not chain to a trusted root: "
                + ma.findings.map(\.description).joined(separator: "; ")))
        }
        return ComponentChainReport(time: time, verdicts: verdicts, findings: fileFindings)
    }

    /// Problems of the certificate itself: what this implementation cannot check, and its validity at `time`.
    static func ownFindings(_ certificate: IssuedCertificateFacts, at time: UInt32) -> [Finding] {
        var findings: [Finding] = []
        if !certificate.unsupported.isEmpty {
            findings.append(Finding(.chainUnsupported, certificate.unsupported.joined(separator: "; ")))
        }
        let validity = certificate.facts.validity
        switch validity.status(at: time) {
        case .valid: break
        case .expired: findings.append(Finding(.chainExpired, "valid until \(validity.end), now \(time)"))
        case .notYetValid: findings.append(Finding(.chainNotYetValid, "valid from \(validity.start), now \(time)"))
        }
        return findings
    }

    /// Problems of `certificate` as issued by `issuer`: key, signature, nesting, permissions.
    static func edgeFindings(_ certificate: IssuedCertificateFacts, issuer: CertificateFacts,
                             signatures: inout SignatureResolver) -> [Finding] {
        var findings: [Finding] = []
        let key = issuer.publicKey.bytes
        if key.count != 33 || (key[0] != 0x02 && key[0] != 0x03) {
            findings.append(Finding(.chainUnsupported, "the issuer \(issuer.id.hex) has no P-256 verification key"))
        } else if let material = certificate.signature, !signatures.isValid(material, signer: issuer) {
            findings.append(Finding(.chainBadSignature, "the signature does not verify with the key of issuer \(issuer.id.hex)"))
        }
        let own = certificate.facts.validity, outer = issuer.validity
        if own.start < outer.start || own.end > outer.end {
            findings.append(Finding(.chainValidityNotNested,
                "validity \(own.start)..<\(own.end) is not within the issuer's \(outer.start)..<\(outer.end)"))
        }
        let problems = IssuanceRules.problems(issuer: issuer.certIssuePermissions,
                                              appPermissions: certificate.appPermissions,
                                              issuePermissions: certificate.facts.certIssuePermissions ?? [])
        if !problems.isEmpty {
            findings.append(Finding(.chainIssuerNotPermitted, "issuer \(issuer.id.hex): " + problems.joined(separator: "; ")))
        }
        return findings
    }

    /// Why a certificate the search did not reach does not chain.
    static func diagnose(_ certificate: IssuedCertificateFacts, at time: UInt32, level: [CertificateID: Int],
                         candidates: [CertificateShortID: [CertificateID]],
                         issuerFacts: (CertificateID) -> CertificateFacts?,
                         signatures: inout SignatureResolver) -> [Finding] {
        var findings = ownFindings(certificate, at: time)
        switch certificate.issuer {
        case .selfSigned:
            findings.append(Finding(.chainRootNotTrusted, "self-signed, and not a trusted root"))
        case .unsupported(let why):
            findings.append(Finding(.chainUnsupported, "issuer \(why)"))
        case .digest(let short):
            let ids = (candidates[short] ?? []).filter { $0 != certificate.facts.id }
            let reached = ids.filter { level[$0] != nil }
                .sorted { (level[$0] ?? 0, $0) < (level[$1] ?? 0, $1) }
            if ids.isEmpty {
                findings.append(Finding(.chainIssuerUnknown,
                    "no trusted root and no certificate of the file has HashedId8 \(short.hex)"))
            } else if reached.isEmpty {
                findings.append(Finding(.chainIssuerNotTrusted,
                    "issuer \(ids.sorted().map(\.hex).joined(separator: ", ")) does not chain to a trusted root"))
            } else {
                // The reachable issuer with the fewest problems (the search rejected every one of them).
                var best: [Finding]?
                for id in reached {
                    guard let issuer = issuerFacts(id) else { continue }
                    let edge = edgeFindings(certificate, issuer: issuer, signatures: &signatures)
                    if best == nil || edge.count < (best?.count ?? 0) { best = edge }
                }
                findings += best ?? []
            }
        }
        return Array(Set(findings))
    }
}
