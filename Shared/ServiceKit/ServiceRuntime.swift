/// What every scms-electors service process shares, built from its configuration: JSON logging at the configured
/// level, the metrics registry, health checks, and the `/metrics` + `/healthz` HTTP server.
///
/// ```swift
/// struct QuorumValidatorCommand: ParsableCommand {
///     static let schema = ConfigurationSchema.service([ConfigurationKey("group-id", help: "…", default: "validator")])
///     static let configuration = CommandConfiguration(commandName: "quorum-validator", abstract: "…")
///     static var arguments: [ArgumentSpec] { schema.argumentSpecs }
///     let config: ConfigurationSource
///     init(arguments: ParsedArguments) throws { config = try ConfigurationSource(schema: Self.schema, arguments: arguments) }
///
///     func run() async throws {
///         let runtime = try ServiceRuntime(name: "quorum-validator", configuration: config)
///         let validator = Validator(config: config, logger: runtime.logger, health: runtime.health)
///         try await runtime.run([validator])   // SIGTERM/SIGINT → graceful shutdown → exit 0
///     }
/// }
/// ```
public struct ServiceRuntime: Sendable {
    /// The service name (the `service` member of every log line).
    public let name: String
    /// The resolved configuration.
    public let configuration: ConfigurationSource
    /// The service's root logger.
    public let logger: Logger
    /// The registry behind `/metrics` (also installed as ``MetricsSystem/registry``).
    public let metrics: MetricsRegistry
    /// The checks behind `/healthz`.
    public let health: HealthMonitor
    /// The routes of the HTTP server (add more, e.g. `/v1/status`).
    public let router: HTTPRouter
    /// The HTTP server (started by ``run(_:maximumGracefulShutdownDuration:)``).
    public let httpServer: HTTPServer
    /// Unix ↔ Time32 with the configured `leap-seconds`.
    public let time: Time32Conversion

    /// Validates `configuration`, then bootstraps the process-wide ``LoggingSystem`` and ``MetricsSystem`` from it (keys of ``ConfigurationSchema/service(_:passthroughPrefixes:)``:
    /// `log-level`, `http-host`, `http-port`, `leap-seconds`) and logs the effective configuration, secrets redacted.
    /// Create one per process.
    public init(name: String, configuration: ConfigurationSource, redactor: LogRedactor = .default) throws(ConfigurationError) {
        // Validate every setting before touching process-wide state.
        let level = try configuration.logLevel()
        let host = configuration.string(ConfigurationKey.httpHost.name) ?? "0.0.0.0"
        let port = try configuration.int(ConfigurationKey.httpPort.name, in: 0...65535)
        let leapSeconds = try configuration.int(ConfigurationKey.leapSeconds.name, in: 0...100)

        self.name = name
        self.configuration = configuration
        LoggingSystem.bootstrapJSON(service: name, level: level, redactor: redactor)
        var logger = Logger(label: name)
        logger.logLevel = level
        self.logger = logger
        let registry = MetricsRegistry()
        MetricsSystem.bootstrap(registry)
        self.metrics = registry
        self.health = HealthMonitor(service: name)
        self.router = HTTPRouter()
        router.addStandardRoutes(metrics: registry, health: health)
        self.httpServer = HTTPServer(configuration: HTTPServerConfiguration(host: host, port: port), router: router,
                                     logger: Logger(label: "\(name).http"))
        self.time = Time32Conversion(leapSeconds: leapSeconds)

        var settings: Logger.Metadata = [:]
        for entry in configuration.describe() {
            settings[entry.key] = .dictionary(["value": .string(entry.value), "from": .string(entry.origin.description)])
        }
        logger.info("starting", metadata: ["configuration": .dictionary(settings)])
        let unknown = configuration.unknownEnvironmentVariables
        if !unknown.isEmpty {
            logger.warning("environment variables match no setting of this service",
                           metadata: ["variables": .array(unknown.map { .string($0) })])
        }
    }

    /// Runs the HTTP server and `services` in one ``ServiceGroup`` until SIGTERM or SIGINT (graceful shutdown, in
    /// reverse order, so the HTTP server stops last) or until a service ends. A second signal, or the time limit,
    /// cancels what is left.
    public func run(_ services: [any Service], maximumGracefulShutdownDuration: Duration? = .seconds(30)) async throws {
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [ServiceConfiguration(service: httpServer, name: "http")]
                + services.map { ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            maximumGracefulShutdownDuration: maximumGracefulShutdownDuration,
            logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}
