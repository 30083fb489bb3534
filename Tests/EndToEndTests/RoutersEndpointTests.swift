import AgentIMCore
import Foundation
import Testing

/// `/api/routers` (http-api §10) on the single-process hub, against a real local fake LLM.
/// Validation messages and the SSRF guard are checked in-process (RoutersInProcessTests).
@Suite(.serialized)
struct RoutersEndpointTests {
    static let key = "sk-test-key-0123456789"

    static func body(_ name: String, url: String, scope: String? = nil, extra: String = "") -> String {
        #"{"name":"\#(name)","llmBaseUrl":"\#(url)","llmApiKey":"\#(key)","llmModel":"gpt-test"\#(scope.map { #","scope":"\#($0)""# } ?? "")\#(extra)}"#
    }

    @Test func crudVisibilityMaskingAndPermissions() async throws {
        let llm = try await FakeLLM()
        defer { llm.stop() }
        let (hub, process) = try await Fixture.singleProcess(extra: ["ROUTER_ALLOW_PRIVATE_URLS": "true",
                                                                     "ENCRYPTION_KEY": "router-tests-encryption-key-0123456789"])
        defer { process.stop() }
        let alice = try await hub.user("alice")
        let bob = try await hub.user("bob")
        let carol = try await hub.user("carol")

        // Create: 201, defaults, the key masked (•••• + last 2 when longer than 8).
        let personal = try await hub.post("/api/routers", Self.body("Mine", url: llm.baseURL("all")), alice.token)
        #expect(personal.status == 201, "\(personal.body)")
        let mine = try #require(personal.data)
        #expect(mine["llmApiKey"] == .string("••••89"))
        #expect(mine["scope"] == .string("personal"))
        #expect(mine["description"] == .null)
        #expect(mine["maxChainDepth"] == .number(5) && mine["rateLimitWindow"] == .number(60) && mine["rateLimitMax"] == .number(20))
        #expect(mine["visibility"] == .string("all") && mine["visibilityList"] == .array([]))
        #expect(mine["createdById"] == .string(alice.id))
        #expect(mine["createdAt"]?.stringValue?.hasSuffix("Z") == true)
        let mineId = try #require(mine["id"]?.stringValue)
        let short = try await hub.post("/api/routers", #"{"name":"Short","llmBaseUrl":"\#(llm.baseURL("all"))","llmApiKey":"12345678","llmModel":"m"}"#, alice.token)
        #expect(short.data?["llmApiKey"] == .string("••••"))

        // Only admins create global routers; visibility lists decide who sees them.
        let denied = try await hub.post("/api/routers", Self.body("G", url: llm.baseURL("all"), scope: "global"), alice.token)
        #expect(denied.status == 403)
        #expect(denied.error == "Admin access required to create global routers")
        let white = try await hub.post("/api/routers", Self.body("White", url: llm.baseURL("all"), scope: "global",
                                                                  extra: #","visibility":"whitelist","visibilityList":["\#(bob.id)"]"#))
        #expect(white.status == 201, "\(white.body)")
        let whiteId = try #require(white.data?["id"]?.stringValue)
        let black = try await hub.post("/api/routers", Self.body("Black", url: llm.baseURL("all"), scope: "global",
                                                                  extra: #","visibility":"blacklist","visibilityList":["\#(bob.id)"]"#))
        let blackId = try #require(black.data?["id"]?.stringValue)

        func names(_ token: String) async throws -> Set<String> {
            let list = try await hub.get("/api/routers", token)
            guard case .array(let items)? = list.data else { return [] }
            return Set(items.compactMap { $0["name"]?.stringValue })
        }
        #expect(try await names(alice.token) == ["Mine", "Short", "Black"])
        #expect(try await names(bob.token) == ["White"])
        #expect(try await names(carol.token) == ["Black"])
        #expect(try await names(hub.adminToken) == ["Mine", "Short", "White", "Black"])

        #expect(try await hub.get("/api/routers/\(whiteId)", bob.token).status == 200)
        let hidden = try await hub.get("/api/routers/\(whiteId)", carol.token)
        #expect(hidden.status == 404 && hidden.error == "Router not found")
        #expect(try await hub.get("/api/routers/\(blackId)", bob.token).status == 404)
        #expect(try await hub.get("/api/routers/\(mineId)", bob.token).status == 404)
        #expect(try await hub.get("/api/routers/\(mineId)").status == 200, "admins see everything")
        #expect(try await hub.get("/api/routers/bad.id", alice.token).error == "Invalid parameter: id")
        #expect(try await HTTP.get(hub.base + "/api/routers").status == 401)

        // Update: validation, then 404, then ownership; an omitted key is kept; visibility is
        // ignored on a personal router.
        let invalid = try await hub.put("/api/routers/nope", #"{"maxChainDepth":0}"#, alice.token)
        #expect(invalid.status == 400 && invalid.error == "Validation failed")
        #expect(try await hub.put("/api/routers/nope", #"{"name":"x"}"#, alice.token).error == "Router not found")
        let foreign = try await hub.put("/api/routers/\(mineId)", #"{"name":"Bobs"}"#, bob.token)
        #expect(foreign.status == 403 && foreign.error == "Only the router owner or admin can update")
        let visibleToBob = try await hub.get("/api/routers/\(whiteId)", bob.token)
        #expect(visibleToBob.status == 200)
        #expect(try await hub.put("/api/routers/\(whiteId)", #"{"name":"Taken"}"#, bob.token).status == 403, "visibility does not grant edit")
        let renamed = try await hub.put("/api/routers/\(mineId)", #"{"name":"Mine2","description":"d","visibility":"whitelist","visibilityList":[]}"#, alice.token)
        #expect(renamed.status == 400, "whitelist with an empty list arriving together")
        let renamed2 = try await hub.put("/api/routers/\(mineId)", #"{"name":"Mine2","description":"d","visibility":"blacklist"}"#, alice.token)
        #expect(renamed2.status == 200, "\(renamed2.body)")
        #expect(renamed2.data?["name"] == .string("Mine2") && renamed2.data?["description"] == .string("d"))
        #expect(renamed2.data?["visibility"] == .string("all"), "ignored on personal routers")
        #expect(renamed2.data?["llmApiKey"] == .string("••••89"), "an omitted key is kept")
        let rekeyed = try await hub.put("/api/routers/\(mineId)", #"{"llmApiKey":"another-secret-XY","description":null}"#, alice.token)
        #expect(rekeyed.data?["llmApiKey"] == .string("••••XY") && rekeyed.data?["description"] == .null)

        // The key is stored as an envelope, never in clear.
        let stored = try TestEnvironment.psql(process.environment["DATABASE_URL"]!, "SELECT llm_api_key FROM routers WHERE id = '\(mineId)'")
        #expect(stored.hasPrefix("enc:") && !stored.contains("another-secret"), "stored: \(stored)")

        // A duplicate name for the same creator surfaces as 500 (the original's quirk).
        #expect(try await hub.post("/api/routers", Self.body("Short", url: llm.baseURL("all")), alice.token).status == 500)

        // Delete: owner or admin; rooms using it lose it.
        let roomId = try await hub.room("Routed", owner: alice)
        let assigned = try await hub.put("/api/rooms/\(roomId)", #"{"routerId":"\#(mineId)"}"#, alice.token)
        #expect(assigned.data?["routerId"] == .string(mineId), "\(assigned.body)")
        let notYours = try await hub.delete("/api/routers/\(mineId)", nil, bob.token)
        #expect(notYours.status == 403 && notYours.error == "Only the router owner or admin can delete")
        let deleted = try await hub.delete("/api/routers/\(mineId)", nil, alice.token)
        #expect(deleted.status == 200 && deleted.body == .object(["ok": .bool(true)]))
        #expect(try await hub.delete("/api/routers/\(mineId)", nil, alice.token).error == "Router not found")
        #expect(try await hub.get("/api/rooms/\(roomId)", alice.token).data?["routerId"] == .null)
    }

    @Test func connectionTestAnswersAndItsQuirkyFailures() async throws {
        let llm = try await FakeLLM()
        defer { llm.stop() }
        let (hub, process) = try await Fixture.singleProcess(extra: ["ROUTER_ALLOW_PRIVATE_URLS": "true"])
        defer { process.stop() }
        func router(_ url: String) async throws -> String {
            let reply = try await hub.post("/api/routers", Self.body("T\(Nanoid.make(length: 6))", url: url))
            return try #require(reply.data?["id"]?.stringValue, "\(reply.body)")
        }
        let good = try await hub.post("/api/routers/\(try await router(llm.baseURL("all")))/test", nil)
        #expect(good.status == 200 && good.body == .object(["ok": .bool(true), "data": .object(["success": .bool(true)])]), "\(good.body)")
        let last = try await llm.last()
        #expect(last["authorization"] == .string("Bearer \(Self.key)"))
        #expect(last["body"] == .object(["model": .string("gpt-test"), "messages": .array([.object(["role": .string("user"), "content": .string("Hello")])]), "max_tokens": .number(5)]))

        let failing = try await hub.post("/api/routers/\(try await router(llm.baseURL("fail")))/test", nil)
        #expect(failing.status == 200 && failing.body == .object(["ok": .bool(false), "error": .string("LLM API returned HTTP 500")]))
        let redirected = try await hub.post("/api/routers/\(try await router(llm.baseURL("redirect")))/test", nil)
        #expect(redirected.status == 200 && redirected.error == "Connection failed", "redirects are refused")
        let closed = try await hub.post("/api/routers/\(try await router("http://127.0.0.1:\(TestEnvironment.freePort())/v1"))/test", nil)
        #expect(closed.status == 200 && closed.error == "Connection failed")
        let started = ContinuousClock.now
        let hanging = try await hub.post("/api/routers/\(try await router(llm.baseURL("hang")))/test", nil)
        #expect(hanging.status == 200 && hanging.error == "Connection timeout (10s)")
        #expect(ContinuousClock.now - started < .seconds(14))

        let outsider = try await hub.user("outsider")
        let invisible = try await hub.post("/api/routers/\(try await router(llm.baseURL("all")))/test", nil, outsider.token)
        #expect(invisible.status == 404 && invisible.error == "Router not found")
    }

    /// The router service as its own process behind an edge: its routes are proxied, and the
    /// edge applies the `router-test` bucket (5 per minute per IP) before the service sees a test.
    @Test func throughTheEdgeInTheDistributedTopology() async throws {
        let hub = try DistributedHub()
        defer { hub.stop() }
        try await hub.startServices()
        let edge = try await hub.startEdge()
        let token = try await ChatScenario.login(edge.baseURL, "admin", ChatScenario.adminPassword)
        let created = try await HTTP.post(edge.baseURL + "/api/routers", json: Self.body("Edge", url: "https://no-such-llm.invalid/v1"), token: token)
        #expect(created.status == 201, "\(created.body)")
        let id = try #require(created.data?["id"]?.stringValue)
        #expect(try await HTTP.get(edge.baseURL + "/api/routers", token: token).data?.arrayValue?.count == 1)
        #expect(try await HTTP.get(edge.baseURL + "/api/service-agents/providers", token: token).data?.arrayValue?.count == 7)
        // The guard runs when a URL is saved, not per request (§3.8): point it at a closed port
        // behind its back, so each test fails at once.
        try TestEnvironment.psql(hub.database, "UPDATE routers SET llm_base_url = 'http://127.0.0.1:\(TestEnvironment.freePort())/v1' WHERE id = '\(id)'")
        for _ in 1...5 {
            let test = try await HTTP.post(edge.baseURL + "/api/routers/\(id)/test", json: nil, token: token)
            #expect(test.status == 200 && test.error == "Connection failed", "\(test.body)")
        }
        let limited = try await HTTP.post(edge.baseURL + "/api/routers/\(id)/test", json: nil, token: token)
        #expect(limited.status == 429 && limited.error == "Too many requests")
    }

    @Test func privateURLsSwitchIsRefusedInProduction() async throws {
        let process = try HubProcess("agentim-router", environment: [
            "NODE_ENV": "production", "ROUTER_ALLOW_PRIVATE_URLS": "true", "DATABASE_URL": "postgresql://u:p@127.0.0.1:1/none",
            "JWT_SECRET": String(repeating: "s", count: 40), "ENCRYPTION_KEY": String(repeating: "k", count: 40),
            "CORS_ORIGIN": "https://chat.example.com", "ADMIN_PASSWORD": "",
        ])
        process.process.waitUntilExit()
        #expect(process.process.terminationStatus == 1)
        let lines = process.log.split(separator: "\n")
        #expect(lines.count == 1, "one clear line: \(process.log)")
        #expect(process.log.contains("agentim: fatal: ROUTER_ALLOW_PRIVATE_URLS=true"), "\(process.log)")
    }
}
