import Foundation
import ServiceKit
import Synchronization
import Testing

final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var output: LogOutput { LogOutput { line in self.lines.withLock { $0.append(line) } } }
}

@Suite struct LoggingTests {
    static let fixedTime = Date(timeIntervalSince1970: 1_672_915_195.25)

    func logger(_ capture: CapturedLines, level: Logger.Level = .info, label: String = "quorum-validator",
                redactor: LogRedactor = .default) -> Logger {
        Logger(label: label) { label in
            JSONLogHandler(label: label, service: "quorum-validator", level: level, output: capture.output,
                           redactor: redactor, now: { LoggingTests.fixedTime })
        }
    }

    @Test func lineShapeIsExact() throws {
        let capture = CapturedLines()
        var log = logger(capture)
        log[metadataKey: "instance"] = "v-1"
        log.info("ballot accepted", metadata: ["digest": "ab12", "endorsements": .stringConvertible(3),
                                               "msg": "collides", "nested": ["b": "2", "a": ["x", "y"]]])
        #expect(capture.all == [
            #"{"ts":"2023-01-05T10:39:55.250Z","level":"info","service":"quorum-validator","msg":"ballot accepted","digest":"ab12","endorsements":"3","instance":"v-1","meta.msg":"collides","nested":{"a":["x","y"],"b":"2"}}"# + "\n",
        ])
        // It parses as JSON with the fixed members.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(capture.all[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["service"] as? String == "quorum-validator")
    }

    @Test func escapingAndLabel() throws {
        let capture = CapturedLines()
        let log = logger(capture, label: "http")
        log.warning("quote \" backslash \\ newline \n tab \t bell \u{07} é")
        let line = try #require(capture.all.first)
        #expect(line.contains(#""msg":"quote \" backslash \\ newline \n tab \t bell \u0007 é""#))
        #expect(line.contains(#""logger":"http""#))
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
    }

    @Test func levelsFilter() {
        let capture = CapturedLines()
        var log = logger(capture, level: .warning)
        log.debug("no")
        log.info("no")
        log.warning("yes")
        log.critical("yes")
        log.logLevel = .trace
        log.trace("yes")
        #expect(capture.all.count == 3)
        #expect(capture.all.last?.contains(#""level":"trace""#) == true)
        #expect(Logger.Level.allCases.map(\.rawValue) == ["trace", "debug", "info", "notice", "warning", "error", "critical"])
        #expect(Logger.Level.trace < .critical)
    }

    @Test func autoclosuresAreNotEvaluatedBelowTheLevel() {
        let capture = CapturedLines()
        let log = logger(capture, level: .error)
        let evaluated = Atomic<Int>(0)
        func expensive() -> String {
            evaluated.add(1, ordering: .relaxed)
            return "x"
        }
        log.info("\(expensive())", metadata: ["k": "\(expensive())"])
        #expect(evaluated.load(ordering: .relaxed) == 0)
    }

    @Test func secretsAreRedactedAtAnyDepth() throws {
        let capture = CapturedLines()
        var log = logger(capture)
        log[metadataKey: "privateKey"] = "deadbeef"
        log.error("signing failed", metadata: [
            "key": "00112233", "signing_private_key": "s1", "kafka.sasl.password": "p1", "token": "t1",
            "recordKey": "visible", "keyId": "visible-too",
            "config": ["ssl.key.password": "p2", "inner": ["secret": "s2"]],
        ])
        let line = try #require(capture.all.first)
        for secret in ["deadbeef", "00112233", "s1", "p1", "t1", "p2", "s2"] {
            #expect(!line.contains("\"\(secret)\""), "leaked \(secret)")
        }
        #expect(line.contains(#""key":"[REDACTED]""#))
        #expect(line.contains(#""privateKey":"[REDACTED]""#))
        #expect(line.contains(#""recordKey":"visible""#))
        #expect(line.contains(#""keyId":"visible-too""#))
        #expect(line.contains(#""config":{"inner":{"secret":"[REDACTED]"},"ssl.key.password":"[REDACTED]"}"#))
    }

    @Test func customRedactionHook() throws {
        let capture = CapturedLines()
        let redactor = LogRedactor(exactKeys: [], suffixes: []) { key, _ in key == "pan" ? "****" : nil }
        let log = logger(capture, redactor: redactor)
        log.info("x", metadata: ["pan": "4111", "key": "shown"])
        let line = try #require(capture.all.first)
        #expect(line.contains(#""pan":"****""#))
        #expect(line.contains(#""key":"shown""#))
    }

    @Test func writesWholeLinesToAFileDescriptorFromManyThreads() async throws {
        // A regular file (a pipe would fill up before anyone reads it).
        let path = NSTemporaryDirectory() + "servicekit-log-\(UInt64.random(in: 0...UInt64.max)).jsonl"
        let writer = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
        #expect(writer >= 0)
        defer { unlink(path) }
        let log = Logger(label: "t") { JSONLogHandler(label: $0, output: .fileDescriptor(writer)) }
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    for j in 0..<25 { log.info("line", metadata: ["i": "\(i)", "j": "\(j)", "pad": "\(String(repeating: "x", count: 300))"]) }
                }
            }
        }
        close(writer)
        let bytes = try FileIO.read(path)
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 200)
        for line in lines {
            #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        }
    }
}
