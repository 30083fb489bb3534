import Foundation
import Testing
@testable import AgentIMCLI

func temporaryHome() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-test-\(NanoID.make(length: 8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.path
}

func mode(_ path: String) -> Int {
    var st = stat()
    stat(path, &st)
    return Int(st.st_mode & 0o777)
}

@Suite struct LocalFilesTests {
    @Test func configIsPrivateAndTokensAreEncrypted() throws {
        let home = try temporaryHome()
        let store = ConfigStore(paths: AgentIMPaths(environment: ["HOME": home]))
        let config = HubConfig(serverUrl: "ws://h:1/ws/gateway", serverBaseUrl: "http://h:1", token: "access-secret-123", refreshToken: "refresh-secret-456", gatewayId: "gw1")
        try store.save(config)
        #expect(mode(home + "/.agentim") == 0o700)
        #expect(mode(home + "/.agentim/config.json") == 0o600)
        let text = try String(contentsOfFile: home + "/.agentim/config.json", encoding: .utf8)
        #expect(!text.contains("access-secret-123") && !text.contains("refresh-secret-456"))
        #expect(text.contains("\"version\" : 2"))
        #expect(store.load() == config)
        #expect(!FileManager.default.fileExists(atPath: home + "/.agentim/config.json.lock"))
        #expect(!FileManager.default.fileExists(atPath: home + "/.agentim/config.json.tmp"))
    }

    @Test func heldLockFailsTheSaveAndStaleLockIsBroken() throws {
        let home = try temporaryHome()
        let paths = AgentIMPaths(environment: ["HOME": home])
        let store = ConfigStore(paths: paths)
        let config = HubConfig(serverUrl: "ws://h/ws/gateway", serverBaseUrl: "http://h", token: "a", refreshToken: "b", gatewayId: "g")
        try AgentIMPaths.makePrivateDirectory(paths.root)
        _ = FileManager.default.createFile(atPath: paths.configLock.path, contents: Data())
        #expect(throws: CLIError.self) { try store.save(config) }
        #expect(!FileManager.default.fileExists(atPath: paths.configTmp.path))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -120)], ofItemAtPath: paths.configLock.path)
        try store.save(config)
        #expect(store.load() == config)
    }

    @Test func legacyPlaintextIsUpgradedAndGarbageIsAbsent() throws {
        let home = try temporaryHome()
        let paths = AgentIMPaths(environment: ["HOME": home])
        try AgentIMPaths.makePrivateDirectory(paths.root)
        let legacy = #"{"serverUrl":"ws://h/ws/gateway","serverBaseUrl":"http://h","token":"t1","refreshToken":"r1","gatewayId":"g"}"#
        try legacy.write(to: paths.config, atomically: true, encoding: .utf8)
        let store = ConfigStore(paths: paths)
        #expect(store.load()?.token == "t1")
        #expect(try String(contentsOf: paths.config, encoding: .utf8).contains("\"version\""))
        try "not json".write(to: paths.config, atomically: true, encoding: .utf8)
        #expect(store.load() == nil)
    }

    @Test func secretBoxRoundTripsAndRejectsCorruption() {
        let box = SecretBox(material: "host:user:/home/user", machineId: "abc")
        for text in ["", String(repeating: "é", count: 10_000), "日本語 🎉"] {
            #expect(box.decrypt(box.encrypt(text)) == text)
        }
        #expect(box.encrypt("same") != box.encrypt("same"))
        #expect(box.decrypt("not base64!!") == nil)
        #expect(box.decrypt(Data(count: 20).base64EncodedString()) == nil)
        var bytes = Array(Data(base64Encoded: box.encrypt("secret"))!)
        bytes[bytes.count - 1] ^= 1
        #expect(box.decrypt(Data(bytes).base64EncodedString()) == nil)
        // Another machine's key cannot open it.
        #expect(SecretBox(material: "other:user:/home/user", machineId: "abc").decrypt(box.encrypt("x")) == nil)
        // A file written without the machine id still opens (decrypt order, §6).
        #expect(box.decrypt(SecretBox(material: "host:user:/home/user", machineId: nil).encrypt("legacy")) == "legacy")
    }

    @Test func revokedMarkerExpiresAfterADay() throws {
        let home = try temporaryHome()
        let store = ConfigStore(paths: AgentIMPaths(environment: ["HOME": home]))
        store.writeRevokedMarker(serverUrl: "ws://h/ws/gateway")
        #expect(store.hasRevokedMarker())
        #expect(mode(store.paths.authRevoked.path) == 0o600)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -90_000)], ofItemAtPath: store.paths.authRevoked.path)
        #expect(!store.hasRevokedMarker())
        #expect(!FileManager.default.fileExists(atPath: store.paths.authRevoked.path))
    }

    @Test func urls() {
        #expect(HubURL.httpURL(fromGateway: "ws://localhost:3000/ws/gateway") == "http://localhost:3000")
        #expect(HubURL.httpURL(fromGateway: "wss://example.com/ws/gateway") == "https://example.com")
        #expect(HubURL.httpURL(fromGateway: "wss://example.com/ws/gateway/") == "https://example.com")
        #expect(HubURL.gatewayURL(fromBase: "https://hub.example.com") == "wss://hub.example.com/ws/gateway")
        #expect(HubURL.clean("http://h:8080///") == "http://h:8080")
        #expect(HubURL.clean("ftp://h") == nil)
        #expect(HubURL.clean("not a url") == nil)
    }

    @Test func daemonRecordsAndStaleCleanup() throws {
        let home = try temporaryHome()
        let daemons = DaemonStore(paths: AgentIMPaths(environment: ["HOME": home]))
        #expect(try daemons.reserve(DaemonRecord(pid: 999_999, name: "dead", type: "claude-code", workDir: "/w", gatewayId: "ephemeral")))
        #expect(try !daemons.reserve(DaemonRecord(pid: 1, name: "dead", type: "claude-code", workDir: "/w", gatewayId: "ephemeral")))
        try daemons.write(DaemonRecord(pid: getpid(), name: "me", type: "gateway", workDir: "/w", gatewayId: "g"))
        #expect(mode(daemons.directory.appendingPathComponent("me.json").path) == 0o600)
        let listed = daemons.listCleaning()
        #expect(listed.map(\.record.name) == ["me"])
        #expect(daemons.read("dead") == nil)
        #expect(throws: CLIError.self) { try daemons.write(DaemonRecord(pid: 1, name: "../evil", type: "x", workDir: "/", gatewayId: "g")) }
        // Strict identity refuses to signal a process that is not agentim (this test runner).
        #expect(!daemons.stop("me"))
        #expect(daemons.read("me") == nil)
    }

    @Test func logRotation() throws {
        let home = try temporaryHome()
        let log = URL(fileURLWithPath: home).appendingPathComponent("a.log")
        try Data(count: 2000).write(to: log)
        DaemonLauncher.rotate(log, limit: 1000)
        #expect(FileManager.default.fileExists(atPath: log.path + ".1"))
        #expect(!FileManager.default.fileExists(atPath: log.path))
        #expect(!FileManager.default.fileExists(atPath: log.path + ".lock"))
    }
}

@Suite struct ConnectionPartsTests {
    @Test func backoffGrowsToTheCapAndResets() {
        var backoff = Backoff()
        #expect(backoff.nextDelayMs(random: { _ in 0 }) == 3000)
        #expect(backoff.nextDelayMs(random: { $0 }) == 9000)     // 4500 + 4500
        for _ in 0..<20 { _ = backoff.nextDelayMs(random: { _ in 0 }) }
        #expect(backoff.intervalMs == 30_000)
        #expect(backoff.nextDelayMs(random: { _ in 0 }) == 30_000)
        backoff.armFastPath()
        let fast = backoff.nextDelayMs()
        #expect((1000...1500).contains(fast))
        backoff.reset()
        #expect(backoff.attempts == 0 && backoff.intervalMs == 3000)
        var jitter = Backoff()
        let delays = (0..<50).map { _ in var b = jitter; return b.nextDelayMs() }
        #expect(delays.allSatisfy { (3000...6000).contains($0) })
        #expect(Set(delays).count > 1)
        jitter.reset()
    }

    func frame(_ type: String, _ n: Int) -> OutboundFrame { OutboundFrame(type: type, text: "\(type)#\(n)") }

    @Test func queueEvictsByPriority() {
        var queue = OutboundQueue(capacity: 3)
        #expect(queue.append(frame("gateway:agent_info", 1)) == .queued)
        #expect(queue.append(frame("gateway:message_chunk", 2)) == .queued)
        #expect(queue.append(frame("gateway:agent_info", 3)) == .queued)
        // Full: normal is dropped; high evicts the oldest normal; critical evicts normal, then high.
        #expect(queue.append(frame("gateway:ping", 4)) == .droppedNew)
        #expect(queue.append(frame("gateway:agent_status", 5)) == .queuedEvicting(frame("gateway:agent_info", 1)))
        #expect(queue.append(frame("gateway:message_complete", 6)) == .queuedEvicting(frame("gateway:agent_info", 3)))
        #expect(queue.append(frame("gateway:message_complete", 7)) == .queuedEvicting(frame("gateway:message_chunk", 2)))
        #expect(queue.append(frame("gateway:message_chunk", 8)) == .droppedNew)
        #expect(queue.frames.map(\.text) == ["gateway:agent_status#5", "gateway:message_complete#6", "gateway:message_complete#7"])
        #expect(queue.append(frame("gateway:register_agent", 9)) == .queuedEvicting(frame("gateway:agent_status", 5)))
        #expect(queue.append(frame("gateway:register_agent", 10)) == .retryLater)
        #expect(queue.dropped == 6)
        // Unsent frames go back in front of frames queued meanwhile.
        var flush = OutboundQueue()
        _ = flush.append(frame("a", 1)); _ = flush.append(frame("a", 2))
        let taken = flush.takeAll()
        _ = flush.append(frame("a", 3))
        flush.putBack(taken[1...])
        #expect(flush.frames.map(\.text) == ["a#2", "a#3"])
    }

    @Test func priorities() {
        #expect(OutboundFrame(type: "gateway:auth", text: "").priority == .critical)
        #expect(OutboundFrame(type: "gateway:permission_request", text: "").priority == .critical)
        #expect(OutboundFrame(type: "gateway:agent_status", text: "").priority == .high)
        #expect(OutboundFrame(type: "gateway:unregister_agent", text: "").priority == .normal)
    }

    @Test func hostileServerFramesAreDropped() {
        #expect(ServerFrame.decode("not json") == nil)
        #expect(ServerFrame.decode(#"{"type":"server:unknown"}"#) == nil)
        #expect(ServerFrame.decode(#"{"type":"server:send_to_agent","agentId":"a"}"#) == nil)
        #expect(ServerFrame.decode(#"{"type":"server:send_to_agent","agentId":"a","roomId":"r","messageId":"m","content":"c","senderName":"s","senderType":"user","routingMode":"direct","conversationId":"x","depth":-1}"#) == nil)
        #expect(ServerFrame.decode(#"{"type":"server:permission_response","requestId":"r","agentId":"a","decision":"maybe"}"#) == nil)
        #expect(ServerFrame.decode(#"{"type":"server:spawn_agent","requestId":"r","agentType":"cursor","name":"x"}"#) == nil)
        #expect(ServerFrame.decode(#"{"type":"server:stop_agent","agentId":"a","roomId":"r1"}"#) == .stopAgent(agentId: "a", roomId: "r1"))
        #expect(ServerFrame.decode(#"{"type":"server:permission_response","requestId":"r","agentId":"a","decision":"deny","denyReason":"why"}"#)
                == .permissionResponse(PermissionResponse(requestId: "r", agentId: "a", decision: "deny", denyReason: "why")))
    }

    @Test func authFrameShape() throws {
        let frame = GatewayFrame.auth(token: "t", gatewayId: "g", deviceInfo: DeviceInfo(hostname: "h", platform: "linux", arch: "x64", nodeVersion: "swift-0.1.0"), ephemeral: false)
        let json = try #require(JSON.parse(frame.text))
        #expect(json["protocolVersion"]?.stringValue == "1")
        #expect(json["ephemeral"] == nil)
        #expect(json["deviceInfo"]?["nodeVersion"]?.stringValue == "swift-0.1.0")
        let single = try #require(JSON.parse(GatewayFrame.auth(token: "t", gatewayId: "g", deviceInfo: DeviceInfo.current(), ephemeral: true).text))
        #expect(single["ephemeral"] == .bool(true))
    }

    @Test func logLinesAreRedacted() {
        let line = LogRedaction.redact("token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl Bearer abcdefghijklmnopqrstuvwxyz password: hunter2")
        #expect(!line.contains("eyJzdWIi"))
        #expect(!line.contains("abcdefghijklmnopqrstuvwxyz"))
        #expect(!line.contains("hunter2"))
    }
}

@Suite struct WorkspaceTests {
    @Test func pathsAreComparedByRealPathComponents() throws {
        let base = try temporaryHome()
        let app = base + "/app", evil = base + "/app-evil"
        try FileManager.default.createDirectory(atPath: app + "/src", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: evil, withIntermediateDirectories: true)
        try "x".write(toFile: evil + "/secret.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: app + "/link", withDestinationPath: evil)
        #expect(PathGuard.contains(root: app, child: app + "/src"))
        #expect(!PathGuard.contains(root: app, child: evil))          // string prefix would pass
        #expect(PathGuard.resolve("../app-evil/secret.txt", under: app) == nil)
        #expect(PathGuard.resolve("link/secret.txt", under: app) == nil)  // symlink escape
        #expect(PathGuard.resolve("/etc/passwd", under: app) == nil)
        #expect(PathGuard.resolve("src", under: app) != nil)
    }

    @Test func browserRefusesTraversalAndSensitiveFiles() async throws {
        let root = try temporaryHome()
        try "API=1".write(toFile: root + "/.env", atomically: true, encoding: .utf8)
        try "hello".write(toFile: root + "/readme.md", atomically: true, encoding: .utf8)
        try Data([0, 1, 2]).write(to: URL(fileURLWithPath: root + "/bin.dat"))
        try FileManager.default.createDirectory(atPath: root + "/dir", withIntermediateDirectories: true)
        func ask(_ kind: String, _ path: String?) async -> JSON { await WorkspaceBrowser.answer(WorkspaceRequest(kind: kind, path: path), root: root) }
        #expect(await ask("file", "../../etc/passwd")["message"]?.stringValue == "Path traversal detected")
        #expect(await ask("file", ".env")["message"]?.stringValue == "Access denied: sensitive file")
        #expect(await ask("file", "dir")["message"]?.stringValue == "Not a file")
        #expect(await ask("file", "readme.md")["content"]?.stringValue == "hello")
        #expect(await ask("file", "bin.dat")["content"]?.stringValue == "[Binary file]")
        let tree = await ask("tree", nil)
        #expect(tree["path"]?.stringValue == ".")
        if case .array(let entries)? = tree["entries"] {
            #expect(entries.first?["name"]?.stringValue == "dir")   // directories first
            #expect(entries.first?["size"] == nil)
        } else { Issue.record("no entries") }
        #expect(await ask("status", nil)["data"]?["branch"]?.stringValue == "unknown")
    }

    @Test func gitStatusReportsChanges() async throws {
        let root = try temporaryHome()
        func git(_ args: String...) async throws { _ = try await GitRunner.run(["-c", "user.email=t@t", "-c", "user.name=t"] + args, in: root) }
        try await git("init", "-q")
        try "one\n".write(toFile: root + "/a.txt", atomically: true, encoding: .utf8)
        try await git("add", ".")
        try await git("commit", "-q", "-m", "first")
        #expect(await GitStatus.collect(in: root) == nil)      // clean → no status
        try "one\ntwo\n".write(toFile: root + "/a.txt", atomically: true, encoding: .utf8)
        try "k".write(toFile: root + "/server.key", atomically: true, encoding: .utf8)
        let status = try #require(await GitStatus.collect(in: root))
        guard case .array(let files)? = status["changedFiles"] else { Issue.record("no files"); return }
        let a = try #require(files.first { $0["path"]?.stringValue == "a.txt" })
        #expect(a["status"]?.stringValue == "modified")
        #expect(a["additions"] == .number(1))
        #expect(a["diff"]?.stringValue?.contains("+two") == true)
        let key = try #require(files.first { $0["path"]?.stringValue == "server.key" })
        #expect(key["status"]?.stringValue == "added")
        #expect(key["diff"] == nil)
        #expect(status["recentCommits"] != nil)
    }
}
