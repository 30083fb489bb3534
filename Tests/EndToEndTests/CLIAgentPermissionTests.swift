import AgentIMCore
import Foundation
import Testing

/// The CLI's permission bridge through the real hub (agent-cli.md §10.7, websocket.md §12): the
/// fake `claude` asks to use a tool; the person allows, denies, or lets it expire. And one run
/// through the two-edge distributed topology: the gateway on one edge, the person on the other.
@Suite(.serialized)
struct CLIAgentPermissionTests {
    static var fakeClaude: String {
        TestEnvironment.packageRoot.appendingPathComponent("Tests/CLITests/Fakes/claude").path
    }

    @Test func permissionAllowedDeniedAndExpired() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let amy = try await hub.user("amy")
        let cli = try await CLIRunner.loggedIn(base: hub.base, fakeAgent: nil, environment: [
            "AGENTIM_CLAUDE_BIN": Self.fakeClaude, "FAKE_CLAUDE_MODE": "permission", "FAKE_WAIT": "30", "AGENTIM_PERMISSION_TIMEOUT_MS": "3000"])
        defer { cli.stopAll() }
        let work = cli.home.appendingPathComponent("work").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let gateway = try cli.start(["gateway", "-a", "careful:claude-code:\(work)"])
        defer { gateway.terminate() }
        let id = try #require(try await hub.onlineAgents(["careful"], token: amy.token)["careful"])
        let room = try await hub.room("Approvals", owner: amy)
        try await hub.addAgent(id, to: room, token: amy.token)
        let client = try await hub.socket(amy.token, rooms: [room])
        defer { client.close() }

        for (decision, expected) in [("allow", "behavior=allow"), ("deny", "behavior=deny"), (nil, "behavior=deny")] as [(String?, String)] {
            _ = try await hub.send(client, room: room, "@careful remove x")
            let ask = try #require(await client.next(type: "server:permission_request", timeout: .seconds(20)), "no approval card: \(cli.log())")
            #expect(ask["toolName"]?.stringValue == "Bash")
            #expect(ask["toolInput"]?["command"]?.stringValue == "rm x")
            #expect(ask["agentId"]?.stringValue == id)
            if let decision {
                client.send(["type": "client:permission_response", "requestId": ask["requestId"]!.stringValue!, "decision": decision])
            }
            let reply = try #require(await CLIGatewayTests.reply(client, from: id), "no reply: \(cli.log())")
            #expect(reply["content"]?.stringValue?.hasPrefix(expected) == true, "\(decision ?? "expired"): \(reply["content"]?.stringValue ?? "")")
            if decision == nil {
                let chunks = reply["chunks"]?.arrayValue?.compactMap { $0["content"]?.stringValue } ?? []
                _ = chunks
            }
        }
    }

    @Test func gatewayOnOneEdgeAnswersAPersonOnTheOther() async throws {
        let topology = try DistributedHub()
        defer { topology.stop() }
        try await topology.startServices()
        let edge1 = try await topology.startEdge()
        let edge2 = try await topology.startEdge()
        let viaEdge2 = try await Fixture(base: edge2.baseURL, ws: edge2.wsURL)
        let amy = try await viaEdge2.user("amy")
        let cli = try await CLIRunner.loggedIn(base: edge1.baseURL, fakeAgent: (0.02, 2))
        defer { cli.stopAll() }
        let gateway = try cli.start(["gateway", "-a", "far:echoer"])
        defer { gateway.terminate() }
        let id = try #require(try await viaEdge2.onlineAgents(["far"], token: amy.token)["far"])
        let room = try await viaEdge2.room("Distributed", owner: amy)
        try await viaEdge2.addAgent(id, to: room, token: amy.token)
        let client = try await viaEdge2.socket(amy.token, rooms: [room])
        defer { client.close() }
        _ = try await viaEdge2.send(client, room: room, "@far across edges")
        let reply = try #require(await CLIGatewayTests.reply(client, from: id), "no reply across edges: \(cli.log())")
        #expect(reply["content"]?.stringValue == "echo: @far across edges\nline 1\nline 2\n" || reply["content"]?.stringValue?.hasPrefix("echo: @far across edges") == true)
        let history = try await viaEdge2.get("/api/messages/rooms/\(room)", amy.token)
        #expect(history.data?["items"]?.arrayValue?.first?["senderId"]?.stringValue == id)
    }
}
