public import BallotCodec

// Written on the `svcb` branch for the expiry-watcher service: which expiry events are due at a time, given the
// certificates of the trust view, the lead times and the events already emitted. Pure: the caller passes the time.

/// A certificate the expiry watcher schedules.
public struct WatchedCertificate: Sendable, Hashable {
    /// SHA-256 of its encoding.
    public var id: CertificateID
    /// Elector or root.
    public var role: BallotCodec.CertificateRole
    /// The first second it is invalid (validity start + duration), Time32.
    public var expiryTime: UInt32

    public init(id: CertificateID, role: BallotCodec.CertificateRole, expiryTime: UInt32) {
        self.id = id
        self.role = role
        self.expiryTime = expiryTime
    }

    /// The certificate to watch for `facts`, or nil when it is neither an elector nor a root, or its expiry does not
    /// fit Time32 (it never expires within Time32's range).
    public init?(_ facts: CertificateFacts) {
        let role: BallotCodec.CertificateRole
        switch facts.role {
        case .elector: role = .elector
        case .root: role = .root
        case .other: return nil
        }
        guard let expiry = UInt32(exactly: facts.validity.end) else { return nil }
        self.init(id: facts.id, role: role, expiryTime: expiry)
    }
}

/// Identifies one expiry event of one certificate: `expired`, or `expiringSoon` with its lead.
public struct ExpiryEventKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var certificate: CertificateID
    /// 0 for `expired`.
    public var leadSeconds: UInt32

    public init(certificate: CertificateID, leadSeconds: UInt32) {
        self.certificate = certificate
        self.leadSeconds = leadSeconds
    }

    /// The key of an emitted event (nil for an unknown kind).
    public init?(_ event: ExpiryEvent) {
        let lead: UInt32
        switch event.kind {
        case .expired: lead = 0
        case .expiringSoon: lead = max(1, event.leadSeconds)
        case .unknown: return nil
        }
        self.init(certificate: CertificateID(uncheckedBytes: event.certificateHash.bytes), leadSeconds: lead)
    }

    /// By certificate, then stage (longest lead first, `expired` last).
    public static func < (lhs: ExpiryEventKey, rhs: ExpiryEventKey) -> Bool {
        if lhs.certificate != rhs.certificate { return lhs.certificate < rhs.certificate }
        return lhs.leadSeconds > rhs.leadSeconds
    }

    public var description: String {
        leadSeconds == 0 ? "\(certificate.hex) expired" : "\(certificate.hex) expiringSoon(\(leadSeconds)s)"
    }
}

/// The expiry watcher's schedule: for every watched certificate, the stages `expiringSoon` at expiry − lead (for each
/// lead time, longest first) and `expired` at expiry.
///
/// At a time `now` the due event of a certificate is its **latest** stage whose moment is at or before `now`, if no
/// stage at or after it was emitted yet: a watcher that was down (or learns of a certificate late) emits one event for
/// the stage the certificate is in, not every stage it missed, and a restart that knows the emitted events
/// (``noteEmitted(_:)``, rebuilt from `scms.expiry`) emits nothing twice.
public struct ExpirySchedule: Sendable {
    /// Lead times in seconds, longest first, without zero or duplicates.
    public let leadTimes: [UInt32]
    /// The certificates watched, by ID.
    public private(set) var watched: [CertificateID: WatchedCertificate] = [:]
    /// Per certificate, the smallest lead emitted so far (0: `expired` was emitted).
    public private(set) var emitted: [CertificateID: UInt32] = [:]

    /// A schedule with `leadTimes` (seconds; order and duplicates do not matter, zeros are ignored).
    public init(leadTimes: [UInt32]) {
        self.leadTimes = Array(Set(leadTimes.filter { $0 > 0 })).sorted(by: >)
    }

    /// Replaces the watched certificates (the current trust view). Emitted events are kept.
    public mutating func watch(_ certificates: [WatchedCertificate]) {
        var out: [CertificateID: WatchedCertificate] = [:]
        for certificate in certificates { out[certificate.id] = certificate }
        watched = out
    }

    /// Records an event as emitted (at start, for every event read back from `scms.expiry`).
    public mutating func noteEmitted(_ event: ExpiryEvent) {
        guard let key = ExpiryEventKey(event) else { return }
        noteEmitted(key)
    }

    /// Records an event as emitted.
    public mutating func noteEmitted(_ key: ExpiryEventKey) {
        if let current = emitted[key.certificate], current <= key.leadSeconds { return }
        emitted[key.certificate] = key.leadSeconds
    }

    /// The stages of `certificate`: (lead, moment), in time order (expired last, lead 0).
    func stages(_ certificate: WatchedCertificate) -> [(lead: UInt32, moment: UInt32)] {
        leadTimes.map { lead in (lead, certificate.expiryTime > lead ? certificate.expiryTime - lead : 0) }
            + [(0, certificate.expiryTime)]
    }

    /// The events due at `now`, sorted by effective time, then certificate.
    public func due(at now: UInt32) -> [ExpiryEvent] {
        var out: [ExpiryEvent] = []
        for certificate in watched.values {
            guard let stage = stages(certificate).last(where: { $0.moment <= now }) else { continue }
            if let done = emitted[certificate.id], done <= stage.lead { continue }
            out.append(ExpiryEvent(kind: stage.lead == 0 ? .expired : .expiringSoon,
                                   certificateHash: HashedId32(uncheckedBytes: certificate.id.bytes),
                                   role: certificate.role, expiryTime: Time32(certificate.expiryTime),
                                   effectiveTime: Time32(stage.moment), leadSeconds: stage.lead))
        }
        return out.sorted { a, b in
            if a.effectiveTime.seconds != b.effectiveTime.seconds { return a.effectiveTime.seconds < b.effectiveTime.seconds }
            return a.certificateHash.bytes.lexicographicallyPrecedes(b.certificateHash.bytes)
        }
    }

    /// The earliest moment after `now` at which an event becomes due, if any.
    public func nextMoment(after now: UInt32) -> UInt32? {
        var best: UInt32?
        for certificate in watched.values {
            let done = emitted[certificate.id]
            for stage in stages(certificate) where stage.moment > now {
                if let done, done <= stage.lead { continue }
                best = min(best ?? stage.moment, stage.moment)
                break
            }
        }
        return best
    }
}

/// The certificates of a trust view the expiry watcher schedules: the anchors, every ballot target of the current
/// GCCF (root and elector endorsements) and every endorser certificate those ballots embed. (A `digest` signer is a
/// trusted elector, so an anchor or the target of an elector endorsement: already on the list.)
public enum ExpiryWatchList {
    public static func certificates(gccf: GlobalCertificateChainFile?, anchors: [Certificate],
                                    options: ProfileOptions = ProfileOptions()) -> [WatchedCertificate] {
        var facts: [CertificateID: CertificateFacts] = [:]
        func add(_ certificate: Certificate) {
            let value = CertificateAnalysis.facts(certificate, options: options)
            if facts[value.id] == nil { facts[value.id] = value }
        }
        for anchor in anchors { add(anchor) }
        if let store = gccf?.certStore {
            for ballot in store.rootCAEndorsements + store.electorEndorsements {
                add(ballot.certificate)
                for endorsement in ballot.endorsements {
                    if case .certificate(let certificates)? = endorsement.signedData?.signer { certificates.forEach(add) }
                }
            }
        }
        return facts.values.compactMap(WatchedCertificate.init).sorted { $0.id < $1.id }
    }
}
