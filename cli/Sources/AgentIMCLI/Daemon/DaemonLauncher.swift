import Foundation

/// Starting detached daemons (agent-cli.md §17.1–17.2) and rotating their logs (§17.5).
public enum DaemonLauncher {
    public static let rotateAt: UInt64 = 10 << 20

    /// If the log is ≥ 10 MiB: under `<log>.lock` (stale after 60 s), move it to `<log>.1`.
    public static func rotate(_ log: URL, limit: UInt64 = rotateAt) {
        func size() -> UInt64 { ((try? FileManager.default.attributesOfItem(atPath: log.path))?[.size] as? NSNumber)?.uint64Value ?? 0 }
        guard size() >= limit else { return }
        let lock = log.path + ".lock"
        if let mtime = (try? FileManager.default.attributesOfItem(atPath: lock))?[.modificationDate] as? Date, Date().timeIntervalSince(mtime) > 60 {
            unlink(lock)
        }
        let fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd); unlink(lock) }
        guard size() >= limit else { return }
        unlink(log.path + ".1")
        rename(log.path, log.path + ".1")
    }

    /// The path of this executable, for re-running it as a daemon.
    public static func selfExecutable() -> String {
        if let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return link }
        return CommandLine.arguments[0]
    }

    /// Spawns `arguments` of this executable in a new session, stdin from /dev/null, stdout and
    /// stderr appended to `log`, in this process's directory. Returns the child pid.
    public static func spawn(arguments: [String], environment: [String: String], log: URL) throws -> Int32 {
        try AgentIMPaths.makePrivateDirectory(log.deletingLastPathComponent())
        let logFd = open(log.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard logFd >= 0 else { throw CLIError("Cannot open log \(log.path)") }
        defer { close(logFd) }
        closeOnExec()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, logFd, 1)
        posix_spawn_file_actions_adddup2(&actions, logFd, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID: the daemon leaves the terminal's session, so closing it does not HUP the daemon.
        posix_spawnattr_setflags(&attributes, Int16(0x80))
        let executable = selfExecutable()
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw CLIError("Cannot start daemon: \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Marks every descriptor above stderr close-on-exec, so the daemon holds nothing of ours
    /// (a parent watching our exit through an inherited pipe would otherwise wait for the daemon).
    static func closeOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let fd = Int32(entry), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// True when the child is still running after `ms` (reaps it if it exited).
    public static func survives(_ pid: Int32, ms: Int = 500) -> Bool {
        usleep(UInt32(ms) * 1000)
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        return r == 0
    }
}
