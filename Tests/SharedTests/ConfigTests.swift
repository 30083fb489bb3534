import AgentIMCore
import Testing

struct ConfigTests {
    static let strongSecret = String(repeating: "s", count: 40)
    static let production: [String: String] = [
        "NODE_ENV": "production", "JWT_SECRET": strongSecret, "DATABASE_URL": "postgresql://u:p@db:5432/agentim",
        "CORS_ORIGIN": "https://chat.example.com", "ENCRYPTION_KEY": String(repeating: "k", count: 32),
        "ADMIN_PASSWORD": "Str0ng!Passw0rd",
    ]

    func refusal(_ overrides: [String: String?]) -> String? {
        var env = Self.production
        for (key, value) in overrides { env[key] = value }
        do {
            _ = try HubConfig(environment: Environment(env), role: "test")
            return nil
        } catch let error as ConfigError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func developmentDefaultsStart() throws {
        let config = try HubConfig(environment: Environment([:]), role: "test")
        #expect(config.port == 3000)
        #expect(config.host == "0.0.0.0")
        #expect(config.databaseURL == HubConfig.defaultDatabaseURL)
        #expect(config.jwtSecret == "dev-secret-change-me")
        #expect(config.corsOrigins == ["http://localhost:5173"])
        #expect(config.runMigrations)
        #expect(config.redisURL == nil)
        #expect(config.maxWSMessageSize == 65_536)
    }

    @Test func s3StorageRefusesMissingSettingsInEveryMode() throws {
        #expect(refusal(["STORAGE_PROVIDER": "s3"]) == "STORAGE_PROVIDER=s3 requires: S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY")
        #expect(refusal(["STORAGE_PROVIDER": "s3", "S3_BUCKET": "b", "S3_ACCESS_KEY_ID": "k"]) == "STORAGE_PROVIDER=s3 requires: S3_SECRET_ACCESS_KEY")
        #expect(refusal(["STORAGE_PROVIDER": "s3", "S3_BUCKET": "b", "S3_ACCESS_KEY_ID": "k", "S3_SECRET_ACCESS_KEY": "s"]) == nil)
        #expect(throws: ConfigError.self) { try HubConfig(environment: Environment(["STORAGE_PROVIDER": "s3", "S3_BUCKET": "b"]), role: "test") }
        let local = try HubConfig(environment: Environment(["STORAGE_PROVIDER": "S3"]), role: "test")
        #expect(local.s3Region == "auto" && local.s3Endpoint == "")
    }

    @Test func orphanIntervalIsClampedToAMinuteOutsideTests() throws {
        #expect(try HubConfig(environment: Environment([:]), role: "test").orphanFileCheckIntervalMs == 3_600_000)
        #expect(try HubConfig(environment: Environment(["ORPHAN_FILE_CHECK_INTERVAL": "5"]), role: "test").orphanFileCheckIntervalMs == 60_000)
        #expect(try HubConfig(environment: Environment(["ORPHAN_FILE_CHECK_INTERVAL": "1500", "NODE_ENV": "test"]), role: "test").orphanFileCheckIntervalMs == 1500)
    }

    @Test func aValidProductionEnvironmentStarts() {
        #expect(refusal([:]) == nil)
    }

    @Test func productionRefusesAWeakJWTSecret() {
        #expect(refusal(["JWT_SECRET": "dev-secret-change-me"])?.hasPrefix("JWT_SECRET is missing or too short (min 32 chars)") == true)
        #expect(refusal(["JWT_SECRET": "short"])?.hasPrefix("JWT_SECRET is missing or too short (min 32 chars)") == true)
        #expect(refusal(["JWT_SECRET": nil])?.hasPrefix("JWT_SECRET is missing or too short") == true)
    }

    @Test func productionRefusesAMissingDatabaseURL() {
        #expect(refusal(["DATABASE_URL": nil]) == "DATABASE_URL must be set in production.")
    }

    @Test func productionRefusesBadCORSOrigins() {
        #expect(refusal(["CORS_ORIGIN": nil])?.hasPrefix("CORS_ORIGIN must be set to your frontend domain in production") == true)
        #expect(refusal(["CORS_ORIGIN": "*"])?.hasPrefix("CORS_ORIGIN must be set to your frontend domain in production") == true)
        #expect(refusal(["CORS_ORIGIN": "https://a.example.com,not a url"]) == "CORS_ORIGIN contains an invalid URL: \"not a url\"")
        #expect(refusal(["CORS_ORIGIN": "https://a.example.com/app"])?.hasPrefix("CORS_ORIGIN must not include a path component") == true)
        #expect(refusal(["CORS_ORIGIN": "ftp://a.example.com"]) == "CORS_ORIGIN must use https:// or http:// scheme")
        #expect(refusal(["CORS_ORIGIN": nil, "RENDER_EXTERNAL_URL": "https://hub.onrender.com"]) == nil)
    }

    @Test func tlsNeedsBothReadableFiles() throws {
        let readable = "/etc/hostname"
        #expect(refusal(["TLS_CERT_FILE": readable]) == "TLS_CERT_FILE and TLS_KEY_FILE must be set together (PEM certificate chain and private key)")
        #expect(refusal(["TLS_KEY_FILE": readable]) == "TLS_CERT_FILE and TLS_KEY_FILE must be set together (PEM certificate chain and private key)")
        #expect(refusal(["TLS_CERT_FILE": "/nonexistent/cert.pem", "TLS_KEY_FILE": readable]) == "TLS_CERT_FILE is not a readable file: /nonexistent/cert.pem")
        #expect(refusal(["TLS_CERT_FILE": readable, "TLS_KEY_FILE": readable]) == nil)
        let config = try HubConfig(environment: Environment([:]), role: "test")
        #expect(config.tlsCertFile == nil && config.tlsKeyFile == nil)
    }

    @Test func metricsAuthDefaultsToProductionAndReadsExactTrue() throws {
        #expect(try HubConfig(environment: Environment([:]), role: "test").metricsAuthEnabled == false)
        #expect(try HubConfig(environment: Environment(Self.production), role: "test").metricsAuthEnabled == true)
        var off = Self.production
        off["METRICS_AUTH_ENABLED"] = "TRUE"
        #expect(try HubConfig(environment: Environment(off), role: "test").metricsAuthEnabled == false)
        #expect(try HubConfig(environment: Environment(["METRICS_AUTH_ENABLED": "true"]), role: "test").metricsAuthEnabled == true)
    }

    @Test func productionRefusesAWeakAdminPassword() {
        let message = refusal(["ADMIN_PASSWORD": "short"])
        #expect(message == "ADMIN_PASSWORD does not meet minimum complexity requirements: at least 12 characters, an uppercase letter, a digit, a special character")
        #expect(refusal(["ADMIN_PASSWORD": nil]) == nil, "no admin password means no seeding, not a refusal")
    }

    @Test func developmentOnlyWarnsAboutTheAdminPassword() throws {
        let config = try HubConfig(environment: Environment(["ADMIN_PASSWORD": "short"]), role: "test")
        #expect(config.warnings.contains("ADMIN_PASSWORD is shorter than 8 characters"))
        let lax = try HubConfig(environment: Environment(["ADMIN_PASSWORD": "longbutplain", "ENCRYPTION_KEY": "tiny"]), role: "test")
        #expect(lax.warnings.contains("ADMIN_PASSWORD would be refused in production; it lacks an uppercase letter, a digit, a special character"))
        #expect(lax.warnings.contains("ENCRYPTION_KEY is shorter than 16 characters"))
    }

    @Test func productionRefusesAMissingOrShortEncryptionKey() {
        #expect(refusal(["ENCRYPTION_KEY": nil])?.hasPrefix("ENCRYPTION_KEY must be set in production") == true)
        #expect(refusal(["ENCRYPTION_KEY": "short"])?.hasPrefix("ENCRYPTION_KEY is too short (< 32 chars) for production") == true)
    }

    @Test func malformedURLsAreRefusedInEveryMode() {
        #expect(throws: ConfigError.self) { try HubConfig(environment: Environment(["REDIS_URL": "http://x"]), role: "t") }
        #expect(throws: ConfigError.self) { try HubConfig(environment: Environment(["DATABASE_URL": "mysql://x"]), role: "t") }
        #expect(throws: ConfigError.self) { try HubConfig(environment: Environment(["AUTH_URL": "auth:3001"]), role: "t") }
        #expect(throws: ConfigError.self) { try HubConfig(environment: Environment(["JWT_ACCESS_EXPIRY": "soon"]), role: "t") }
    }

    @Test func integersParseLikeTheOriginal() throws {
        let config = try HubConfig(environment: Environment(["PORT": "3000abc", "MAX_WS_MESSAGE_SIZE": "5", "RUN_MIGRATIONS": "TRUE"]), role: "t")
        #expect(config.port == 3000)
        #expect(config.maxWSMessageSize == 1024, "clamped to its range")
        #expect(config.runMigrations == false, "booleans are true only for the exact string true")
    }

    @Test func timeSpans() {
        #expect(TimeSpan.seconds("15m") == 900)
        #expect(TimeSpan.seconds("7d") == 604_800)
        #expect(TimeSpan.seconds("2 hours") == 7200)
        #expect(TimeSpan.seconds("3600") == 3600)
        #expect(TimeSpan.seconds("soon") == nil)
    }
}
