import Foundation

/// `postgresql://user:password@host:port/database` split into its parts.
public struct DatabaseURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String

    public init?(_ raw: String) {
        guard let components = URLComponents(string: raw),
              let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql",
              let host = components.host, !host.isEmpty else { return nil }
        self.host = host
        port = components.port ?? 5432
        username = components.user.flatMap { $0.removingPercentEncoding ?? $0 } ?? "postgres"
        password = components.password.flatMap { $0.removingPercentEncoding ?? $0 }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? username : path
    }
}

/// `redis://[:password@]host:port[/db]`.
public struct RedisURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var password: String?
    public var database: Int

    public init?(_ raw: String) {
        guard let components = URLComponents(string: raw), components.scheme == "redis",
              let host = components.host, !host.isEmpty else { return nil }
        self.host = host
        port = components.port ?? 6379
        password = components.password.flatMap { $0.removingPercentEncoding ?? $0 }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        if path.isEmpty {
            database = 0
        } else if let db = Int(path), db >= 0 {
            database = db
        } else {
            return nil
        }
    }
}

/// An internal service base URL such as `http://auth:3001`.
public struct ServiceURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var base: String

    public init?(_ raw: String) {
        guard let components = URLComponents(string: raw), components.scheme == "http",
              let host = components.host, !host.isEmpty else { return nil }
        self.host = host
        port = components.port ?? 80
        base = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
    }
}
