import Foundation
import Kafka
import ServiceKit
import Synchronization

/// One point of a group's lag-over-time chart.
struct LagPoint: Sendable, Hashable {
    var time: Date
    var totalLag: Int64
}

/// What the monitor knows about one group after the latest poll.
struct GroupReport: Sendable {
    var watched: WatchedGroup
    /// The latest measurement (kept from an earlier poll when the latest one failed).
    var lag: GroupLag?
    /// The verdict over the window at the latest successful poll.
    var health: GroupHealth?
    /// Total lag over time, oldest first.
    var chart: [LagPoint]
    /// Why the latest poll of this group failed, if it did.
    var error: String?
}

/// Whether and how groups are discovered.
enum DiscoveryState: Sendable, Equatable {
    /// `discover = false`.
    case disabled
    /// Not tried yet.
    case pending
    /// The broker has no `ListConsumerGroups` (the dev broker): only configured groups are watched.
    case unsupported
    /// The last listing worked and added this many groups.
    case found(Int)
    /// The last listing failed.
    case failed(String)

    var text: String {
        switch self {
        case .disabled: return "disabled"
        case .pending: return "pending"
        case .unsupported: return "unsupported by the broker"
        case .found(let n): return "\(n) more group\(n == 1 ? "" : "s") discovered"
        case .failed(let reason): return "failed: \(reason)"
        }
    }
}

/// Everything the HTTP routes show, replaced whole after each poll.
struct MonitorSnapshot: Sendable {
    var cluster: String
    var policy: LagEvaluationPolicy
    var pollInterval: Duration
    var groups: [GroupReport] = []
    /// When the latest poll finished.
    var lastPoll: Date?
    /// How long it took, in milliseconds.
    var lastPollMilliseconds: Double?
    var polls: Int = 0
    var discovery: DiscoveryState
    /// Set when the latest poll measured no group at all (broker unreachable, …).
    var pollError: String?
}

/// The latest ``MonitorSnapshot``, shared between the poller and the HTTP handlers.
final class LagStore: Sendable {
    private let state: Mutex<MonitorSnapshot>

    init(_ initial: MonitorSnapshot) { state = Mutex(initial) }

    var snapshot: MonitorSnapshot { state.withLock { $0 } }

    func replace(_ snapshot: MonitorSnapshot) { state.withLock { $0 = snapshot } }

    /// The `/healthz` check: healthy once a poll measured something, and as long as polls keep succeeding.
    func healthCheck(now: Date = Date()) -> HealthStatus {
        let s = snapshot
        guard let last = s.lastPoll else { return .unhealthy(reason: "no poll finished yet") }
        if let error = s.pollError { return .unhealthy(reason: error) }
        let stale = max(30, 3 * Double(s.pollInterval.components.seconds) + 3)
        if now.timeIntervalSince(last) > stale {
            return .unhealthy(reason: "last poll \(Int(now.timeIntervalSince(last))) s ago")
        }
        return .healthy(detail: "\(s.groups.count) groups, last poll \(Int((s.lastPollMilliseconds ?? 0).rounded())) ms")
    }
}

/// How the poller runs.
struct PollerSettings: Sendable {
    var configured: [WatchedGroup]
    var discover: Bool
    var pollInterval: Duration
    var policy: LagEvaluationPolicy
    /// End-offset points kept per partition for lag in seconds.
    var historyPoints: Int
    /// Total-lag points kept per group for the chart.
    var chartPoints: Int
    var cluster: String
}

/// The service: every `poll-interval`, measures every watched group (``ConsumerLag``), adds the commits to each
/// group's sliding window (``GroupLagTracker``), evaluates Burrow's rules, and publishes the result to the store and
/// the metrics.
struct LagPoller: Service {
    let admin: KafkaAdmin
    let settings: PollerSettings
    let store: LagStore
    let exporter: LagMetrics
    let logger: Logger

    func run() async throws {
        var state = PollerState()
        var snapshot = store.snapshot
        while !Task.isShuttingDownGracefully {
            let started = ContinuousClock.now
            await poll(&state, into: &snapshot)
            snapshot.lastPollMilliseconds = Self.milliseconds(ContinuousClock.now - started)
            store.replace(snapshot)
            exporter.update(snapshot)
            let interval = settings.pollInterval
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(until: started + interval) }
            } catch {
                break
            }
        }
        logger.info("polling stopped", metadata: ["polls": .string("\(snapshot.polls)")])
    }

    /// The poller's memory between polls.
    struct PollerState {
        var trackers: [String: GroupLagTracker] = [:]
        var charts: [String: [LagPoint]] = [:]
        var lastMeasurement: [String: (GroupLag, GroupHealth)] = [:]
        /// Topics of discovered groups, learnt from member assignments (kept while a group has no members).
        var discoveredTopics: [String: [String]] = [:]
        var discovery: DiscoveryState?
        /// The last error logged per group (each distinct error is logged once).
        var loggedErrors: [String: String] = [:]
    }

    private func poll(_ state: inout PollerState, into snapshot: inout MonitorSnapshot) async {
        var watched = settings.configured
        watched += await discover(&state)
        var reports: [GroupReport] = []
        var failures: [String] = []
        for group in watched {
            var tracker = state.trackers[group.group]
                ?? GroupLagTracker(policy: settings.policy, historyCapacity: settings.historyPoints)
            let now = Date()
            do {
                let lag = try await ConsumerLag.measure(admin: admin, group: group.group, topics: group.topics,
                                                        history: &tracker.history, now: now)
                tracker.record(lag)
                let health = tracker.health(lag, now: now)
                state.trackers[group.group] = tracker
                var chart = state.charts[group.group] ?? []
                chart.append(LagPoint(time: now, totalLag: lag.totalLag))
                if chart.count > settings.chartPoints { chart.removeFirst(chart.count - settings.chartPoints) }
                state.charts[group.group] = chart
                state.lastMeasurement[group.group] = (lag, health)
                if state.loggedErrors.removeValue(forKey: group.group) != nil {
                    logger.info("group measured again", metadata: ["group": .string(group.group)])
                }
                reports.append(GroupReport(watched: group, lag: lag, health: health, chart: chart, error: nil))
            } catch {
                let text = Self.describe(error)
                failures.append("\(group.group): \(text)")
                exporter.pollFailed()
                if state.loggedErrors[group.group] != text {
                    state.loggedErrors[group.group] = text
                    logger.warning("cannot measure group", metadata: ["group": .string(group.group),
                                                                      "topics": .array(group.topics.map { .string($0) }),
                                                                      "error": .string(text)])
                }
                let last = state.lastMeasurement[group.group]
                reports.append(GroupReport(watched: group, lag: last?.0, health: last?.1,
                                           chart: state.charts[group.group] ?? [], error: text))
            }
        }
        snapshot.groups = reports
        snapshot.lastPoll = Date()
        snapshot.polls += 1
        snapshot.discovery = state.discovery ?? (settings.discover ? .pending : .disabled)
        snapshot.pollError = !watched.isEmpty && failures.count == watched.count ? failures.joined(separator: "; ") : nil
        exporter.polled()
    }

    /// Groups the broker lists besides the configured ones, with the topics their members are assigned.
    private func discover(_ state: inout PollerState) async -> [WatchedGroup] {
        guard settings.discover else {
            state.discovery = .disabled
            return []
        }
        if state.discovery == .unsupported { return [] }
        let listings: [GroupListing]
        do {
            listings = try await admin.listGroups()
        } catch let error as KafkaError where error.code == .unsupportedByBroker {
            state.discovery = .unsupported
            logger.notice("group discovery is unsupported by this broker; watching the configured groups only",
                          metadata: ["groups": .array(settings.configured.map { .string($0.group) })])
            return []
        } catch {
            let text = Self.describe(error)
            if state.discovery != .failed(text) {
                logger.warning("group discovery failed", metadata: ["error": .string(text)])
            }
            state.discovery = .failed(text)
            return []
        }
        let configured = Set(settings.configured.map(\.group))
        var out: [WatchedGroup] = []
        for listing in listings where !configured.contains(listing.groupID) {
            if let description = try? await admin.describeGroup(listing.groupID) {
                let topics = Set(description.members.flatMap(\.assignment).map(\.topic)).sorted()
                if !topics.isEmpty { state.discoveredTopics[listing.groupID] = topics }
            }
            if let topics = state.discoveredTopics[listing.groupID] {
                out.append(WatchedGroup(group: listing.groupID, topics: topics, discovered: true))
            }
        }
        if state.discovery != .found(out.count) {
            logger.info("groups discovered", metadata: ["groups": .array(out.map { .string($0.group) })])
        }
        state.discovery = .found(out.count)
        return out
    }

    static func describe(_ error: any Error) -> String {
        if let kafka = error as? KafkaError { return "\(kafka.name): \(kafka.message)" }
        return "\(error)"
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
