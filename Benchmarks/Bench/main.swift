import Foundation

// `scms-bench` — every figure `make bench` reports. Each suite measures its subject and a reference
// in the same run and reports the ratio, because these machines are shared and noisy.
//
// Usage: scms-bench [SUITE...]   (default: all suites; `--list` prints the names)

let suites: [(name: String, run: (inout BenchReport) throws -> Void)] = [
    // Suites register here, one line each: ("name", SuiteType.run)
    ("crypto", CryptoSuite.run),
    ("codec", CodecSuite.run),
    ("rules", RulesSuite.run),
    ("kafka", KafkaSuite.run),
    ("assembler", AssemblerSuite.run),
    ("e2e", EndToEndSuite.run),
    ("memory", MemorySuite.run),
    ("soak", SoakSuite.run),
]

var report = BenchReport()
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments == ["--list"] {
    for suite in suites { print(suite.name) }
    exit(0)
}
let selected = arguments.isEmpty ? suites : suites.filter { arguments.contains($0.name) }
for suite in selected {
    report.section(suite.name)
    do { try suite.run(&report) } catch { report.failure("\(suite.name): \(error)") }
}
report.finish()
exit(report.failures.isEmpty ? 0 : 1)
