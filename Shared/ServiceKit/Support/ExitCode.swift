/// Process exit statuses shared by every scms-electors executable.
///
/// The values follow `sysexits.h` where one applies (DESIGN §6 uses 0/1/64/65/69/70). Throw an `ExitCode` from a
/// command's `run()` to end the process with that status without printing anything further.
public enum ExitCode: Int32, Error, Sendable, CaseIterable {
    /// Success.
    case ok = 0
    /// The input was understood but rejected (verification failed, quorum not met, ...).
    case rejected = 1
    /// The command line was wrong (`EX_USAGE`).
    case usage = 64
    /// The input data was malformed (`EX_DATAERR`).
    case dataError = 65
    /// A service the command needs (broker, file server) was unavailable (`EX_UNAVAILABLE`).
    case unavailable = 69
    /// An internal software error (`EX_SOFTWARE`).
    case software = 70
    /// An input/output error (`EX_IOERR`).
    case ioError = 74
    /// The configuration was wrong (`EX_CONFIG`).
    case config = 78

    /// Alias mirroring swift-argument-parser's `ExitCode.success`.
    public static var success: ExitCode { .ok }
    /// Alias mirroring swift-argument-parser's `ExitCode.failure`.
    public static var failure: ExitCode { .rejected }
    /// Alias mirroring swift-argument-parser's `ExitCode.validationFailure`.
    public static var validationFailure: ExitCode { .usage }
}

/// An error that knows which process exit status it should produce when it ends a command.
///
/// Conform domain errors in the services (e.g. a codec error → `.dataError`) so ``ParsableCommand/main(_:)``
/// exits with the right status. Errors that do not conform end the process with ``ExitCode/software``.
public protocol ExitCodeProviding: Error {
    /// The status the process should exit with.
    var exitCode: ExitCode { get }
}

/// A failure with a message for the operator and an exit status, for commands that need nothing richer.
///
/// ```swift
/// throw CommandFailure(.rejected, "ballot has 2 valid endorsements, quorum is 3")
/// ```
public struct CommandFailure: ExitCodeProviding, CustomStringConvertible, Sendable, Equatable {
    /// The status the process exits with.
    public var exitCode: ExitCode
    /// One line for the operator, printed as `error: <message>` on stderr.
    public var message: String

    /// Creates a failure.
    public init(_ exitCode: ExitCode, _ message: String) {
        self.exitCode = exitCode
        self.message = message
    }

    public var description: String { message }
}
