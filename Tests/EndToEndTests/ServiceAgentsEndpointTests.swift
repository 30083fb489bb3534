import AgentIMCore
import Foundation
import Testing

/// `/api/service-agents` (http-api §14) on the single-process hub.
@Suite(.serialized)
struct ServiceAgentsEndpointTests {
    static func issues(_ reply: HTTP.Reply) -> [String] {
        (reply["fields"]?.arrayValue ?? []).compactMap { item in
            guard let field = item["field"]?.stringValue, let message = item["message"]?.stringValue else { return nil }
            return "\(field): \(message)"
        }
    }

    @Test func adminOnlyCrudWithMaskedEncryptedConfig() async throws {
        let llm = try await FakeLLM()
        defer { llm.stop() }
        let (hub, process) = try await Fixture.singleProcess(extra: ["ROUTER_ALLOW_PRIVATE_URLS": "true",
                                                                     "ENCRYPTION_KEY": "service-agent-tests-key-0123456789abc"])
        defer { process.stop() }
        let user = try await hub.user("plain")
        #expect(try await HTTP.get(hub.base + "/api/service-agents").status == 401)
        let forbidden = try await hub.get("/api/service-agents/providers", user.token)
        #expect(forbidden.status == 403 && forbidden.error == "Admin access required")

        // The seven built-in providers and their schemas.
        let providers = try #require(try await hub.get("/api/service-agents/providers").data?.arrayValue)
        #expect(providers.compactMap { $0["type"]?.stringValue } == ["openai-chat", "perplexity", "openai-image", "elevenlabs", "runway", "stability-audio", "meshy"])
        let chat = try #require(providers.first)
        #expect(chat["displayName"] == .string("OpenAI Chat") && chat["category"] == .string("chat"))
        #expect(chat["description"] == .string("OpenAI-compatible chat completions API"))
        let schema = try #require(chat["configSchema"])
        #expect(schema["type"] == .string("object"))
        #expect(schema["required"] == .array([.string("baseUrl"), .string("apiKey"), .string("model")]))
        #expect(schema["properties"]?["baseUrl"] == .object(["type": .string("string"), "format": .string("url")]))
        #expect(schema["properties"]?["maxTokens"] == .object(["type": .string("integer"), "minimum": .number(1), "maximum": .number(100_000), "default": .number(4096)]))
        #expect(providers[3]["configSchema"]?["properties"]?["outputFormat"]?["enum"]?.arrayValue?.count == 4)

        // Validation: the schema's rules, then the provider's.
        let array = try await hub.post("/api/service-agents", "[]")
        #expect(array.status == 400 && Self.issues(array) == [": Expected object, received array"])
        let bare = try await hub.post("/api/service-agents", #"{"name":"Bot","config":{}}"#)
        #expect(Self.issues(bare) == ["config.apiKey: validation.serviceAgentApiKeyRequired", "config.model: validation.serviceAgentModelRequired"])
        let voice = try await hub.post("/api/service-agents", #"{"name":"Voice","type":"elevenlabs","config":{"apiKey":"k"}}"#)
        #expect(Self.issues(voice) == ["config.voiceId: validation.serviceAgentVoiceIdRequired"])
        let dangerous = try await hub.post("/api/service-agents", #"{"name":"Bot","config":{"__proto__":{"x":1},"apiKey":"k","model":"m"}}"#)
        #expect(Self.issues(dangerous) == ["config: validation.configDangerousKey"])
        let blank = try await hub.post("/api/service-agents", #"{"name":"  ","type":"nope","config":{"apiKey":"k","model":"m"}}"#)
        #expect(Self.issues(blank) == ["name: validation.nameWhitespace", "type: Invalid enum value. Expected 'openai-chat' | 'perplexity' | 'openai-image' | 'elevenlabs' | 'runway' | 'stability-audio' | 'meshy' | 'custom', received 'nope'"])
        let badProvider = try await hub.post("/api/service-agents", #"{"name":"Bot","config":{"baseUrl":"nope","apiKey":"k","model":"m","maxTokens":0}}"#)
        #expect(badProvider.status == 400 && badProvider.error == "Invalid provider config")
        #expect(Self.issues(badProvider) == ["config.baseUrl: Invalid url", "config.maxTokens: Number must be greater than or equal to 1"])
        #expect(try await hub.get("/api/service-agents").data == .array([]), "nothing stored")

        // Create: 201, active, category from the provider, no config in the answer.
        let created = try await hub.post("/api/service-agents", #"{"name":"EchoBot","description":"echoes","config":{"baseUrl":"\#(llm.baseURL("chat"))","apiKey":"sk-secret-value","model":"m","extra":true}}"#)
        #expect(created.status == 201, "\(created.body)")
        let agent = try #require(created.data)
        #expect(agent["status"] == .string("active") && agent["category"] == .string("chat") && agent["type"] == .string("openai-chat"))
        #expect(agent["config"] == nil && agent["avatarUrl"] == .null && agent["createdById"] == .string(hub.adminId))
        let id = try #require(agent["id"]?.stringValue)
        let stored = try TestEnvironment.psql(process.environment["DATABASE_URL"]!, "SELECT config_encrypted FROM service_agents WHERE id = '\(id)'")
        #expect(stored.hasPrefix("enc:") && !stored.contains("sk-secret"))
        let shown = try await hub.get("/api/service-agents/\(id)")
        #expect(shown.data?["config"]?["apiKey"] == .string("sk-s••••••••"))
        #expect(shown.data?["config"]?["extra"] == .bool(true) && shown.data?["config"]?["model"] == .string("m"))
        let listed = try #require(try await hub.get("/api/service-agents").data?.arrayValue)
        #expect(listed.count == 1 && listed[0]["config"] == nil)
        #expect(try await hub.post("/api/service-agents", #"{"name":"EchoBot","type":"custom","config":{}}"#).status == 500, "duplicate name (the original's quirk)")

        // Update merges the config shallowly and re-validates the merge.
        let updated = try await hub.put("/api/service-agents/\(id)", #"{"config":{"model":"m2"},"status":"inactive","description":null}"#)
        #expect(updated.status == 200 && updated.data?["status"] == .string("inactive") && updated.data?["description"] == .null)
        let merged = try await hub.get("/api/service-agents/\(id)")
        #expect(merged.data?["config"]?["apiKey"] == .string("sk-s••••••••") && merged.data?["config"]?["model"] == .string("m2"))
        let invalidMerge = try await hub.put("/api/service-agents/\(id)", #"{"config":{"maxTokens":1.5}}"#)
        #expect(invalidMerge.error == "Invalid provider config" && Self.issues(invalidMerge) == ["config.maxTokens: Expected integer, received float"])
        #expect(try await hub.put("/api/service-agents/missing1", #"{"name":"x"}"#).error == "Service agent not found")
        #expect(try await hub.get("/api/service-agents/bad.id").error == "Invalid parameter: id")

        // Validate: the provider's check (openai-chat asks GET {baseUrl}/models), or none for custom.
        let valid = try await hub.post("/api/service-agents/\(id)/validate", nil)
        #expect(valid.data == .object(["valid": .bool(true)]), "\(valid.body)")
        let custom = try await hub.post("/api/service-agents", #"{"name":"Free","type":"custom","config":{"anything":1}}"#)
        let customId = try #require(custom.data?["id"]?.stringValue)
        #expect(custom.data?["category"] == .string("chat"))
        #expect(try await hub.post("/api/service-agents/\(customId)/validate", nil).data == .object(["valid": .bool(true), "message": .string("No validation available")]))

        let deleted = try await hub.delete("/api/service-agents/\(id)")
        #expect(deleted.body == .object(["ok": .bool(true)]))
        #expect(try await hub.delete("/api/service-agents/\(id)").error == "Service agent not found")
    }
}
