import Foundation
import Kafka
import ServiceKit

/// `GET /`: one self-contained HTML document (inline CSS and SVG, no script, no external asset) that refreshes itself
/// every poll interval: an overview of every group's health, then per group its lag over time as a line chart and its
/// partition table. Every name from the broker is escaped.
///
/// Elements carry `data-` attributes (`data-group`, `data-status`, `data-total-lag`, `data-partition`) so that tools
/// and tests can read the page without scraping text.
enum StatusPage {
    static func render(_ snapshot: MonitorSnapshot, now: Date) -> String {
        let refresh = max(2, Int(snapshot.pollInterval.components.seconds))
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="\(refresh)">
            <title>Consumer lag · \(escape(snapshot.cluster))</title>
            <style>\(css)</style></head><body>
            <header><h1>Consumer lag <span class="cluster">\(escape(snapshot.cluster))</span></h1>
            \(summary(snapshot, now: now))</header>

            """
        if let error = snapshot.pollError {
            html += "<p class=\"banner\" role=\"alert\">The last poll measured no group: \(escape(error))</p>\n"
        }
        html += overview(snapshot)
        for (index, report) in snapshot.groups.enumerated() {
            html += section(report, index: index, snapshot: snapshot, now: now)
        }
        html += """
            <footer>Health by Burrow's rules over the last \(snapshot.policy.intervals) commits of each partition \
            (allowed lag \(snapshot.policy.allowedLag)). Machine-readable: <a href="/v1/status">/v1/status</a> · \
            <a href="/metrics">/metrics</a> · <a href="/healthz">/healthz</a></footer>
            </body></html>

            """
        return html
    }

    // MARK: Parts

    private static func summary(_ snapshot: MonitorSnapshot, now: Date) -> String {
        var counts: [LagStatus: Int] = [:]
        for report in snapshot.groups { counts[report.health?.status ?? .notFound, default: 0] += 1 }
        var chips = ""
        for status in [LagStatus.err, .warn, .ok, .notFound] where counts[status, default: 0] > 0 {
            chips += "<span class=\"badge \(cssClass(status))\">\(counts[status, default: 0]) \(status.name)</span> "
        }
        var facts: [String] = []
        if let last = snapshot.lastPoll {
            facts.append("polled \(ago(now.timeIntervalSince(last))) ago"
                         + (snapshot.lastPollMilliseconds.map { " in \(Int($0.rounded())) ms" } ?? ""))
        } else {
            facts.append("no poll yet")
        }
        facts.append("every \(span(LagPoller.milliseconds(snapshot.pollInterval) / 1000))")
        facts.append("\(snapshot.groups.count) group\(snapshot.groups.count == 1 ? "" : "s")")
        facts.append("discovery \(escape(snapshot.discovery.text))")
        return "<p class=\"facts\">\(chips)<span>\(facts.joined(separator: " · "))</span></p>"
    }

    private static func overview(_ snapshot: MonitorSnapshot) -> String {
        guard !snapshot.groups.isEmpty else { return "<p class=\"empty\">No group is watched.</p>\n" }
        var rows = ""
        for (index, report) in snapshot.groups.enumerated() {
            let status = report.health?.status ?? .notFound
            let lag = report.lag
            rows += "<tr data-group=\"\(escape(report.watched.group))\" data-status=\"\(status.name)\">"
                + "<td><a href=\"#group-\(index)\">\(escape(report.watched.group))</a></td>"
                + "<td>\(badge(status))</td>"
                + "<td class=\"num total-lag\">\(lag.map { String($0.totalLag) } ?? "-")</td>"
                + "<td class=\"num max-lag\">\(lag?.maxLag.map(String.init) ?? "-")</td>"
                + "<td class=\"num\">\(lag?.maxLagSeconds.map(seconds) ?? "-")</td>"
                + "<td class=\"num\">\(lag?.partitions.count ?? 0)</td>"
                + "<td>\(report.watched.topics.map(escape).joined(separator: ", "))</td></tr>\n"
        }
        return """
            <table class="overview"><thead><tr><th>GROUP</th><th>HEALTH</th><th>TOTAL-LAG</th><th>MAX-LAG</th>\
            <th>MAX-LAG-SECONDS</th><th>PARTITIONS</th><th>TOPICS</th></tr></thead><tbody>
            \(rows)</tbody></table>

            """
    }

    private static func section(_ report: GroupReport, index: Int, snapshot: MonitorSnapshot, now: Date) -> String {
        let status = report.health?.status ?? .notFound
        let name = escape(report.watched.group)
        let lag = report.lag
        var facts = ["total lag <b class=\"total-lag\">\(lag.map { String($0.totalLag) } ?? "-")</b>"]
        if let max = lag?.maxLag {
            facts.append("max lag <b class=\"max-lag\">\(max)</b>"
                         + (lag?.maxLagPartition.map { " on \(escape($0.description))" } ?? ""))
        }
        if let seconds = lag?.maxLagSeconds { facts.append("max lag seconds <b>\(self.seconds(seconds))</b>") }
        if let state = lag?.state { facts.append("state \(escape(state.rawValue))") }
        if let complete = report.health?.complete { facts.append("window \(Int((complete * 100).rounded())) % full") }
        if report.watched.discovered { facts.append("discovered") }
        var html = """
            <section class="group" id="group-\(index)" data-group="\(name)" data-status="\(status.name)" \
            data-total-lag="\(lag.map { String($0.totalLag) } ?? "")">
            <h2>\(badge(status)) \(name)</h2>
            <p class="facts">\(facts.joined(separator: " · "))</p>

            """
        if let error = report.error {
            html += "<p class=\"banner\" role=\"alert\">Latest poll failed: \(escape(error))</p>\n"
        }
        if status == .notFound && (lag?.unknownLagPartitions ?? 0) == (lag?.partitions.count ?? 0) {
            html += "<p class=\"empty\">No committed offsets yet: nothing to chart.</p>\n"
        } else {
            html += chart(report.chart, group: report.watched.group, status: status, now: now)
        }
        html += partitionTable(report)
        return html + "</section>\n"
    }

    private static func partitionTable(_ report: GroupReport) -> String {
        guard let lag = report.lag, !lag.partitions.isEmpty else { return "<p class=\"empty\">No partitions measured yet.</p>\n" }
        var verdicts: [TopicPartition: PartitionHealth] = [:]
        for verdict in report.health?.partitions ?? [] { verdicts[verdict.topicPartition] = verdict }
        var rows = ""
        for row in lag.partitions {
            let status = verdicts[row.topicPartition]?.status ?? .notFound
            let owner = [row.consumerID, row.host, row.clientID].compactMap { $0 }.map(escape).joined(separator: " / ")
            rows += "<tr data-topic=\"\(escape(row.topic))\" data-partition=\"\(row.partition)\" data-status=\"\(status.name)\">"
                + "<td>\(escape(row.topic))</td><td class=\"num partition\">\(row.partition)</td>"
                + "<td class=\"num committed\">\(row.committedOffset.map(String.init) ?? "-")</td>"
                + "<td class=\"num log-end\">\(row.logEndOffset)</td>"
                + "<td class=\"num lag\">\(row.lag.map(String.init) ?? "-")</td>"
                + "<td class=\"num lag-seconds\">\(row.lagSeconds.map(seconds) ?? "-")</td>"
                + "<td class=\"status\">\(badge(status))</td>"
                + "<td class=\"owner\">\(owner.isEmpty ? "-" : owner)</td></tr>\n"
        }
        return """
            <table class="partitions"><thead><tr><th>TOPIC</th><th>PARTITION</th><th>CURRENT-OFFSET</th>\
            <th>LOG-END-OFFSET</th><th>LAG</th><th>LAG-SECONDS</th><th>HEALTH</th><th>OWNER</th></tr></thead><tbody>
            \(rows)</tbody></table>

            """
    }

    /// A line chart of total lag over time: y from 0 to a round maximum with three grid lines, x from the oldest
    /// point to the newest.
    static func chart(_ points: [LagPoint], group: String, status: LagStatus, now: Date) -> String {
        let width = 720.0, height = 180.0, left = 64.0, right = 12.0, top = 12.0, bottom = 26.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let label = "Total lag of \(escape(group)) over time"
        guard let first = points.first, let last = points.last else {
            return "<p class=\"empty\">No lag measured yet.</p>\n"
        }
        let maxY = max(2, niceCeiling(Double(points.map(\.totalLag).max() ?? 0)))
        let spanSeconds = last.time.timeIntervalSince(first.time)
        func x(_ t: Date) -> Double { spanSeconds > 0 ? left + t.timeIntervalSince(first.time) / spanSeconds * plotWidth : left + plotWidth }
        func y(_ v: Int64) -> Double { top + plotHeight - Double(v) / maxY * plotHeight }
        var svg = """
            <svg class="chart \(cssClass(status))" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" \
            aria-label="\(label)" data-points="\(points.count)" data-last="\(last.totalLag)" \
            xmlns="http://www.w3.org/2000/svg"><title>\(label)</title>

            """
        for fraction in [0.0, 0.5, 1.0] {
            let gy = top + plotHeight - fraction * plotHeight
            svg += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(gy))\" x2=\"\(f(width - right))\" y2=\"\(f(gy))\"/>"
            svg += "<text class=\"axis\" x=\"\(f(left - 6))\" y=\"\(f(gy + 4))\" text-anchor=\"end\">\(axisNumber(maxY * fraction))</text>\n"
        }
        let coordinates = points.map { "\(f(x($0.time))),\(f(y($0.totalLag)))" }
        if points.count > 1 {
            let baseline = f(top + plotHeight)
            svg += "<polygon class=\"area\" points=\"\(f(x(first.time))),\(baseline) \(coordinates.joined(separator: " ")) "
                + "\(f(x(last.time))),\(baseline)\"/>\n"
            svg += "<polyline class=\"line\" points=\"\(coordinates.joined(separator: " "))\"/>\n"
        }
        svg += "<circle class=\"dot\" cx=\"\(f(x(last.time)))\" cy=\"\(f(y(last.totalLag)))\" r=\"3.5\">"
            + "<title>\(last.totalLag) at the latest poll</title></circle>\n"
        let axisY = f(height - 8)
        svg += "<text class=\"axis\" x=\"\(f(left))\" y=\"\(axisY)\">\(spanSeconds > 0 ? "−" + span(now.timeIntervalSince(first.time)) : "now")</text>"
        svg += "<text class=\"axis\" x=\"\(f(width - right))\" y=\"\(axisY)\" text-anchor=\"end\">"
            + "\(now.timeIntervalSince(last.time) < 1 ? "now" : "−" + span(now.timeIntervalSince(last.time)))</text>\n"
        return svg + "</svg>\n"
    }

    // MARK: Helpers

    /// `&`, `<`, `>`, `"` and `'` as character references.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// The smallest 1, 2 or 5 × 10ⁿ at or above `value` (at least 1).
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 1 else { return 1 }
        var magnitude = 1.0
        while magnitude * 10 <= value { magnitude *= 10 }
        for step in [1.0, 2.0, 5.0, 10.0] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }

    private static func badge(_ status: LagStatus) -> String {
        "<span class=\"badge \(cssClass(status))\">\(status.name)</span>"
    }

    private static func cssClass(_ status: LagStatus) -> String {
        switch status {
        case .notFound: return "s-notfound"
        case .ok: return "s-ok"
        case .warn: return "s-warn"
        case .err, .stop, .stall, .rewind: return "s-err"
        }
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func seconds(_ value: Double) -> String { String(format: "%.1f", value) }

    /// An axis value: whole numbers as such, others with one decimal.
    private static func axisNumber(_ value: Double) -> String {
        value == value.rounded() ? String(Int64(value)) : String(format: "%.1f", value)
    }

    private static func span(_ seconds: Double) -> String {
        if seconds < 10 && seconds != seconds.rounded() { return String(format: "%.1f s", max(0, seconds)) }
        let s = Int(max(0, seconds).rounded())
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        return "\(s / 3600) h \(s % 3600 / 60) min"
    }

    private static func ago(_ seconds: Double) -> String { span(seconds) }

    private static let css = """
        :root{--ok:#1a7f37;--warn:#9a6700;--err:#cf222e;--nf:#6e7781;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0}
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);margin:0 auto;max-width:1100px;padding:16px 24px}
        h1{font-size:22px;margin:8px 0}h1 .cluster{color:var(--muted);font-weight:400}
        h2{font-size:17px;margin:0 0 4px}
        .facts{color:var(--muted);margin:4px 0 10px}.facts b{color:var(--fg)}
        .badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;color:#fff;vertical-align:1px}
        .badge.s-ok{background:var(--ok)}.badge.s-warn{background:var(--warn)}.badge.s-err{background:var(--err)}
        .badge.s-notfound{background:var(--nf)}
        table{border-collapse:collapse;width:100%;margin:6px 0 10px}
        th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;white-space:nowrap}
        th{font-size:12px;color:var(--muted);font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
        td.owner{white-space:normal;color:var(--muted)}
        section.group{border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:16px 0}
        section.group[data-status=ERR]{border-left:5px solid var(--err)}section.group[data-status=WARN]{border-left:5px solid var(--warn)}
        section.group[data-status=OK]{border-left:5px solid var(--ok)}
        svg.chart{width:100%;height:auto;max-height:200px;display:block}
        svg .grid{stroke:var(--line);stroke-width:1}svg .axis{fill:var(--muted);font-size:11px}
        svg .line{fill:none;stroke-width:2}svg .area{opacity:.12}
        svg.s-ok .line,svg.s-ok .dot{stroke:var(--ok);fill:var(--ok)}svg.s-ok .line{fill:none}svg.s-ok .area{fill:var(--ok)}
        svg.s-warn .line,svg.s-warn .dot{stroke:var(--warn);fill:var(--warn)}svg.s-warn .line{fill:none}svg.s-warn .area{fill:var(--warn)}
        svg.s-err .line,svg.s-err .dot{stroke:var(--err);fill:var(--err)}svg.s-err .line{fill:none}svg.s-err .area{fill:var(--err)}
        svg.s-notfound .line,svg.s-notfound .dot{stroke:var(--nf);fill:var(--nf)}svg.s-notfound .line{fill:none}
        .banner{background:#ffebe9;border:1px solid var(--err);border-radius:6px;padding:6px 10px}
        .empty{color:var(--muted)}footer{color:var(--muted);font-size:12px;margin:24px 0}
        """
}
