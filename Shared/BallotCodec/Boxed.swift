/// A value kept in one immutable heap object that every copy shares: copying a `Boxed` is one
/// reference count however large `Value` is, and a value containing it stays small. Setting `value`
/// (or any part of it) puts the new value in a new object, so copies never see each other's changes.
///
/// Used for the large values the codec moves around most (certificates, signed data), which are
/// copied into arrays, enum payloads and results far more often than they are changed.
struct Boxed<Value: Hashable & Sendable>: Hashable, Sendable {
    private final class Box: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    init(_ value: Value) { box = Box(value) }

    var value: Value {
        // `_read` lends the boxed value in place, so reading one component does not copy the others.
        _read { yield box.value }
        set { box = Box(newValue) }
    }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.box === rhs.box || lhs.box.value == rhs.box.value }

    func hash(into hasher: inout Hasher) { hasher.combine(box.value) }
}

extension Optional {
    /// Whether there is a value. Unlike `!= nil` (which the compiler may lower to `Equatable`'s `!=` on a
    /// copy of both operands) this never copies the wrapped value.
    @inline(__always)
    var isPresent: Bool {
        if case .some = self { return true } else { return false }
    }
}
