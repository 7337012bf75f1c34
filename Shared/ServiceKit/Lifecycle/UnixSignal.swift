import Dispatch
import Glibc

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

/// Owns the Dispatch signal sources of one ``UnixSignalsSequence``.
///
/// `@unchecked Sendable`: the array is immutable after `init`, and Dispatch sources are thread-safe objects whose
/// only use here is `cancel()`.
private final class SignalSources: @unchecked Sendable {
    let sources: [any DispatchSourceSignal]

    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }

    func cancel() { for source in sources { source.cancel() } }
}

/// The signals received by the process, as an async sequence; mirrors swift-service-lifecycle's
/// `UnixSignalsSequence`.
///
/// The signals are trapped as soon as the sequence is created (their default action is replaced by `SIG_IGN` and
/// a Dispatch signal source), so a signal arriving before iteration starts is buffered, not lost. Trapping stops
/// when iteration ends; the signals then stay ignored, as with swift-service-lifecycle.
public struct UnixSignalsSequence: AsyncSequence, Sendable {
    public typealias Element = UnixSignal

    private let stream: AsyncStream<UnixSignal>

    /// Starts trapping `signals`.
    public init(trapping signals: [UnixSignal]) {
        let (stream, continuation) = AsyncStream<UnixSignal>.makeStream()
        let queue = DispatchQueue(label: "servicekit.signals")
        var sources: [any DispatchSourceSignal] = []
        for sig in Set(signals) {
            signal(sig.rawValue, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig.rawValue, queue: queue)
            source.setEventHandler { continuation.yield(sig) }
            source.resume()
            sources.append(source)
        }
        let owned = SignalSources(sources)
        continuation.onTermination = { _ in owned.cancel() }
        self.stream = stream
    }

    /// Starts trapping `signals`.
    public init(trapping signals: UnixSignal...) { self.init(trapping: signals) }

    public func makeAsyncIterator() -> AsyncStream<UnixSignal>.Iterator { stream.makeAsyncIterator() }
}
