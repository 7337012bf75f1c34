/// Certificate permissions as the chain rules see them: the pure counterparts of 1609.2 `PsidSsp` (what a
/// certificate may do) and `PsidGroupPermissions` (what a CA certificate may issue), extracted once by the binding.

/// The SSP of one `appPermissions` entry.
public enum SspFacts: Sendable, Hashable, Codable {
    /// `opaque` octets.
    case opaque([UInt8])
    /// `bitmapSsp` octets.
    case bitmap([UInt8])
    /// An extension alternative this implementation does not know.
    case unknown
}

/// One `appPermissions` entry: a PSID and its SSP (nil when the SSP is omitted).
public struct PermissionGrant: Sendable, Hashable, Codable, CustomStringConvertible {
    public var psid: UInt64
    public var ssp: SspFacts?

    public init(psid: UInt64, ssp: SspFacts? = nil) {
        self.psid = psid
        self.ssp = ssp
    }

    public var description: String {
        switch ssp {
        case nil: return "psid \(psid)"
        case .opaque(let bytes)?: return "psid \(psid) opaque \(HexText.encode(bytes))"
        case .bitmap(let bytes)?: return "psid \(psid) bitmap \(HexText.encode(bytes))"
        case .unknown?: return "psid \(psid) (unknown SSP form)"
        }
    }
}

/// An `SspRange`: the SSPs a CA may grant for one PSID.
public enum SspRangeFacts: Sendable, Hashable, Codable {
    /// `all`, or `sspRange` omitted: any SSP.
    case any
    /// `opaque`: exactly these octet strings.
    case opaque([[UInt8]])
    /// `bitmapSspRange`: bits set in `mask` are fixed to the bits of `value`.
    case bitmap(value: [UInt8], mask: [UInt8])
    /// An extension alternative this implementation does not know (grants nothing).
    case unknown
}

/// A `PsidSspRange`: a PSID and the SSPs that may be granted for it.
public struct PsidRangeFacts: Sendable, Hashable, Codable {
    public var psid: UInt64
    public var ssp: SspRangeFacts

    public init(psid: UInt64, ssp: SspRangeFacts = .any) {
        self.psid = psid
        self.ssp = ssp
    }
}

/// One `PsidGroupPermissions` of a certificate's `certIssuePermissions`.
public struct IssuePermission: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `SubjectPermissions`.
    public enum Subjects: Sendable, Hashable, Codable {
        /// `all`: every PSID no `explicit` group of the same `certIssuePermissions` names.
        case all
        /// `explicit`: these PSIDs with these SSP ranges.
        case explicit([PsidRangeFacts])
        /// An extension alternative this implementation does not know (grants nothing).
        case unknown
    }

    public var subjects: Subjects
    /// `minChainLength`: the fewest certificates below the issuing certificate, down to and including the end entity.
    public var minChainLength: Int64
    /// `chainLengthRange`: how many more are allowed; -1 means any number.
    public var chainLengthRange: Int64
    /// `eeType` includes `app`: chains may end in a certificate holding these permissions in `appPermissions`.
    public var app: Bool
    /// `eeType` includes `enrol`: chains may end in a certificate holding them in `certRequestPermissions`.
    public var enrol: Bool

    public init(subjects: Subjects, minChainLength: Int64 = 1, chainLengthRange: Int64 = 0, app: Bool = true,
                enrol: Bool = false) {
        self.subjects = subjects
        self.minChainLength = minChainLength
        self.chainLengthRange = chainLengthRange
        self.app = app
        self.enrol = enrol
    }

    /// 1609.2: in `certIssuePermissions`, `minChainLength` 0 (or less) makes the certificate invalid; a
    /// `chainLengthRange` below -1 has no meaning.
    public var isWellFormed: Bool { minChainLength >= 1 && chainLengthRange >= -1 }

    /// The longest chain allowed (nil: unbounded).
    public var maxChainLength: Int64? {
        guard chainLengthRange != -1 else { return nil }
        let (sum, overflow) = minChainLength.addingReportingOverflow(chainLengthRange)
        return overflow ? Int64.max : sum
    }

    /// Whether every chain length in `lower…upper` (upper nil: unbounded) is allowed.
    public func allowsChainLengths(_ lower: Int64, _ upper: Int64?) -> Bool {
        guard lower >= minChainLength else { return false }
        guard let maximum = maxChainLength else { return true }
        guard let upper else { return false }
        return upper <= maximum
    }

    public var description: String {
        let scope: String
        switch subjects {
        case .all: scope = "all"
        case .explicit(let ranges): scope = "explicit [" + ranges.map { "\($0.psid)" }.joined(separator: ", ") + "]"
        case .unknown: scope = "unknown"
        }
        let types = [app ? "app" : nil, enrol ? "enrol" : nil].compactMap { $0 }.joined(separator: "+")
        return "{\(scope), minChainLength \(minChainLength), chainLengthRange \(chainLengthRange), eeType \(types)}"
    }
}
