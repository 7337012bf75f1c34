import BallotCodec
import Foundation
import Kafka
import RootManagement
import ServiceKit
import Synchronization

/// The watcher's shared state: the schedule, whether the emitted events were read back, the GCCF followed.
final class WatcherState: Sendable {
    private struct State {
        var schedule: ExpirySchedule
        var emittedRead = false
        var gccfCaughtUp = false
        var gccfVersion: Int?
        var gccfOffset: Int64 = -1
        var emitted = 0
    }

    private let state: Mutex<State>
    let anchors: [Certificate]
    let options: ProfileOptions

    init(leadTimes: [UInt32], anchors: [Certificate], options: ProfileOptions) {
        var schedule = ExpirySchedule(leadTimes: leadTimes)
        schedule.watch(ExpiryWatchList.certificates(gccf: nil, anchors: anchors, options: options))
        state = Mutex(State(schedule: schedule))
        self.anchors = anchors
        self.options = options
    }

    var isReady: Bool { state.withLock { $0.emittedRead && $0.gccfCaughtUp } }
    var watchedCount: Int { state.withLock { $0.schedule.watched.count } }
    var gccfVersion: Int? { state.withLock { $0.gccfVersion } }
    var leadTimes: [UInt32] { state.withLock { $0.schedule.leadTimes } }

    func markEmittedRead() { state.withLock { $0.emittedRead = true } }
    func markGCCFCaughtUp() { state.withLock { $0.gccfCaughtUp = true } }

    /// Notes an event read back from `scms.expiry` or just produced.
    func noteEmitted(_ event: ExpiryEvent) { state.withLock { $0.schedule.noteEmitted(event) } }

    /// Replaces the trust view with the certificates of `gccf` (if it is newer than the last one) and the anchors.
    @discardableResult
    func apply(gccf: GlobalCertificateChainFile, offset: Int64) -> Bool {
        guard state.withLock({ offset > $0.gccfOffset }) else { return false }
        let list = ExpiryWatchList.certificates(gccf: gccf, anchors: anchors, options: options)
        state.withLock {
            $0.schedule.watch(list)
            $0.gccfOffset = offset
            $0.gccfVersion = Int(gccf.version)
        }
        return true
    }

    func due(at now: UInt32) -> [ExpiryEvent] { state.withLock { $0.schedule.due(at: now) } }
    func nextMoment(after now: UInt32) -> UInt32? { state.withLock { $0.schedule.nextMoment(after: now) } }
}

/// Emits the due expiry events at their moment (wall clock, Time32 with the configured leap seconds), once each.
struct ExpiryEmitter: Service {
    let state: WatcherState
    let settings: KafkaSettings
    let time: Time32Conversion
    let logger: Logger
    let registry: MetricsRegistry

    func now() -> (time32: UInt32, fraction: Double) {
        let unix = Date().timeIntervalSince1970
        let seconds = Int64(unix.rounded(.down))
        let t = (try? time.time32(fromUnixSeconds: seconds)) ?? 0
        return (t, unix - Double(seconds))
    }

    func run() async throws {
        let producer = try KafkaProducer(configuration: settings.producer())
        let stopping = Mutex(false)
        do {
            try await withGracefulShutdownHandler {
                // Events already on scms.expiry are not emitted again.
                let reader = TopicFollower(topics: [settings.topics.expiry], settings: settings, logger: logger)
                var read = 0
                try await reader.readToEnd { record in
                    guard let value = record.value, let event = try? ExpiryEvent(coer: value) else { return }
                    state.noteEmitted(event)
                    read += 1
                }
                state.markEmittedRead()
                logger.info("emitted events read back from scms.expiry", metadata: ["events": .string("\(read)")])
                while !stopping.withLock({ $0 }) {
                    guard state.isReady else {
                        try await Task.sleep(for: .milliseconds(50))
                        continue
                    }
                    let (current, fraction) = now()
                    for event in state.due(at: current) {
                        try await emit(event, producer: producer)
                    }
                    // Wake at the start of the next moment's second, or soon to pick up a new GCCF.
                    var wait = 0.25
                    if let next = state.nextMoment(after: current) {
                        wait = min(wait, max(0.001, Double(next - current) - fraction))
                    }
                    try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                }
            } onGracefulShutdown: {
                stopping.withLock { $0 = true }
                // A send waiting for an acknowledgement ends when the producer closes: delivered within the
                // close's flush, or purged once it times out (the broker is gone); the loop then stops.
                Task { await producer.close() }
            }
        } catch {
            await producer.close()
            if error is CancellationError { return }
            if let error = error as? KafkaError, stopping.withLock({ $0 }),
               error.code == .purgedFromQueue || error.code == .closed {
                // Not emitted: the next start reads scms.expiry back and emits it then.
                logger.warning("stopped with an expiry event unsent", metadata: ["error": .string("\(error)")])
                return
            }
            throw error
        }
        await producer.close()
    }

    func emit(_ event: ExpiryEvent, producer: KafkaProducer) async throws {
        let hex = HexText.encode(event.certificateHash.bytes)
        var headers: [KafkaHeader] = []
        headers.append(PipelineHeader.kind, event.kind.description)
        _ = try await producer.send(OutgoingMessage(topic: settings.topics.expiry, key: Array(hex.utf8),
                                                    value: event.coerEncoded, headers: headers))
        state.noteEmitted(event)
        Counter(label: "scms_expiry_events_total", dimensions: [("kind", event.kind.description)],
                help: "Expiry events emitted.", registry: registry).increment()
        logger.info("expiry event emitted", metadata: [
            "kind": .string(event.kind.description), "certificate": .string(hex), "role": .string(event.role.description),
            "expiryTime": .string("\(event.expiryTime.seconds)"), "effectiveTime": .string("\(event.effectiveTime.seconds)"),
            "leadSeconds": .string("\(event.leadSeconds)"), "lateSeconds": .string("\(Int64(now().time32) - Int64(event.effectiveTime.seconds))")])
    }
}
