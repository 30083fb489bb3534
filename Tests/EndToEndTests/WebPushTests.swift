import AgentIMCore
import Foundation
import Testing

/// Web Push (http-api §15 and the sender) against a real local push service that checks
/// every push's VAPID JWT and decrypts it with the subscription's private key.
@Suite(.serialized)
struct WebPushTests {
    /// Short coalescing window and back-off, so bursts and retries fit in a test.
    static let tuning = ["PUSH_COALESCE_QUIET_MS": "600", "PUSH_COALESCE_MAX_MS": "4000", "PUSH_BACKOFF_MS": "200", "PUSH_MAX_ATTEMPTS": "3"]

    /// A room of admin (the sender), bob (online), carol (all), erin (mentions only) and frank
    /// (none), each with one subscription named after them; admin's socket has joined the room.
    struct Scene {
        let base: String
        let ws: String
        let roomId: String
        let adminToken: String
        let tokens: [String: String]
        let ids: [String: String]
        let admin: TestSocket
        let bob: TestSocket
        let push: PushService

        func send(_ content: String, from socket: TestSocket? = nil) {
            (socket ?? admin).send(["type": "client:send_message", "roomId": roomId, "content": content, "mentions": []])
        }

        /// Waits until `name` has `count` accepted pushes, then a little longer to catch extras.
        func pushes(_ name: String, count: Int, timeout: Duration = .seconds(15)) async throws -> [PushService.Push] {
            _ = try await Wait.until(timeout, every: .milliseconds(100)) { try await push.delivered(name).count >= count }
            try await Task.sleep(for: .milliseconds(1500))
            return try await push.delivered(name)
        }

        func close() { admin.close(); bob.close() }
    }

    static func scene(base: String, ws: String, push: PushService, senderWS: String? = nil) async throws -> Scene {
        let adminToken = try await ChatScenario.login(base, "admin", ChatScenario.adminPassword)
        try await configureKeys(base, adminToken)
        var tokens = ["admin": adminToken], ids: [String: String] = [:]
        let room = try await HTTP.post(base + "/api/rooms", json: #"{"name":"Night shift"}"#, token: adminToken)
        let roomId = try #require(room.data?["id"]?.stringValue)
        for name in ["bob", "carol", "erin", "frank"] {
            let created = try await HTTP.post(base + "/api/users", json: #"{"username":"\#(name)","password":"Pass-\#(name)-123","displayName":"\#(name)"}"#, token: adminToken)
            ids[name] = try #require(created.data?["id"]?.stringValue, "\(created.body)")
            let added = try await HTTP.post(base + "/api/rooms/\(roomId)/members", json: #"{"memberId":"\#(ids[name]!)","memberType":"user"}"#, token: adminToken)
            #expect(added.status == 201)
            tokens[name] = try await ChatScenario.login(base, name, "Pass-\(name)-123")
        }
        for (name, pref) in [("erin", "mentions"), ("frank", "none")] {
            let set = try await HTTP.put(base + "/api/rooms/\(roomId)/notification-pref", json: #"{"pref":"\#(pref)"}"#, token: tokens[name])
            #expect(set.status == 200, "\(set.body)")
        }
        for name in ["admin", "bob", "carol", "erin", "frank"] {
            let subscribed = try await HTTP.post(base + "/api/push/subscribe", json: try await push.subscription(name), token: tokens[name])
            #expect(subscribed.status == 200 && subscribed["ok"] == .bool(true), "\(subscribed.body)")
        }
        let admin = TestSocket(url: senderWS ?? ws), bob = TestSocket(url: ws)
        #expect(await admin.authenticate(adminToken)?["ok"] == .bool(true))
        #expect(await bob.authenticate(tokens["bob"]!)?["ok"] == .bool(true))
        for socket in [admin, bob] {
            socket.send(["type": "client:join_room", "roomId": roomId])
            socket.send(["type": "client:ping", "ts": 1])
            #expect(await socket.next(type: "server:pong") != nil)
        }
        return Scene(base: base, ws: ws, roomId: roomId, adminToken: adminToken, tokens: tokens, ids: ids, admin: admin, bob: bob, push: push)
    }

    /// `agentim-server vapid-keys --json` is the body of the settings change that enables Web Push.
    static func configureKeys(_ base: String, _ adminToken: String) async throws {
        let output = Pipe()
        let process = Process()
        process.executableURL = TestEnvironment.binDir.appendingPathComponent("agentim-server")
        process.arguments = ["vapid-keys", "--json"]
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let body = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let saved = try await HTTP.put(base + "/api/admin/settings", json: body, token: adminToken)
        #expect(saved.status == 200, "\(saved.body)")
        let publicKey = try #require(JSONValue.parse(body)?["changes"]?["push.vapidPublicKey"]?.stringValue)
        #expect(await Wait.until(.seconds(5)) { (try? await HTTP.get(base + "/api/push/vapid-key").data?["publicKey"]?.stringValue) == publicKey })
    }

    @Test func endpointsValidateAndNeedKeys() async throws {
        let hub = try await SingleProcessHubTests.startHub(extra: Self.tuning)
        defer { hub.stop() }
        let push = try await PushService()
        defer { push.stop() }
        let base = hub.baseURL
        let token = try await ChatScenario.login(base, "admin", ChatScenario.adminPassword)
        let subscription = try await push.subscription("admin")

        // Not configured: both answer 404; unsubscribe works regardless.
        let missing = try await HTTP.get(base + "/api/push/vapid-key")
        #expect(missing.status == 404 && missing.error == "Web Push is not configured")
        let early = try await HTTP.post(base + "/api/push/subscribe", json: subscription, token: token)
        #expect(early.status == 404 && early.error == "Web Push is not configured")
        #expect(try await HTTP.post(base + "/api/push/unsubscribe", json: #"{"endpoint":"https://x.test/1"}"#, token: token)["ok"] == .bool(true))
        #expect(try await HTTP.post(base + "/api/push/subscribe", json: subscription, token: nil).status == 401)

        try await Self.configureKeys(base, token)
        let key = try #require(try await HTTP.get(base + "/api/push/vapid-key").data?["publicKey"]?.stringValue)
        #expect(key.count == 87 && !key.contains("="))

        let keys = try #require(JSONValue.parse(subscription)?["keys"])
        let p256dh = try #require(keys["p256dh"]?.stringValue), auth = try #require(keys["auth"]?.stringValue)
        let bad = [
            #"{"endpoint":"ftp://push.test/1","keys":{"p256dh":"\#(p256dh)","auth":"\#(auth)"}}"#,
            #"{"endpoint":"http://push.example.com/1","keys":{"p256dh":"\#(p256dh)","auth":"\#(auth)"}}"#,
            #"{"endpoint":"not a url","keys":{"p256dh":"\#(p256dh)","auth":"\#(auth)"}}"#,
            #"{"endpoint":"https://push.test/1","keys":{"p256dh":"\#(p256dh.dropLast(4))","auth":"\#(auth)"}}"#,
            #"{"endpoint":"https://push.test/1","keys":{"p256dh":"BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","auth":"\#(auth)"}}"#,
            #"{"endpoint":"https://push.test/1","keys":{"p256dh":"\#(p256dh)","auth":"\#(auth)AAAA"}}"#,
            #"{"endpoint":"https://push.test/1","keys":{"p256dh":"\#(p256dh)"}}"#,
            #"{"endpoint":"https://push.test/1"}"#,
            #"{"endpoint":42,"keys":{"p256dh":"\#(p256dh)","auth":"\#(auth)"}}"#,
            "[]",
        ]
        for body in bad {
            let reply = try await HTTP.post(base + "/api/push/subscribe", json: body, token: token)
            #expect(reply.status == 400 && reply.error == "Invalid subscription data", "\(body): \(reply.body)")
        }
        #expect(try TestEnvironment.psql(hub.databaseURL, "SELECT count(*) FROM push_subscriptions") == "0")
        let noEndpoint = try await HTTP.post(base + "/api/push/unsubscribe", json: "{}", token: token)
        #expect(noEndpoint.status == 400 && noEndpoint.error == "Missing endpoint")

        // Upsert by endpoint: saving it again, as another user, re-assigns it.
        let endpoint = try #require(JSONValue.parse(subscription)?["endpoint"]?.stringValue)
        #expect(try await HTTP.post(base + "/api/push/subscribe", json: subscription, token: token).status == 200)
        #expect(try await HTTP.post(base + "/api/push/subscribe", json: subscription, token: token).status == 200)
        let created = try await HTTP.post(base + "/api/users", json: #"{"username":"zoe","password":"Pass-zoe-123","displayName":"Zoe"}"#, token: token)
        let zoeId = try #require(created.data?["id"]?.stringValue)
        let zoe = try await ChatScenario.login(base, "zoe", "Pass-zoe-123")
        #expect(try await HTTP.post(base + "/api/push/subscribe", json: subscription, token: zoe).status == 200)
        #expect(try TestEnvironment.psql(hub.databaseURL, "SELECT string_agg(user_id, ',') FROM push_subscriptions") == zoeId)
        // Only its owner removes it.
        _ = try await HTTP.post(base + "/api/push/unsubscribe", json: #"{"endpoint":"\#(endpoint)"}"#, token: token)
        #expect(try TestEnvironment.psql(hub.databaseURL, "SELECT count(*) FROM push_subscriptions") == "1")
        _ = try await HTTP.post(base + "/api/push/unsubscribe", json: #"{"endpoint":"\#(endpoint)"}"#, token: zoe)
        #expect(try TestEnvironment.psql(hub.databaseURL, "SELECT count(*) FROM push_subscriptions") == "0")
    }

    @Test func awayMembersGetOneVerifiedPushPerBurstAsTheirPreferenceSays() async throws {
        let hub = try await SingleProcessHubTests.startHub(extra: Self.tuning)
        defer { hub.stop() }
        let push = try await PushService()
        defer { push.stop() }
        let scene = try await Self.scene(base: hub.baseURL, ws: hub.wsURL, push: push)
        defer { scene.close() }

        // A burst of five: carol (away, all) gets one notification for the five.
        for index in 1...5 { scene.send("status update \(index) " + String(repeating: "x", count: 200)) }
        let carol = try await scene.pushes("carol", count: 1)
        #expect(carol.count == 1)
        let first = try #require(carol.first?.payload)
        #expect(carol.first?.errors == [])
        #expect(first["count"] == .number(5))
        #expect(first["roomId"]?.stringValue == scene.roomId)
        #expect(first["roomName"]?.stringValue == "Night shift")
        #expect(first["senderName"]?.stringValue == "admin")
        #expect(first["url"]?.stringValue == "/room/\(scene.roomId)")
        #expect(first["title"]?.stringValue == "5 new messages in Night shift")
        let preview = try #require(first["preview"]?.stringValue)
        #expect(preview.hasPrefix("status update 5 xxx") && preview.count <= 120)
        #expect(carol.first?.urgency == "normal" && carol.first?.ttl == "3600")
        let vapidKey = try #require(try await HTTP.get(hub.baseURL + "/api/push/vapid-key").data?["publicKey"]?.stringValue)
        #expect(carol.first?.vapidKey == vapidKey)

        // A mention: erin (mentions only) now gets hers, carol a second one; frank (none),
        // bob (online) and admin (the sender) never get any.
        scene.send("@erin can you look at the deploy?")
        let erin = try await scene.pushes("erin", count: 1)
        #expect(erin.count == 1 && erin.first?.payload?["count"] == .number(1))
        #expect(erin.first?.payload?["title"]?.stringValue == "admin in Night shift")
        #expect(erin.first?.payload?["body"]?.stringValue == "@erin can you look at the deploy?")
        #expect(erin.first?.urgency == "high")
        #expect(try await push.delivered("carol").count == 2)

        // push.vapidSubject is the JWT's sub, and a change applies to the next push.
        #expect(carol.first?.subject == "mailto:noreply@agentim.app")
        let subject = try await HTTP.put(hub.baseURL + "/api/admin/settings", json: #"{"changes":{"push.vapidSubject":"mailto:ops@example.org"}}"#, token: scene.adminToken)
        #expect(subject.status == 200, "\(subject.body)")

        // The sender, away this time, forwards into the room over REST: carol hears, admin does not.
        scene.admin.close()
        let other = try await HTTP.post(hub.baseURL + "/api/rooms", json: #"{"name":"Elsewhere"}"#, token: scene.adminToken)
        let otherId = try #require(other.data?["id"]?.stringValue)
        let source = TestSocket(url: hub.wsURL)
        #expect(await source.authenticate(scene.adminToken)?["ok"] == .bool(true))
        source.send(["type": "client:join_room", "roomId": otherId])
        source.send(["type": "client:send_message", "roomId": otherId, "content": "for the record", "mentions": []])
        let stored = try #require(await source.next(type: "server:new_message")?["message"]?["id"]?.stringValue)
        source.close()
        // The edge drops the lease when it sees the last socket close; give it that moment.
        try await Task.sleep(for: .seconds(1))
        let forwarded = try await HTTP.post(hub.baseURL + "/api/messages/\(stored)/forward", json: #"{"targetRoomId":"\#(scene.roomId)"}"#, token: scene.adminToken)
        #expect(forwarded.status == 201, "\(forwarded.body)")
        let third = try await scene.pushes("carol", count: 3)
        #expect(third.count == 3)
        #expect(third.last?.subject == "mailto:ops@example.org", "\(third.map(\.subject))")
        for name in ["admin", "bob", "frank"] { #expect(try await push.received().filter { $0.name == name }.isEmpty, "\(name) got a push") }
        #expect(try await push.received().allSatisfy { $0.errors.isEmpty })
    }

    /// An agent's reply is pushed once it is complete, never for its streaming chunks.
    @Test func aCompletedAgentReplyIsPushedAndChunksAreNot() async throws {
        let hub = try await SingleProcessHubTests.startHub(extra: Self.tuning)
        defer { hub.stop() }
        let push = try await PushService()
        defer { push.stop() }
        let scene = try await Self.scene(base: hub.baseURL, ws: hub.wsURL, push: push)
        defer { scene.close() }
        let gateway = try await FakeGateway.connect(ws: hub.wsURL, token: scene.adminToken)
        defer { gateway.close() }
        let agentId = "agent-\(Nanoid.make())"
        await gateway.register(id: agentId, name: "helper")
        let added = try await HTTP.post(hub.baseURL + "/api/rooms/\(scene.roomId)/members", json: #"{"memberId":"\#(agentId)","memberType":"agent"}"#, token: scene.adminToken)
        #expect(added.status == 201, "\(added.body)")

        scene.send("@helper summarize the incident")
        #expect(await gateway.nextWork(for: agentId) != nil)
        #expect(try await scene.pushes("carol", count: 1).count == 1)

        let reply = Nanoid.make()
        for part in ["The", " outage", " was DNS"] { gateway.chunk(agent: agentId, room: scene.roomId, message: reply, text: part) }
        try await Task.sleep(for: .seconds(2))
        #expect(try await push.delivered("carol").count == 1, "chunks are not pushed")
        gateway.complete(agent: agentId, room: scene.roomId, message: reply, text: "The outage was DNS")
        let carol = try await scene.pushes("carol", count: 2)
        #expect(carol.count == 2)
        #expect(carol.last?.payload?["senderName"]?.stringValue == "helper")
        #expect(carol.last?.payload?["preview"]?.stringValue == "The outage was DNS")
        #expect(carol.last?.payload?["count"] == .number(1))
    }

    @Test func goneSubscriptionsAreRemovedAndFailuresRetried() async throws {
        let hub = try await SingleProcessHubTests.startHub(extra: Self.tuning)
        defer { hub.stop() }
        let push = try await PushService()
        defer { push.stop() }
        let scene = try await Self.scene(base: hub.baseURL, ws: hub.wsURL, push: push)
        defer { scene.close() }
        let carolId = try #require(scene.ids["carol"])

        // 503 twice, then accepted: one notification, after three attempts.
        try await push.setMode("carol", "fail:2")
        scene.send("first")
        #expect(try await scene.pushes("carol", count: 1).count == 1)
        #expect(try await push.received().filter { $0.name == "carol" }.map(\.status) == [503, 503, 201])

        // 410: the subscription is forgotten, and nothing more is sent to it.
        try await push.setMode("carol", "gone")
        scene.send("second")
        #expect(await Wait.until(.seconds(10)) {
            (try? TestEnvironment.psql(hub.databaseURL, "SELECT count(*) FROM push_subscriptions WHERE user_id = '\(carolId)'")) == "0"
        })
        let attempts = try await push.received().filter { $0.name == "carol" }.count
        scene.send("third")
        #expect(try await scene.pushes("erin", count: 0).isEmpty)
        #expect(try await push.received().filter { $0.name == "carol" }.count == attempts)
        #expect(try TestEnvironment.psql(hub.databaseURL, "SELECT count(*) FROM push_subscriptions") == "4")
    }

    @Test func aPushServiceThatIsDownOrSlowDoesNotDelayChat() async throws {
        let hub = try await SingleProcessHubTests.startHub(extra: Self.tuning.merging(["PUSH_COALESCE_QUIET_MS": "0", "PUSH_COALESCE_MAX_MS": "0"]) { $1 })
        defer { hub.stop() }
        let push = try await PushService()
        defer { push.stop() }
        let scene = try await Self.scene(base: hub.baseURL, ws: hub.wsURL, push: push)
        defer { scene.close() }
        // carol's push service hangs for 30 s; erin's refuses connections (set to every message).
        try await push.setMode("carol", "slow")
        let dead = TestEnvironment.freePort()
        let erinSub = try #require(JSONValue.parse(try await push.subscription("erin2"))?["keys"])
        let deadBody = #"{"endpoint":"http://127.0.0.1:\#(dead)/push/erin","keys":{"p256dh":"\#(erinSub["p256dh"]!.stringValue!)","auth":"\#(erinSub["auth"]!.stringValue!)"}}"#
        #expect(try await HTTP.post(hub.baseURL + "/api/push/subscribe", json: deadBody, token: scene.tokens["erin"]).status == 200)
        _ = try await HTTP.put(hub.baseURL + "/api/rooms/\(scene.roomId)/notification-pref", json: #"{"pref":"all"}"#, token: scene.tokens["erin"])

        var slowest = Duration.zero
        for index in 1...20 {
            let start = ContinuousClock.now
            scene.send("ping \(index) @erin")
            let got = await scene.bob.next(type: "server:new_message", timeout: .seconds(5))
            #expect(got?["message"]?["content"]?.stringValue == "ping \(index) @erin")
            slowest = max(slowest, ContinuousClock.now - start)
        }
        #expect(slowest < .milliseconds(1000), "slowest chat delivery \(slowest)")
        #expect(try await push.received().contains { $0.name == "carol" } == false, "the slow service has not answered yet")
    }
}

extension HubProcess {
    /// The database this hub runs on (tests read rows directly).
    var databaseURL: String { environment["DATABASE_URL"] ?? "" }
}
