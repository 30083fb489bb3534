import AgentIMCore
import Foundation
import Testing

/// Every runtime setting an admin saves through `PUT /api/admin/settings` does what the
/// settings page says, seen from outside: in the distributed topology a change reaches both
/// edges and every service without a restart; the `storage.*` keys say `applies: restart`
/// and take effect when the uploads service next starts.
@Suite(.serialized)
struct SettingsTakeEffectTests {
    /// A client ping padded to `length` characters.
    static func paddedPing(_ length: Int) -> String {
        let head = #"{"type":"client:ping","ts":1,"pad":""#
        return head + String(repeating: "x", count: length - head.count - 2) + #""}"#
    }

    static func paddedGatewayPing(_ length: Int) -> String {
        let head = #"{"type":"gateway:ping","ts":1,"pad":""#
        return head + String(repeating: "x", count: length - head.count - 2) + #""}"#
    }

    /// The next frame a socket gets after `text`, skipping presence and other broadcasts.
    static func answer(_ socket: TestSocket, to text: String) async -> JSONValue? {
        socket.send(text)
        while let frame = await socket.next(timeout: .seconds(5)) {
            let type = frame["type"]?.stringValue
            if type == "server:pong" || type == "server:error" { return frame }
        }
        return nil
    }

    /// `agentim-server vapid-keys --json`: a fresh VAPID pair as a settings body.
    static func vapidKeysJSON() throws -> String {
        let process = Process()
        process.executableURL = TestEnvironment.binDir.appendingPathComponent("agentim-server")
        process.arguments = ["vapid-keys", "--json"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func countLines(_ log: String, containing text: String) -> Int {
        log.split(separator: "\n").filter { $0.contains(text) }.count
    }

    @Test func liveSettingsReachEveryProcessOfTheDistributedTopology() async throws {
        let topology = try DistributedHub()
        defer { topology.stop() }
        try await topology.startServices()
        let edgeA = try await topology.startEdge()
        let edgeB = try await topology.startEdge()
        let hub = try await Fixture(base: edgeA.baseURL, ws: edgeA.wsURL)
        let services = ["auth", "rooms", "router", "uploads"].compactMap { topology.services[$0] }

        // The page knows which keys wait for a restart.
        let page = try await hub.get("/api/admin/settings")
        #expect(page.status == 200)
        var applies: [String: String] = [:]
        for (_, items) in page.data?.objectValue ?? [:] {
            for item in items.arrayValue ?? [] {
                applies[item["key"]?.stringValue ?? ""] = item["applies"]?.stringValue
            }
        }
        #expect(applies.count == 42)
        #expect(applies.filter { $0.value == "restart" }.keys.sorted() == [
            "storage.provider", "storage.s3.accessKeyId", "storage.s3.bucket", "storage.s3.endpoint", "storage.s3.region",
            "storage.s3.secretAccessKey"])
        #expect(applies.filter { $0.value == "live" }.count == 36)

        // Baselines under the defaults (and LOG_LEVEL=warn): each of these changes below.
        let socketB = TestSocket(url: edgeB.wsURL)
        defer { socketB.close() }
        #expect(await socketB.authenticate(hub.adminToken)?["ok"] == .bool(true))
        #expect(await Self.answer(socketB, to: Self.paddedPing(3000))?["type"] == .string("server:pong"))
        for _ in 0..<4 { socketB.send(["type": "client:leave_room", "roomId": "nowhere"]) }
        #expect(await Self.answer(socketB, to: #"{"type":"client:ping","ts":2}"#)?["type"] == .string("server:pong"), "4 frames are within 30")
        let gateway = try await FakeGateway.connect(ws: edgeB.wsURL, token: hub.adminToken)
        defer { gateway.close() }
        gateway.socket.send(Self.paddedGatewayPing(3000))
        #expect(await gateway.socket.next(type: "server:pong")?["ts"] == .number(1))
        for edge in [edgeA, edgeB] {
            #expect(try await HTTP.get(edge.baseURL + "/api/metrics").status == 200, "metrics are open by default")
        }
        for process in services + [edgeA, edgeB] {
            #expect(!process.log.contains("settings loaded"), "\(process.name) logs no debug line under LOG_LEVEL=warn")
        }

        // One save, many keys.
        let changes = """
            {"changes":{"metrics.authEnabled":true,"ws.maxMessageSize":2048,"rateLimit.client.max":3,"rateLimit.client.window":2,
            "ws.maxConnectionsPerUser":2,"ws.gatewayMessageSize":2048,"log.level":"debug",
            "cleanup.orphanFileInterval":60000,"cleanup.gatewayInterval":120000}}
            """
        let saved = try await hub.put("/api/admin/settings", changes)
        #expect(saved.status == 200, "\(saved.body)")

        // metrics.authEnabled: both edges want a token within moments.
        for edge in [edgeA, edgeB] {
            let closed = await Wait.until(.seconds(10)) { (try? await HTTP.get(edge.baseURL + "/api/metrics").status) == 401 }
            #expect(closed, "\(edge.name) on \(edge.port) still serves /api/metrics without a token")
            let refusal = try await HTTP.get(edge.baseURL + "/api/metrics")
            #expect(refusal.body.stringValue == "Unauthorized")
            #expect(try await HTTP.get(edge.baseURL + "/api/metrics", token: hub.adminToken).status == 200)
        }

        // ws.maxMessageSize: the same 3000-character frame is now too large.
        let tooLarge = await Self.answer(socketB, to: Self.paddedPing(3000))
        #expect(tooLarge?["code"] == .string("MESSAGE_TOO_LARGE"), "\(tooLarge ?? .null)")
        #expect(tooLarge?["message"] == .string("Message exceeds maximum size"))

        // rateLimit.client.max 3 in a window of rateLimit.client.window 2 s, for a user whose
        // frames have not been counted yet (the admin's window from the baseline is 10 s long).
        let lena = try await hub.user("lena")
        let lenaSocket = TestSocket(url: edgeB.wsURL)
        defer { lenaSocket.close() }
        #expect(await lenaSocket.authenticate(lena.token)?["ok"] == .bool(true))
        for _ in 0..<3 { lenaSocket.send(["type": "client:leave_room", "roomId": "nowhere"]) }
        #expect(await Self.answer(lenaSocket, to: #"{"type":"client:ping","ts":3}"#)?["type"] == .string("server:pong"))
        lenaSocket.send(["type": "client:leave_room", "roomId": "nowhere"])
        let limited = await lenaSocket.next(type: "server:error")
        #expect(limited?["code"] == .string("RATE_LIMITED"), "\(limited ?? .null)")
        try await Task.sleep(for: .milliseconds(2500))
        lenaSocket.send(["type": "client:leave_room", "roomId": "nowhere"])
        #expect(await Self.answer(lenaSocket, to: #"{"type":"client:ping","ts":4}"#)?["type"] == .string("server:pong"), "a new 2 s window")

        // ws.maxConnectionsPerUser 2 on edge A: the third socket is refused.
        var sockets: [TestSocket] = []
        defer { sockets.forEach { $0.close() } }
        for _ in 0..<2 {
            let socket = TestSocket(url: edgeA.wsURL)
            sockets.append(socket)
            #expect(await socket.authenticate(hub.adminToken)?["ok"] == .bool(true))
        }
        let third = TestSocket(url: edgeA.wsURL)
        sockets.append(third)
        let refused = await third.authenticate(hub.adminToken)
        #expect(refused?["ok"] == .bool(false))
        #expect(refused?["error"] == .string("Too many connections"))

        // ws.gatewayMessageSize: a gateway frame over 2048 characters is refused (no code).
        gateway.socket.send(Self.paddedGatewayPing(3000))
        let gatewayError = await gateway.socket.next(type: "server:error")
        #expect(gatewayError?["message"] == .string("Message exceeds maximum size"))
        #expect(gatewayError?["code"] == nil)

        // log.level debug: every process prints debug lines now; the timers were rescheduled.
        for process in services + [edgeA, edgeB] {
            let debugging = await Wait.until(.seconds(10)) { process.log.contains("settings loaded") }
            #expect(debugging, "\(process.name): no debug line after log.level=debug:\n\(process.log.suffix(2000))")
        }
        let uploads = try #require(topology.services["uploads"]), rooms = try #require(topology.services["rooms"])
        #expect(await Wait.until(.seconds(10)) { uploads.log.contains("orphan upload sweep: every 60000 ms (cleanup.orphanFileInterval)") },
                "\(uploads.log.suffix(2000))")
        #expect(await Wait.until(.seconds(10)) { rooms.log.contains("zombie gateway cleanup: every 120000 ms (cleanup.gatewayInterval)") },
                "\(rooms.log.suffix(2000))")

        // oauth.*, push.*, sentry.dsn: the auth, rooms and every process's Sentry pick them up.
        #expect(try await HTTP.get(edgeA.baseURL + "/api/auth/oauth/providers").data == .array([]))
        #expect(try await HTTP.get(edgeB.baseURL + "/api/push/vapid-key", token: hub.adminToken).status == 404)
        let vapid = try Self.vapidKeysJSON()
        let oauthAndPush = #"{"changes":{"oauth.github.clientId":"gh-client","oauth.github.clientSecret":"gh-secret","oauth.google.clientId":"go-client","oauth.google.clientSecret":"go-secret","# + vapid.dropFirst(#"{"changes":{"#.count)
        #expect(try await hub.put("/api/admin/settings", String(oauthAndPush)).status == 200)
        #expect(await Wait.until(.seconds(10)) {
            (try? await HTTP.get(edgeB.baseURL + "/api/auth/oauth/providers").data) == .array([.string("github"), .string("google")])
        })
        let vapidKey = try await HTTP.get(edgeB.baseURL + "/api/push/vapid-key", token: hub.adminToken)
        #expect(vapidKey.status == 200 && vapidKey.data?["publicKey"]?.stringValue?.isEmpty == false, "\(vapidKey.body)")
        #expect(try await hub.put("/api/admin/settings", #"{"changes":{"sentry.dsn":"http://k3y@127.0.0.1:9/1"}}"#).status == 200)
        for process in services + [edgeA, edgeB] {
            let reinitialised = await Wait.until(.seconds(10)) { process.log.contains("Sentry re-initialised from the sentry.dsn setting") }
            #expect(reinitialised, "\(process.name): \(process.log.suffix(1500))")
        }

        // ws.maxTotalConnections 10 (and 100 per user): edge A admits up to 10 client sockets.
        #expect(try await hub.put("/api/admin/settings", #"{"changes":{"ws.maxConnectionsPerUser":100,"ws.maxTotalConnections":10}}"#).status == 200)
        let admitted = await Wait.until(.seconds(10)) {
            let probe = TestSocket(url: edgeA.wsURL)
            sockets.append(probe)
            return await probe.authenticate(hub.adminToken)?["ok"] == .bool(true)
        }
        #expect(admitted)
        var last: JSONValue?
        for _ in 0..<12 {
            let socket = TestSocket(url: edgeA.wsURL)
            sockets.append(socket)
            last = await socket.authenticate(hub.adminToken)
            if last?["ok"] == .bool(false) { break }
        }
        #expect(last?["error"] == .string("Server at capacity"), "\(last ?? .null)")
        sockets.forEach { $0.close() }
        sockets.removeAll()

        // log.level warn again: the next reload prints no debug line anywhere.
        #expect(try await hub.put("/api/admin/settings", #"{"changes":{"log.level":"warn"}}"#).status == 200)
        try await Task.sleep(for: .seconds(1))
        let before = (services + [edgeA, edgeB]).map { Self.countLines($0.log, containing: "settings loaded") }
        #expect(try await hub.put("/api/admin/settings", #"{"changes":{"totp.issuer":"Quiet"}}"#).status == 200)
        try await Task.sleep(for: .seconds(2))
        let after = (services + [edgeA, edgeB]).map { Self.countLines($0.log, containing: "settings loaded") }
        #expect(before == after, "debug lines after log.level=warn: \(before) → \(after)")
    }

    /// `storage.*` apply at the next start: saved, the API says so, the running uploads
    /// service keeps its disk; restarted, it stores into the bucket the settings name.
    @Test func storageSettingsApplyWhenUploadsNextStarts() async throws {
        let s3 = try await S3Server()
        defer { s3.stop() }
        let topology = try DistributedHub()
        defer { topology.stop() }
        try await topology.startServices()
        let edge = try await topology.startEdge()
        let hub = try await Fixture(base: edge.baseURL, ws: edge.wsURL)

        let first = try await UploadRequests.post(edge.baseURL, body: UploadRequests.file(UploadSamples.png, type: "image/png"), token: hub.adminToken)
        #expect(first.status == 200, "\(first.body)")

        let changes = """
            {"changes":{"storage.provider":"s3","storage.s3.bucket":"\(s3.bucket)","storage.s3.endpoint":"\(s3.endpoint)",
            "storage.s3.region":"us-east-1","storage.s3.accessKeyId":"\(s3.accessKeyId)","storage.s3.secretAccessKey":"\(s3.secretAccessKey)"}}
            """
        #expect(try await hub.put("/api/admin/settings", changes).status == 200)
        let storage = try await hub.get("/api/admin/settings").data?["storage"]?.arrayValue ?? []
        let provider = storage.first { $0["key"] == .string("storage.provider") }
        #expect(provider?["value"] == .string("s3") && provider?["source"] == .string("db") && provider?["applies"] == .string("restart"), "\(provider ?? .null)")

        // Not yet: the running process still writes to its directory.
        let second = try await UploadRequests.post(edge.baseURL, body: UploadRequests.file(UploadSamples.png, type: "image/png"), token: hub.adminToken)
        #expect(second.status == 200)
        #expect(try await s3.keys().isEmpty)

        try await topology.restart("uploads")
        let third = try await UploadRequests.post(edge.baseURL, body: UploadRequests.file(UploadSamples.png, type: "image/png"), token: hub.adminToken)
        #expect(third.status == 200, "\(third.body)")
        let url = try #require(third.data?["url"]?.stringValue)
        #expect(try await s3.keys() == [String(url.dropFirst("/uploads/".count))])
        let back = try await UploadRequests.download(edge.baseURL + url, token: hub.adminToken)
        #expect(back.status == 200 && back.bytes == UploadSamples.png)
    }
}
