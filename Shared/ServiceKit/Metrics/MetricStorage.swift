import Synchronization

/// The value cell behind a counter series.
final class CounterStorage: Sendable {
    let value = Atomic<Int64>(0)
    let fractional = Mutex<Double>(0)
}

/// The value cell behind a gauge series (a `Double` kept as its bit pattern).
final class GaugeStorage: Sendable {
    let bits = Atomic<UInt64>(0)

    var value: Double { Double(bitPattern: bits.load(ordering: .relaxed)) }

    func set(_ value: Double) { bits.store(value.bitPattern, ordering: .relaxed) }

    func add(_ delta: Double) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + delta).bitPattern
            let (exchanged, original) = bits.compareExchange(expected: current, desired: next, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }
}

/// The cells behind a histogram series: per-bucket counts (not cumulative), sum and count.
final class HistogramStorage: Sendable {
    struct State {
        var buckets: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }

    let upperBounds: [Double]
    let state: Mutex<State>

    init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        self.state = Mutex(State(buckets: [UInt64](repeating: 0, count: upperBounds.count)))
    }

    func observe(_ value: Double) {
        guard !value.isNaN else { return }
        let index = upperBounds.firstIndex { value <= $0 }
        state.withLock { s in
            if let index { s.buckets[index] += 1 }
            s.sum += value
            s.count += 1
        }
    }

    func snapshot() -> State { state.withLock { $0 } }
}
