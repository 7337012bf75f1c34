import Synchronization

/// Holds every metric of a process and renders them in the Prometheus text exposition format 0.0.4.
///
/// Metric types mirror swift-metrics (``Counter``, ``Gauge``, ``Recorder``, ``Timer``, plus ``Histogram`` with
/// explicit buckets). A metric's *label* becomes the Prometheus metric name (characters outside `[a-zA-Z0-9_:]`
/// become `_`); its *dimensions* become labels. Creating the same label and dimensions twice yields the same
/// series. Registering one name as two different types is a programming error and traps.
///
/// ```swift
/// let registry = MetricsRegistry()
/// let rejected = Counter(label: "scms_ballots_rejected_total", dimensions: [("stage", "intake")],
///                        help: "Ballots rejected.", registry: registry)
/// rejected.increment()
/// registry.render()   // "# HELP scms_ballots_rejected_total Ballots rejected.\n# TYPE ... counter\n..."
/// ```
public final class MetricsRegistry: Sendable {
    /// The Prometheus content type of ``render()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Prometheus' default histogram buckets (seconds).
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    enum Series: Sendable {
        case counter(CounterStorage)
        case gauge(GaugeStorage)
        case histogram(HistogramStorage)
        case callback(@Sendable () -> Double)
    }

    struct Family: Sendable {
        var kind: Kind
        var help: String
        var buckets: [Double]
        var series: [[Label]: Series]
    }

    struct Label: Hashable, Sendable, Comparable {
        var name: String
        var value: String
        static func < (a: Label, b: Label) -> Bool { (a.name, a.value) < (b.name, b.value) }
    }

    private let families = Mutex<[String: Family]>([:])

    /// Creates an empty registry.
    public init() {}

    static func sanitize(_ name: String, allowColon: Bool) -> String {
        // Fast path (every name in this code base): already valid ASCII, returned as is without per-character work.
        var valid = !name.isEmpty
        for (i, byte) in name.utf8.enumerated() {
            let letter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            let digit = byte >= 0x30 && byte <= 0x39
            if !(letter || (allowColon && byte == 0x3A) || (i > 0 && digit)) {
                valid = false
                break
            }
        }
        if valid { return name }
        var out = ""
        for (i, scalar) in name.unicodeScalars.enumerated() {
            let c = Character(scalar)
            let ok = (c.isASCII && (c.isLetter || c == "_" || (allowColon && c == ":"))) || (i > 0 && c.isASCII && c.isNumber)
            out.append(ok ? c : "_")
        }
        return out.isEmpty ? "_" : out
    }

    private func labels(_ dimensions: [(String, String)]) -> [Label] {
        dimensions.map { Label(name: Self.sanitize($0.0, allowColon: false), value: $0.1) }.sorted()
    }

    private func series(name rawName: String, kind: Kind, help: String?, buckets: [Double] = [],
                        dimensions: [(String, String)], make: () -> Series) -> Series {
        let name = Self.sanitize(rawName, allowColon: true)
        let key = labels(dimensions)
        return families.withLock { families in
            var family = families[name] ?? Family(kind: kind, help: help ?? "", buckets: buckets, series: [:])
            precondition(family.kind == kind,
                         "metric '\(name)' registered as \(family.kind.rawValue) and as \(kind.rawValue)")
            if family.help.isEmpty, let help { family.help = help }
            if let existing = family.series[key] { return existing }
            let created: Series
            if kind == .histogram {
                created = .histogram(HistogramStorage(upperBounds: family.buckets))
            } else {
                created = make()
            }
            family.series[key] = created
            families[name] = family
            return created
        }
    }

    func counterStorage(_ name: String, dimensions: [(String, String)], help: String?) -> CounterStorage {
        guard case .counter(let s) = series(name: name, kind: .counter, help: help, dimensions: dimensions,
                                            make: { .counter(CounterStorage()) }) else {
            preconditionFailure("metric '\(name)' is not a counter")
        }
        return s
    }

    func gaugeStorage(_ name: String, dimensions: [(String, String)], help: String?) -> GaugeStorage {
        guard case .gauge(let s) = series(name: name, kind: .gauge, help: help, dimensions: dimensions,
                                          make: { .gauge(GaugeStorage()) }) else {
            preconditionFailure("metric '\(name)' is a callback gauge; record values through the callback")
        }
        return s
    }

    func histogramStorage(_ name: String, dimensions: [(String, String)], help: String?,
                          buckets: [Double]) -> HistogramStorage {
        let bounds = Array(Set(buckets.filter { $0.isFinite })).sorted()
        guard case .histogram(let s) = series(name: name, kind: .histogram, help: help, buckets: bounds,
                                              dimensions: dimensions, make: { preconditionFailure() }) else {
            preconditionFailure("metric '\(name)' is not a histogram")
        }
        return s
    }

    /// A gauge whose value is read from `value` at every ``render()`` (e.g. consumer lag per partition).
    /// Registering the same name and dimensions again replaces the callback.
    public func registerGauge(_ name: String, dimensions: [(String, String)] = [], help: String? = nil,
                              value: @escaping @Sendable () -> Double) {
        let name = Self.sanitize(name, allowColon: true)
        let key = labels(dimensions)
        families.withLock { families in
            var family = families[name] ?? Family(kind: .gauge, help: help ?? "", buckets: [], series: [:])
            precondition(family.kind == .gauge, "metric '\(name)' registered as \(family.kind.rawValue) and as gauge")
            if family.help.isEmpty, let help { family.help = help }
            family.series[key] = .callback(value)
            families[name] = family
        }
    }

    /// Removes one series (e.g. a partition that was revoked) or, with `dimensions: nil`, the whole family.
    public func remove(_ name: String, dimensions: [(String, String)]? = nil) {
        let name = Self.sanitize(name, allowColon: true)
        families.withLock { families in
            guard let dimensions else {
                families[name] = nil
                return
            }
            families[name]?.series[labels(dimensions)] = nil
        }
    }

    /// Every metric in the Prometheus text exposition format 0.0.4: families sorted by name, each with
    /// `# HELP` (when there is help text) and `# TYPE`, series sorted by labels.
    public func render() -> String {
        let snapshot = families.withLock { $0 }
        var out = ""
        for (name, family) in snapshot.sorted(by: { $0.key < $1.key }) {
            if !family.help.isEmpty { out += "# HELP \(name) \(Self.escapeHelp(family.help))\n" }
            out += "# TYPE \(name) \(family.kind.rawValue)\n"
            for (labels, series) in family.series.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                switch series {
                case .counter(let s):
                    let whole = s.value.load(ordering: .relaxed)
                    let fraction = s.fractional.withLock { $0 }
                    let text = fraction == 0 ? String(whole) : Self.format(Double(whole) + fraction)
                    out += "\(name)\(Self.render(labels)) \(text)\n"
                case .gauge(let s):
                    out += "\(name)\(Self.render(labels)) \(Self.format(s.value))\n"
                case .callback(let read):
                    out += "\(name)\(Self.render(labels)) \(Self.format(read()))\n"
                case .histogram(let h):
                    let state = h.snapshot()
                    var cumulative: UInt64 = 0
                    for (bound, count) in zip(h.upperBounds, state.buckets) {
                        cumulative += count
                        out += "\(name)_bucket\(Self.render(labels + [Label(name: "le", value: Self.format(bound))])) \(cumulative)\n"
                    }
                    out += "\(name)_bucket\(Self.render(labels + [Label(name: "le", value: "+Inf")])) \(state.count)\n"
                    out += "\(name)_sum\(Self.render(labels)) \(Self.format(state.sum))\n"
                    out += "\(name)_count\(Self.render(labels)) \(state.count)\n"
                }
            }
        }
        return out
    }

    static func render(_ labels: [Label]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",") + "}"
    }

    /// Label values escape `\`, `"` and newline.
    static func escapeLabelValue(_ value: String) -> String {
        var out = ""
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    /// HELP text escapes `\` and newline.
    static func escapeHelp(_ value: String) -> String {
        value.replacingAll("\\", with: "\\\\").replacingAll("\n", with: "\\n")
    }

    /// Numbers as Prometheus reads them: integers without a fraction, `+Inf`, `-Inf`, `NaN`.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}

extension Array where Element == MetricsRegistry.Label {
    func lexicographicallyPrecedes(_ other: [MetricsRegistry.Label]) -> Bool {
        self.lexicographicallyPrecedes(other, by: <)
    }
}

/// The process-wide default registry used by metric initializers without a `registry:` argument; mirrors
/// swift-metrics' `MetricsSystem`.
public enum MetricsSystem {
    private static let current = Mutex<MetricsRegistry>(MetricsRegistry())

    /// The registry metrics register in by default.
    public static var registry: MetricsRegistry { current.withLock { $0 } }

    /// Replaces the default registry (call once at startup, before creating metrics).
    public static func bootstrap(_ registry: MetricsRegistry) { current.withLock { $0 = registry } }
}
