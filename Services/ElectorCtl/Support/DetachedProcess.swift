import Foundation
import ServiceKit
#if canImport(Glibc)
import Glibc
#endif

/// Starting and stopping the processes of a dev stack so they outlive `electorctl`.
///
/// A process is spawned with `posix_spawn` in a new session (`POSIX_SPAWN_SETSID`: no controlling terminal, so a
/// Ctrl-C in the shell that ran `dev up` does not reach it), standard input from `/dev/null`, standard output and
/// error appended to its log file, and every other descriptor closed. When `electorctl` exits the process is
/// re-parented to init and keeps running until `dev down` sends SIGTERM.
enum DetachedProcess {
    /// glibc's `POSIX_SPAWN_SETSID` (`<spawn.h>`, `__USE_GNU`), which the Swift module does not always import.
    private static let spawnSetSID: Int32 = 0x80

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    /// glibc ≥ 2.34's `posix_spawn_file_actions_addclosefrom_np`, looked up at run time (the Swift module does not
    /// import it); without it only descriptors without `FD_CLOEXEC` would leak into the child.
    private static var closeFromAction: CloseFrom? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            return nil
        }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }

    /// Spawns `executable` with `arguments`, its output appended to `logPath`.
    ///
    /// - Returns: the pid.
    /// - Throws: exit 69 when the program cannot be started.
    static func spawn(_ executable: String, _ arguments: [String], logPath: String,
                      environment: [String: String] = [:]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default signal dispositions and an empty mask in the child, whatever electorctl had blocked or ignored.
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(spawnSetSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw CommandFailure(.unavailable, "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Whether `pid` is a live (not zombie) process running `program` (the executable's file name), so a recycled
    /// pid of another program does not count. Reaps `pid` first if it is this process's exited child.
    static func isAlive(_ pid: Int32, program: String) -> Bool {
        guard pid > 0 else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? FileIO.readText("/proc/\(pid)/stat", limit: 4096) else { return false }
        // "pid (comm) S ..." — the state follows the last ')'.
        if let close = stat.lastIndex(of: ")"), stat.index(after: close) < stat.endIndex {
            let rest = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces)
            if rest.hasPrefix("Z") || rest.hasPrefix("X") { return false }
        }
        guard let cmdline = try? FileIO.read("/proc/\(pid)/cmdline", limit: 1 << 16) else { return false }
        let argv0 = String(decoding: cmdline.prefix { $0 != 0 }, as: UTF8.self)
        return argv0.split(separator: "/").last.map(String.init) == program
    }

    /// Sends SIGTERM to every live process of `pids`, waits up to `timeout` for all of them to exit, then SIGKILLs
    /// what is left.
    ///
    /// - Returns: the names of the processes that had to be killed.
    static func terminate(_ processes: [(name: String, pid: Int32, program: String)], timeout: Duration) async -> [String] {
        let live = processes.filter { isAlive($0.pid, program: $0.program) }
        for process in live { kill(process.pid, SIGTERM) }
        let deadline = ContinuousClock.now + timeout
        var remaining = live
        while !remaining.isEmpty && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
            remaining = remaining.filter { isAlive($0.pid, program: $0.program) }
        }
        for process in remaining { kill(process.pid, SIGKILL) }
        return remaining.map(\.name)
    }

    /// The directory of the running `electorctl`, where `swift build` puts the other executables too.
    static var ownDirectory: String? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return URL(fileURLWithPath: exe).deletingLastPathComponent().path
    }

    /// The executable `program`: in `binDirectory` if given, else next to `electorctl`, else on `PATH`.
    static func locate(_ program: String, binDirectory: String?) throws -> String {
        var candidates: [String] = []
        if let binDirectory { candidates.append(binDirectory) } else {
            if let own = ownDirectory { candidates.append(own) }
            candidates += (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        }
        for directory in candidates {
            let path = directory + "/" + program
            if access(path, X_OK) == 0 { return path }
        }
        throw CommandFailure(.unavailable, "\(program) not found in \(candidates.joined(separator: ":")); build it first "
                             + "(swift build) or give --bin-dir")
    }
}
