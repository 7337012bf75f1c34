/// Whether a relying party's copy of the GCCF/GPF is recent enough (`notes/domain.md` §8 item 4): CAMP's GPF
/// `MaxGpfGccfRetrievalInterval` is the longest a party may go without a successful retrieval.
public struct RefreshStatus: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum State: String, Sendable, Hashable, Codable {
        /// The deadline has not passed.
        case fresh
        /// The deadline has passed (or there was never a successful refresh).
        case overdue
    }

    public var state: State
    /// The last successful refresh (Time32 seconds), nil when there was none.
    public var lastRefresh: UInt32?
    /// The retrieval interval applied, in seconds.
    public var interval: UInt64
    /// `lastRefresh + interval` (Time32 seconds, 64 bits so it never wraps); nil when there was no refresh.
    public var deadline: UInt64?
    /// The time the status is for.
    public var time: UInt32

    public init(state: State, lastRefresh: UInt32?, interval: UInt64, deadline: UInt64?, time: UInt32) {
        self.state = state
        self.lastRefresh = lastRefresh
        self.interval = interval
        self.deadline = deadline
        self.time = time
    }

    /// Seconds left until the deadline (0 when overdue).
    public var remaining: UInt64 {
        guard let deadline, UInt64(time) < deadline else { return 0 }
        return deadline - UInt64(time)
    }

    /// Seconds past the deadline (0 when fresh; nil when there was never a refresh).
    public var overdueBy: UInt64? {
        guard let deadline else { return nil }
        return UInt64(time) >= deadline ? UInt64(time) - deadline : 0
    }

    public var description: String {
        switch (state, deadline) {
        case (.fresh, let deadline?): return "fresh until \(deadline) (\(remaining) s left)"
        case (.overdue, let deadline?): return "overdue since \(deadline) (\(overdueBy ?? 0) s)"
        default: return "overdue (never refreshed)"
        }
    }
}

/// The staleness rule, on plain numbers.
public enum RefreshSchedule {
    /// CAMP's default `MaxGpfGccfRetrievalInterval`: one hour.
    public static let defaultMaxRetrievalInterval: UInt64 = 3_600

    /// `fresh` while `time < lastRefresh + interval`, `overdue` from the deadline on, and `overdue` (no deadline)
    /// when there was never a successful refresh. A refresh that failed or was refused (e.g. `rollback`) is not a
    /// successful one; re-fetching an unchanged file is — the caller records the time of every successful
    /// retrieval, which is why it is passed in rather than taken from `RelyingPartyState.updatedAt`.
    public static func status(lastRefresh: UInt32?, interval: UInt64 = defaultMaxRetrievalInterval,
                              at time: UInt32) -> RefreshStatus {
        guard let lastRefresh else {
            return RefreshStatus(state: .overdue, lastRefresh: nil, interval: interval, deadline: nil, time: time)
        }
        let (sum, overflow) = UInt64(lastRefresh).addingReportingOverflow(interval)
        let deadline = overflow ? UInt64.max : sum
        return RefreshStatus(state: UInt64(time) < deadline ? .fresh : .overdue, lastRefresh: lastRefresh,
                             interval: interval, deadline: deadline, time: time)
    }
}
