public import BallotCodec

/// The JSON verdict `electorctl ballot verify` prints.
public struct BallotVerdict: Sendable, Hashable, Codable {
    public var accepted: Bool
    public var ballot: BallotID
    public var target: CertificateID?
    public var expected: EndorsementAction
    public var time: UInt32
    public var quorum: Int
    /// Distinct valid endorsers (certificate SHA-256), in endorsement order.
    public var endorsers: [CertificateID]
    /// Every reason: `code`, `endorsementIndex` (absent for ballot-level reasons), `detail`.
    public var reasons: [Finding]

    public init(_ decision: BallotDecision) {
        accepted = decision.accepted
        ballot = decision.ballot
        target = decision.target
        expected = decision.expected
        time = decision.time
        quorum = decision.quorum
        endorsers = decision.endorsers
        reasons = decision.findings
    }
}

/// Library entry points that make each offline `electorctl` command a thin call (no I/O here: callers read the
/// files, call, print the value and persist any returned state).
public enum RootManagementCommands {
    /// `ballot verify`: one ballot (any of the three forms) against trusted electors, with `policy` at `time`.
    /// `expected` nil means the type the endorsements declare. `known` certificates only improve reasons (a signer
    /// that is known but not trusted). Adds `electorCapacityExceeded` when admitting would exceed `maxElectors`.
    public static func verifyBallot(_ bytes: [UInt8], expected: EndorsementAction? = nil, trustedElectors: [Certificate],
                                    known: [Certificate] = [], denyList: DenyList = DenyList(), policy: TrustPolicy,
                                    time: UInt32, options: ProfileOptions = ProfileOptions()) -> BallotVerdict {
        BallotVerdict(decideBallot(bytes, expected: expected, trustedElectors: trustedElectors, known: known,
                                   denyList: denyList, policy: policy, time: time, options: options))
    }

    /// `verifyBallot`'s full decision (with the endorsement index each endorser was counted at).
    public static func decideBallot(_ bytes: [UInt8], expected: EndorsementAction? = nil, trustedElectors: [Certificate],
                                    known: [Certificate] = [], denyList: DenyList = DenyList(), policy: TrustPolicy,
                                    time: UInt32, options: ProfileOptions = ProfileOptions()) -> BallotDecision {
        var signatures = SignatureResolver.crypto()
        let ballot = BallotAnalysis.analyze(bytes: bytes, options: options, signatures: &signatures)
        var view = TrustView(denyList: denyList)
        for certificate in known { view.learn(CertificateAnalysis.facts(certificate, options: options)) }
        for certificate in trustedElectors {
            let facts = CertificateAnalysis.facts(certificate, options: options)
            if facts.validity.contains(time) && !denyList.denies(facts.id, at: time, skew: policy.clockSkew) {
                view.trust(facts)
            } else {
                view.learn(facts)
            }
        }
        let action = expected ?? ballot.statement?.action ?? .addElector
        var decision = BallotEvaluator.evaluate(ballot, expected: action, view: view, time: time, policy: policy,
                                                signatures: &signatures)
        if action == .addElector, decision.accepted, let target = decision.target, !view.trusts(target),
           view.electors.count >= policy.maxElectors {
            decision.accepted = false
            decision.findings.append(Finding(.electorCapacityExceeded,
                "\(view.electors.count) trusted electors already, at most \(policy.maxElectors)"))
            decision.findings.sort()
        }
        return decision
    }

    /// `gccf verify` / `follow`: a received GCCF or LCCF (and optional composite CRL) against the stored state.
    /// Success carries the new state to persist atomically; failure leaves the stored state as it is.
    public static func verifyChainFile(_ bytes: [UInt8], crl: [UInt8]? = nil, state: RelyingPartyState, time: UInt32,
                                       options: ProfileOptions = ProfileOptions()) -> Result<RelyingPartyUpdate, RelyingPartyRejection> {
        var signatures = SignatureResolver.crypto()
        switch ChainFileAnalysis.analyze(bytes: bytes, crl: crl, options: options, signatures: &signatures) {
        case .failure(let finding): return .failure(RelyingPartyRejection(findings: [finding]))
        case .success(let file): return RelyingParty.apply(file, to: state, at: time, signatures: &signatures)
        }
    }

    /// `lccf check`: the findings (`lccfIncomplete`, `wrongFileKind`, `malformed`) for an LCCF against its GCCF.
    public static func checkLCCF(_ lccfBytes: [UInt8], gccf gccfBytes: [UInt8]) -> [Finding] {
        do {
            let lccfFile = try ScmsFile(coer: lccfBytes), gccfFile = try ScmsFile(coer: gccfBytes)
            guard let lccf = lccfFile.localCertificateChainFile else { return [Finding(.wrongFileKind, "not an LCCF")] }
            guard let gccf = gccfFile.globalCertificateChainFile else { return [Finding(.wrongFileKind, "not a GCCF")] }
            return LCCFBuilder.check(lccf, against: gccf)
        } catch {
            return [BallotAnalysis.finding(for: error, endorsement: nil)]
        }
    }

    /// `what-if` over a chain file: which ballots, electors and roots would drop (and why) if `scenario` happened.
    /// The file's ballots are evaluated with `electorAnchors` (plus the removal ballots of an optional CRL).
    public static func whatIf(chainFile bytes: [UInt8], crl: [UInt8]? = nil, electorAnchors: [Certificate],
                              rootAnchors: [Certificate] = [], denyList: DenyList = DenyList(), policy: TrustPolicy,
                              time: UInt32, scenario: WhatIfScenario,
                              options: ProfileOptions = ProfileOptions()) -> Result<WhatIfOutcome, Finding> {
        var signatures = SignatureResolver.crypto()
        return ChainFileAnalysis.analyze(bytes: bytes, crl: crl, options: options, signatures: &signatures).map { file in
            let inputs = TrustInputs(
                electorAnchors: electorAnchors.map { CertificateAnalysis.facts($0, options: options) },
                rootAnchors: rootAnchors.map { CertificateAnalysis.facts($0, options: options) },
                ballots: file.rootBallots.map { BallotEntry($0, as: .addRoot) }
                    + file.electorBallots.map { BallotEntry($0, as: .addElector) } + file.removals,
                denyList: denyList)
            return WhatIf.evaluate(inputs, policy: policy, time: time, scenario: scenario, signatures: &signatures)
        }
    }

    /// The policy with the GPF quorum in force at `time` (the `temporalSeriesOfElectorQuorum` extension). A GPF
    /// without the extension keeps the current quorum; one below the floor is refused (`quorumBelowFloor`).
    public static func policy(applying gpf: GlobalPolicyData, at time: Time64,
                              to policy: TrustPolicy) -> Result<TrustPolicy, PolicyRejection> {
        guard let series = gpf.electorQuorum else { return .success(policy) }
        return policy.withQuorum(Int(series.value(at: time)))
    }
}
