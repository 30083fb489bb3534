import AgentIMCore
import RouterService
import Testing

/// The pure parts of the router LLM exchange (websocket §11.8) and of secret masking.
struct RoutingPromptTests {
    @Test func firstBalancedObjectSurvivesFencesProseAndBracesInStrings() {
        #expect(RoutingPrompt.firstJSONObject(#"Sure! ```json\n{"agentIds": ["a", "b"]}\n``` and {"x": 1}"#) == #"{"agentIds": ["a", "b"]}"#)
        #expect(RoutingPrompt.firstJSONObject(#"{"note": "a } brace \" and { more", "agentIds": []} tail"#) == #"{"note": "a } brace \" and { more", "agentIds": []}"#)
        #expect(RoutingPrompt.firstJSONObject(#"{"a": {"b": {}}}}"#) == #"{"a": {"b": {}}}"#)
        #expect(RoutingPrompt.firstJSONObject("no json here") == nil)
        #expect(RoutingPrompt.firstJSONObject(#"{"unterminated": ["#) == nil)
    }

    @Test func agentIdsMustBeAListOfStrings() {
        #expect(RoutingPrompt.agentIds(in: #"I pick {"agentIds":["x","y"]}."#) == ["x", "y"])
        #expect(RoutingPrompt.agentIds(in: #"{"agentIds":[]}"#) == [])
        #expect(RoutingPrompt.agentIds(in: #"{"agentIds":"x"}"#) == nil)
        #expect(RoutingPrompt.agentIds(in: #"{"agentIds":["x", 3]}"#) == nil)
        #expect(RoutingPrompt.agentIds(in: #"{"agents":["x"]}"#) == nil)
        #expect(RoutingPrompt.agentIds(in: #"{agentIds: ["x"]}"#) == nil)
    }

    @Test func tokensAreLowerCasedAlphanumericAndCJKRuns() {
        #expect(RoutingPrompt.tokens("Fix the CSS-bug in ui_v2, 请修复 前端!") == ["fix", "the", "css", "bug", "in", "ui", "v2", "请修复", "前端"])
    }

    @Test func shortlistKeepsTheBestOverlapInOriginalOrderForTies() {
        let agents = (0..<6).map { RouteCandidate(id: "a\($0)", name: "agent\($0)", type: "generic", capabilities: []) } + [
            RouteCandidate(id: "css", name: "stylist", type: "generic", capabilities: ["css", "frontend"]),
            RouteCandidate(id: "db", name: "dba", type: "codex", capabilities: ["postgres", "sql"]),
        ]
        let picked = RoutingPrompt.shortlist(agents, content: "Tune the postgres SQL and the frontend CSS", limit: 3)
        #expect(picked.map(\.id) == ["css", "db", "a0"])
        #expect(RoutingPrompt.shortlist(agents, content: "x", limit: 20).count == agents.count)
    }

    @Test func promptCarriesTheCandidatesTheMessageAndTheRoomContext() {
        let agents = [RouteCandidate(id: "id1", name: "Ann", type: "claude-code", capabilities: (1...12).map { "c\($0)" })]
        let question = RoutingPrompt.question(agents, content: "hello all")
        #expect(question.contains(#"id: "id1", name: "Ann", type: "claude-code""#))
        #expect(question.contains("c10") && !question.contains("c11"))
        #expect(question.hasSuffix(#""hello all""#))
        let instructions = RoutingPrompt.instructions(roomSystemPrompt: "We build a compiler")
        #expect(instructions.contains(#"{"agentIds""#))
        #expect(instructions.hasSuffix("Room context: We build a compiler"))
        #expect(!RoutingPrompt.instructions(roomSystemPrompt: nil).contains("Room context"))
    }

    @Test func secretMasks() {
        #expect(SecretMask.routerKey("sk-1234567890ab") == "••••ab")
        #expect(SecretMask.routerKey("12345678") == "••••")
        #expect(SecretMask.routerKey(nil) == "••••")
        #expect(SecretMask.serviceAgentKey("sk-abcdef") == "sk-a••••••••")
    }

    @Test func privateURLsAreRefusedInProduction() throws {
        #expect(throws: ConfigError.self) {
            try RouterConfig(environment: Environment(["ROUTER_ALLOW_PRIVATE_URLS": "true"]), production: true)
        }
        #expect(try RouterConfig(environment: Environment(["ROUTER_ALLOW_PRIVATE_URLS": "true"]), production: false).allowPrivateURLs)
        #expect(try !RouterConfig(environment: Environment(["ROUTER_ALLOW_PRIVATE_URLS": "1"]), production: true).allowPrivateURLs)
        #expect(try RouterConfig(environment: Environment(["ROUTER_LLM_MAX_AGENTS": "abc"]), production: false).maxAgents == 20)
        #expect(try RouterConfig(environment: Environment(["ROUTER_LLM_MAX_AGENTS": "-3"]), production: false).maxAgents == 1)
    }
}
