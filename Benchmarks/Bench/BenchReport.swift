import Foundation

/// Collects benchmark figures: a human-readable table on stdout as they come, and one JSON line per
/// figure (`{"metric": …, "value": …, "unit": …, "reference": …, "ratio": …}`) so runs can be compared.
struct BenchReport {
    private(set) var failures: [String] = []
    private var jsonLines: [String] = []

    /// Starts a titled block of the table.
    mutating func section(_ title: String) {
        print("\n== \(title)")
    }

    /// Records one figure. `reference` is the same-run yardstick (nil when the figure stands alone);
    /// `floor` is the issue's minimum ratio (value / reference), checked and reported, never asserted in tests.
    mutating func record(metric: String, value: Double, unit: String, reference: Double? = nil,
                         referenceLabel: String? = nil, floor: Double? = nil, ceiling: Double? = nil) {
        let ratio = reference.flatMap { $0 > 0 ? value / $0 : nil }
        var line = "  \(metric.padding(toLength: 52, withPad: " ", startingAt: 0)) \(format(value)) \(unit)"
        if let reference {
            line += "   ref \(format(reference))\(referenceLabel.map { " (\($0))" } ?? "")"
        }
        if let ratio { line += "   ratio \(String(format: "%.3f", ratio))" }
        if let floor, let ratio {
            line += ratio >= floor ? "   ≥ \(floor) ok" : "   BELOW FLOOR \(floor)"
        }
        if let ceiling {
            let checked = ratio ?? value
            line += checked <= ceiling ? "   ≤ \(ceiling) ok" : "   ABOVE CEILING \(ceiling)"
        }
        print(line)
        var object: [String: Any] = ["metric": metric, "value": value, "unit": unit]
        object["reference"] = reference ?? NSNull()
        object["ratio"] = ratio ?? NSNull()
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
           let text = String(data: data, encoding: .utf8) {
            jsonLines.append(text)
        }
    }

    /// Notes a suite that could not measure.
    mutating func failure(_ message: String) {
        failures.append(message)
        print("  FAILED: \(message)")
    }

    /// Prints the JSON lines after the table.
    func finish() {
        print("\n== JSON")
        for line in jsonLines { print(line) }
    }

    private func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.4g", value)
    }
}
