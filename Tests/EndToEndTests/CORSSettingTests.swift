import AgentIMCore
import Foundation
import Testing

/// `cors.origin` (data-config-security §2.4, http-api §1.8): the stored setting decides the
/// edges' `Access-Control-Allow-Origin` without a restart, over `CORS_ORIGIN`, which stays the
/// fallback. Seen on both edges of the distributed topology, on each way an answer leaves an
/// edge: its own route, the proxy lane, the framework's proxy, and a preflight.
@Suite(.serialized)
struct CORSSettingTests {
    /// The `Access-Control-Allow-Origin` of a request with `origin` (nil: none sent).
    static func allowed(_ url: String, origin: String, preflight: Bool = false) throws -> String? {
        var arguments = ["-s", "-D", "-", "-o", "/dev/null", "-H", "Origin: \(origin)"]
        if preflight { arguments += ["-X", "OPTIONS", "-H", "Access-Control-Request-Method: POST"] }
        let reply = try Tool.curl(arguments + [url])
        let prefix = "access-control-allow-origin:"
        return reply.stdout.split(separator: "\r\n").first { $0.lowercased().hasPrefix(prefix) }
            .map { $0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
    }

    /// The paths whose answers take different ways out of an edge.
    static let paths: [(path: String, preflight: Bool)] = [
        ("/api/health", false),              // the edge's own route
        ("/api/rooms", false),               // the proxy lane (rooms answers 401)
        ("/api/messages/search?q=x", false), // the framework's proxy (a route with its own bucket)
        ("/api/rooms", true),                // a preflight
    ]

    static func origins(_ edge: HubProcess, origin: String) throws -> [String?] {
        try paths.map { try allowed(edge.baseURL + $0.path, origin: origin, preflight: $0.preflight) }
    }

    @Test func theStoredSettingTakesEffectLiveOverCORSOrigin() async throws {
        let topology = try DistributedHub(extra: ["CORS_ORIGIN": "http://env.example.test"])
        defer { topology.stop() }
        try await topology.startServices()
        let edgeA = try await topology.startEdge()
        let edgeB = try await topology.startEdge()
        let hub = try await Fixture(base: edgeA.baseURL, ws: edgeA.wsURL)
        let app = "https://app.example.test", other = "https://other.example.test"

        // Nothing stored: CORS_ORIGIN decides, on every way out, and the /ws/client upgrade
        // refuses a page elsewhere.
        for edge in [edgeA, edgeB] {
            #expect(try Self.upgradeStatus(edge, origin: other) == 403)
            #expect(try Self.origins(edge, origin: app) == Array(repeating: "http://env.example.test", count: Self.paths.count))
            #expect(try Self.origins(edge, origin: "http://env.example.test") == Array(repeating: "http://env.example.test", count: Self.paths.count))
        }

        // Stored through the admin API on one edge: both follow without a restart.
        let saved = try await hub.put("/api/admin/settings", #"{"changes":{"cors.origin":"\#(app),\#(other)"}}"#)
        #expect(saved.status == 200, "\(saved.body)")
        for edge in [edgeA, edgeB] {
            try await Self.eventually { try Self.origins(edge, origin: other) == Array(repeating: other, count: Self.paths.count) }
            #expect(try Self.origins(edge, origin: other) == Array(repeating: other, count: Self.paths.count))
            // An origin not listed gets the first listed one; the environment's is no longer listed.
            #expect(try Self.origins(edge, origin: "http://env.example.test") == Array(repeating: app, count: Self.paths.count))
            // The upgrade's Origin check follows the same list.
            #expect(try Self.upgradeStatus(edge, origin: other) == 101)
            #expect(try Self.upgradeStatus(edge, origin: "http://env.example.test") == 403)
        }
        let page = try await hub.get("/api/admin/settings")
        #expect("\(page.body)".contains(other), "the page shows the stored value")

        // A wildcard is refused and changes nothing.
        let wildcard = try await hub.put("/api/admin/settings", #"{"changes":{"cors.origin":"*"}}"#)
        #expect(wildcard.status == 400, "\(wildcard.body)")
        #expect(try Self.origins(edgeB, origin: other) == Array(repeating: other, count: Self.paths.count))

        // Changed again: the new list applies.
        #expect(try await hub.put("/api/admin/settings", #"{"changes":{"cors.origin":"\#(other)"}}"#).status == 200)
        for edge in [edgeA, edgeB] {
            try await Self.eventually { try Self.origins(edge, origin: app) == Array(repeating: other, count: Self.paths.count) }
            #expect(try Self.origins(edge, origin: app) == Array(repeating: other, count: Self.paths.count))
        }
    }

    /// The status of a `/ws/client` upgrade sent from a page at `origin`.
    static func upgradeStatus(_ edge: HubProcess, origin: String) throws -> Int {
        try RawHTTP.upgrade(port: edge.port, path: "/ws/client", headers: ["Origin": origin]).status
    }

    /// Waits up to 10 s for `condition` (a change travels over the bus).
    static func eventually(_ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
