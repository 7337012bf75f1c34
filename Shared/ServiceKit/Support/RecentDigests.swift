import Synchronization

/// A set of digests that remembers at most ``capacity`` of them: once full, each new digest makes it forget the
/// oldest one it learned (first in, first out).
///
/// The duplicate-detection state of a stage that sees an unbounded stream of ballots (intake's forwarded digests, the
/// validator's validated digests). A duplicate older than the last ``capacity`` distinct digests is no longer
/// recognised and goes on to the next stage, which drops it by its own state (the assembler by ballot identity), so
/// the bound costs repeated work, never a wrong result. Memory is about 150 bytes per remembered hex digest.
public final class RecentDigests: Sendable {
    private struct State {
        var members: Set<String> = []
        /// Insertion order: a ring once `capacity` digests are held, `next` being the oldest.
        var order: [String] = []
        var next = 0
        var forgotten = 0
    }

    /// The most digests remembered.
    public let capacity: Int
    private let state = Mutex(State())

    /// An empty set remembering at most `capacity` digests (at least 1).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Digests remembered now (at most ``capacity``).
    public var count: Int { state.withLock { $0.members.count } }

    /// Digests forgotten so far to stay within ``capacity``.
    public var forgotten: Int { state.withLock { $0.forgotten } }

    /// Whether `digest` is remembered.
    public func contains(_ digest: String) -> Bool { state.withLock { $0.members.contains(digest) } }

    /// Remembers `digest`; false when it was remembered already. When full, the oldest digest is forgotten first.
    @discardableResult
    public func insert(_ digest: String) -> Bool {
        state.withLock { state in
            guard !state.members.contains(digest) else { return false }
            if state.order.count < capacity {
                state.order.append(digest)
            } else {
                state.members.remove(state.order[state.next])
                state.order[state.next] = digest
                state.next = (state.next + 1) % capacity
                state.forgotten += 1
            }
            state.members.insert(digest)
            return true
        }
    }
}
