import AgentIMCore
import Foundation
import Testing

/// `/ws/gateway` and agent routing (websocket §2.4, §8, §10–§12, §14) through real hub
/// processes, with a real WebSocket client playing the `agentim` CLI.
@Suite(.serialized)
struct AgentGatewayTests {
    /// A room with amy (owner), her gateway and agents added as members, her client socket joined.
    struct Setup {
        let hub: Fixture
        let amy: Fixture.User
        let room: String
        let gateway: FakeGateway
        let client: TestSocket
    }

    static func setup(_ hub: Fixture, agents: [(id: String, name: String)], broadcast: Bool = false, capabilities: [String] = []) async throws -> Setup {
        let amy = try await hub.user("amy\(Int.random(in: 1000...9999))")
        let room = try await hub.room("Agents", owner: amy)
        if broadcast { #expect(try await hub.put("/api/rooms/\(room)", #"{"broadcastMode":true}"#, amy.token).status == 200) }
        let gateway = try await FakeGateway.connect(ws: hub.ws, token: amy.token)
        for agent in agents {
            await gateway.register(id: agent.id, name: agent.name, capabilities: capabilities)
            let added = try await hub.post("/api/rooms/\(room)/members", #"{"memberId":"\#(agent.id)","memberType":"agent"}"#, amy.token)
            #expect(added.status == 201, "add agent: \(added.body)")
            _ = await gateway.socket.next(type: "server:room_context")
        }
        let client = try await hub.socket(amy.token, rooms: [room])
        return Setup(hub: hub, amy: amy, room: room, gateway: gateway, client: client)
    }

    @Test func gatewayAuthRefusals() async throws {
        let (hub, process) = try await Fixture.singleProcess(extra: ["MAX_GATEWAYS_PER_USER": "1"])
        defer { process.stop() }
        let amy = try await hub.user("amy")
        let bob = try await hub.user("bob")
        let ws = hub.ws.replacingOccurrences(of: "/ws/client", with: "/ws/gateway")

        let early = TestSocket(url: ws)
        early.send(["type": "gateway:register_agent", "agent": ["id": "a", "name": "a", "type": "generic"]])
        #expect(await early.closed() == 1008, "frames before auth close the socket")

        let forged = TestSocket(url: ws)
        forged.send(["type": "gateway:auth", "token": "nope", "gatewayId": "g1", "deviceInfo": FakeGateway.device])
        #expect(try #require(await forged.next(type: "server:gateway_auth_result"))["error"]?.stringValue == "Authentication failed")
        let refresh = try #require(try await HTTP.post(hub.base + "/api/auth/login", json: #"{"username":"amy","password":"Passw0rdXY"}"#).data?["refreshToken"]?.stringValue)
        forged.send(["type": "gateway:auth", "token": refresh, "gatewayId": "g1", "deviceInfo": FakeGateway.device])
        #expect(try #require(await forged.next(type: "server:gateway_auth_result"))["error"]?.stringValue == "Invalid token type")
        forged.close()

        let mismatch = TestSocket(url: ws)
        mismatch.send(["type": "gateway:auth", "token": amy.token, "gatewayId": "g1", "protocolVersion": "2", "deviceInfo": FakeGateway.device])
        #expect(try #require(await mismatch.next(type: "server:error"))["code"]?.stringValue == "PROTOCOL_VERSION_MISMATCH")
        #expect(await mismatch.closed() == 1008)

        let first = try await FakeGateway.connect(ws: hub.ws, token: amy.token, gatewayId: "amy-gw")
        let second = try await FakeGateway.connect(ws: hub.ws, token: amy.token, gatewayId: "amy-gw-2", expectOK: false)
        #expect(second.authResult["error"]?.stringValue == "Too many gateway connections")
        second.socket.send(["type": "gateway:ping", "ts": 1])
        #expect(await second.socket.next(type: "server:pong") != nil, "a refused auth does not close the socket")
        let taken = try await FakeGateway.connect(ws: hub.ws, token: bob.token, gatewayId: "amy-gw", expectOK: false)
        #expect(taken.authResult["error"]?.stringValue == "Gateway ID belongs to another user")
        second.close(); taken.close()

        // A password change closes the user's gateway sockets with 1008, without a frame.
        #expect(try await hub.put("/api/users/me/password", #"{"currentPassword":"Passw0rdXY","newPassword":"NewPassw0rdXY"}"#, amy.token).status == 200)
        #expect(await first.socket.closed() == 1008)
    }

    @Test func mentionIsStreamedBackAndStored() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let s = try await Self.setup(hub, agents: [("agent-coder", "coder"), ("agent-other", "other")])
        defer { s.gateway.close(); s.client.close() }

        // REST sees the registered agents and the gateway.
        let listed = try await hub.get("/api/agents", s.amy.token)
        #expect(Set(listed.data?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []) == ["coder", "other"])
        #expect(listed.data?.arrayValue?.first?["status"]?.stringValue == "online")
        #expect(listed.data?.arrayValue?.first?["deviceInfo"]?["hostname"]?.stringValue == "devbox")
        #expect(try await hub.get("/api/agents/gateways/list", s.amy.token).data?.arrayValue?.first?["id"]?.stringValue == s.gateway.gatewayId)
        #expect(try await hub.get("/api/agents/agent-coder").error == "Agent not found", "private agents are invisible to others")

        let human = try await hub.send(s.client, room: s.room, "@coder please fix the build")
        let work = try #require(await s.gateway.nextWork(for: "agent-coder"))
        #expect(work["roomId"]?.stringValue == s.room)
        #expect(work["messageId"] == human["id"])
        #expect(work["content"]?.stringValue == "@coder please fix the build")
        #expect(work["senderName"]?.stringValue == s.amy.username)
        #expect(work["senderType"]?.stringValue == "user")
        #expect(work["routingMode"]?.stringValue == "direct")
        #expect(work["depth"] == .number(0))
        let conversation = try #require(work["conversationId"]?.stringValue)
        #expect(!conversation.isEmpty)

        s.gateway.chunk(agent: "agent-coder", room: s.room, message: "reply-1", text: "Fixing")
        let chunk = try #require(await s.client.next(type: "server:message_chunk"))
        #expect(chunk["agentName"]?.stringValue == "coder")
        #expect(chunk["messageId"]?.stringValue == "reply-1")
        #expect(chunk["chunk"]?["content"]?.stringValue == "Fixing")
        s.gateway.complete(agent: "agent-coder", room: s.room, message: "reply-1", text: "Fixed it", conversationId: conversation, depth: 0)
        let complete = try #require(await s.client.next(type: "server:message_complete"))
        #expect(complete["message"]?["id"]?.stringValue == "reply-1")
        #expect(complete["message"]?["senderType"]?.stringValue == "agent")
        #expect(complete["message"]?["type"]?.stringValue == "agent_response")
        #expect(complete["message"]?["senderName"]?.stringValue == "coder")
        #expect(complete["message"]?["chunks"]?.arrayValue?.count == 1)

        let history = try await hub.get("/api/messages/rooms/\(s.room)", s.amy.token)
        let newest = try #require(history.data?["items"]?.arrayValue?.first)
        #expect(newest["id"]?.stringValue == "reply-1")
        #expect(newest["content"]?.stringValue == "Fixed it")
        #expect(newest["senderId"]?.stringValue == "agent-coder")

        // A chunk for a room the agent is not in, or from an agent this socket does not hold, goes nowhere.
        s.gateway.chunk(agent: "agent-coder", room: "elsewhere", message: "x", text: "leak")
        s.gateway.chunk(agent: "agent-nobody", room: s.room, message: "x", text: "leak")
        s.client.send(["type": "client:ping", "ts": 3])
        _ = await s.client.next(type: "server:pong")
        #expect(await s.client.next(type: "server:message_chunk", timeout: .milliseconds(500)) == nil)

        // Stop and agent info reach the gateway; status changes reach the room.
        s.client.send(["type": "client:stop_generation", "roomId": s.room, "agentId": "agent-coder"])
        #expect(try #require(await s.gateway.socket.next(type: "server:stop_agent"))["agentId"]?.stringValue == "agent-coder")
        s.client.send(["type": "client:agent_command", "roomId": s.room, "agentId": "agent-coder", "command": "model", "args": "opus"])
        let command = try #require(await s.gateway.socket.next(type: "server:agent_command"))
        #expect(command["userId"]?.stringValue == s.amy.id)
        #expect(command["args"]?.stringValue == "opus")
        s.gateway.socket.send(["type": "gateway:agent_status", "agentId": "agent-coder", "status": "busy", "queueDepth": 1])
        var statuses: [String] = []
        while statuses.last != "busy", let frame = await s.client.next(type: "server:agent_status", timeout: .seconds(3)) {
            statuses.append(frame["agent"]?["status"]?.stringValue ?? "")
        }
        #expect(statuses.last == "busy", "the room sees the reported status (after the online set by the complete): \(statuses)")

        // Agent info: asked of the gateway, its answer merged over the stored agent for the room.
        s.client.send(["type": "client:query_agent_info", "agentId": "agent-coder", "roomId": s.room])
        #expect(try #require(await s.gateway.socket.next(type: "server:query_agent_info"))["roomId"]?.stringValue == s.room)
        s.gateway.socket.send(["type": "gateway:agent_info", "agentId": "agent-coder", "roomId": s.room, "slashCommands": [],
                               "mcpServers": ["fs"], "model": "opus-4", "planMode": true])
        let info = try #require(await s.client.next(type: "server:agent_info"))
        #expect(info["agent"]?["model"]?.stringValue == "opus-4")
        #expect(info["agent"]?["planMode"] == .bool(true))
        #expect(info["agent"]?["deviceInfo"]?["platform"]?.stringValue == "linux")

        // Remote spawn: forwarded to the gateway, the result relayed to the owner's sockets.
        #expect(try await hub.post("/api/agents/spawn", #"{"gatewayId":"\#(s.gateway.gatewayId)","agentType":"codex","name":"helper"}"#, s.amy.token).status == 200)
        let spawn = try #require(await s.gateway.socket.next(type: "server:spawn_agent"))
        #expect(spawn["name"]?.stringValue == "helper")
        s.gateway.socket.send(["type": "gateway:spawn_result", "requestId": spawn["requestId"]?.stringValue ?? "", "success": true, "agentId": "new-one"])
        let result = try #require(await s.client.next(type: "server:spawn_result"))
        #expect(result["gatewayId"]?.stringValue == s.gateway.gatewayId)
        #expect(result["success"] == .bool(true))

        // Credential management relays to the gateway and back to the owner; unknown gateways are offline.
        s.client.send(["type": "client:list_gateway_credentials", "gatewayId": s.gateway.gatewayId, "agentType": "claude-code"])
        let ask = try #require(await s.gateway.socket.next(type: "server:list_credentials"))
        #expect(ask["agentType"]?.stringValue == "claude-code")
        s.gateway.socket.send(["type": "gateway:credential_list", "requestId": ask["requestId"]?.stringValue ?? "", "agentType": "claude-code", "credentials": []])
        #expect(try #require(await s.client.next(type: "server:gateway_credential_list"))["gatewayId"]?.stringValue == s.gateway.gatewayId)
        s.client.send(["type": "client:list_gateway_credentials", "gatewayId": "someone-elses", "agentType": "codex"])
        #expect(try #require(await s.client.next(type: "server:error"))["code"]?.stringValue == "GATEWAY_OFFLINE")

        // The gateway goes away: its agents are offline for the room, the owner is told.
        s.gateway.close()
        var offline = false
        while !offline, let frame = await s.client.next(type: "server:agent_status", timeout: .seconds(5)) {
            offline = frame["agent"]?["status"]?.stringValue == "offline"
        }
        #expect(offline)
        #expect(await s.client.next(type: "server:agents_changed") != nil)
        #expect(try await hub.get("/api/agents/agent-coder", s.amy.token).data?["status"]?.stringValue == "offline")
    }

    @Test func chainsStopAtTheLoopGuardAndTheDepthLimit() async throws {
        let (hub, process) = try await Fixture.singleProcess(extra: ["MAX_AGENT_CHAIN_DEPTH": "2"])
        defer { process.stop() }
        let s = try await Self.setup(hub, agents: [("agent-a", "alpha"), ("agent-b", "beta"), ("agent-c", "gamma")])
        defer { s.gateway.close(); s.client.close() }

        // A → B at depth 1, then B → A in the same conversation is blocked (A already completed in it).
        s.gateway.complete(agent: "agent-a", room: s.room, message: "a1", text: "@beta over to you", conversationId: "conv-1", depth: 0)
        let toB = try #require(await s.gateway.nextWork(for: "agent-b"))
        #expect(toB["senderType"]?.stringValue == "agent")
        #expect(toB["senderName"]?.stringValue == "alpha")
        #expect(toB["depth"] == .number(1))
        #expect(toB["conversationId"]?.stringValue == "conv-1")
        #expect(toB["messageId"]?.stringValue == "a1")
        s.gateway.complete(agent: "agent-b", room: s.room, message: "b1", text: "@alpha back to you, @gamma too", conversationId: "conv-1", depth: 1)
        let toC = try #require(await s.gateway.nextWork(for: "agent-c"), "gamma is new to the conversation")
        #expect(toC["depth"] == .number(2))
        // At depth 2 (= the limit) nothing is routed further.
        s.gateway.complete(agent: "agent-c", room: s.room, message: "c1", text: "@beta @alpha", conversationId: "conv-1", depth: 2)
        #expect(await s.gateway.socket.next(type: "server:send_to_agent", timeout: .seconds(2)) == nil, "neither the loop nor the depth limit lets anything through")
    }

    @Test func agentRateLimitAndSenderCooldown() async throws {
        let (hub, process) = try await Fixture.singleProcess(extra: ["AGENT_RATE_LIMIT_MAX": "5"])
        defer { process.stop() }
        let s = try await Self.setup(hub, agents: [("agent-a", "alpha"), ("agent-b", "beta")])
        defer { s.gateway.close(); s.client.close() }

        for i in 1...8 { s.gateway.complete(agent: "agent-a", room: s.room, message: "m\(i)", text: "@beta item \(i)", conversationId: "c\(i)") }
        var delivered = 0
        while await s.gateway.nextWork(for: "agent-b", timeout: .seconds(3)) != nil { delivered += 1 }
        #expect(delivered == 5, "the 6th and later completes in the window are stored but not routed")
        let stored = try await hub.get("/api/messages/rooms/\(s.room)?limit=20", s.amy.token)
        #expect(stored.data?["items"]?.arrayValue?.count == 8)

        // Queue depth 2 → 30 s cooldown per sender: the first message goes, the second is held with a notice.
        s.gateway.socket.send(["type": "gateway:agent_status", "agentId": "agent-b", "status": "busy", "queueDepth": 2])
        while let frame = await s.client.next(type: "server:agent_status", timeout: .seconds(5)),
              !(frame["agent"]?["name"]?.stringValue == "beta" && frame["agent"]?["status"]?.stringValue == "busy") {}
        _ = try await hub.send(s.client, room: s.room, "@beta first")
        #expect(await s.gateway.nextWork(for: "agent-b") != nil)
        s.client.send(["type": "client:send_message", "roomId": s.room, "content": "@beta second"])
        let deadline = ContinuousClock.now + .seconds(10)
        var notice: JSONValue?
        while ContinuousClock.now < deadline, notice == nil {
            guard let frame = await s.client.next(type: "server:new_message") else { break }
            if frame["message"]?["senderType"]?.stringValue == "system" { notice = frame }
        }
        let text = try #require(notice?["message"]?["content"]?.stringValue)
        #expect(text.hasPrefix("Agent @beta is busy (2 messages pending). Please wait "), "\(text)")
        #expect(await s.gateway.nextWork(for: "agent-b", timeout: .seconds(1)) == nil)

        // An offline agent: the room is told.
        s.gateway.socket.send(["type": "gateway:unregister_agent", "agentId": "agent-a"])
        // The unregister and the next message are handled on different lanes: wait until alpha is offline.
        while let frame = await s.client.next(type: "server:agent_status", timeout: .seconds(5)),
              !(frame["agent"]?["name"]?.stringValue == "alpha" && frame["agent"]?["status"]?.stringValue == "offline") {}
        _ = try await hub.send(s.client, room: s.room, "@alpha are you there")
        var offline: String?
        while offline == nil, let frame = await s.client.next(type: "server:new_message") {
            if frame["message"]?["senderType"]?.stringValue == "system" { offline = frame["message"]?["content"]?.stringValue }
        }
        #expect(offline == "Agent @alpha is currently offline and cannot receive messages.")
    }

    @Test func permissionsAllowDenyExpireLateJoinerAndReconnect() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let s = try await Self.setup(hub, agents: [("agent-a", "alpha")])
        defer { s.client.close() }
        func request(_ id: String, tool: String = "Bash", timeoutMs: Int = 300_000, on gateway: FakeGateway? = nil) {
            (gateway ?? s.gateway).socket.send(["type": "gateway:permission_request", "requestId": id, "agentId": "agent-a", "roomId": s.room,
                                               "toolName": tool, "toolInput": ["command": "ls"], "timeoutMs": timeoutMs])
        }

        // The hub's own tools are approved at once; the room sees nothing.
        request("auto", tool: "mcp__agentim__send_message")
        let auto = try #require(await s.gateway.socket.next(type: "server:permission_response"))
        #expect(auto["requestId"]?.stringValue == "auto")
        #expect(auto["decision"]?.stringValue == "allow")

        request("p1")
        let shown = try #require(await s.client.next(type: "server:permission_request"))
        #expect(shown["requestId"]?.stringValue == "p1")
        #expect(shown["agentName"]?.stringValue == "alpha")
        #expect(shown["toolName"]?.stringValue == "Bash")
        #expect(shown["toolInput"]?["command"]?.stringValue == "ls")
        #expect(shown["expiresAt"]?.stringValue != nil)

        // A socket that joins late sees the pending request.
        let late = try await hub.socket(s.amy.token, rooms: [s.room])
        defer { late.close() }
        #expect(try #require(await late.next(type: "server:permission_request"))["requestId"]?.stringValue == "p1")

        // First answer wins; a second answer changes nothing.
        late.send(["type": "client:permission_response", "requestId": "p1", "decision": "allowAlways"])
        let answer = try #require(await s.gateway.socket.next(type: "server:permission_response"))
        #expect(answer["decision"]?.stringValue == "allowAlways")
        s.client.send(["type": "client:permission_response", "requestId": "p1", "decision": "deny"])
        #expect(await s.gateway.socket.next(type: "server:permission_response", timeout: .seconds(1)) == nil)

        // A gateway that reconnects (new socket, agent registered again) still gets the answer.
        request("p2")
        _ = await s.client.next(type: "server:permission_request")
        s.gateway.close()
        let back = try await FakeGateway.connect(ws: hub.ws, token: s.amy.token, gatewayId: s.gateway.gatewayId)
        defer { back.close() }
        await back.register(id: "agent-a", name: "alpha")
        s.client.send(["type": "client:permission_response", "requestId": "p2", "decision": "deny", "denyReason": "no"])
        let denied = try #require(await back.socket.next(type: "server:permission_response"))
        #expect(denied["requestId"]?.stringValue == "p2")
        #expect(denied["decision"]?.stringValue == "deny")

        // Expiry: the gateway gets `timeout`, the room `permission_request_expired`.
        request("p3", timeoutMs: 1000, on: back)
        _ = await s.client.next(type: "server:permission_request")
        let expired = try #require(await s.client.next(type: "server:permission_request_expired", timeout: .seconds(5)))
        #expect(expired["requestId"]?.stringValue == "p3")
        let timeout = try #require(await back.socket.next(type: "server:permission_response"))
        #expect(timeout["decision"]?.stringValue == "timeout")
        s.client.send(["type": "client:permission_response", "requestId": "p3", "decision": "allow"])
        #expect(await back.socket.next(type: "server:permission_response", timeout: .seconds(1)) == nil, "a late click is ignored")
    }

    @Test func agentsRestRenameDeleteAndRefusedReRegistration() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let s = try await Self.setup(hub, agents: [("agent-a", "alpha")])
        defer { s.gateway.close(); s.client.close() }
        let bob = try await hub.user("bob")

        #expect(try await hub.put("/api/agents/agent-a", #"{"name":"  "}"#, s.amy.token).status == 400)
        #expect(try await hub.put("/api/agents/agent-a", #"{"visibility":"whitelist"}"#, s.amy.token).status == 400)
        #expect(try await hub.put("/api/agents/missing", #"{"name":"x"}"#, s.amy.token).error == "Agent not found")
        #expect(try await hub.put("/api/agents/agent-a", #"{"name":"x"}"#, bob.token).error == "You do not own this agent")
        let renamed = try await hub.put("/api/agents/agent-a", #"{"name":"alpha2","visibility":"whitelist","visibilityList":["\#(bob.id)"]}"#, s.amy.token)
        #expect(renamed.data?["name"]?.stringValue == "alpha2")
        #expect(try #require(await s.client.next(type: "server:agent_status"))["agent"]?["name"]?.stringValue == "alpha2")
        #expect(try await hub.get("/api/agents/agent-a", bob.token).data?["name"]?.stringValue == "alpha2", "whitelisted")
        #expect(try await hub.get("/api/agents/shared", bob.token).data?.arrayValue?.first?["ownerName"] != nil)

        #expect(try await hub.delete("/api/agents/agent-a", nil, bob.token).error == "You do not own this agent")
        #expect(try await hub.delete("/api/agents/agent-a", nil, s.amy.token).status == 200)
        #expect(try #require(await s.gateway.socket.next(type: "server:remove_agent"))["agentId"]?.stringValue == "agent-a")
        #expect(try await hub.get("/api/agents/agent-a", s.amy.token).status == 404)

        // Deleting the gateway: a later registration of its agents is refused with remove_agent.
        await s.gateway.register(id: "agent-z", name: "zed")
        #expect(try await hub.delete("/api/agents/gateways/\(s.gateway.gatewayId)", nil, bob.token).error == "You do not own this gateway")
        #expect(try await hub.delete("/api/agents/gateways/\(s.gateway.gatewayId)", nil, s.amy.token).status == 200)
        _ = await s.gateway.socket.next(type: "server:remove_agent")
        s.gateway.socket.send(["type": "gateway:register_agent", "agent": ["id": "agent-z", "name": "zed", "type": "codex"]])
        #expect(try #require(await s.gateway.socket.next(type: "server:remove_agent"))["agentId"]?.stringValue == "agent-z")

        let spawn = try await hub.post("/api/agents/spawn", #"{"gatewayId":"nope","agentType":"codex","name":"x"}"#, s.amy.token)
        #expect(spawn.error == "Gateway not found")
        #expect(try await hub.post("/api/agents/spawn", #"{"gatewayId":"g","agentType":"cobol","name":"x"}"#, s.amy.token).error == "Invalid agent type: cobol")
        #expect(try await hub.post("/api/agents/spawn", #"{"agentType":"codex"}"#, s.amy.token).error == "Missing required fields: gatewayId, agentType, name")
    }

    @Test func gatewaysOfflinePastTheLimitAreDeletedWithTheirAgents() async throws {
        let database = try TestEnvironment.freshDatabase()
        let (hub, process) = try await Fixture.singleProcess(extra: ["DATABASE_URL": database, "GATEWAY_CLEANUP_INTERVAL": "1000"])
        defer { process.stop() }
        let s = try await Self.setup(hub, agents: [("agent-old", "old")])
        defer { s.client.close() }
        // A second gateway, offline only since now, keeps its agent.
        let recent = try await FakeGateway.connect(ws: hub.ws, token: s.amy.token)
        await recent.register(id: "agent-new", name: "new")
        #expect(try await hub.post("/api/rooms/\(s.room)/members", #"{"memberId":"agent-new","memberType":"agent"}"#, s.amy.token).status == 201)
        s.gateway.close()
        recent.close()
        for _ in 0..<100 {
            let closed = try TestEnvironment.psql(database, "SELECT count(*) FROM gateways WHERE disconnected_at IS NOT NULL")
            if closed == "2" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        _ = await s.client.next(type: "server:room_update", timeout: .milliseconds(300))  // the add above
        try TestEnvironment.psql(database, "UPDATE gateways SET disconnected_at = now() - interval '31 days' WHERE id = '\(s.gateway.gatewayId)'")

        #expect(await s.client.next(type: "server:room_update", timeout: .seconds(10)) != nil, "the room hears its agent left")
        #expect(try await hub.get("/api/agents/agent-old", s.amy.token).status == 404)
        #expect(try await hub.get("/api/agents/agent-new", s.amy.token).status == 200)
        let gateways = try await hub.get("/api/agents/gateways/list", s.amy.token).data?.arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(gateways == [recent.gatewayId])
        let members = try TestEnvironment.psql(database, "SELECT member_id FROM room_members WHERE room_id = '\(s.room)' AND member_type = 'agent'")
        #expect(members == "agent-new")
        // Not flagged: the old gateway coming back registers its agent anew.
        #expect(try TestEnvironment.psql(database, "SELECT count(*) FROM deleted_agents") == "0")
    }

    @Test func workspaceBrowserAndRewind() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let s = try await Self.setup(hub, agents: [("agent-w", "worker")], capabilities: ["rewind"])
        defer { s.gateway.close(); s.client.close() }

        s.client.send(["type": "client:request_workspace", "roomId": s.room, "agentId": "agent-w", "request": ["kind": "tree", "path": "src"]])
        let asked = try #require(await s.gateway.socket.next(type: "server:request_workspace"))
        #expect(asked["request"]?["path"]?.stringValue == "src")
        let requestId = try #require(asked["requestId"]?.stringValue)
        s.gateway.socket.send(["type": "gateway:workspace_response", "agentId": "agent-w", "requestId": requestId,
                               "response": ["kind": "tree", "path": "src", "entries": [["name": "main.swift", "type": "file"]]]])
        let answer = try #require(await s.client.next(type: "server:workspace_response"))
        #expect(answer["requestId"]?.stringValue == requestId)
        #expect(answer["response"]?["entries"]?.arrayValue?.count == 1)
        s.gateway.socket.send(["type": "gateway:workspace_response", "agentId": "agent-w", "requestId": requestId, "response": ["kind": "status", "data": nil as Any? ?? NSNull()]])
        #expect(await s.client.next(type: "server:workspace_response", timeout: .seconds(1)) == nil, "an answer is relayed once")
        s.client.send(["type": "client:request_workspace", "roomId": s.room, "agentId": "agent-none", "request": ["kind": "status"]])
        #expect(try #require(await s.client.next(type: "server:error"))["code"]?.stringValue == "NOT_A_MEMBER")

        // Rewind to the user's own message: it and everything after are gone, the agent is told.
        let first = try await hub.send(s.client, room: s.room, "keep me")
        let target = try await hub.send(s.client, room: s.room, "rewind to here")
        s.gateway.complete(agent: "agent-w", room: s.room, message: "w1", text: "agent reply")
        _ = await s.client.next(type: "server:message_complete")
        s.client.send(["type": "client:rewind_room", "roomId": s.room, "messageId": "w1"])
        #expect(try #require(await s.client.next(type: "server:error"))["message"]?.stringValue == "You can only rewind to your own messages")
        s.client.send(["type": "client:rewind_room", "roomId": s.room, "messageId": try #require(target["id"]?.stringValue)])
        let rewound = try #require(await s.client.next(type: "server:room_rewound"))
        #expect(Set(rewound["removedMessageIds"]?.arrayValue?.compactMap(\.stringValue) ?? []) == [target["id"]?.stringValue ?? "", "w1"])
        #expect(rewound["messageContent"]?.stringValue == "rewind to here")
        #expect(try #require(await s.gateway.socket.next(type: "server:rewind_agent"))["messageId"] == target["id"])
        let left = try await hub.get("/api/messages/rooms/\(s.room)", s.amy.token)
        #expect(left.data?["items"]?.arrayValue?.map { $0["id"] } == [first["id"]])
    }

    /// A gateway on edge 1 answers a mention made by a client on edge 2; the reply is stored.
    @Test func distributedMentionAcrossEdges() async throws {
        let topology = try DistributedHub()
        defer { topology.stop() }
        try await topology.startServices()
        let edge1 = try await topology.startEdge()
        let edge2 = try await topology.startEdge()
        let hub1 = try await Fixture(base: edge1.baseURL, ws: edge1.wsURL)
        let amy = try await hub1.user("amy")
        let room = try await hub1.room("Agents", owner: amy)
        let gateway = try await FakeGateway.connect(ws: edge1.wsURL, token: amy.token)
        defer { gateway.close() }
        await gateway.register(id: "agent-d", name: "dist")
        #expect(try await hub1.post("/api/rooms/\(room)/members", #"{"memberId":"agent-d","memberType":"agent"}"#, amy.token).status == 201)
        let hub2 = try await Fixture(base: edge2.baseURL, ws: edge2.wsURL)
        let client = try await hub2.socket(amy.token, rooms: [room])
        defer { client.close() }

        let human = try await hub2.send(client, room: room, "@dist hello from edge 2")
        let work = try #require(await gateway.nextWork(for: "agent-d"))
        #expect(work["messageId"] == human["id"])
        gateway.chunk(agent: "agent-d", room: room, message: "d1", text: "streaming")
        #expect(try #require(await client.next(type: "server:message_chunk"))["chunk"]?["content"]?.stringValue == "streaming")
        gateway.complete(agent: "agent-d", room: room, message: "d1", text: "done")
        #expect(try #require(await client.next(type: "server:message_complete"))["message"]?["content"]?.stringValue == "done")
        let history = try await hub2.get("/api/messages/rooms/\(room)", amy.token)
        #expect(history.data?["items"]?.arrayValue?.first?["id"]?.stringValue == "d1")

        // A burst of chunks and the reply's end right behind them: the chunks are written to the
        // bus together (ChunkAppender), and the end still reaches the client after the last one, in order.
        _ = try await hub2.send(client, room: room, "@dist stream a lot")
        #expect(await gateway.nextWork(for: "agent-d") != nil)
        for n in 0..<2000 { gateway.chunk(agent: "agent-d", room: room, message: "d2", text: "c\(n)") }
        gateway.complete(agent: "agent-d", room: room, message: "d2", text: "all")
        var streamed: [String] = []
        while let frame = await client.next() {
            let type = frame["type"]?.stringValue
            if type == "server:message_chunk", frame["messageId"]?.stringValue == "d2" {
                streamed.append(frame["chunk"]?["content"]?.stringValue ?? "?")
            } else if type == "server:message_complete", frame["message"]?["id"]?.stringValue == "d2" {
                break
            }
        }
        #expect(streamed == (0..<2000).map { "c\($0)" }, "every chunk, in order, before the reply's end")

        // The agent registered again through edge 2: work goes there only, the old socket lets go.
        let moved = try await FakeGateway.connect(ws: edge2.wsURL, token: amy.token, gatewayId: gateway.gatewayId)
        defer { moved.close() }
        await moved.register(id: "agent-d", name: "dist")
        try await Task.sleep(for: .milliseconds(300))
        _ = try await hub2.send(client, room: room, "@dist again")
        #expect(await moved.nextWork(for: "agent-d") != nil)
        #expect(await gateway.nextWork(for: "agent-d", timeout: .seconds(1)) == nil)
        gateway.chunk(agent: "agent-d", room: room, message: "old", text: "stale socket")
        #expect(await client.next(type: "server:message_chunk", timeout: .seconds(1)) == nil, "the old socket no longer owns the agent")
    }
}
