import ServiceKit

/// What `electorctl dev up` runs: the dev broker, the four pipeline services and the lag monitor, with each service's
/// configuration file.
///
/// This is the one place that knows the services' configuration keys (`--help` of each service lists them). Every
/// service gets a file `DIR/config/NAME.conf`; `dev restart NAME` starts it again from the same file, so an operator
/// can edit a setting and restart one service.
struct DevStackPlan: Sendable {
    /// One service instance.
    struct Service: Sendable {
        /// Instance name: `endorsement-intake`, `quorum-validator-1`, `gccf-assembler-2`, …
        var name: String
        /// Program name.
        var program: String
        /// `key = value` settings (without the shared ones).
        var settings: [(String, String)]
        /// Whether it consumes in a consumer group (and so takes `group-session-timeout`).
        var joinsGroup = true
    }

    /// The lag monitor's instance (and program) name.
    static let lagMonitor = "lag-monitor"

    var layout: DevStackLayout
    var bootstrapServers: String
    var quorum: Int
    var quorumFloor: Int
    var validators: Int
    var assemblers: Int
    var maxElectors: Int
    var leadTimes: String
    var topicPrefix: String
    var sessionTimeout: String
    var logLevel: String

    /// The services in start order: intake, validators, assemblers (the first is active, the others stand by),
    /// expiry watcher, lag monitor (watching the pipeline's groups every 2 s).
    var services: [Service] {
        let anchors = layout.anchorsDirectory
        var out: [Service] = [Service(name: "endorsement-intake", program: "endorsement-intake", settings: [])]
        for index in 1...max(1, validators) {
            out.append(Service(name: "quorum-validator-\(index)", program: "quorum-validator", settings: [
                ("anchors", anchors), ("pg-cert", layout.pgCertificate),
                ("quorum", String(quorum)), ("quorum-floor", String(quorumFloor)),
            ]))
        }
        for index in 1...max(1, assemblers) {
            out.append(Service(name: "gccf-assembler-\(index)", program: "gccf-assembler", settings: [
                ("anchors", anchors), ("pg-cert", layout.pgCertificate), ("ma-cert", layout.maCertificate),
                ("quorum", String(quorum)), ("quorum-floor", String(quorumFloor)),
                ("max-electors", String(maxElectors)), ("out-dir", layout.gccfDirectory),
            ]))
        }
        out.append(Service(name: "expiry-watcher", program: "expiry-watcher", settings: [
            ("anchors", anchors), ("lead-times", leadTimes),
        ]))
        out.append(Service(name: Self.lagMonitor, program: Self.lagMonitor,
                           settings: [("poll-interval", "2s"), ("cluster-name", "dev")], joinsGroup: false))
        return out
    }

    /// The settings every service shares: brokers, HTTP on an ephemeral loopback port written to a port file, the
    /// log level, the topic prefix and (for group members) the group session timeout.
    func sharedSettings(_ service: Service) -> [(String, String)] {
        var settings = [("bootstrap-servers", bootstrapServers), ("http-host", "127.0.0.1"), ("http-port", "0"),
                        ("port-file", layout.portFile(service.name)), ("log-level", logLevel), ("topic-prefix", topicPrefix)]
        if service.joinsGroup { settings.append(("group-session-timeout", sessionTimeout)) }
        return settings
    }

    /// The text of `DIR/config/NAME.conf`.
    func configText(_ service: Service) -> String {
        var lines = ["# \(service.name) — written by electorctl dev up; `electorctl dev restart --dir \(layout.directory) "
                     + "\(service.name)` applies edits."]
        for (key, value) in sharedSettings(service) + service.settings {
            lines.append("\(key) = \(Self.quote(value))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A config-file value, quoted when it holds spaces, quotes or `#`.
    static func quote(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { " \t#\"\\".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
