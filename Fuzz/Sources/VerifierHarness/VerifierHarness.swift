import BallotCodec
import Foundation
import RootManagement

/// The ballot verifier under fuzzing: `RootManagementCommands.decideBallot` (what `electorctl ballot verify` and the
/// validator's rules run) with the synthetic campaign's electors 1–3 trusted, quorum 2, at a fixed time.
public struct VerifierFuzzer: Sendable {
    /// The decision time of the synthetic vectors (their ballots are valid then).
    public static let time: UInt32 = 600_002_000
    let trusted: [Certificate]
    let trustedIDs: Set<CertificateID>
    let policy = TrustPolicy(quorum: 2)

    /// Loads the trusted certificates from Tests/Fixtures of this checkout.
    public init() {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/Fixtures")
        var trusted: [Certificate] = []
        for index in 1...3 {
            let path = fixtures.appendingPathComponent("synthetic-camp-cert-elector\(index).hex").path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                  let certificate = try? Certificate(coer: Self.hexBytes(text)) else {
                fatalError("fuzz-verifier: cannot load \(path)")
            }
            trusted.append(certificate)
        }
        self.trusted = trusted
        trustedIDs = Set(trusted.map { CertificateAnalysis.facts($0).id })
    }

    /// One iteration. Traps (so libFuzzer keeps the input) when a decision breaks an invariant:
    /// - deciding the same bytes twice gives the same verdict and findings;
    /// - an accepted ballot decodes, has at least quorum distinct endorsers, all of them trusted, and no fatal finding;
    /// - bytes that are not a ballot are never accepted.
    public func fuzzOne(_ bytes: [UInt8]) {
        let first = RootManagementCommands.decideBallot(bytes, trustedElectors: trusted, policy: policy, time: Self.time)
        let second = RootManagementCommands.decideBallot(bytes, trustedElectors: trusted, policy: policy, time: Self.time)
        if first.accepted != second.accepted || first.findings != second.findings || first.endorsers != second.endorsers {
            fatalError("ballot verifier is not deterministic")
        }
        guard first.accepted else { return }
        guard (try? BallotForm.decode(bytes)) != nil else { fatalError("accepted bytes that do not decode as a ballot") }
        if first.endorserCount < policy.quorum { fatalError("accepted below quorum: \(first.endorserCount)") }
        if Set(first.endorsers).count != first.endorsers.count { fatalError("an endorser counted twice") }
        if !Set(first.endorsers).isSubset(of: trustedIDs) { fatalError("an untrusted endorser counted") }
        if first.hasFatalFinding { fatalError("accepted with a fatal finding: \(first.findings)") }
    }

    static func hexBytes(_ text: String) -> [UInt8] {
        let digits = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined().filter(\.isHexDigit)
        var out: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex, let next = digits.index(index, offsetBy: 2, limitedBy: digits.endIndex) {
            out.append(UInt8(digits[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }
}
