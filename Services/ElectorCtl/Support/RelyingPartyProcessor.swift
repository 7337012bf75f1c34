import BallotCodec
import ElectorCrypto
import RootManagement
import ServiceKit

/// What a relying party does with one received GCCF or LCCF: analyse it, apply it to the trust store's state (or a
/// fresh state from the anchors and quorum), commit an accepted update atomically, and describe the outcome as JSON.
///
/// `gccf verify` runs it once for a file; `gccf follow` runs it for every GCCF record of `scms.gccf`, so a file on
/// disk and a record from Kafka get exactly the same treatment.
struct RelyingPartyProcessor {
    /// What to do when the requested quorum is lower than the trust store's.
    enum LowerQuorum {
        /// Refuse the update (exit 1): `gccf verify --quorum` below the store's is an operator mistake.
        case refuse
        /// Keep the store's quorum (a following relying party never lowers it on its own).
        case keepStored
    }

    /// The outcome of one file.
    struct Outcome {
        var accepted: Bool
        /// The chain file's GCCF version (for an LCCF, the GCCF version it names).
        var gccfVersion: UInt16
        /// The JSON report (`gccf verify` prints it; `gccf follow` prints it as one line).
        var report: JSONValue
    }

    let context: CLIContext
    let anchors: Anchors
    let anchorsDirectory: String
    let store: TrustStore?
    var lowerQuorum: LowerQuorum = .refuse

    /// The state updates start from: the store's (with the quorum raised to `quorum` when higher), else a fresh one
    /// from the anchors and `quorum`.
    ///
    /// - Throws: exit 1 when `quorum` is lower than the store's and ``lowerQuorum`` is ``LowerQuorum/refuse``;
    ///   exit 64-style failure when the store is new and no quorum is known.
    func startingState(quorum: Int?) throws -> RelyingPartyState {
        guard let stored = try store?.load() else {
            guard let quorum else {
                throw CommandFailure(.usage, "the trust store is new: give --quorum (or let a signed GPF set it)")
            }
            return RelyingPartyState(policy: TrustPolicy(quorum: quorum), electorAnchors: anchors.electors.map(\.facts),
                                     rootAnchors: anchors.roots.map(\.facts))
        }
        var state = stored
        if Set(stored.electorAnchors.map(\.id)) != Set(anchors.electors.map(\.facts.id))
            || Set(stored.rootAnchors.map(\.id)) != Set(anchors.roots.map(\.facts.id)) {
            Output.note("the anchors in \(anchorsDirectory) differ from the trust store's; the trust store's are used")
        }
        guard let quorum else { return state }
        if quorum > stored.policy.quorum {
            state.policy.quorum = quorum
            Output.note("raising the trust store's quorum from \(stored.policy.quorum) to \(quorum)")
        } else if quorum < stored.policy.quorum && lowerQuorum == .refuse {
            throw CommandFailure(.rejected, "the trust store's quorum is \(stored.policy.quorum); refusing to lower it to "
                                 + "\(quorum) (install anchors and quorum into a new --state directory instead)")
        }
        return state
    }

    /// Processes the chain file `bytes` (named `path` in messages) at `time`.
    ///
    /// - Throws: exit 65 when the bytes are not a chain file, the failures of ``startingState(quorum:)``, and I/O
    ///   errors of the commit. A rejection is not thrown: it is an ``Outcome`` with `accepted == false` and the state
    ///   unchanged.
    ///
    /// With `reevaluating` set to the store's last accepted GCCF version, that same file is applied again (its
    /// version check relaxed for exactly that version): how a following relying party re-evaluates its trust when the
    /// quorum rises or a removal arrives without a new GCCF.
    func process(_ bytes: [UInt8], from path: String, crl: CompositeCrl?, quorum: Int?, time: UInt32,
                 reevaluating: UInt16? = nil) throws -> Outcome {
        let file = try Inputs.decode(ScmsFile.self, bytes, from: path)
        var signatures = SignatureResolver.crypto()
        let received: ReceivedChainFile
        switch ChainFileAnalysis.analyze(file, crl: crl, signatures: &signatures) {
        case .success(let value): received = value
        case .failure(let finding): throw CommandFailure(.dataError, "\(Inputs.display(path)): \(finding)")
        }
        var state = try startingState(quorum: quorum)
        if let version = reevaluating, state.lastGCCFVersion == version, case .gccf(version) = received.version {
            state.lastGCCFVersion = version > 0 ? version - 1 : nil
        }

        var names = CertificateNames(anchors.all)
        for ballot in file.certificateStore?.rootCAEndorsements ?? [] { names.add(ballot.certificate) }
        for ballot in file.certificateStore?.electorEndorsements ?? [] { names.add(ballot.certificate) }
        if let store = file.certificateStore { for certificate in [store.maCertificate] + store.certs { names.add(certificate) } }
        for certificate in file.localCertificateChainFile?.optionalCertList ?? [] { names.add(certificate) }
        let reports = Reports(context: context)
        let versionJSON: JSONValue
        let gccfVersion: UInt16
        switch received.version {
        case .gccf(let v):
            gccfVersion = v
            versionJSON = .object([("gccfVersion", .int(Int64(v)))])
        case .lccf(let v):
            gccfVersion = v.gccfVersion
            versionJSON = .object([("gccfVersion", .int(Int64(v.gccfVersion))), ("lccfVersion", .int(Int64(v.lccfVersion))),
                                   ("raHostname", .string(v.raHostname))])
        }

        switch RelyingParty.apply(received, to: state, at: time, signatures: &signatures) {
        case .failure(let rejection):
            return Outcome(accepted: false, gccfVersion: gccfVersion, report: .object([
                ("accepted", .bool(false)), ("version", versionJSON), ("time", context.timeJSON(time)),
                ("reasons", reports.findings(rejection.findings)), ("stateChanged", .bool(false)),
            ]))
        case .success(let update):
            for warning in update.warnings { Output.note("warning: \(warning)") }
            var trustedFiles: [String] = []
            if let store {
                var certificates = store.storedCertificates()
                for anchor in anchors.all { certificates[anchor.facts.id] = anchor.certificate }
                for ballot in (file.certificateStore?.rootCAEndorsements ?? []) + (file.certificateStore?.electorEndorsements ?? []) {
                    certificates[CertificateID(uncheckedBytes: Digest.sha256(ballot.certificate.coerEncoded))] = ballot.certificate
                }
                for certificate in certificates.values { names.add(certificate) }
                var trusted: [(role: String, name: String, certificate: Certificate)] = []
                for id in update.state.trustedElectors(at: time) {
                    if let certificate = certificates[id] { trusted.append(("elector", names.label(id), certificate)) }
                }
                for id in update.state.trustedRoots(at: time) {
                    if let certificate = certificates[id] { trusted.append(("root", names.label(id), certificate)) }
                }
                trustedFiles = try store.commit(update.state, trusted: trusted, acceptedFile: bytes)
            }
            let ballots: [JSONValue] = update.decisions.map { decision in
                var members: [(String, JSONValue)] = [("ballot", .string(decision.ballot.hex))]
                if let target = decision.target { members.append(("target", .string(names.label(target)))) }
                members += [("type", .string(decision.expected.description)), ("accepted", .bool(decision.accepted)),
                            ("distinctEndorsers", .int(Int64(decision.endorserCount))),
                            ("reasons", reports.findings(decision.findings))]
                return .object(members)
            }
            func labels(_ ids: [CertificateID]) -> JSONValue { .array(ids.map { names.label($0) }.sorted().map { .string($0) }) }
            var members: [(String, JSONValue)] = [
                ("accepted", .bool(true)), ("version", versionJSON), ("time", context.timeJSON(time)),
                ("quorum", .int(Int64(update.state.policy.quorum))),
                ("trustedElectors", labels(update.state.trustedElectors(at: time))),
                ("trustedRoots", labels(update.state.trustedRoots(at: time))),
                ("admittedElectors", labels(update.admittedElectors)), ("droppedElectors", labels(update.droppedElectors)),
                ("admittedRoots", labels(update.admittedRoots)), ("droppedRoots", labels(update.droppedRoots)),
                ("newlyDenied", labels(update.newlyDenied)),
                ("ballots", .array(ballots)),
                ("components", reports.components(update.components, names: names)),
                ("warnings", reports.findings(update.warnings)),
            ]
            if let store {
                members.append(("state", .object([("directory", .string(store.directory)),
                                                  ("stateFile", .string(store.statePath)),
                                                  ("trustedFiles", .array(trustedFiles.map { .string($0) }))])))
            }
            return Outcome(accepted: true, gccfVersion: gccfVersion, report: .object(members))
        }
    }
}
