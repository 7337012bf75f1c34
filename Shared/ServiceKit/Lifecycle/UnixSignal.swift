import Foundation
import Glibc
import Synchronization

/// A Unix signal a ``ServiceGroup`` can react to; mirrors swift-service-lifecycle's `UnixSignal`.
public struct UnixSignal: Hashable, Sendable, CustomStringConvertible {
    /// The signal number.
    public let rawValue: Int32
    let name: String

    /// Termination request (what `kill`, systemd and Kubernetes send).
    public static let sigterm = UnixSignal(rawValue: SIGTERM, name: "SIGTERM")
    /// Interrupt (Ctrl-C).
    public static let sigint = UnixSignal(rawValue: SIGINT, name: "SIGINT")
    /// Hang-up.
    public static let sighup = UnixSignal(rawValue: SIGHUP, name: "SIGHUP")
    /// Quit.
    public static let sigquit = UnixSignal(rawValue: SIGQUIT, name: "SIGQUIT")
    /// User-defined 1.
    public static let sigusr1 = UnixSignal(rawValue: SIGUSR1, name: "SIGUSR1")
    /// User-defined 2.
    public static let sigusr2 = UnixSignal(rawValue: SIGUSR2, name: "SIGUSR2")
    /// Alarm.
    public static let sigalrm = UnixSignal(rawValue: SIGALRM, name: "SIGALRM")

    public var description: String { name }
}

/// The write end of the self-pipe, read by the async-signal-safe handler (an atomic load, no locks, no allocation).
private let signalPipeWriteEnd = Atomic<Int32>(-1)

/// The process's signal handler for trapped signals: writes the signal number to the self-pipe. Only
/// async-signal-safe operations (`write(2)`, an atomic load); `errno` is preserved.
private func selfPipeSignalHandler(_ signo: Int32) {
    let saved = errno
    let fd = signalPipeWriteEnd.load(ordering: .relaxed)
    if fd >= 0 {
        var byte = UInt8(truncatingIfNeeded: signo)
        _ = write(fd, &byte, 1)
    }
    errno = saved
}

/// Process-wide signal dispatch: one `sigaction` handler per trapped signal writes to a pipe; one thread reads
/// the pipe and yields each signal to every subscriber of it. Works whichever thread the kernel picks, for `kill`
/// and for `raise` alike.
final class SignalHub: Sendable {
    static let shared = SignalHub()

    private struct State {
        var started = false
        var installed: Set<Int32> = []
        var nextID: UInt64 = 0
        var subscribers: [UInt64: (signals: Set<Int32>, continuation: AsyncStream<UnixSignal>.Continuation)] = [:]
        var known: [Int32: UnixSignal] = [:]
    }

    private let state = Mutex(State())

    /// Starts delivering `signals` to `continuation`; returns an id for ``unsubscribe(_:)``.
    func subscribe(_ signals: [UnixSignal], _ continuation: AsyncStream<UnixSignal>.Continuation) -> UInt64 {
        let (id, toInstall, start) = state.withLock { s -> (UInt64, [Int32], Bool) in
            s.nextID += 1
            s.subscribers[s.nextID] = (Set(signals.map(\.rawValue)), continuation)
            for sig in signals { s.known[sig.rawValue] = sig }
            let fresh = signals.map(\.rawValue).filter { !s.installed.contains($0) }
            s.installed.formUnion(fresh)
            let start = !s.started
            s.started = true
            return (s.nextID, fresh, start)
        }
        if start { startReader() }
        for signo in Set(toInstall) {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { selfPipeSignalHandler($0) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signo, &action, nil)
        }
        return id
    }

    func unsubscribe(_ id: UInt64) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    private func startReader() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        signalPipeWriteEnd.store(fds[1], ordering: .relaxed)
        let readEnd = fds[0]
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                guard n == 1 else { return }
                deliver(Int32(byte))
            }
        }
        thread.name = "servicekit-signals"
        thread.start()
    }

    private func deliver(_ signo: Int32) {
        let targets = state.withLock { s -> [(AsyncStream<UnixSignal>.Continuation, UnixSignal)] in
            guard let signal = s.known[signo] else { return [] }
            return s.subscribers.values.filter { $0.signals.contains(signo) }.map { ($0.continuation, signal) }
        }
        for (continuation, signal) in targets { continuation.yield(signal) }
    }
}

/// The signals received by the process, as an async sequence; mirrors swift-service-lifecycle's
/// `UnixSignalsSequence`.
///
/// The signals are trapped as soon as the sequence is created, so a signal arriving before iteration starts is
/// buffered, not lost. Once trapped, a signal's default action (e.g. terminating on SIGTERM) never comes back: with
/// no sequence listening it is ignored, as with swift-service-lifecycle.
public struct UnixSignalsSequence: AsyncSequence, Sendable {
    public typealias Element = UnixSignal

    private let stream: AsyncStream<UnixSignal>

    /// Starts trapping `signals`.
    public init(trapping signals: [UnixSignal]) {
        let (stream, continuation) = AsyncStream<UnixSignal>.makeStream()
        let id = SignalHub.shared.subscribe(signals, continuation)
        continuation.onTermination = { _ in SignalHub.shared.unsubscribe(id) }
        self.stream = stream
    }

    /// Starts trapping `signals`.
    public init(trapping signals: UnixSignal...) { self.init(trapping: signals) }

    public func makeAsyncIterator() -> AsyncStream<UnixSignal>.Iterator { stream.makeAsyncIterator() }
}
