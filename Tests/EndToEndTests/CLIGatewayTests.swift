import AgentIMCore
import Foundation
import Testing

/// The real `agentim` binary against a real hub (agent-cli.md §3, §8–§10, §17): login with and
/// without TOTP, files on disk, a gateway with two agents answering a person through a fake
/// agent command, stop per room, a hub crash mid-reply, recovery after revocation, daemons.
@Suite(.serialized)
struct CLIGatewayTests {
    static func fileMode(_ path: String) -> Int {
        var st = stat()
        stat(path, &st)
        return Int(st.st_mode & 0o777)
    }

    /// The agent's completed reply in `room` as the client sees it.
    static func reply(_ client: TestSocket, from agentId: String, timeout: Duration = .seconds(30)) async -> JSONValue? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let frame = await client.next(type: "server:message_complete", timeout: .seconds(5)) else { continue }
            if frame["message"]?["senderId"]?.stringValue == agentId { return frame["message"] }
        }
        return nil
    }

    @Test func loginWithAndWithoutTOTPWritesPrivateEncryptedFiles() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let kim = try await hub.user("kim")
        let cli = try CLIRunner()
        defer { cli.stopAll() }

        let wrong = try await cli.login(base: hub.base, username: "kim", password: "nope")
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("Login failed"))
        #expect(try await cli.run(["login", "-s", "ftp://x", "-u", "kim"], environment: ["AGENTIM_PASSWORD": "x"]).status == 1)
        #expect(try await cli.run(["gateway"]).status == 1, "not logged in")

        let ok = try await cli.login(base: hub.base, username: "kim", password: "Passw0rdXY")
        #expect(ok.status == 0, "login: \(ok.stderr)")
        #expect(ok.stdout.contains("Gateway ID:"))
        let config = cli.agentimHome.appendingPathComponent("config.json").path
        #expect(Self.fileMode(cli.agentimHome.path) == 0o700)
        #expect(Self.fileMode(config) == 0o600)
        let text = try String(contentsOfFile: config, encoding: .utf8)
        #expect(!text.contains("eyJ"), "no JWT in plaintext on disk")
        let stored = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as? [String: Any])
        #expect(stored["version"] as? Int == 2)
        #expect(stored["serverUrl"] as? String == hub.base.replacingOccurrences(of: "http:", with: "ws:") + "/ws/gateway")
        let gatewayId = try #require(stored["gatewayId"] as? String)
        let status = try await cli.run(["status"])
        #expect(status.stdout.contains(gatewayId) && status.stdout.contains("Refresh token:      yes"))

        // Two-factor account: the second step with a code from AGENTIM_TOTP_CODE; the gateway id survives.
        let setup = try await hub.post("/api/auth/setup-totp", nil, kim.token)
        let secret = try #require(setup.data?["secret"]?.stringValue)
        #expect(try await hub.post("/api/auth/verify-totp-setup", #"{"code":"\#(Authenticator.code(base32: secret))"}"#, kim.token).status == 200)
        let badCode = try await cli.login(base: hub.base, username: "kim", password: "Passw0rdXY", totp: "000000")
        #expect(badCode.status == 1)
        #expect(badCode.stderr.contains("Invalid TOTP code"), "\(badCode.stderr)")
        // A code valid now; wait for the next period if the current one is about to end.
        await Wait.totpPeriod()
        let totp = try await cli.login(base: hub.base, username: "kim", password: "Passw0rdXY", totp: Authenticator.code(base32: secret))
        #expect(totp.status == 0, "totp login: \(totp.stderr)")
        let again = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as? [String: Any])
        #expect(again["gatewayId"] as? String == gatewayId)

        #expect(try await cli.run(["logout"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: config))
        #expect(try await cli.run(["status"]).stdout.contains("Not logged in"))
    }

    @Test func gatewayAgentsAnswerAMentionStreamedAndStored() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let amy = try await hub.user("amy")
        let cli = try await CLIRunner.loggedIn(base: hub.base)
        defer { cli.stopAll() }
        let work = cli.home.appendingPathComponent("work").path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let gateway = try cli.start(["gateway", "-a", "coder:echoer:\(work)", "-a", "helper:echoer", "-a", "broken"])
        defer { gateway.terminate() }
        let agents = try await hub.onlineAgents(["coder", "helper"], token: amy.token)
        let listed = try await hub.get("/api/agents", amy.token).data?.arrayValue ?? []
        let coder = try #require(listed.first { $0["name"]?.stringValue == "coder" })
        #expect(coder["type"]?.stringValue == "generic", "custom types register as generic")
        #expect(coder["workingDirectory"]?.stringValue == work)

        let room = try await hub.room("CLI", owner: amy)
        try await hub.addAgent(agents["coder"]!, to: room, token: amy.token)
        let client = try await hub.socket(amy.token, rooms: [room])
        defer { client.close() }
        _ = try await hub.send(client, room: room, "@coder hello there")
        var streamed: [String] = []
        var message: JSONValue?
        let deadline = ContinuousClock.now + .seconds(30)
        while message == nil, ContinuousClock.now < deadline, let frame = await client.next(timeout: .seconds(10)) {
            switch frame["type"]?.stringValue {
            case "server:message_chunk": streamed.append(frame["chunk"]?["content"]?.stringValue ?? "")
            case "server:message_complete" where frame["message"]?["senderId"]?.stringValue == agents["coder"]: message = frame["message"]
            default: break
            }
        }
        let reply = try #require(message, "no completion; gateway log: \(cli.log())")
        let content = try #require(reply["content"]?.stringValue)
        #expect(content.contains("echo: @coder hello there"))
        #expect(content.contains("line 1") && content.contains("line 3"))
        #expect(!streamed.isEmpty && streamed.joined().contains("line 3"), "chunks streamed before the completion")
        let history = try await hub.get("/api/messages/rooms/\(room)", amy.token)
        let newest = try #require(history.data?["items"]?.arrayValue?.first)
        #expect(newest["senderId"]?.stringValue == agents["coder"])
        #expect(newest["content"]?.stringValue == content)
        #expect(cli.log().contains("invalid agent spec"))
        // Shutdown unregisters: the agents go offline.
        gateway.terminate()
        gateway.waitUntilExit()
        #expect(gateway.terminationStatus == 0)
        let after = try await hub.get("/api/agents", amy.token).data?.arrayValue ?? []
        #expect(after.allSatisfy { $0["status"]?.stringValue == "offline" })
    }

    @Test func stopAffectsOnlyTheRoomAsked() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let amy = try await hub.user("amy")
        let cli = try await CLIRunner.loggedIn(base: hub.base, fakeAgent: (0.3, 6))
        defer { cli.stopAll() }
        let gateway = try cli.start(["gateway", "-a", "slow:echoer"])
        defer { gateway.terminate() }
        let id = try #require(try await hub.onlineAgents(["slow"], token: amy.token)["slow"])
        let roomA = try await hub.room("A", owner: amy), roomB = try await hub.room("B", owner: amy)
        try await hub.addAgent(id, to: roomA, token: amy.token)
        try await hub.addAgent(id, to: roomB, token: amy.token)
        let a = try await hub.socket(amy.token, rooms: [roomA])
        let b = try await hub.socket(amy.token, rooms: [roomB])
        defer { a.close(); b.close() }
        _ = try await hub.send(a, room: roomA, "@slow first in A")
        _ = await a.next(type: "server:message_chunk")
        // The generic agent is busy: these wait in the per-room queues.
        _ = try await hub.send(a, room: roomA, "@slow second in A")
        _ = try await hub.send(b, room: roomB, "@slow only in B")
        a.send(["type": "client:stop_generation", "roomId": roomA, "agentId": id])
        let first = try #require(await Self.reply(a, from: id), "\(cli.log())")
        #expect(first["content"]?.stringValue?.contains("line 6") != true, "the running reply was interrupted: \(cli.log())")
        let inB = try #require(await Self.reply(b, from: id), "room B's queued message still runs: \(cli.log())")
        #expect(inB["content"]?.stringValue?.contains("only in B") == true)
        #expect(await Self.reply(a, from: id, timeout: .seconds(4)) == nil, "room A's queue was cleared")
    }

    @Test func hubKilledMidReplyDeliversQueuedChunksOnceInOrder() async throws {
        let hubProcess = try await SingleProcessHubTests.startHub()
        var current = hubProcess
        defer { current.stop() }
        let hub = try await Fixture(base: hubProcess.baseURL, ws: hubProcess.wsURL)
        let amy = try await hub.user("amy")
        let cli = try await CLIRunner.loggedIn(base: hub.base, fakeAgent: (0.25, 12))
        defer { cli.stopAll() }
        let gateway = try cli.start(["gateway", "-a", "steady:echoer"])
        defer { gateway.terminate() }
        let id = try #require(try await hub.onlineAgents(["steady"], token: amy.token)["steady"])
        let room = try await hub.room("Crash", owner: amy)
        try await hub.addAgent(id, to: room, token: amy.token)
        let client = try await hub.socket(amy.token, rooms: [room])
        _ = try await hub.send(client, room: room, "@steady count please")
        _ = await client.next(type: "server:message_chunk")
        client.close()
        current.kill9()
        // The gateway notices the hub gone (and queues what its agent goes on writing).
        #expect(await Wait.until { cli.log().contains("Disconnected from the hub") }, "\(cli.log())")
        current = try hubProcess.restarted()
        try await current.waitUntilHealthy(path: "/api/health")
        // The reply finishes while the hub is away or just back; it is stored once, complete, in order.
        let deadline = ContinuousClock.now + .seconds(40)
        var stored: [JSONValue] = []
        while ContinuousClock.now < deadline {
            let history = try await hub.get("/api/messages/rooms/\(room)", amy.token)
            stored = (history.data?["items"]?.arrayValue ?? []).filter { $0["senderId"]?.stringValue == id }
            if !stored.isEmpty { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(stored.count == 1, "one reply stored: \(cli.log())")
        let content = try #require(stored.first?["content"]?.stringValue)
        let lines = content.split(separator: "\n").map(String.init)
        #expect(lines.first == "echo: @steady count please")
        #expect(Array(lines.dropFirst()) == (1...12).map { "line \($0)" })
        try await Task.sleep(for: .seconds(1))
        let again = (try await hub.get("/api/messages/rooms/\(room)", amy.token).data?["items"]?.arrayValue ?? []).filter { $0["senderId"]?.stringValue == id }
        #expect(again.count == 1, "no duplicate after the flush")
        #expect(cli.log().contains("Reconnected to the hub"))
    }

    @Test func revokedSessionEntersRecoveryAndLoginHealsIt() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let amy = try await hub.user("amy")
        let cli = try await CLIRunner.loggedIn(base: hub.base)
        defer { cli.stopAll() }
        let gateway = try cli.start(["gateway", "-a", "keeper:echoer"])
        defer { gateway.terminate() }
        _ = try await hub.onlineAgents(["keeper"], token: amy.token)
        // A password change revokes every session and closes the gateway socket.
        #expect(try await hub.put("/api/users/me/password", #"{"currentPassword":"Passw0rdXY","newPassword":"NewPassw0rdXY"}"#, amy.token).status == 200)
        let marker = cli.agentimHome.appendingPathComponent("auth-revoked").path
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: marker), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(FileManager.default.fileExists(atPath: marker), "recovery marker: \(cli.log())")
        #expect(Self.fileMode(marker) == 0o600)
        #expect(gateway.isRunning, "agents stay alive in recovery mode")
        // Revocation compares issue times in whole seconds: a login in the same second as the
        // password change would be revoked too.
        await Wait.nextSecond()
        let token = try await ChatScenario.login(hub.base, "amy", "NewPassw0rdXY")
        #expect(try await cli.login(base: hub.base, username: "amy", password: "NewPassw0rdXY").status == 0)
        _ = try await hub.onlineAgents(["keeper"], token: token)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func detachedGatewayListStopRemove() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        let amy = try await hub.user("amy")
        let cli = try await CLIRunner.loggedIn(base: hub.base)
        defer { cli.stopAll() }
        let started = try await cli.run(["gateway", "-d", "-a", "bg:echoer"])
        #expect(started.status == 0, "daemon start: \(started.stderr)")
        let pidText = try #require(started.stdout.split(separator: "\n").first { $0.contains("pid") })
        let pid = try #require(Int32(pidText.split(separator: " ").last!.trimmingCharacters(in: CharacterSet(charactersIn: "()pid "))))
        defer { kill(pid, SIGKILL) }
        _ = try await hub.onlineAgents(["bg"], token: amy.token)
        let record = cli.agentimHome.appendingPathComponent("daemons/gateway.json").path
        #expect(Self.fileMode(record) == 0o600)
        #expect(FileManager.default.fileExists(atPath: cli.agentimHome.appendingPathComponent("logs/gateway.log").path))
        let again = try await cli.run(["gateway", "-d", "-a", "bg:echoer"])
        #expect(again.status == 1 && again.stderr.contains("already running"))
        let list = try await cli.run(["list"])
        #expect(list.stdout.contains("gateway") && list.stdout.contains("Yes") && list.stdout.contains(String(pid)), "\(list.stdout)")
        #expect(try await cli.run(["ls"]).stdout == list.stdout)
        let stopped = try await cli.run(["stop", "gateway"])
        #expect(stopped.stdout.contains("Stopped gateway"), "\(stopped.stderr)")
        let deadline = ContinuousClock.now + .seconds(20)
        while kill(pid, 0) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(kill(pid, 0) != 0, "the daemon exited after SIGTERM")
        #expect(!FileManager.default.fileExists(atPath: record))
        #expect(try await cli.run(["rm", "gateway"]).stdout.contains("Removed gateway"))
        #expect(try await cli.run(["list"]).stdout.contains("No running agents"))
        // A hostile name never becomes a path.
        #expect(try await cli.run(["stop", "../../etc/passwd"]).stderr.contains("Invalid name"))
    }
}
