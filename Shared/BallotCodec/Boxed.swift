/// A value kept in one immutable heap object that every copy shares: copying a `Boxed` is one
/// reference count however large `Value` is, and a value containing it stays small. Setting `value`
/// (or any part of it) puts the new value in a new object, so copies never see each other's changes.
///
/// Used for the large values the codec moves around most (certificates, signed data), which are
/// copied into arrays, enum payloads and results far more often than they are changed.
struct Boxed<Value: Hashable & Sendable>: Hashable, Sendable {
    private final class Box: Sendable {
        let value: Value
        /// The canonical encoding `value` was decoded from, when it was (see ``Boxed/encoding``).
        let encoding: ArraySlice<UInt8>?
        init(_ value: Value, encoding: ArraySlice<UInt8>?) {
            self.value = value
            self.encoding = encoding
        }
    }

    private var box: Box

    init(_ value: Value) { box = Box(value, encoding: nil) }

    /// A value decoded from `encoding`, which the decoder has checked is canonical: re-encoding the
    /// value would reproduce exactly these bytes, so an encoder may emit them instead. The slice keeps
    /// the decoder's whole input alive as long as the value lives.
    init(_ value: Value, decodedFrom encoding: ArraySlice<UInt8>) { box = Box(value, encoding: encoding) }

    var value: Value {
        // `_read` lends the boxed value in place, so reading one component does not copy the others.
        _read { yield box.value }
        // A changed value has no known encoding.
        set { box = Box(newValue, encoding: nil) }
    }

    /// The canonical encoding of `value` when it came from a decoder and has not been changed since.
    var encoding: ArraySlice<UInt8>? { box.encoding }

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
