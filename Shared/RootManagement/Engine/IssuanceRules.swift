/// Whether a CA certificate's `certIssuePermissions` allow it to issue a given certificate directly (chain length 1
/// from the issuer), by the consistency rules the IEEE 1609.2 ASN.1 module comments state for `PsidSsp`,
/// `ServiceSpecificPermissions`, `BitmapSsp`, `PsidSspRange`, `SspRange`, `BitmapSspRange`, `SubjectPermissions`,
/// `PsidGroupPermissions` and `EndEntityType`.
///
/// Exactly what is checked:
/// - The issuer's `certIssuePermissions` must be known and non-empty (a certificate without them is no CA).
/// - Each `appPermissions` entry of the subject must be granted by one issuer group that is well formed
///   (`minChainLength` ≥ 1, `chainLengthRange` ≥ -1), has `eeType` app, allows chain length 1, and whose
///   `subjectPermissions` cover the entry: `explicit` with the same PSID and an SSP range that covers the SSP
///   (`all` or omitted: any; `opaque`: one identical octet string, an omitted SSP needs an empty one; `bitmapSspRange`:
///   a `bitmapSsp` whose bits equal `sspValue` wherever `sspBitmask` is 1), or `all` when no `explicit` group of the
///   issuer names that PSID (an `all` group grants only the PSIDs the other groups do not name).
/// - Each `certIssuePermissions` group of the subject (a CA issuing further) must be well formed and be within the
///   issuer's: for every PSID range it names (and, for an `all` group, for "every other PSID"), one issuer group
///   grants it (same coverage rules, with range inclusion: `opaque` sets by subset, bitmaps by fixed bits) with an
///   `eeType` that includes the subject group's and whose chain lengths include the subject group's plus one.
///   An issuer's own consistency with its issuer is checked when that certificate is validated, so checking each
///   link against its direct issuer enforces the rules along the whole chain.
///
/// Not checked: `certRequestPermissions` (enrolment delegation), `region`, `assuranceLevel`, `cracaId`,
/// `crlSeries`. Unknown extension alternatives grant nothing and are granted by nothing but `all`.
public enum IssuanceRules {
    /// Why `issuer` (its `certIssuePermissions`; nil: unknown) may not issue a certificate holding `appPermissions`
    /// and `issuePermissions` directly; empty when it may.
    public static func problems(issuer: [IssuePermission]?, appPermissions: [PermissionGrant],
                                issuePermissions: [IssuePermission]) -> [String] {
        guard let groups = issuer else { return ["the issuer's certIssuePermissions are not known"] }
        guard !groups.isEmpty else { return ["the issuer has no certIssuePermissions (it is not a CA)"] }
        let scope = IssuerScope(groups)
        // What the subject's own `all` groups exclude (unknown alternatives: assume nothing is excluded).
        let subjectNamed = issuePermissions.contains { if case .unknown = $0.subjects { return true } else { return false } }
            ? Set<UInt64>() : IssuerScope(issuePermissions).named
        var problems: [String] = []
        for grant in appPermissions where !scope.grants(grant) {
            problems.append("appPermissions \(grant) is not within the issuer's certIssuePermissions "
                            + "(eeType app, chain length 1)")
        }
        for group in issuePermissions {
            guard group.isWellFormed else {
                problems.append("certIssuePermissions \(group) is invalid (minChainLength below 1 or chainLengthRange below -1)")
                continue
            }
            for missing in scope.missing(group, subjectNamed: subjectNamed) {
                problems.append("certIssuePermissions \(group) exceeds the issuer's for \(missing)")
            }
        }
        return problems
    }

    /// An issuer's groups, indexed for the checks.
    struct IssuerScope {
        let groups: [IssuePermission]
        /// PSIDs named by the issuer's `explicit` groups (an `all` group does not grant them).
        let named: Set<UInt64>
        /// An unknown `SubjectPermissions` alternative: what `all` excludes cannot be known.
        let hasUnknown: Bool

        init(_ groups: [IssuePermission]) {
            self.groups = groups.filter(\.isWellFormed)
            var named = Set<UInt64>()
            var unknown = false
            for group in groups {
                switch group.subjects {
                case .explicit(let ranges): named.formUnion(ranges.map(\.psid))
                case .unknown: unknown = true
                case .all: break
                }
            }
            self.named = named
            self.hasUnknown = unknown
        }

        /// `all` grants `psid` (OPTION 1 of the consistency rules).
        func allGrants(_ psid: UInt64) -> Bool { !hasUnknown && !named.contains(psid) }

        func grants(_ grant: PermissionGrant) -> Bool {
            groups.contains { group in
                guard group.app, group.allowsChainLengths(1, 1) else { return false }
                switch group.subjects {
                case .all: return allGrants(grant.psid)
                case .explicit(let ranges):
                    return ranges.contains { $0.psid == grant.psid && Self.covers($0.ssp, grant.ssp) }
                case .unknown: return false
                }
            }
        }

        /// The parts of the subject's `group` no issuer group grants, for reports.
        func missing(_ group: IssuePermission, subjectNamed: Set<UInt64>) -> [String] {
            let lower = group.minChainLength + 1
            let upper = group.maxChainLength.map { $0 == Int64.max ? $0 : $0 + 1 }
            let candidates = groups.filter {
                (!group.app || $0.app) && (!group.enrol || $0.enrol) && $0.allowsChainLengths(lower, upper)
            }
            func granted(_ range: PsidRangeFacts) -> Bool {
                candidates.contains { issuer in
                    switch issuer.subjects {
                    case .all: return allGrants(range.psid)
                    case .explicit(let ranges):
                        return ranges.contains { $0.psid == range.psid && Self.contains($0.ssp, range.ssp) }
                    case .unknown: return false
                    }
                }
            }
            switch group.subjects {
            case .explicit(let ranges):
                return ranges.filter { !granted($0) }.map { "psid \($0.psid)" }
            case .all:
                // "Every other PSID": the ones no issuer group names need an issuer `all` group; the ones the
                // issuer names (and the subject's own explicit groups do not) need those issuer groups, any SSP.
                var missing: [String] = []
                if hasUnknown || !candidates.contains(where: { if case .all = $0.subjects { return true } else { return false } }) {
                    missing.append("all PSIDs")
                }
                for psid in named.subtracting(subjectNamed).sorted() where !granted(PsidRangeFacts(psid: psid, ssp: .any)) {
                    missing.append("psid \(psid) (within all)")
                }
                return missing
            case .unknown:
                return ["an unknown subjectPermissions alternative"]
            }
        }

        /// Whether a range grants the SSP of one `appPermissions` entry.
        static func covers(_ range: SspRangeFacts, _ ssp: SspFacts?) -> Bool {
            switch (range, ssp) {
            case (.any, _): return true
            case (.opaque(let allowed), nil): return allowed.contains([])
            case (.opaque(let allowed), .opaque(let value)?): return allowed.contains(value)
            case (.bitmap(let value, let mask), .bitmap(let bits)?):
                guard value.count == mask.count else { return false }
                for index in mask.indices where mask[index] != 0 {
                    guard index < bits.count, bits[index] & mask[index] == value[index] & mask[index] else { return false }
                }
                return true
            default: return false
            }
        }

        /// Whether `outer` includes every SSP `inner` may grant.
        static func contains(_ outer: SspRangeFacts, _ inner: SspRangeFacts) -> Bool {
            switch (outer, inner) {
            case (.any, _): return true
            case (.opaque(let allowed), .opaque(let subset)): return Set(subset).isSubset(of: Set(allowed))
            case (.bitmap(let value, let mask), .bitmap(let innerValue, let innerMask)):
                guard value.count == mask.count, innerValue.count == innerMask.count else { return false }
                for index in mask.indices where mask[index] != 0 {
                    guard index < innerMask.count, innerMask[index] & mask[index] == mask[index],
                          innerValue[index] & mask[index] == value[index] & mask[index] else { return false }
                }
                return true
            default: return false
            }
        }
    }
}
