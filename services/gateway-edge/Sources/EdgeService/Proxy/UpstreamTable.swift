import AgentIMCore

/// Which service answers which public path (DESIGN "Ownership").
public struct UpstreamTable: Sendable {
    public enum Service: String, Sendable, CaseIterable { case auth, rooms, router, uploads }

    static let prefixes: [(String, Service)] = [
        ("/api/auth", .auth), ("/api/users", .auth), ("/api/admin/settings", .auth),
        ("/api/push", .rooms), ("/api/rooms", .rooms), ("/api/messages", .rooms), ("/api/agents", .rooms), ("/api/tasks", .rooms),
        ("/api/bookmarks", .rooms),
        ("/api/routers", .router), ("/api/service-agents", .router),
        ("/api/upload", .uploads), ("/uploads", .uploads),
    ]

    public let urls: [Service: ServiceURL]

    public init(config: HubConfig) throws {
        var urls: [Service: ServiceURL] = [:]
        for (service, raw) in [(Service.auth, config.authURL), (.rooms, config.roomsURL), (.router, config.routerURL), (.uploads, config.uploadsURL)] {
            guard let raw else {
                throw ConfigError("\(service.rawValue.uppercased())_URL must be set for agentim-edge (e.g. http://\(service.rawValue):300\(Service.allCases.firstIndex(of: service)! + 1))")
            }
            urls[service] = ServiceURL(raw)
        }
        self.urls = urls
    }

    /// The service owning `path`, matched on whole segments (`/api/upload` also covers `/api/upload/avatar`).
    public static func service(for path: String) -> Service? {
        // No String made per prefix tried: this runs for every request the edge takes.
        let bytes = path.utf8
        for (prefix, service) in prefixes where bytes.starts(with: prefix.utf8) {
            let next = bytes.index(bytes.startIndex, offsetBy: prefix.utf8.count)
            if next == bytes.endIndex || bytes[next] == UInt8(ascii: "/") { return service }
        }
        return nil
    }
}
