/// The 42 runtime settings of http-api §13, in the admin page's order. Keys, groups,
/// types, defaults, limits, environment variables and labels are the original's.
public enum SettingsRegistry {
    public static let all: [SettingDefinition] = [
        .init("cors.origin", .general, .string, "http://localhost:5173", env: "CORS_ORIGIN", label: "corsOrigin"),
        .init("log.level", .general, .enumeration, "info", env: "LOG_LEVEL", label: "logLevel",
              enumValues: ["debug", "info", "warn", "error", "fatal"]),
        .init("metrics.authEnabled", .general, .boolean, "false", env: "METRICS_AUTH_ENABLED", label: "metricsAuthEnabled",
              productionDefault: "true"),

        .init("jwt.accessExpiry", .security, .string, "15m", env: "JWT_ACCESS_EXPIRY", label: "jwtAccessExpiry"),
        .init("jwt.refreshExpiry", .security, .string, "7d", env: "JWT_REFRESH_EXPIRY", label: "jwtRefreshExpiry"),
        .init("trust.proxy", .security, .boolean, "false", env: "TRUST_PROXY", label: "trustProxy"),
        .init("oauth.github.clientId", .security, .string, "", env: "OAUTH_GITHUB_CLIENT_ID", label: "oauthGithubClientId"),
        .init("oauth.github.clientSecret", .security, .string, "", env: "OAUTH_GITHUB_CLIENT_SECRET", label: "oauthGithubClientSecret",
              sensitive: true),
        .init("oauth.google.clientId", .security, .string, "", env: "OAUTH_GOOGLE_CLIENT_ID", label: "oauthGoogleClientId"),
        .init("oauth.google.clientSecret", .security, .string, "", env: "OAUTH_GOOGLE_CLIENT_SECRET", label: "oauthGoogleClientSecret",
              sensitive: true),
        .init("totp.issuer", .security, .string, "AgentIM", env: "TOTP_ISSUER", label: "totpIssuer"),

        .init("upload.maxFileSize", .storage, .number, "10485760", env: "MAX_FILE_SIZE", label: "uploadMaxFileSize",
              min: 1024, max: 104_857_600),
        .init("storage.provider", .storage, .enumeration, "local", env: "STORAGE_PROVIDER", label: "storageProvider",
              enumValues: ["local", "s3"]),
        .init("storage.s3.bucket", .storage, .string, "", env: "S3_BUCKET", label: "s3Bucket"),
        .init("storage.s3.region", .storage, .string, "auto", env: "S3_REGION", label: "s3Region"),
        .init("storage.s3.endpoint", .storage, .string, "", env: "S3_ENDPOINT", label: "s3Endpoint"),
        .init("storage.s3.accessKeyId", .storage, .string, "", env: "S3_ACCESS_KEY_ID", label: "s3AccessKeyId", sensitive: true),
        .init("storage.s3.secretAccessKey", .storage, .string, "", env: "S3_SECRET_ACCESS_KEY", label: "s3SecretAccessKey",
              sensitive: true),

        .init("rateLimit.client.window", .rateLimit, .number, "10", env: "CLIENT_RATE_LIMIT_WINDOW", label: "clientRateLimitWindow",
              min: 1, max: 300),
        .init("rateLimit.client.max", .rateLimit, .number, "30", env: "CLIENT_RATE_LIMIT_MAX", label: "clientRateLimitMax",
              min: 1, max: 1000),
        .init("rateLimit.agent.window", .rateLimit, .number, "60", env: "AGENT_RATE_LIMIT_WINDOW", label: "agentRateLimitWindow",
              min: 1, max: 3600),
        .init("rateLimit.agent.max", .rateLimit, .number, "20", env: "AGENT_RATE_LIMIT_MAX", label: "agentRateLimitMax",
              min: 1, max: 1000),

        .init("ws.maxConnectionsPerUser", .connections, .number, "10", env: "MAX_WS_CONNECTIONS_PER_USER", label: "maxConnectionsPerUser",
              min: 1, max: 100),
        .init("ws.maxTotalConnections", .connections, .number, "5000", env: "MAX_TOTAL_WS_CONNECTIONS", label: "maxTotalConnections",
              min: 10, max: 100_000),
        .init("ws.maxGatewaysPerUser", .connections, .number, "20", env: "MAX_GATEWAYS_PER_USER", label: "maxGatewaysPerUser",
              min: 1, max: 100),
        .init("ws.maxMessageSize", .connections, .number, "65536", env: "MAX_WS_MESSAGE_SIZE", label: "maxMessageSize",
              min: 1024, max: 1_048_576),
        .init("ws.gatewayMessageSize", .connections, .number, "262144", env: "MAX_GATEWAY_MESSAGE_SIZE", label: "gatewayMessageSize",
              min: 1024, max: 10_485_760),

        .init("router.llm.baseUrl", .aiRouter, .string, "", env: "ROUTER_LLM_BASE_URL", label: "routerLlmBaseUrl"),
        .init("router.llm.apiKey", .aiRouter, .string, "", env: "ROUTER_LLM_API_KEY", label: "routerLlmApiKey", sensitive: true),
        .init("router.llm.model", .aiRouter, .string, "", env: "ROUTER_LLM_MODEL", label: "routerLlmModel"),
        .init("router.llm.timeout", .aiRouter, .number, "15000", env: "ROUTER_LLM_TIMEOUT_MS", label: "routerLlmTimeout",
              min: 1000, max: 120_000),
        .init("router.maxChainDepth", .aiRouter, .number, "5", env: "MAX_AGENT_CHAIN_DEPTH", label: "maxChainDepth",
              min: 1, max: 100),

        .init("push.vapidPublicKey", .pushNotifications, .string, "", env: nil, label: "vapidPublicKey"),
        .init("push.vapidPrivateKey", .pushNotifications, .string, "", env: nil, label: "vapidPrivateKey", sensitive: true),
        .init("push.vapidSubject", .pushNotifications, .string, "mailto:noreply@agentim.app", env: nil, label: "vapidSubject"),

        .init("cleanup.orphanFileInterval", .maintenance, .number, "3600000", env: "ORPHAN_FILE_CHECK_INTERVAL", label: "orphanFileInterval",
              min: 60000, max: 86_400_000),
        .init("cleanup.tokenInterval", .maintenance, .number, "3600000", env: "TOKEN_CLEANUP_INTERVAL", label: "tokenInterval",
              min: 60000, max: 86_400_000),
        .init("cleanup.auditRetentionDays", .maintenance, .number, "90", env: "AUDIT_LOG_RETENTION_DAYS", label: "auditRetentionDays",
              min: 1, max: 3650),
        .init("cleanup.auditInterval", .maintenance, .number, "86400000", env: "AUDIT_LOG_CLEANUP_INTERVAL", label: "auditCleanupInterval",
              min: 60000, max: 86_400_000),
        .init("cleanup.gatewayInterval", .maintenance, .number, "86400000", env: "GATEWAY_CLEANUP_INTERVAL", label: "gatewayCleanupInterval",
              min: 60000, max: 86_400_000),
        .init("cleanup.gatewayMaxOfflineDays", .maintenance, .number, "30", env: "GATEWAY_MAX_OFFLINE_DAYS", label: "gatewayMaxOfflineDays",
              min: 1, max: 365),
        .init("sentry.dsn", .maintenance, .string, "", env: "SENTRY_DSN", label: "sentryDsn"),
    ]

    /// Keys read once when a process starts. The storage backend is chosen, checked and
    /// given its spool directory at start; switching it under running uploads would leave
    /// transfers half in one backend and half in the other.
    static let appliedAtRestart: Set<String> = [
        "storage.provider", "storage.s3.bucket", "storage.s3.region", "storage.s3.endpoint",
        "storage.s3.accessKeyId", "storage.s3.secretAccessKey",
    ]

    static let byKey: [String: SettingDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    public static func definition(_ key: String) -> SettingDefinition? { byKey[key] }
}
