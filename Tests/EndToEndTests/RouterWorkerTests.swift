import AgentIMCore
import Foundation
import Testing

/// The router service as a bus consumer (websocket §11.8, §11.7): real agentim-router
/// processes, real Redis streams, a real local LLM server.
@Suite(.serialized)
struct RouterWorkerTests {
    /// Sends `sentinel` (routed by an always-answering router) in `room` and waits for its
    /// decision: everything sent before it in that room has then been handled.
    static func settle(_ topology: RouterTopology, room: String, via router: String) async throws {
        let sentinel = "sentinel-\(Nanoid.make(length: 8))"
        try await topology.route(topology.request(sentinel, router: router, room: room))
        let found = try await topology.waitForDecisions([sentinel])
        #expect(found[sentinel] != nil, "sentinel not routed")
    }

    @Test func decisionsFollowTheLLMAndReachRooms() async throws {
        let topology = try await RouterTopology(extra: ["ROUTER_LLM_MAX_AGENTS": "3"])
        defer { topology.stop() }
        let all = try topology.router("all")
        let named = try topology.router("named")
        let fenced = try topology.router("fenced")
        let reasoning = try topology.router("reasoning")

        try await topology.route(topology.request("m-all", router: all))
        try await topology.route(topology.request("m-named", router: named, content: "Bob, can you look? [m:m-named]"))
        try await topology.route(topology.request("m-fenced", router: fenced))
        try await topology.route(topology.request("m-reasoning", router: reasoning))
        let found = try await topology.waitForDecisions(["m-all", "m-named", "m-fenced", "m-reasoning"])
        #expect(found["m-all"]?.map(\.agentIds) == [["agent-ann", "agent-bob"]])
        #expect(found["m-named"]?.map(\.agentIds) == [["agent-bob"]])
        #expect(found["m-fenced"]?.map(\.agentIds) == [["agent-ann", "agent-bob"]], "the first balanced object inside prose and fences")
        #expect(found["m-reasoning"]?.map(\.agentIds) == [["agent-ann", "agent-bob"]], "reasoning_content when content is null")
        let decision = try #require(found["m-all"]?.first)
        #expect(decision == RouteDecision(messageId: "m-all", roomId: "room-1", agentIds: ["agent-ann", "agent-bob"], conversationId: "conv-m-all",
                                          senderId: "u1", senderName: "alice", content: "hello everyone [m:m-all]"))

        // The request as the spec writes it: developer + user messages, nothing else.
        try await topology.route(topology.request("m-body", router: all, content: "Fix the postgres index [m:m-body]",
                                                  candidates: RouterTopology.candidates(["Ann", "Bob", "Cid"]) + [
                                                      RouteCandidate(id: "agent-db", name: "Dee", type: "codex", capabilities: ["postgres", "index"])]))
        let bodyDecision = try await topology.waitForDecisions(["m-body"])
        #expect(bodyDecision["m-body"]?.first?.agentIds == ["agent-db", "agent-ann", "agent-bob"], "trimmed to ROUTER_LLM_MAX_AGENTS by keyword overlap")
        let last = try await topology.llm.last()
        #expect(last["authorization"] == .string("Bearer sk-fake-key"))
        let body = try #require(last["body"])
        #expect(body["model"] == .string("fake-model"))
        guard case .object(let keys) = body else { Issue.record("no body"); return }
        #expect(Set(keys.keys) == ["model", "messages"], "no temperature or token limit")
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue } == ["developer", "user"])
        #expect(messages[0]["content"]?.stringValue?.contains("Room context: Room of tests") == true)
        #expect(messages[1]["content"]?.stringValue?.hasSuffix(#""Fix the postgres index [m:m-body]""#) == true)

        // Nothing is published for [], unreadable answers, failures, no candidates, no router.
        let garbage = try topology.router("garbage")
        let failing = try topology.router("fail")
        try await topology.route(topology.request("m-empty", router: named, room: "quiet", content: "nobody here [m:m-empty]"))
        try await topology.route(topology.request("m-garbage", router: garbage, room: "quiet"))
        try await topology.route(topology.request("m-fail", router: failing, room: "quiet"))
        try await topology.route(topology.request("m-none", router: all, room: "quiet", candidates: []))
        try await topology.route(topology.request("m-norouter", router: nil, room: "quiet"))
        try await topology.route(topology.request("m-foreign", router: all, room: "quiet", owner: "other-user"))
        try await topology.route(topology.request("m-missing", router: "no-such-router", room: "quiet"))
        try await Self.settle(topology, room: "quiet", via: all)
        let quiet = try await topology.decisions()
        for id in ["m-empty", "m-garbage", "m-fail", "m-none", "m-norouter", "m-foreign", "m-missing"] {
            #expect(quiet[id] == nil, "\(id) must not be routed")
        }
        let calls = try await topology.llm.calls()
        #expect(calls.byMarker["m-none"] == nil && calls.byMarker["m-norouter"] == nil && calls.byMarker["m-foreign"] == nil,
                "no LLM call without candidates or a usable router")

        // Redelivery: a decided message is not asked again; an unpublished decision is re-sent as stored.
        try await topology.route(topology.request("m-all", router: all))
        try TestEnvironment.psql(topology.database, "UPDATE routing_decisions SET published_at = NULL WHERE message_id = 'm-named'")
        try await topology.route(topology.request("m-named", router: named, content: "Ann now! [m:m-named]"))
        try await Self.settle(topology, room: "room-1", via: all)
        let again = try await topology.decisions()
        #expect(again["m-all"]?.count == 1, "a published decision is not sent twice")
        #expect(again["m-named"]?.map(\.agentIds) == [["agent-bob"], ["agent-bob"]], "the stored decision, not a new one")
        let recount = try await topology.llm.calls()
        #expect(recount.byMarker["m-all"] == 1 && recount.byMarker["m-named"] == 1, "the LLM is asked once per message")
    }

    @Test func systemRouterFromSettingsWhenTheRoomHasNone() async throws {
        let llm = try await FakeLLM()
        defer { llm.stop() }
        let topology = try await RouterTopology(extra: ["ROUTER_LLM_BASE_URL": llm.baseURL("named"), "ROUTER_LLM_API_KEY": "sk-system"])
        defer { topology.stop() }
        let foreign = try topology.router("all", owner: "other-user")
        try await topology.route(topology.request("s-1", router: nil, content: "Ann please [m:s-1]"))
        try await topology.route(topology.request("s-2", router: foreign, content: "Bob please [m:s-2]"))
        let found = try await topology.waitForDecisions(["s-1", "s-2"])
        #expect(found["s-1"]?.first?.agentIds == ["agent-ann"])
        #expect(found["s-2"]?.first?.agentIds == ["agent-bob"], "another user's personal router falls back to the system router")
        #expect(try await llm.last()["authorization"] == .string("Bearer sk-system"))
    }

    @Test func breakerOpensAfterFiveFailuresAndRecovers() async throws {
        let topology = try await RouterTopology()
        defer { topology.stop() }
        let flaky = try topology.router("switch")
        let steady = try topology.router("all")
        try await topology.llm.setSwitch("fail")
        for i in 1...6 { try await topology.route(topology.request("b-\(i)", router: flaky, room: "b")) }
        try await Self.settle(topology, room: "b", via: steady)
        var calls = try await topology.llm.calls()
        #expect((1...5).allSatisfy { calls.byMarker["b-\($0)"] == 1 })
        #expect(calls.byMarker["b-6"] == nil, "the sixth is skipped: the breaker is open")

        // After the open period one probe goes through; it fails, so the breaker re-opens.
        try await Task.sleep(for: .milliseconds(1700))
        try await topology.route(topology.request("b-7", router: flaky, room: "b"))
        try await topology.route(topology.request("b-8", router: flaky, room: "b"))
        try await Self.settle(topology, room: "b", via: steady)
        calls = try await topology.llm.calls()
        #expect(calls.byMarker["b-7"] == 1 && calls.byMarker["b-8"] == nil, "one probe, then open again")

        // The endpoint heals: the next probe closes the breaker and routing resumes.
        try await topology.llm.setSwitch("all")
        try await Task.sleep(for: .milliseconds(1700))
        for i in 9...11 { try await topology.route(topology.request("b-\(i)", router: flaky, room: "b")) }
        let healed = try await topology.waitForDecisions(["b-9", "b-10", "b-11"])
        #expect(["b-9", "b-10", "b-11"].allSatisfy { healed[$0]?.count == 1 })
        #expect(healed["b-6"] == nil && healed["b-7"] == nil)

        // A hanging LLM times out (router.llm.timeout = 2 s here) and routes nothing.
        let hanging = try topology.router("hang")
        let started = ContinuousClock.now
        try await topology.route(topology.request("b-hang", router: hanging, room: "h"))
        try await Self.settle(topology, room: "h", via: steady)
        #expect(ContinuousClock.now - started < .seconds(6))
        #expect(try await topology.decisions()["b-hang"] == nil)
    }

    @Test func serviceAgentCalls() async throws {
        let topology = try await RouterTopology()
        defer { topology.stop() }
        func agent(_ name: String, type: String = "openai-chat", mode: String = "chat", status: String = "active") throws {
            let config = #"{"baseUrl":"\#(topology.llm.baseURL(mode))","apiKey":"sk-agent","model":"m","systemPrompt":"Be brief","maxTokens":64}"#
            try TestEnvironment.psql(topology.database, """
                INSERT INTO service_agents (id, name, type, category, status, config_encrypted, created_by_id, created_at, updated_at)
                VALUES ('sa-\(name.lowercased())', '\(name)', '\(type)', 'chat', '\(status)', '\(config)', '\(RouterTopology.userId)', now(), now())
                """)
        }
        try agent("EchoBot")
        try agent("Broken", mode: "fail")
        try agent("Video", type: "runway")
        try agent("Sleeper", status: "inactive")
        func call(_ id: String, _ name: String) async throws {
            try await topology.send(.callServiceAgent(ServiceAgentCall(requestId: id, roomId: "room-sa", messageId: "msg-\(id)",
                                                                       mentionName: name, content: "hello there", senderName: "alice")))
        }
        try await call("c-echo", "echobot")
        try await call("c-broken", "Broken")
        try await call("c-video", "VIDEO")
        try await call("c-sleeper", "Sleeper")
        try await call("c-nobody", "Nobody")
        var replies: [String: RoomsCommand] = [:]
        let deadline = ContinuousClock.now + .seconds(20)
        while replies.count < 3 && ContinuousClock.now < deadline {
            for command in try await topology.answers() {
                switch command {
                case .serviceAgentReplied(let reply): replies[reply.requestId] = command
                case .serviceAgentFailed(let failure): replies[failure.requestId] = command
                default: break
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(replies["c-echo"] == .serviceAgentReplied(ServiceAgentReply(requestId: "c-echo", roomId: "room-sa", serviceAgentId: "sa-echobot",
                                                                              serviceAgentName: "EchoBot", content: "echo: [alice]: hello there")))
        guard case .serviceAgentFailed(let broken)? = replies["c-broken"] else { Issue.record("no failure for c-broken"); return }
        #expect(broken.serviceAgentName == "Broken" && broken.error.hasPrefix("OpenAI API error (500)"))
        guard case .serviceAgentFailed(let video)? = replies["c-video"] else { Issue.record("no failure for c-video"); return }
        #expect(video.error.hasPrefix("Runway API error (404)"), "the runway API called at the agent's base URL: \(video.error)")
        #expect(replies["c-sleeper"] == nil && replies["c-nobody"] == nil)
        let sent = try #require(try await topology.llm.last()["body"])
        #expect(sent["max_tokens"] == .number(64) && sent["model"] == .string("m"))
        #expect(sent["messages"]?.arrayValue?.first?["content"] == .string("Be brief"))
    }

    /// Two routers share the group; one is killed with -9 in the middle of the load; the other
    /// claims its pending requests. Every message is decided, and never differently twice.
    @Test func twoRoutersShareTheLoadAndSurviveAKill() async throws {
        let topology = try await RouterTopology(routers: 2)
        defer { topology.stop() }
        let slow = try topology.router("slow")
        let fast = try topology.router("all")

        // Both alive: each message decided once (bench/router-throughput.py measures how fast).
        let warm = (0..<40).map { "w-\($0)" }
        for (i, id) in warm.enumerated() { try await topology.route(topology.request(id, router: fast, room: "w-\(i % 8)")) }
        let warmDecided = try await topology.waitForDecisions(Set(warm), timeout: .seconds(60))
        #expect(warm.allSatisfy { warmDecided[$0]?.count == 1 })

        // Load through a 50 ms LLM; kill one router while it holds pending work.
        let ids = (0..<300).map { "k-\($0)" }
        for (i, id) in ids.enumerated() { try await topology.route(topology.request(id, router: slow, room: "k-\(i % 30)")) }
        try await Task.sleep(for: .milliseconds(400))
        topology.routers[0].kill9()
        let decided = try await topology.waitForDecisions(Set(ids), timeout: .seconds(90))
        let missing = ids.filter { decided[$0] == nil }
        #expect(missing.isEmpty, "not answered: \(missing.prefix(10))")
        let duplicated = ids.filter { (decided[$0]?.count ?? 0) > 1 }
        #expect(duplicated.allSatisfy { Set(decided[$0]!.map(\.agentIds)).count == 1 }, "a re-sent decision is the stored one")
        // Only a request caught between publishing and recording that it was published can be re-sent.
        #expect(duplicated.count <= 5, "re-sent decisions: \(duplicated)")
        let calls = try await topology.llm.calls()
        let askedTwice = ids.filter { (calls.byMarker[$0] ?? 0) > 1 }
        #expect(ids.allSatisfy { (calls.byMarker[$0] ?? 0) >= 1 })
        // Only requests whose LLM call was in flight at the kill are asked again (at most one per room lane).
        #expect(askedTwice.count <= 30, "asked twice: \(askedTwice.count)")
        print("kill -9 of one router: \(ids.count) answered, \(duplicated.count) decision(s) re-sent, \(askedTwice.count) LLM call(s) repeated")
    }
}
