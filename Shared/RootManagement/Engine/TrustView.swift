/// Who is trusted right now, as one ballot evaluation needs it: the trusted electors (valid at the decision time,
/// not denied), every certificate known so far (to say *why* a signer is not trusted) and the deny list.
public struct TrustView: Sendable {
    /// Trusted electors by certificate ID.
    public private(set) var electors: [CertificateID: CertificateFacts] = [:]
    private(set) var electorsByShortID: [CertificateShortID: [CertificateID]] = [:]
    /// Every certificate seen (anchors, ballot targets, embedded signer certificates).
    public private(set) var known: [CertificateID: CertificateFacts] = [:]
    private(set) var knownByShortID: [CertificateShortID: [CertificateID]] = [:]
    /// Removed certificates.
    public internal(set) var denyList: DenyList

    public init(denyList: DenyList = DenyList()) { self.denyList = denyList }

    /// Adds `facts` to the known certificates.
    public mutating func learn(_ facts: CertificateFacts) {
        guard known[facts.id] == nil else { return }
        known[facts.id] = facts
        knownByShortID[facts.shortID, default: []].append(facts.id)
    }

    /// Trusts an elector (and learns it).
    public mutating func trust(_ facts: CertificateFacts) {
        learn(facts)
        guard electors[facts.id] == nil else { return }
        electors[facts.id] = facts
        electorsByShortID[facts.shortID, default: []].append(facts.id)
    }

    /// Stops trusting an elector.
    public mutating func distrust(_ id: CertificateID) {
        guard electors.removeValue(forKey: id) != nil else { return }
        let short = id.shortID
        electorsByShortID[short]?.removeAll { $0 == id }
        if electorsByShortID[short]?.isEmpty == true { electorsByShortID[short] = nil }
    }

    /// Whether `id` is a trusted elector.
    public func trusts(_ id: CertificateID) -> Bool { electors[id] != nil }

    /// Trusted electors with this `HashedId8`, sorted.
    func trustedCandidates(_ short: CertificateShortID) -> [CertificateFacts] {
        (electorsByShortID[short] ?? []).sorted().compactMap { electors[$0] }
    }

    /// Known certificates with this `HashedId8`, sorted.
    func knownCandidates(_ short: CertificateShortID) -> [CertificateFacts] {
        (knownByShortID[short] ?? []).sorted().compactMap { known[$0] }
    }
}
