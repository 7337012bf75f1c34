import Synchronization

/// Delivers one graceful-shutdown trigger to the handlers registered for one service.
final class GracefulShutdownManager: Sendable {
    private struct State {
        var triggered = false
        var nextID: UInt64 = 0
        var handlers: [UInt64: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    init() {}

    var isTriggered: Bool { state.withLock { $0.triggered } }

    /// Registers `handler`; returns `nil` (and does not keep it) if shutdown was already triggered.
    func register(_ handler: @escaping @Sendable () -> Void) -> UInt64? {
        state.withLock { s in
            guard !s.triggered else { return nil }
            s.nextID += 1
            s.handlers[s.nextID] = handler
            return s.nextID
        }
    }

    func remove(_ id: UInt64) {
        _ = state.withLock { $0.handlers.removeValue(forKey: id) }
    }

    /// Triggers once; handlers run outside the lock, in registration order.
    func trigger() {
        let handlers = state.withLock { s -> [@Sendable () -> Void] in
            guard !s.triggered else { return [] }
            s.triggered = true
            let ordered = s.handlers.sorted { $0.key < $1.key }.map(\.value)
            s.handlers = [:]
            return ordered
        }
        for handler in handlers { handler() }
    }
}

enum GracefulShutdownContext {
    @TaskLocal static var manager: GracefulShutdownManager?
}

/// Runs `operation`; when the surrounding ``ServiceGroup`` starts a graceful shutdown of this service, calls
/// `handler` (once, possibly immediately if shutdown already began). Mirrors swift-service-lifecycle.
///
/// ```swift
/// try await withGracefulShutdownHandler {
///     try await consumer.runLoop()        // returns after stop(), having committed its offsets
/// } onGracefulShutdown: {
///     consumer.stop()
/// }
/// ```
///
/// Outside a service group the handler is never called.
public func withGracefulShutdownHandler<T>(
    isolation: isolated (any Actor)? = #isolation,
    operation: () async throws -> T,
    onGracefulShutdown handler: @escaping @Sendable () -> Void
) async rethrows -> T {
    guard let manager = GracefulShutdownContext.manager else { return try await operation() }
    guard let id = manager.register(handler) else {
        handler()
        return try await operation()
    }
    defer { manager.remove(id) }
    return try await operation()
}

/// Suspends until graceful shutdown of this service begins. Throws `CancellationError` if the task is cancelled
/// first. Outside a service group it waits for cancellation.
public func gracefulShutdown() async throws {
    let waiter = ShutdownWaiter()
    try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waiter.install(continuation)
            if let manager = GracefulShutdownContext.manager {
                if let id = manager.register({ waiter.resume(nil) }) {
                    waiter.onFinish { manager.remove(id) }
                } else {
                    waiter.resume(nil)
                }
            }
        }
    } onCancel: {
        waiter.resume(CancellationError())
    }
}

/// One continuation resumed exactly once, by shutdown or by cancellation, whichever comes first.
private final class ShutdownWaiter: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Void, any Error>?
        var early: (any Error)??
        var done = false
        var cleanup: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<Void, any Error>) {
        let early = state.withLock { s -> (any Error)?? in
            if let early = s.early {
                s.done = true
                return .some(early)
            }
            s.continuation = continuation
            return nil
        }
        if let early {
            if let error = early { continuation.resume(throwing: error) } else { continuation.resume() }
        }
    }

    func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { s -> Bool in
            if s.done { return true }
            s.cleanup = cleanup
            return false
        }
        if runNow { cleanup() }
    }

    func resume(_ error: (any Error)?) {
        let (continuation, cleanup) = state.withLock { s -> (CheckedContinuation<Void, any Error>?, (@Sendable () -> Void)?) in
            guard !s.done else { return (nil, nil) }
            guard let c = s.continuation else {
                if s.early == nil { s.early = .some(error) }
                return (nil, nil)
            }
            s.done = true
            s.continuation = nil
            let cleanup = s.cleanup
            s.cleanup = nil
            return (c, cleanup)
        }
        cleanup?()
        guard let continuation else { return }
        if let error { continuation.resume(throwing: error) } else { continuation.resume() }
    }
}

/// Runs `operation` and cancels it when graceful shutdown begins (for work that only stops by cancellation).
public func cancelWhenGracefulShutdown<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await gracefulShutdown()
            return nil
        }
        while let result = try await group.next() {
            if let value = result {
                group.cancelAll()
                return value
            }
            group.cancelAll()
        }
        throw CancellationError()
    }
}

/// A stream that yields once when graceful shutdown of this service begins, then finishes (or finishes when the
/// consuming task is cancelled).
public func gracefulShutdownStream() -> AsyncStream<Void> {
    let (stream, continuation) = AsyncStream<Void>.makeStream()
    if let manager = GracefulShutdownContext.manager {
        let id = manager.register {
            continuation.yield()
            continuation.finish()
        }
        if let id {
            continuation.onTermination = { _ in manager.remove(id) }
        } else {
            continuation.yield()
            continuation.finish()
        }
    }
    return stream
}

extension Task where Success == Never, Failure == Never {
    /// Whether graceful shutdown of the current service has begun.
    public static var isShuttingDownGracefully: Bool {
        GracefulShutdownContext.manager?.isTriggered ?? false
    }
}
