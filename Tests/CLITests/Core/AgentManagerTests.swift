import Foundation
import Testing
@testable import AgentIMCLI

@Suite struct AgentManagerTests {
    func status(_ sink: FrameSink) -> [(String, Int)] {
        sink.of("gateway:agent_status").map { frame -> (String, Int) in
            var depth = -1
            if case .number(let n)? = frame["queueDepth"] { depth = Int(n) }
            return (frame["status"]?.stringValue ?? "", depth)
        }
    }

    @Test func registrationSendsOneFrameWithRewindCapability() async throws {
        let (manager, sink, _) = Fixture.manager()
        let id = try await manager.addAgent(name: "coder", type: "claude-code", workingDirectory: "./rel", home: "/tmp", capabilities: ["code", "debug"])
        let frames = sink.of("gateway:register_agent")
        #expect(frames.count == 1)
        let agent = try #require(frames.first?["agent"])
        #expect(agent["id"]?.stringValue == id)
        #expect(agent["workingDirectory"]?.stringValue == "./rel")
        #expect(agent["capabilities"] == .array([.string("code"), .string("debug"), .string("rewind")]))
        #expect(agent["model"]?.stringValue == "stub-model")
    }

    @Test func removalUnregistersOnceAndUnknownIdsSendNothing() async throws {
        let (manager, sink, made) = Fixture.manager()
        let id = try await manager.addAgent(name: "a", type: "claude-code", workingDirectory: nil, home: "/tmp")
        await manager.removeAgent(id)
        await manager.removeAgent(id)
        await manager.removeAgent("nope")
        #expect(sink.of("gateway:unregister_agent").count == 1)
        #expect(made[0].state.withLock { $0.disposed } == 1)
        // Unknown agent: send_to_agent sends nothing.
        let before = sink.all.count
        await manager.handle(Fixture.message("nope", room: "r"))
        #expect(sink.all.count == before)
    }

    @Test func queueIsFIFOAndOnlineOnlyWhenDrained() async throws {
        let (manager, sink, made) = Fixture.manager()
        let id = try await manager.addAgent(name: "a", type: "claude-code", workingDirectory: nil, home: "/tmp")
        let adapter = made[0]
        await manager.handle(Fixture.message(id, room: "r1", content: "first"))
        await manager.handle(Fixture.message(id, room: "r1", content: "second"))
        await manager.handle(Fixture.message(id, room: "r1", content: "third"))
        #expect(await sink.waitFor { _ in adapter.waitingCount(room: "r1") == 1 })
        #expect(status(sink).map(\.1) == [0, 1, 2])
        #expect(status(sink).allSatisfy { $0.0 == "busy" })
        adapter.finish(room: "r1")
        #expect(await sink.waitFor { _ in adapter.prompts.count == 2 })
        adapter.finish(room: "r1", .failed("boom"))   // an error still advances the queue
        #expect(await sink.waitFor { _ in adapter.prompts.count == 3 })
        adapter.finish(room: "r1")
        #expect(await sink.waitFor { $0.contains { $0["type"]?.stringValue == "gateway:agent_status" && $0["status"]?.stringValue == "online" } })
        #expect(adapter.prompts.map { $0.components(separatedBy: "\n\n").last! } == ["first", "second", "third"])
        let completes = sink.of("gateway:message_complete")
        #expect(completes.count == 3)
        #expect(completes[1]["fullContent"]?.stringValue == "Error: boom")
        #expect(status(sink).last! == ("online", 0))
        // Reply ids are fresh, not the incoming message ids.
        #expect(Set(completes.compactMap { $0["messageId"]?.stringValue }).count == 3)
        // Chunks of a reply carry the reply's id and precede its completion.
        let first = sink.objects.firstIndex { $0["type"]?.stringValue == "gateway:message_chunk" }!
        let firstComplete = sink.objects.firstIndex { $0["type"]?.stringValue == "gateway:message_complete" }!
        #expect(first < firstComplete)
    }

    @Test func fiftyFirstWaitingMessageIsRejected() async throws {
        let (manager, sink, made) = Fixture.manager()
        let id = try await manager.addAgent(name: "a", type: "claude-code", workingDirectory: nil, home: "/tmp")
        let adapter = made[0]
        await manager.handle(Fixture.message(id, room: "r1"))
        for _ in 0..<50 { await manager.handle(Fixture.message(id, room: "r1")) }
        #expect(sink.of("gateway:message_complete").isEmpty)
        await manager.handle(Fixture.message(id, room: "r1", id: "incoming-51"))
        let rejected = try #require(sink.of("gateway:message_complete").first)
        #expect(rejected["messageId"]?.stringValue == "incoming-51")
        #expect(rejected["fullContent"]?.stringValue == "Error: Agent message queue is full. Please try again later.")
        #expect(rejected["chunks"] == .array([.object(["type": .string("error"), "content": .string("Agent message queue is full. Please try again later.")])]))
        #expect(rejected["conversationId"]?.stringValue == "c1")
        _ = adapter
    }

    @Test func parallelRoomsRunTogetherGenericIsGloballyBusy() async throws {
        let (manager, sink, made) = Fixture.manager()
        let claude = try await manager.addAgent(name: "c", type: "claude-code", workingDirectory: nil, home: "/tmp")
        let generic = try await manager.addAgent(name: "g", type: "generic", workingDirectory: nil, home: "/tmp")
        let (c, g) = (made[0], made[1])
        await manager.handle(Fixture.message(claude, room: "r1"))
        await manager.handle(Fixture.message(claude, room: "r2"))
        #expect(await sink.waitFor { _ in c.waitingCount(room: "r1") == 1 && c.waitingCount(room: "r2") == 1 })
        await manager.handle(Fixture.message(generic, room: "r1"))
        await manager.handle(Fixture.message(generic, room: "r2"))
        #expect(await sink.waitFor { _ in g.waitingCount(room: "r1") == 1 })
        #expect(g.waitingCount(room: "r2") == 0)
        g.finish(room: "r1")
        // The other room's message runs once the generic agent is idle.
        #expect(await sink.waitFor { _ in g.waitingCount(room: "r2") == 1 })
    }

    @Test func stopTouchesOnlyTheRoomAsked() async throws {
        let (manager, sink, made) = Fixture.manager()
        let id = try await manager.addAgent(name: "a", type: "claude-code", workingDirectory: nil, home: "/tmp")
        let adapter = made[0]
        await manager.handle(Fixture.message(id, room: "r1"))
        await manager.handle(Fixture.message(id, room: "r1", content: "queued-1"))
        await manager.handle(Fixture.message(id, room: "r2"))
        await manager.handle(Fixture.message(id, room: "r2", content: "queued-2"))
        #expect(await sink.waitFor { _ in adapter.waitingCount(room: "r1") == 1 && adapter.waitingCount(room: "r2") == 1 })
        await manager.handle(.stopAgent(agentId: id, roomId: "r1"))
        #expect(adapter.stops == ["r1"])
        adapter.finish(room: "r1")
        adapter.finish(room: "r2")
        // r1's queue was cleared; r2's queued message still runs.
        #expect(await sink.waitFor { _ in adapter.prompts.contains { $0.hasSuffix("queued-2") } })
        #expect(!adapter.prompts.contains { $0.hasSuffix("queued-1") })
        // Without a room (the original frame) every room stops and every queue is cleared.
        await manager.handle(.stopAgent(agentId: id, roomId: nil))
        #expect(adapter.stops == ["r1", nil])
    }

    @Test func permissionAllowDenyAndExpiry() async throws {
        var settings = AgentManager.Settings()
        settings.permissionTimeoutMs = 1200
        let (manager, sink, made) = Fixture.manager(settings: settings)
        let id = try await manager.addAgent(name: "a", type: "claude-code", workingDirectory: nil, home: "/tmp")
        let adapter = made[0]
        // No current room → denied at once, nothing sent.
        #expect(await adapter.ask(tool: "Bash", room: nil)?.decision == .deny)
        #expect(sink.of("gateway:permission_request").isEmpty)

        async let allowed = adapter.ask(tool: "Bash", room: "r1")
        #expect(await sink.waitFor { $0.contains { $0["type"]?.stringValue == "gateway:permission_request" } })
        let request = try #require(sink.of("gateway:permission_request").first)
        #expect(request["toolName"]?.stringValue == "Bash")
        #expect(request["toolInput"] == .object(["command": .string("ls")]))
        await manager.handle(.permissionResponse(PermissionResponse(requestId: request["requestId"]!.stringValue!, agentId: id, decision: "allow", denyReason: nil)))
        #expect(await allowed?.decision == .allow)

        async let denied = adapter.ask(tool: "Write", room: "r1")
        #expect(await sink.waitFor { $0.filter { $0["type"]?.stringValue == "gateway:permission_request" }.count == 2 })
        let second = sink.of("gateway:permission_request")[1]["requestId"]!.stringValue!
        await manager.handle(.permissionResponse(PermissionResponse(requestId: second, agentId: id, decision: "deny", denyReason: "no")))
        #expect(await denied?.decision == .deny)

        let expired = await adapter.ask(tool: "Edit", room: "r1")
        #expect(expired?.decision == .deny)
        let notices = sink.of("gateway:message_chunk").compactMap { $0["chunk"]?["content"]?.stringValue }
        #expect(notices.contains(AgentManager.timeoutNotice(tool: "Edit")))
        #expect(await manager.pendingPermissionCount == 0)

        // Runtime switch to bypass: no question asked.
        await manager.handle(.agentCommand(AgentCommand(agentId: id, roomId: "r1", command: "permission", args: "bypass", userId: "u")))
        #expect(await adapter.ask(tool: "Bash", room: "r1")?.decision == .allow)
        let result = try #require(sink.of("gateway:agent_command_result").last)
        #expect(result["message"]?.stringValue == "Permission level: bypass")
        #expect(sink.of("gateway:agent_info").last?["permissionLevel"]?.stringValue == "bypass")
    }

    @Test func commandsForUnknownAgentsAndRewind() async throws {
        let (manager, sink, _) = Fixture.manager()
        await manager.handle(.agentCommand(AgentCommand(agentId: "ghost", roomId: "r", command: "model", args: "x", userId: "u")))
        #expect(sink.of("gateway:agent_command_result").first?["message"]?.stringValue == "Agent not found")
        await manager.handle(.rewindAgent(agentId: "ghost", roomId: "r", messageId: "m"))
        #expect(sink.of("gateway:rewind_result").first?["error"]?.stringValue == "Agent not found")
        let id = try await manager.addAgent(name: "a", type: "claude-code", workingDirectory: nil, home: "/tmp")
        await manager.handle(.agentCommand(AgentCommand(agentId: id, roomId: "r", command: "model", args: "opus", userId: "u")))
        #expect(sink.of("gateway:agent_info").count == 1)
        await manager.handle(.queryAgentInfo(agentId: "ghost", roomId: nil))
        #expect(sink.of("gateway:agent_info").count == 1)
    }

    @Test func roomContextReachesThePromptAndIsSwept() async throws {
        var settings = AgentManager.Settings()
        settings.contextTTL = .milliseconds(50)
        let (manager, sink, made) = Fixture.manager(settings: settings)
        let id = try await manager.addAgent(name: "a", type: "claude-code", workingDirectory: nil, home: "/tmp")
        let adapter = made[0]
        await manager.handle(.roomContext(agentId: id, context: RoomContext(roomId: "r1", roomName: "Dev", systemPrompt: "Be kind")))
        await manager.handle(Fixture.message(id, room: "r1"))
        #expect(await sink.waitFor { _ in adapter.prompts.count == 1 })
        #expect(adapter.prompts[0].hasPrefix("[System: Be kind]"))
        adapter.finish(room: "r1")
        try await Task.sleep(for: .milliseconds(100))
        await manager.sweepContexts()
        await manager.handle(Fixture.message(id, room: "r1"))
        #expect(await sink.waitFor { _ in adapter.prompts.count == 2 })
        #expect(!adapter.prompts[1].contains("[System:"))
    }
}
