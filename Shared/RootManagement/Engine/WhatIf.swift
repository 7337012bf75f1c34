/// A hypothetical change to evaluate against the current inputs.
public struct WhatIfScenario: Sendable, Hashable, Codable {
    /// Certificates to treat as removed (effective at the scenario time).
    public var removedCertificates: [CertificateID]
    /// Another quorum (nil: keep).
    public var quorum: Int?
    /// Another time (nil: keep).
    public var time: UInt32?

    public init(removedCertificates: [CertificateID] = [], quorum: Int? = nil, time: UInt32? = nil) {
        self.removedCertificates = removedCertificates
        self.quorum = quorum
        self.time = time
    }
}

/// One thing that would change, and why.
public struct WhatIfChange: Sendable, Hashable, Codable {
    /// The ballot (for ballot changes) — nil for an elector or root change without a ballot (an anchor).
    public var ballot: BallotID?
    /// The certificate concerned.
    public var certificate: CertificateID?
    /// The reasons in the scenario (decision findings, or the anchor's own state).
    public var findings: [Finding]
}

/// What a scenario changes compared to the baseline.
public struct WhatIfOutcome: Sendable, Hashable, Codable {
    /// Ballots valid now but not in the scenario.
    public var droppedBallots: [WhatIfChange]
    /// Ballots not valid now but valid in the scenario.
    public var gainedBallots: [WhatIfChange]
    /// Electors trusted now but not in the scenario.
    public var droppedElectors: [WhatIfChange]
    /// Electors trusted in the scenario but not now.
    public var gainedElectors: [CertificateID]
    /// Roots trusted now but not in the scenario.
    public var droppedRoots: [WhatIfChange]
    /// Roots trusted in the scenario but not now.
    public var gainedRoots: [CertificateID]
    /// A refused scenario quorum (`quorumBelowFloor`), if any; the rest is then computed with the old quorum.
    public var policyFindings: [Finding]
}

/// Compares the trust computed from `inputs` now with the one under a scenario (both from scratch).
public enum WhatIf {
    public static func evaluate(_ inputs: TrustInputs, policy: TrustPolicy, time: UInt32, scenario: WhatIfScenario,
                                signatures: inout SignatureResolver) -> WhatIfOutcome {
        let baseline = TrustEvaluator.evaluate(inputs, policy: policy, time: time, signatures: &signatures)
        var scenarioPolicy = policy
        var policyFindings: [Finding] = []
        if let quorum = scenario.quorum {
            switch policy.withQuorum(quorum) {
            case .success(let value): scenarioPolicy = value
            case .failure(let rejection): policyFindings.append(rejection.finding)
            }
        }
        let scenarioTime = scenario.time ?? time
        var scenarioInputs = inputs
        for id in scenario.removedCertificates {
            scenarioInputs.denyList.deny(id, Denial(effectiveTime: scenarioTime, ballot: nil))
        }
        let after = TrustEvaluator.evaluate(scenarioInputs, policy: scenarioPolicy, time: scenarioTime,
                                            signatures: &signatures)

        func accepted(_ snapshot: TrustSnapshot) -> Set<BallotID> {
            Set(snapshot.decisions.values.filter(\.accepted).map(\.ballot))
        }
        let before = accepted(baseline), later = accepted(after)
        let dropped = before.subtracting(later).sorted().map { id in
            WhatIfChange(ballot: id, certificate: after.decisions[id]?.target, findings: after.decisions[id]?.findings ?? [])
        }
        let gained = later.subtracting(before).sorted().map { id in
            WhatIfChange(ballot: id, certificate: after.decisions[id]?.target, findings: after.decisions[id]?.findings ?? [])
        }

        /// Why `id` is not trusted in the scenario: its own state, else the findings of its ballots.
        func why(_ id: CertificateID, facts: CertificateFacts, expected: EndorsementAction) -> WhatIfChange {
            var findings: [Finding] = []
            if after.denyList.denies(id, at: scenarioTime, skew: scenarioPolicy.clockSkew) {
                findings.append(Finding(.targetRemoved, "removed"))
            }
            switch facts.validity.status(at: scenarioTime) {
            case .expired: findings.append(Finding(.targetExpired, "expired at \(facts.validity.end)"))
            case .notYetValid: findings.append(Finding(.targetNotYetValid, "valid from \(facts.validity.start)"))
            case .valid: break
            }
            var ballot: BallotID?
            if findings.isEmpty {
                let decisions = after.decisions.values.filter { $0.target == id && $0.expected == expected }
                    .sorted { $0.ballot < $1.ballot }
                if let first = decisions.first {
                    ballot = first.ballot
                    findings = first.findings
                }
                if case .addElector = expected, after.capacityDropped.contains(id) {
                    findings.append(Finding(.electorCapacityExceeded, "over \(scenarioPolicy.maxElectors) electors"))
                }
            }
            return WhatIfChange(ballot: ballot, certificate: id, findings: Array(Set(findings)).sorted())
        }
        let droppedElectors = baseline.electorIDs.filter { after.electors[$0] == nil }.compactMap { id in
            baseline.electors[id].map { why(id, facts: $0.facts, expected: .addElector) }
        }
        let droppedRoots = baseline.rootIDs.filter { after.roots[$0] == nil }.compactMap { id in
            baseline.roots[id].map { why(id, facts: $0.facts, expected: .addRoot) }
        }
        return WhatIfOutcome(
            droppedBallots: dropped, gainedBallots: gained, droppedElectors: droppedElectors,
            gainedElectors: after.electorIDs.filter { baseline.electors[$0] == nil },
            droppedRoots: droppedRoots, gainedRoots: after.rootIDs.filter { baseline.roots[$0] == nil },
            policyFindings: policyFindings)
    }
}
