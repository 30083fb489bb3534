import Foundation

/// Everything the hub's processes read from the environment, parsed and validated once
/// at start. Names, defaults and refusals follow data-config-security §2.2–2.5.
public struct HubConfig: Sendable {
    public static let defaultJWTSecret = "dev-secret-change-me"
    public static let defaultDatabaseURL = "postgresql://postgres:postgres@localhost:5432/agentim"

    public var isProduction: Bool
    public var isTest: Bool
    public var host: String
    public var port: Int
    public var databaseURL: String
    public var databasePoolSize: Int
    public var redisURL: String?
    public var jwtSecret: String
    public var jwtSecretPrevious: String?
    public var jwtAccessExpiry: String
    public var jwtRefreshExpiry: String
    public var corsOrigins: [String]
    public var adminUsername: String
    public var adminPassword: String?
    public var encryptionKey: String?
    public var runMigrations: Bool
    public var trustProxy: Bool
    public var logLevel: String
    public var uploadDir: String
    public var storageProvider: String
    /// S3-compatible storage (`STORAGE_PROVIDER=s3`): path-style addressing when an endpoint is set.
    public var s3Bucket: String
    public var s3Region: String
    public var s3Endpoint: String
    public var s3AccessKeyId: String
    public var s3SecretAccessKey: String
    /// How often unlinked uploads are looked for, fixed at start (`ORPHAN_FILE_CHECK_INTERVAL`,
    /// min 60 s; under `NODE_ENV=test` down to 1 s so a test can watch a sweep).
    public var orphanFileCheckIntervalMs: Int
    /// How often gateways offline past `cleanup.gatewayMaxOfflineDays` are deleted, fixed at
    /// start (`GATEWAY_CLEANUP_INTERVAL`, 60 s–24 h; under `NODE_ENV=test` down to 1 s).
    public var gatewayCleanupIntervalMs: Int
    public var webDir: String?
    public var maxWSMessageSize: Int
    public var clientRateLimitWindow: Int
    public var clientRateLimitMax: Int
    public var maxWSConnectionsPerUser: Int
    public var maxTotalWSConnections: Int
    /// Upstream service URLs used by the edge in the distributed topology.
    public var authURL: String?
    public var roomsURL: String?
    public var routerURL: String?
    public var uploadsURL: String?
    /// Upstream timeout of the edge's proxy, in seconds.
    public var upstreamTimeoutSeconds: Int
    /// How long a command may sit unacknowledged with a consumer before another takes it over.
    public var busReclaimIdleMs: Int
    /// Chat sends waiting for the rooms service (`ROOMS_BACKLOG_MAX`) beyond which the edges
    /// refuse new ones with `RATE_LIMITED` instead of queueing them.
    public var roomsBacklogMax: Int
    /// PEM certificate chain and private key of the edge's TLS listener (`TLS_CERT_FILE`,
    /// `TLS_KEY_FILE`); both or neither. With them the edge speaks h2 and HTTP/1.1 over TLS.
    public var tlsCertFile: String?
    public var tlsKeyFile: String?
    /// `/api/metrics` needs an access token (setting `metrics.authEnabled`, env `METRICS_AUTH_ENABLED`).
    public var metricsAuthEnabled: Bool
    /// HTTP rate limits apply unless `NODE_ENV=test` (http-api §1.7).
    public var rateLimitsEnabled: Bool { !isTest }
    /// Name of this process in logs and on the bus (`edge`, `auth`, … or `server`).
    public var processRole: String

    /// Warnings found while loading; logged once the logger exists.
    public var warnings: [String] = []

    public init(environment env: Environment, role: String, defaultPort: Int = 3000) throws {
        let nodeEnv = env.string("NODE_ENV") ?? ""
        isProduction = nodeEnv == "production"
        isTest = nodeEnv == "test"
        processRole = role
        host = env.string("HOST", default: "0.0.0.0")
        port = env.int("PORT", default: defaultPort, clamp: 1...65535)
        if env.values["PORT"] == "0" { port = 0 }  // tests ask for an ephemeral port

        let dbURL = env.string("DATABASE_URL")
        if isProduction && (dbURL ?? "").isEmpty {
            throw ConfigError("DATABASE_URL must be set in production.")
        }
        databaseURL = dbURL ?? HubConfig.defaultDatabaseURL
        if env.values["DB_POOL_SIZE"] != nil {
            let parsed = env.int("DB_POOL_SIZE", default: 10)
            databasePoolSize = min(max(parsed == 0 ? 10 : parsed, 1), 100)
        } else {
            databasePoolSize = 20
        }
        redisURL = env.nonEmpty("REDIS_URL")

        jwtSecret = env.string("JWT_SECRET", default: HubConfig.defaultJWTSecret)
        jwtSecretPrevious = env.nonEmpty("JWT_SECRET_PREVIOUS")
        jwtAccessExpiry = env.string("JWT_ACCESS_EXPIRY", default: "15m")
        jwtRefreshExpiry = env.string("JWT_REFRESH_EXPIRY", default: "7d")
        if isProduction && (jwtSecret == HubConfig.defaultJWTSecret || jwtSecret.count < 32) {
            throw ConfigError("JWT_SECRET is missing or too short (min 32 chars). Generate one with: openssl rand -base64 32")
        }
        if !isProduction && jwtSecret == HubConfig.defaultJWTSecret {
            warnings.append("JWT_SECRET is the development default; set a strong secret before exposing this hub")
        }
        if jwtSecret.isEmpty { throw ConfigError("JWT_SECRET must not be empty.") }
        guard TimeSpan.seconds(jwtAccessExpiry) != nil else {
            throw ConfigError("JWT_ACCESS_EXPIRY is not a time span like 15m, 1h or 7d: \"\(jwtAccessExpiry)\"")
        }
        guard TimeSpan.seconds(jwtRefreshExpiry) != nil else {
            throw ConfigError("JWT_REFRESH_EXPIRY is not a time span like 15m, 1h or 7d: \"\(jwtRefreshExpiry)\"")
        }

        corsOrigins = try HubConfig.corsOrigins(env: env, production: isProduction)

        adminUsername = env.string("ADMIN_USERNAME", default: "admin")
        adminPassword = env.nonEmpty("ADMIN_PASSWORD")
        if let password = adminPassword {
            let missing = HubConfig.adminPasswordWeaknesses(password)
            if isProduction && !missing.isEmpty {
                throw ConfigError("ADMIN_PASSWORD does not meet minimum complexity requirements: \(missing.joined(separator: ", "))")
            }
            if !isProduction && password.count < 8 {
                warnings.append("ADMIN_PASSWORD is shorter than 8 characters")
            } else if !isProduction, !missing.isEmpty {
                warnings.append("ADMIN_PASSWORD would be refused in production; it lacks \(missing.joined(separator: ", "))")
            }
        } else {
            warnings.append("ADMIN_PASSWORD is not set: no admin account is seeded")
        }

        encryptionKey = env.nonEmpty("ENCRYPTION_KEY")
        if !isProduction, let key = encryptionKey, key.count < 16 {
            warnings.append("ENCRYPTION_KEY is shorter than 16 characters")
        }
        if isProduction {
            guard let key = encryptionKey else {
                throw ConfigError("ENCRYPTION_KEY must be set in production. Generate one with: openssl rand -base64 32")
            }
            if key.count < 32 {
                throw ConfigError("ENCRYPTION_KEY is too short (< 32 chars) for production. Generate one with: openssl rand -base64 32")
            }
        }

        runMigrations = env.string("RUN_MIGRATIONS", default: "true") == "true"
        trustProxy = env.bool("TRUST_PROXY", default: false)
        logLevel = env.string("LOG_LEVEL", default: isProduction ? "info" : "debug")
        uploadDir = env.string("UPLOAD_DIR", default: "./uploads")
        storageProvider = env.string("STORAGE_PROVIDER", default: "local")
        s3Bucket = env.string("S3_BUCKET", default: "")
        s3Region = env.string("S3_REGION", default: "auto")
        s3Endpoint = env.string("S3_ENDPOINT", default: "")
        s3AccessKeyId = env.string("S3_ACCESS_KEY_ID", default: "")
        s3SecretAccessKey = env.string("S3_SECRET_ACCESS_KEY", default: "")
        if storageProvider == "s3" {
            let missing = [("S3_BUCKET", s3Bucket), ("S3_ACCESS_KEY_ID", s3AccessKeyId), ("S3_SECRET_ACCESS_KEY", s3SecretAccessKey)]
                .filter { $0.1.isEmpty }.map(\.0)
            if !missing.isEmpty { throw ConfigError("STORAGE_PROVIDER=s3 requires: \(missing.joined(separator: ", "))") }
        }
        orphanFileCheckIntervalMs = env.int("ORPHAN_FILE_CHECK_INTERVAL", default: 3_600_000, clamp: (isTest ? 1000 : 60_000)...Int.max)
        gatewayCleanupIntervalMs = env.int("GATEWAY_CLEANUP_INTERVAL", default: 86_400_000, clamp: (isTest ? 1000 : 60_000)...86_400_000)
        webDir = env.nonEmpty("WEB_DIR")
        maxWSMessageSize = env.int("MAX_WS_MESSAGE_SIZE", default: 65_536, clamp: 1024...1_048_576)
        clientRateLimitWindow = env.int("CLIENT_RATE_LIMIT_WINDOW", default: 10, clamp: 1...300)
        clientRateLimitMax = env.int("CLIENT_RATE_LIMIT_MAX", default: 30, clamp: 1...1000)
        maxWSConnectionsPerUser = env.int("MAX_WS_CONNECTIONS_PER_USER", default: 10, clamp: 1...100)
        maxTotalWSConnections = env.int("MAX_TOTAL_WS_CONNECTIONS", default: 5000, clamp: 10...100_000)

        authURL = env.nonEmpty("AUTH_URL")
        roomsURL = env.nonEmpty("ROOMS_URL")
        routerURL = env.nonEmpty("ROUTER_URL")
        uploadsURL = env.nonEmpty("UPLOADS_URL")
        for (name, value) in [("AUTH_URL", authURL), ("ROOMS_URL", roomsURL), ("ROUTER_URL", routerURL), ("UPLOADS_URL", uploadsURL)] {
            if let value, ServiceURL(value) == nil {
                throw ConfigError("\(name) must be an http:// URL with a host, got \"\(value)\"")
            }
        }
        upstreamTimeoutSeconds = env.int("UPSTREAM_TIMEOUT_SECONDS", default: 60, clamp: 1...3600)
        // 10 s: a frozen or dead consumer's pending entries reach a peer within 10-15 s (the claim
        // runs every half of it), inside a 20 s freeze; a live consumer handles a read of 100
        // entries in well under a second, so only a handler stuck that long is taken over, and
        // handlers are idempotent (issue 22).
        busReclaimIdleMs = env.int("BUS_RECLAIM_IDLE_MS", default: 10_000, clamp: 100...3_600_000)
        // 10,000: two seconds of a single process's capacity (about 5,000 sends/s on 2 cores), so
        // a send taken is acknowledged within seconds; the command stream keeps 100,000, so
        // nothing the edges took is trimmed unread.
        roomsBacklogMax = env.int("ROOMS_BACKLOG_MAX", default: 10_000, clamp: 1...90_000)
        metricsAuthEnabled = env.bool("METRICS_AUTH_ENABLED", default: isProduction)

        tlsCertFile = env.nonEmpty("TLS_CERT_FILE")
        tlsKeyFile = env.nonEmpty("TLS_KEY_FILE")
        switch (tlsCertFile, tlsKeyFile) {
        case (nil, nil):
            break
        case (let cert?, let key?):
            for (name, path) in [("TLS_CERT_FILE", cert), ("TLS_KEY_FILE", key)] where !FileManager.default.isReadableFile(atPath: path) {
                throw ConfigError("\(name) is not a readable file: \(path)")
            }
        default:
            throw ConfigError("TLS_CERT_FILE and TLS_KEY_FILE must be set together (PEM certificate chain and private key)")
        }

        if let redisURL, RedisURL(redisURL) == nil {
            throw ConfigError("REDIS_URL must look like redis://[:password@]host:port[/db], got \"\(redisURL)\"")
        }
        if DatabaseURL(databaseURL) == nil {
            throw ConfigError("DATABASE_URL must look like postgresql://user:password@host:port/database")
        }
    }

    /// The list items of the production admin-password rule (§2.5) that `password` misses.
    public static func adminPasswordWeaknesses(_ password: String) -> [String] {
        var missing: [String] = []
        if password.count < 12 { missing.append("at least 12 characters") }
        if !password.contains(where: { $0.isASCII && $0.isLowercase }) { missing.append("a lowercase letter") }
        if !password.contains(where: { $0.isASCII && $0.isUppercase }) { missing.append("an uppercase letter") }
        if !password.contains(where: { $0.isASCII && $0.isNumber }) { missing.append("a digit") }
        if !password.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber)) }) { missing.append("a special character") }
        return missing
    }

    static func corsOrigins(env: Environment, production: Bool) throws -> [String] {
        var raw = env.string("CORS_ORIGIN")
        if raw == nil || raw == "" {
            // Platform auto-detection, used (as in the original) only when CORS_ORIGIN is unset.
            if let render = env.nonEmpty("RENDER_EXTERNAL_URL") {
                raw = render
            } else if let railway = env.nonEmpty("RAILWAY_PUBLIC_DOMAIN") {
                raw = "https://\(railway)"
            } else if let hosts = env.nonEmpty("NF_HOSTS") {
                raw = hosts.split(separator: ",").map { "https://\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ",")
            }
        }
        let value = raw ?? (production ? "" : "http://localhost:5173")
        let entries = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard production else { return entries }
        if entries.isEmpty || value.trimmingCharacters(in: .whitespaces) == "*" {
            throw ConfigError("CORS_ORIGIN must be set to your frontend domain in production (e.g. https://chat.example.com); it cannot be empty or \"*\"")
        }
        for entry in entries {
            guard let url = URL(string: entry), let scheme = url.scheme, url.host != nil else {
                throw ConfigError("CORS_ORIGIN contains an invalid URL: \"\(entry)\"")
            }
            guard scheme == "http" || scheme == "https" else {
                throw ConfigError("CORS_ORIGIN must use https:// or http:// scheme")
            }
            if !url.path.isEmpty && url.path != "/" {
                let origin = "\(scheme)://\(url.host!)\(url.port.map { ":\($0)" } ?? "")"
                throw ConfigError("CORS_ORIGIN must not include a path component; use \"\(origin)\" instead of \"\(entry)\"")
            }
        }
        return entries
    }
}
