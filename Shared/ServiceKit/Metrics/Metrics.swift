/// A monotonically increasing count; mirrors swift-metrics' `Counter`. Rendered as a Prometheus `counter`.
public struct Counter: Sendable {
    /// The metric name.
    public let label: String
    /// The series labels.
    public let dimensions: [(String, String)]
    let storage: CounterStorage

    /// Creates (or finds) the series `label{dimensions}` in `registry`.
    public init(label: String, dimensions: [(String, String)] = [], help: String? = nil,
                registry: MetricsRegistry = MetricsSystem.registry) {
        self.label = label
        self.dimensions = dimensions
        self.storage = registry.counterStorage(label, dimensions: dimensions, help: help)
    }

    /// Adds `amount` (negative amounts are ignored: counters never go down).
    public func increment<DataType: BinaryInteger>(by amount: DataType) {
        guard amount > 0 else { return }
        storage.value.add(Int64(clamping: amount), ordering: .relaxed)
    }

    /// Adds one.
    public func increment() { increment(by: 1) }

    /// The current count.
    public var value: Int64 { storage.value.load(ordering: .relaxed) }
}

/// A counter of fractional amounts (bytes-seconds, …); mirrors swift-metrics' `FloatingPointCounter`.
public struct FloatingPointCounter: Sendable {
    /// The metric name.
    public let label: String
    let storage: CounterStorage

    /// Creates (or finds) the series.
    public init(label: String, dimensions: [(String, String)] = [], help: String? = nil,
                registry: MetricsRegistry = MetricsSystem.registry) {
        self.label = label
        self.storage = registry.counterStorage(label, dimensions: dimensions, help: help)
    }

    /// Adds `amount` (negative or NaN amounts are ignored).
    public func increment<DataType: BinaryFloatingPoint>(by amount: DataType) {
        let delta = Double(amount)
        guard delta > 0, delta.isFinite else { return }
        storage.fractional.withLock { $0 += delta }
    }
}

/// A value that goes up and down; mirrors swift-metrics' `Gauge`. Rendered as a Prometheus `gauge`.
public struct Gauge: Sendable {
    /// The metric name.
    public let label: String
    /// The series labels.
    public let dimensions: [(String, String)]
    let storage: GaugeStorage

    /// Creates (or finds) the series.
    public init(label: String, dimensions: [(String, String)] = [], help: String? = nil,
                registry: MetricsRegistry = MetricsSystem.registry) {
        self.label = label
        self.dimensions = dimensions
        self.storage = registry.gaugeStorage(label, dimensions: dimensions, help: help)
    }

    /// Sets the value.
    public func record<DataType: BinaryInteger>(_ value: DataType) { storage.set(Double(value)) }

    /// Sets the value.
    public func record<DataType: BinaryFloatingPoint>(_ value: DataType) { storage.set(Double(value)) }

    /// Adds `amount`.
    public func increment(by amount: Double = 1) { storage.add(amount) }

    /// Subtracts `amount`.
    public func decrement(by amount: Double = 1) { storage.add(-amount) }

    /// The current value.
    public var value: Double { storage.value }
}

/// A distribution of observations in fixed buckets. Rendered as a Prometheus `histogram`
/// (`_bucket{le="…"}` cumulative counts including `+Inf`, `_sum`, `_count`).
public struct Histogram: Sendable {
    /// The metric name.
    public let label: String
    let storage: HistogramStorage

    /// Creates (or finds) the series. `buckets` are upper bounds; the first registration of a name fixes them.
    public init(label: String, dimensions: [(String, String)] = [], buckets: [Double] = MetricsRegistry.defaultBuckets,
                help: String? = nil, registry: MetricsRegistry = MetricsSystem.registry) {
        self.label = label
        self.storage = registry.histogramStorage(label, dimensions: dimensions, help: help, buckets: buckets)
    }

    /// Records one observation (NaN is ignored).
    public func observe(_ value: Double) { storage.observe(value) }

    /// The number of observations so far.
    public var count: UInt64 { storage.snapshot().count }

    /// The sum of observations so far.
    public var sum: Double { storage.snapshot().sum }
}

/// Records values; mirrors swift-metrics' `Recorder`: with `aggregate: true` (the default) a histogram with the
/// default buckets, otherwise a gauge holding the last value.
public struct Recorder: Sendable {
    enum Backing: Sendable {
        case histogram(Histogram)
        case gauge(Gauge)
    }

    /// The metric name.
    public let label: String
    let backing: Backing

    /// Creates (or finds) the series.
    public init(label: String, dimensions: [(String, String)] = [], aggregate: Bool = true,
                buckets: [Double] = MetricsRegistry.defaultBuckets, help: String? = nil,
                registry: MetricsRegistry = MetricsSystem.registry) {
        self.label = label
        if aggregate {
            backing = .histogram(Histogram(label: label, dimensions: dimensions, buckets: buckets, help: help, registry: registry))
        } else {
            backing = .gauge(Gauge(label: label, dimensions: dimensions, help: help, registry: registry))
        }
    }

    /// Records a value.
    public func record<DataType: BinaryInteger>(_ value: DataType) { record(Double(value)) }

    /// Records a value.
    public func record<DataType: BinaryFloatingPoint>(_ value: DataType) {
        switch backing {
        case .histogram(let h): h.observe(Double(value))
        case .gauge(let g): g.record(value)
        }
    }
}

/// Measures durations; mirrors swift-metrics' `Timer` and renders as a Prometheus histogram **in seconds**
/// (name it `…_seconds`). Qualify as `ServiceKit.Timer` where Foundation's `Timer` is also visible, or use
/// ``MetricsTimer``.
public struct Timer: Sendable {
    /// The metric name.
    public let label: String
    let histogram: Histogram

    /// Creates (or finds) the series.
    public init(label: String, dimensions: [(String, String)] = [], buckets: [Double] = MetricsRegistry.defaultBuckets,
                help: String? = nil, registry: MetricsRegistry = MetricsSystem.registry) {
        self.label = label
        self.histogram = Histogram(label: label, dimensions: dimensions, buckets: buckets, help: help, registry: registry)
    }

    /// Records a duration in nanoseconds.
    public func recordNanoseconds(_ duration: Int64) { histogram.observe(Double(duration) / 1e9) }

    /// Records a duration in microseconds.
    public func recordMicroseconds<DataType: BinaryInteger>(_ duration: DataType) { histogram.observe(Double(duration) / 1e6) }

    /// Records a duration in milliseconds.
    public func recordMilliseconds<DataType: BinaryInteger>(_ duration: DataType) { histogram.observe(Double(duration) / 1e3) }

    /// Records a duration in seconds.
    public func recordSeconds<DataType: BinaryFloatingPoint>(_ duration: DataType) { histogram.observe(Double(duration)) }

    /// Records a `Duration`.
    public func record(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        histogram.observe(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Runs `body` and records how long it took.
    public func measure<T>(_ body: () throws -> T) rethrows -> T {
        let clock = ContinuousClock()
        let start = clock.now
        defer { record(clock.now - start) }
        return try body()
    }

    /// Runs `body` and records how long it took.
    public func measure<T>(_ body: () async throws -> T) async rethrows -> T {
        let clock = ContinuousClock()
        let start = clock.now
        defer { record(clock.now - start) }
        return try await body()
    }
}

/// ``Timer`` under a name that never collides with Foundation's `Timer`.
public typealias MetricsTimer = Timer
