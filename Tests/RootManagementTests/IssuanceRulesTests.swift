import RootManagement
import Testing

/// The 1609.2 permission-consistency rules on plain facts, one rule per expectation.
@Suite struct IssuanceRulesTests {
    typealias G = IssuePermission

    static func problems(_ issuer: [G]?, app: [PermissionGrant] = [], issue: [G] = []) -> [String] {
        IssuanceRules.problems(issuer: issuer, appPermissions: app, issuePermissions: issue)
    }

    static func permits(_ issuer: [G]?, app: [PermissionGrant] = [], issue: [G] = []) -> Bool {
        problems(issuer, app: app, issue: issue).isEmpty
    }

    static let elector: [UInt8] = [0x80, 0x00, 0x01], root: [UInt8] = [0x81, 0x00, 0x01]

    @Test func issuerMustBeAKnownCA() {
        #expect(Self.problems(nil, app: [PermissionGrant(psid: 35)]) == ["the issuer's certIssuePermissions are not known"])
        #expect(Self.problems([], app: [PermissionGrant(psid: 35)]) == ["the issuer has no certIssuePermissions (it is not a CA)"])
        // Malformed issuer groups grant nothing.
        #expect(!Self.permits([G(subjects: .all, minChainLength: 0, chainLengthRange: -1)], app: [PermissionGrant(psid: 1)]))
        #expect(!Self.permits([G(subjects: .all, chainLengthRange: -2)], app: [PermissionGrant(psid: 1)]))
    }

    @Test func allGrantsOnlyThePsidsNoExplicitGroupNames() {
        let issuer = [G(subjects: .all, chainLengthRange: -1),
                      G(subjects: .explicit([PsidRangeFacts(psid: 35, ssp: .opaque([Self.elector]))]), chainLengthRange: -1)]
        #expect(Self.permits(issuer, app: [PermissionGrant(psid: 36, ssp: .opaque([9]))]))
        #expect(Self.permits(issuer, app: [PermissionGrant(psid: 35, ssp: .opaque(Self.elector))]))
        #expect(!Self.permits(issuer, app: [PermissionGrant(psid: 35, ssp: .opaque(Self.root))]))
        // An unknown alternative hides what `all` excludes: `all` then grants nothing.
        #expect(!Self.permits([G(subjects: .all, chainLengthRange: -1), G(subjects: .unknown)],
                              app: [PermissionGrant(psid: 36)]))
    }

    @Test func sspCoverage() {
        func explicit(_ range: SspRangeFacts) -> [G] { [G(subjects: .explicit([PsidRangeFacts(psid: 7, ssp: range)]))] }
        #expect(Self.permits(explicit(.any), app: [PermissionGrant(psid: 7, ssp: .bitmap([1]))]))
        #expect(Self.permits(explicit(.opaque([[]])), app: [PermissionGrant(psid: 7)]))
        #expect(!Self.permits(explicit(.opaque([[1]])), app: [PermissionGrant(psid: 7)]))
        #expect(!Self.permits(explicit(.opaque([[1]])), app: [PermissionGrant(psid: 8, ssp: .opaque([1]))]))
        let bitmap = explicit(.bitmap(value: [0b1010_0000], mask: [0b1111_0000]))
        #expect(Self.permits(bitmap, app: [PermissionGrant(psid: 7, ssp: .bitmap([0b1010_1111]))]))
        #expect(!Self.permits(bitmap, app: [PermissionGrant(psid: 7, ssp: .bitmap([0b1000_0000]))]))
        #expect(!Self.permits(bitmap, app: [PermissionGrant(psid: 7, ssp: .bitmap([]))]))
        #expect(!Self.permits(bitmap, app: [PermissionGrant(psid: 7, ssp: .opaque([0b1010_0000]))]))
        #expect(!Self.permits(explicit(.bitmap(value: [1, 2], mask: [0xff])), app: [PermissionGrant(psid: 7, ssp: .bitmap([1, 2]))]))
        #expect(!Self.permits(explicit(.unknown), app: [PermissionGrant(psid: 7, ssp: .opaque([]))]))
    }

    @Test func eeTypeAndChainLengthForAppPermissions() {
        let grant = [PermissionGrant(psid: 35)]
        #expect(!Self.permits([G(subjects: .all, chainLengthRange: -1, app: false, enrol: true)], app: grant))
        #expect(!Self.permits([G(subjects: .all, minChainLength: 2, chainLengthRange: -1)], app: grant))
        #expect(Self.permits([G(subjects: .all, minChainLength: 1, chainLengthRange: 0)], app: grant))
    }

    @Test func delegatedIssuingStaysWithinTheIssuers() {
        let a: [UInt8] = [1], b: [UInt8] = [2], c: [UInt8] = [3], d: [UInt8] = [4]
        let issuer = [G(subjects: .explicit([PsidRangeFacts(psid: 35, ssp: .opaque([a, b, c]))]), chainLengthRange: -1)]
        func sub(_ range: SspRangeFacts, app: Bool = true, enrol: Bool = false) -> [G] {
            [G(subjects: .explicit([PsidRangeFacts(psid: 35, ssp: range)]), app: app, enrol: enrol)]
        }
        #expect(Self.permits(issuer, issue: sub(.opaque([a, b]))))
        #expect(!Self.permits(issuer, issue: sub(.opaque([a, d]))))
        #expect(!Self.permits(issuer, issue: sub(.any)))
        #expect(!Self.permits(issuer, issue: sub(.opaque([a]), app: false, enrol: true)))
        // Chain lengths: the subject's lengths plus one must lie within the issuer's.
        let bounded = [G(subjects: .all, minChainLength: 1, chainLengthRange: 1)]
        #expect(Self.permits(bounded, issue: [G(subjects: .all, minChainLength: 1, chainLengthRange: 0)]))
        #expect(!Self.permits(bounded, issue: [G(subjects: .all, minChainLength: 1, chainLengthRange: 1)]))
        #expect(!Self.permits(bounded, issue: [G(subjects: .all, minChainLength: 1, chainLengthRange: -1)]))
        #expect(!Self.permits([G(subjects: .all, chainLengthRange: -1)], issue: [G(subjects: .all, minChainLength: 0)]))
        // Bitmap ranges: every bit the issuer fixes stays fixed to the same value.
        let bits = [G(subjects: .explicit([PsidRangeFacts(psid: 9, ssp: .bitmap(value: [0xa0], mask: [0xf0]))]),
                      chainLengthRange: -1)]
        func bitSub(_ value: UInt8, _ mask: UInt8) -> [G] {
            [G(subjects: .explicit([PsidRangeFacts(psid: 9, ssp: .bitmap(value: [value], mask: [mask]))]))]
        }
        #expect(Self.permits(bits, issue: bitSub(0xa5, 0xff)))
        #expect(!Self.permits(bits, issue: bitSub(0xa0, 0xc0)))
        #expect(!Self.permits(bits, issue: bitSub(0x50, 0xf0)))
    }

    @Test func delegatedAllNeedsTheIssuersSeparateGroupsToo() {
        // Like the TTA root: `all` for 3 or more, psid 38 apart (1 or more, any SSP, or only some SSPs).
        func issuer(_ ssp: SspRangeFacts) -> [G] {
            [G(subjects: .all, minChainLength: 3, chainLengthRange: -1, app: true, enrol: true),
             G(subjects: .explicit([PsidRangeFacts(psid: 38, ssp: ssp)]), chainLengthRange: -1, app: true, enrol: true)]
        }
        let icaAll = G(subjects: .all, minChainLength: 2, app: true, enrol: true)
        #expect(Self.permits(issuer(.any), issue: [icaAll]))
        #expect(Self.problems(issuer(.opaque([[1]])), issue: [icaAll])
                == ["certIssuePermissions \(icaAll) exceeds the issuer's for psid 38 (within all)"])
        // When the subject names psid 38 itself (within what the issuer grants), its `all` excludes it.
        let ica38 = G(subjects: .explicit([PsidRangeFacts(psid: 38, ssp: .opaque([[1]]))]), app: true, enrol: true)
        #expect(Self.permits(issuer(.opaque([[1]])), issue: [icaAll, ica38]))
        // `all` below an issuer without `all` (or needing lengths the issuer's `all` does not allow).
        #expect(!Self.permits([G(subjects: .explicit([PsidRangeFacts(psid: 1)]), chainLengthRange: -1)], issue: [icaAll]))
        #expect(!Self.permits(issuer(.any), issue: [G(subjects: .all, minChainLength: 1, app: true, enrol: true)]))
        #expect(!Self.permits(issuer(.any), issue: [G(subjects: .unknown)]))
    }
}
