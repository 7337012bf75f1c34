import BallotCodec
import ElectorCrypto
import Foundation
import RootManagement

/// `assembler`: what the gccf-assembler spends per validated ballot (analysis once, fold into the engine with its
/// signature checks) and per publication decision (exact content with capacity and size limit) at 1,000 root
/// ballots of three endorsements. Reference, measured in the same run: one ECDSA P-256 verification, and the
/// pipeline's verification limit per core (verify rate ÷ 3 signatures per ballot).
enum AssemblerSuite {
    struct NoVerification: EndorsementSignatureVerifying {
        func isValid(_ material: SignatureMaterial, signer: CertificateFacts) -> Bool { false }
    }

    static func run(_ report: inout BenchReport) throws {
        let t0: UInt32 = 600_000_000
        let probeKey = try PrivateKey.generate()
        let digest = Digest.sha256(Array("assembler".utf8))
        let (r, s) = try probeKey.signature(forDigest: digest)
        let verifySeconds = RulesSuite.measure(repeat: 2_000) { _ in
            _ = probeKey.publicKey.isValidSignature(r: r, s: s, digest: digest)
        }
        let anchors = try (0..<3).map { try RulesSuite.elector("anchor\($0).bench", key: try PrivateKey.generate()) }
        let rootKey = try PrivateKey.generate()
        let count = 1_000
        var records: [ValidatedBallot] = []
        for index in 0..<count {
            let tbs = CertificateSigning.rootTemplate(name: "root\(index).bench", key: rootKey.publicKey, start: Time32(t0))
            let root = try CertificateSigning.selfSigned(tbs, key: rootKey)
            let ballot = try RulesSuite.ballot(root, .addRoot, by: anchors)
            records.append(ValidatedBallot(ballot: ballot, type: .addRoot,
                                           targetHash: HashedId32(uncheckedBytes: Digest.sha256(root.coerEncoded)),
                                           ballotDigest: HashedId32(uncheckedBytes: Digest.sha256(ballot.coerEncoded)),
                                           processingTime: Time32(t0 + 2_000 + UInt32(index / 100)), quorum: 2,
                                           endorsers: []))
        }
        let encoded = records.map(\.coerEncoded)
        let maKey = try PrivateKey.generate()
        let ma = try CertificateSigning.selfSigned(CertificateSigning.electorTemplate(name: "ma.bench", key: maKey.publicKey,
                                                                                   start: Time32(t0)), key: maKey)
        let configuration = AssemblerConfiguration(policy: TrustPolicy(quorum: 2),
                                                   electorAnchors: anchors.map { CertificateAnalysis.facts($0.certificate) },
                                                   maCertificate: ma)
        var inputs: [AssemblerInput] = []
        let analysisSeconds = try RulesSuite.time {
            for (offset, bytes) in encoded.enumerated() {
                let record = try ValidatedBallot(coer: bytes)
                var scratch = SignatureResolver(verifier: NoVerification())
                if let input = AssemblerInput.validated(record, offset: Int64(offset), signatures: &scratch) {
                    inputs.append(input)
                }
            }
        } / Double(count)
        var state = AssemblerState(configuration: configuration, signatures: .crypto())
        let foldSeconds = RulesSuite.time { for input in inputs { _ = state.apply(input) } } / Double(count)
        var bytes = 0
        let publishSeconds = RulesSuite.time {
            if case .publish(let publication) = state.preparePublication() { bytes = publication.bytes.count }
        }
        // A re-fold (late input) or a rebuild after the first one: analyses and signature checks are cached.
        let refoldSeconds = RulesSuite.time {
            var again = AssemblerState(configuration: configuration, signatures: state.engine.signatures)
            for input in inputs { _ = again.apply(input) }
        }
        // The service's default path: the validator's verdicts (no ECDSA), endorser certificates analyzed once.
        let verdicts = ValidatorVerdicts()
        var cache = ValidatedCertificateFactsCache()
        var cheapInputs: [AssemblerInput] = []
        var cheap = AssemblerState(configuration: configuration, signatures: SignatureResolver(verifier: verdicts))
        let endorserIDs = anchors.map { CertificateAnalysis.facts($0.certificate).id }
        let cheapSeconds = try RulesSuite.time {
            for (offset, bytes) in encoded.enumerated() {
                let record = try ValidatedBallot(coer: bytes)
                let analyzed = ValidatedBallotAnalysis.analyze(record.ballot, cache: &cache)
                verdicts.register(analyzed, endorsers: endorserIDs)
                let input = AssemblerInput(source: .validated, offset: Int64(offset),
                                           recordedTime: record.processingTime.seconds,
                                           payload: .ballot(analyzed, .addRoot, record.ballot))
                cheapInputs.append(input)
                _ = cheap.apply(input)
            }
        } / Double(count)
        var sameBytes = false
        if case .publish(let a) = cheap.preparePublication(), case .publish(let b) = state.preparePublication() {
            sameBytes = a.bytes == b.bytes
        }
        if !sameBytes { report.failure("assembler: the verdict path built another GCCF than full verification") }
        report.record(metric: "assembler per ballot, validator verdicts (default)", value: cheapSeconds * 1e6, unit: "µs",
                      reference: verifySeconds * 1e6, referenceLabel: "one ECDSA verify")
        report.record(metric: "assembler ballots/s per core, validator verdicts", value: 1 / cheapSeconds, unit: "/s",
                      reference: 1 / verifySeconds / 3, referenceLabel: "verify rate ÷ 3", floor: 1)
        let perBallot = analysisSeconds + foldSeconds
        let limitPerCore = 1 / verifySeconds / 3
        report.record(metric: "assembler decode+analysis per ballot", value: analysisSeconds * 1e6, unit: "µs",
                      reference: verifySeconds * 1e6, referenceLabel: "one ECDSA verify")
        report.record(metric: "assembler fold per ballot (3 signature checks)", value: foldSeconds * 1e6, unit: "µs",
                      reference: verifySeconds * 3e6, referenceLabel: "three ECDSA verifies")
        report.record(metric: "assembler ballots/s per core, --reverify-signatures", value: 1 / perBallot, unit: "/s",
                      reference: limitPerCore, referenceLabel: "verify rate ÷ 3")
        report.record(metric: "assembler publication decision, 1000 root ballots", value: publishSeconds * 1e3, unit: "ms")
        report.record(metric: "assembler GCCF bytes, 1000 root ballots", value: Double(bytes), unit: "B")
        report.record(metric: "assembler re-fold of 1000 ballots (cached)", value: refoldSeconds * 1e3, unit: "ms")
    }
}
