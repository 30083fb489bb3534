import Foundation

/// Inactivity and absolute time limits for one agent run (agent-cli.md §4, §15.3).
public struct ProcessTimeouts: Sendable, Equatable {
    public var inactivityMs: Int
    public var absoluteMs: Int

    public init(inactivityMs: Int, absoluteMs: Int) {
        self.inactivityMs = inactivityMs
        self.absoluteMs = absoluteMs
    }

    public static let defaultInactivityMs = 300_000
    public static let defaultAbsoluteMs = 900_000

    /// `AGENTIM_PROCESS_TIMEOUT_MS`: default 300000, clamped to [30000, 7200000], non-numeric → default.
    /// `AGENTIM_ABSOLUTE_TIMEOUT_MS`: default 900000, minimum 60000; `absoluteCap` applies when given
    /// (the shared helper caps at 14400000, the generic adapter sets none).
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment,
                                       absoluteCap: Int? = 14_400_000) -> ProcessTimeouts {
        var inactivity = defaultInactivityMs
        if let raw = env["AGENTIM_PROCESS_TIMEOUT_MS"], let value = Int(raw.trimmingCharacters(in: .whitespaces)) {
            inactivity = min(max(value, 30_000), 7_200_000)
        }
        var absolute = defaultAbsoluteMs
        if let raw = env["AGENTIM_ABSOLUTE_TIMEOUT_MS"], let value = Int(raw.trimmingCharacters(in: .whitespaces)) {
            absolute = max(value, 60_000)
            if let cap = absoluteCap { absolute = min(absolute, cap) }
        }
        return ProcessTimeouts(inactivityMs: inactivity, absoluteMs: absolute)
    }
}

/// Output limits of §15.3 / §20.3.
public enum OutputLimits {
    /// stdout of a generic run (the shared 10 MiB buffer limit).
    public static let maxStdoutCharacters = 10_485_760
    /// stderr of a run.
    public static let maxStderrBytes = 5 * 1024 * 1024
    /// One protocol line of a JSON-speaking agent; longer lines fail the run instead of growing memory.
    public static let maxLineBytes = 16 * 1024 * 1024
    /// Stderr lines kept for error messages (§12.2).
    public static let stderrTailLines = 20
}
