/// A long-running part of a process; mirrors swift-service-lifecycle's `Service`.
///
/// `run()` returning or throwing means the service stopped. React to graceful shutdown with
/// ``withGracefulShutdownHandler(isolation:operation:onGracefulShutdown:)``, ``gracefulShutdown()`` or
/// `Task.isShuttingDownGracefully`, and to cancellation as usual.
public protocol Service: Sendable {
    /// Runs until done, shut down, or cancelled.
    func run() async throws
}

/// One service in a group and what its end means for the others.
public struct ServiceConfiguration: Sendable {
    /// What the group does when a service ends before shutdown began.
    public enum TerminationBehavior: Sendable, Equatable {
        /// Cancel every other service.
        case cancelGroup
        /// Shut the other services down gracefully.
        case gracefullyShutdownGroup
        /// Keep the others running.
        case ignore
    }

    /// The service.
    public var service: any Service
    /// A name for logs (defaults to the type name).
    public var name: String
    /// What a normal return does.
    public var successTerminationBehavior: TerminationBehavior
    /// What a thrown error does (the error is rethrown by ``ServiceGroup/run()`` unless `.ignore`).
    public var failureTerminationBehavior: TerminationBehavior

    /// Creates a configuration.
    public init(service: any Service, name: String? = nil,
                successTerminationBehavior: TerminationBehavior = .cancelGroup,
                failureTerminationBehavior: TerminationBehavior = .cancelGroup) {
        self.service = service
        self.name = name ?? String(describing: type(of: service))
        self.successTerminationBehavior = successTerminationBehavior
        self.failureTerminationBehavior = failureTerminationBehavior
    }
}

/// Everything a ``ServiceGroup`` needs.
public struct ServiceGroupConfiguration: Sendable {
    /// The services, in start order (graceful shutdown goes in reverse order).
    public var services: [ServiceConfiguration]
    /// Signals that start a graceful shutdown (a second one cancels).
    public var gracefulShutdownSignals: [UnixSignal]
    /// Signals that cancel every service at once.
    public var cancellationSignals: [UnixSignal]
    /// After this long in graceful shutdown the remaining services are cancelled; `nil` waits forever.
    public var maximumGracefulShutdownDuration: Duration?
    /// The logger for lifecycle events.
    public var logger: Logger

    /// Creates a configuration.
    public init(services: [ServiceConfiguration], gracefulShutdownSignals: [UnixSignal] = [],
                cancellationSignals: [UnixSignal] = [], maximumGracefulShutdownDuration: Duration? = nil,
                logger: Logger) {
        self.services = services
        self.gracefulShutdownSignals = gracefulShutdownSignals
        self.cancellationSignals = cancellationSignals
        self.maximumGracefulShutdownDuration = maximumGracefulShutdownDuration
        self.logger = logger
    }
}

/// Why a ``ServiceGroup`` could not run.
public struct ServiceGroupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable reason codes.
    public enum Code: String, Sendable {
        case alreadyRunning = "lifecycle.already-running"
        case alreadyFinished = "lifecycle.already-finished"
    }

    /// Why.
    public var code: Code

    public var description: String {
        code == .alreadyRunning ? "the service group is already running" : "the service group already finished"
    }
}

/// Runs services together and shuts them down on signals; mirrors swift-service-lifecycle's `ServiceGroup`.
///
/// ```swift
/// let group = ServiceGroup(services: [httpServer, validator], gracefulShutdownSignals: [.sigterm, .sigint],
///                          logger: logger)
/// try await group.run()     // returns after SIGTERM once every service has stopped
/// ```
///
/// On a graceful-shutdown signal (or ``triggerGracefulShutdown()``, or the enclosing group's shutdown) the
/// services are asked to stop one at a time in reverse order: the last one started is shut down first and awaited
/// before the next. `run()` returns normally when everything stopped cleanly and rethrows the first service error
/// otherwise.
public actor ServiceGroup: Service {
    private enum Phase { case initial, running, finished }

    private enum Event: Sendable {
        case finished(Int, (any Error)?)
        case signal(UnixSignal)
        case trigger
        case timedOut
        case auxiliaryEnded
    }

    private let configuration: ServiceGroupConfiguration
    private var phase = Phase.initial
    private var triggerContinuation: AsyncStream<Void>.Continuation?
    private var pendingTrigger = false

    /// Creates a group from a configuration.
    public init(configuration: ServiceGroupConfiguration) {
        self.configuration = configuration
    }

    /// Creates a group of services with default termination behaviour (any end cancels the group).
    public init(services: [any Service], gracefulShutdownSignals: [UnixSignal] = [],
                cancellationSignals: [UnixSignal] = [], maximumGracefulShutdownDuration: Duration? = nil,
                logger: Logger) {
        self.configuration = ServiceGroupConfiguration(
            services: services.map { ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: gracefulShutdownSignals, cancellationSignals: cancellationSignals,
            maximumGracefulShutdownDuration: maximumGracefulShutdownDuration, logger: logger)
    }

    /// Starts a graceful shutdown as if a graceful-shutdown signal had arrived (before `run()`: as soon as it starts).
    public func triggerGracefulShutdown() {
        if let triggerContinuation {
            triggerContinuation.yield()
        } else {
            pendingTrigger = true
        }
    }

    public func run() async throws {
        switch phase {
        case .running: throw ServiceGroupError(code: .alreadyRunning)
        case .finished: throw ServiceGroupError(code: .alreadyFinished)
        case .initial: phase = .running
        }
        defer {
            phase = .finished
            triggerContinuation?.finish()
            triggerContinuation = nil
        }
        let (triggers, continuation) = AsyncStream<Void>.makeStream()
        triggerContinuation = continuation
        if pendingTrigger { continuation.yield() }

        // The enclosing group's graceful shutdown becomes ours.
        try await withGracefulShutdownHandler {
            try await runServices(triggers: triggers)
        } onGracefulShutdown: {
            continuation.yield()
        }
    }

    private func runServices(triggers: AsyncStream<Void>) async throws {
        let logger = configuration.logger
        let services = configuration.services
        let managers = services.map { _ in GracefulShutdownManager() }
        let graceful = Set(configuration.gracefulShutdownSignals)
        let allSignals = configuration.gracefulShutdownSignals + configuration.cancellationSignals
        // Trap the signals before any service starts, so none is lost.
        let signals: UnixSignalsSequence? = allSignals.isEmpty ? nil : UnixSignalsSequence(trapping: allSignals)

        var firstError: (any Error)?
        try await withThrowingTaskGroup(of: Event.self) { group in
            for (index, entry) in services.enumerated() {
                let manager = managers[index]
                let service = entry.service
                group.addTask {
                    do {
                        try await GracefulShutdownContext.$manager.withValue(manager) { try await service.run() }
                        return .finished(index, nil)
                    } catch {
                        return .finished(index, error)
                    }
                }
            }
            func listenForSignal() {
                guard let signals else { return }
                group.addTask {
                    for await signal in signals { return .signal(signal) }
                    return .auxiliaryEnded
                }
            }
            listenForSignal()
            group.addTask {
                for await _ in triggers { return .trigger }
                return .auxiliaryEnded
            }
            logger.info("service group started", metadata: ["services": .array(services.map { .string($0.name) })])

            var finished = Set<Int>()
            var pending = Array(services.indices)  // shut down from the back
            var awaiting: Int?
            var shuttingDown = false
            var cancelled = false

            func shutDownNext() {
                awaiting = nil
                while let index = pending.popLast() {
                    guard !finished.contains(index) else { continue }
                    awaiting = index
                    logger.debug("shutting down service", metadata: ["service": "\(services[index].name)"])
                    managers[index].trigger()
                    return
                }
            }
            func beginGracefulShutdown(reason: String) {
                guard !shuttingDown else { return }
                shuttingDown = true
                logger.info("graceful shutdown", metadata: ["reason": "\(reason)"])
                if let limit = configuration.maximumGracefulShutdownDuration {
                    group.addTask {
                        do { try await Task.sleep(for: limit) } catch { return .auxiliaryEnded }
                        return .timedOut
                    }
                }
                shutDownNext()
            }
            func cancelAll(reason: String) {
                if !cancelled { logger.info("cancelling services", metadata: ["reason": "\(reason)"]) }
                cancelled = true
                group.cancelAll()
            }

            while let event = try await group.next() {
                switch event {
                case .finished(let index, let error):
                    finished.insert(index)
                    let entry = services[index]
                    if let error {
                        logger.error("service failed", metadata: ["service": "\(entry.name)", "error": "\(error)"])
                    } else {
                        logger.debug("service finished", metadata: ["service": "\(entry.name)"])
                    }
                    if finished.count == services.count {
                        if let error, firstError == nil, entry.failureTerminationBehavior != .ignore,
                           !(cancelled && error is CancellationError) { firstError = error }
                        group.cancelAll()
                        continue
                    }
                    if shuttingDown || cancelled {
                        // A service stopping because the group cancelled it is not a failure.
                        if let error, firstError == nil, !(cancelled && error is CancellationError) { firstError = error }
                        if awaiting == index { shutDownNext() }
                        continue
                    }
                    let behavior = error == nil ? entry.successTerminationBehavior : entry.failureTerminationBehavior
                    if let error, behavior != .ignore, firstError == nil { firstError = error }
                    switch behavior {
                    case .cancelGroup: cancelAll(reason: "\(entry.name) ended")
                    case .gracefullyShutdownGroup: beginGracefulShutdown(reason: "\(entry.name) ended")
                    case .ignore: break
                    }
                case .signal(let signal):
                    if graceful.contains(signal) && !shuttingDown {
                        beginGracefulShutdown(reason: "received \(signal)")
                        listenForSignal()
                    } else {
                        cancelAll(reason: "received \(signal)")
                    }
                case .trigger:
                    beginGracefulShutdown(reason: "requested")
                case .timedOut:
                    logger.warning("graceful shutdown timed out")
                    cancelAll(reason: "graceful shutdown timed out")
                case .auxiliaryEnded:
                    break
                }
                if finished.count == services.count { group.cancelAll() }
            }
        }
        if let firstError { throw firstError }
        logger.info("service group stopped")
    }
}
