import Foundation

/// The environment a child process gets (agent-cli.md §20.1), applied to every adapter's child
/// (the original filtered only generic children — §25 Q12).
public enum SafeEnvironment {
    /// Keys removed from the parent environment unless whitelisted with `--pass-env`.
    public static let blockedKeys: Set<String> = [
        "DATABASE_URL", "REDIS_URL", "JWT_SECRET", "ADMIN_PASSWORD", "AGENTIM_PASSWORD",
        "AGENTIM_TOKEN", "ENCRYPTION_KEY", "SENTRY_DSN", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "CLAUDE_API_KEY", "GITHUB_TOKEN", "GITHUB_APP_PRIVATE_KEY",
        "GITLAB_TOKEN", "NPM_TOKEN", "HUGGINGFACE_TOKEN", "HUGGINGFACE_API_TOKEN", "STRIPE_SECRET_KEY",
        "STRIPE_PUBLISHABLE_KEY", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET",
        "VAPID_PRIVATE_KEY", "PGPASSWORD", "MYSQL_PWD", "PRIVATE_KEY", "SIGNING_KEY", "SESSION_SECRET",
        "WEBHOOK_SECRET", "VAULT_TOKEN", "CONSUL_TOKEN",
    ]

    /// Any key starting with one of these is removed unless whitelisted.
    public static let blockedPrefixes: [String] = [
        "ROUTER_LLM_", "AGENTIM_SECRET_", "SECRET_", "API_KEY_", "STRIPE_", "GITHUB_APP_", "PASSWORD_",
        "PRIVATE_KEY_", "WEBHOOK_", "DATABASE_", "REDIS_", "VAULT_", "CONSUL_", "AUTH_TOKEN_", "TOKEN_",
    ]

    /// Keys that `--pass-env` can never let through.
    public static let neverPassable: Set<String> = [
        "JWT_SECRET", "DATABASE_URL", "REDIS_URL", "ADMIN_PASSWORD", "ENCRYPTION_KEY", "SENTRY_DSN", "SESSION_SECRET",
    ]

    /// Whether the filter removes `key` from a child's environment when it is not whitelisted.
    public static func isBlocked(_ key: String) -> Bool {
        blockedKeys.contains(key) || blockedPrefixes.contains { key.hasPrefix($0) }
    }

    /// `--pass-env` entries that are refused (never-passable); the caller warns about them.
    public static func refusedPassEnv(_ passEnv: [String]) -> [String] {
        passEnv.filter { neverPassable.contains($0) }
    }

    /// A filtered copy of `base`, with `passEnv` honoured (except never-passable keys) and
    /// `overlay` (credential-derived variables) laid on top.
    public static func build(base: [String: String] = ProcessInfo.processInfo.environment,
                             passEnv: [String] = [], overlay: [String: String] = [:]) -> [String: String] {
        let allowed = Set(passEnv.map { $0.trimmingCharacters(in: .whitespaces) }).subtracting(neverPassable)
        var env: [String: String] = [:]
        for (key, value) in base {
            if neverPassable.contains(key) { continue }
            if isBlocked(key) && !allowed.contains(key) { continue }
            env[key] = value
        }
        for (key, value) in overlay { env[key] = value }
        return env
    }

    /// Values of the parent's secret variables that the filter removed: an agent must never
    /// echo them back, so every chunk is scrubbed of them (see `SecretScrubber`).
    public static func withheldSecretValues(base: [String: String] = ProcessInfo.processInfo.environment,
                                            passEnv: [String] = []) -> [String] {
        let allowed = Set(passEnv).subtracting(neverPassable)
        return base.compactMap { key, value in
            (neverPassable.contains(key) || (isBlocked(key) && !allowed.contains(key))) ? value : nil
        }
    }
}
