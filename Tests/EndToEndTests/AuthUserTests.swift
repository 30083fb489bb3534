import AgentIMCore
import Foundation
import Testing

/// `/api/users`: profile, password, search and the admin's user management (http-api §5),
/// with deletion's cascade and revocation (data-config-security §1.4, §3.4).
@Suite(.serialized)
struct AuthUserTests {
    @Test func profileAndSearch() async throws {
        let hub = try await AuthHub.start()
        defer { hub.stop() }
        let base = hub.base
        let admin = try await AuthClient.admin(base)
        for name in ["erin", "erik", "fern_1", "fern_2"] {
            try await AuthClient.createUser(base, admin: admin.accessToken, name, password: "Passw0rdX")
        }
        let erin = try await AuthClient.login(base, "erin", "Passw0rdX")

        let me = try await HTTP.get(base + "/api/users/me", token: erin.accessToken)
        #expect(me.status == 200)
        #expect(Set(me.data?.objectValue?.keys.map { $0 } ?? []) == ["id", "username", "displayName", "avatarUrl", "role", "createdAt", "updatedAt", "totpEnabled"])
        #expect(me.data?["createdAt"]?.stringValue?.hasSuffix("Z") == true)

        // Validation of a profile change: UsersRefusalsInProcessTests.
        try await Task.sleep(for: .milliseconds(5))
        let bumped = try await HTTP.put(base + "/api/users/me", json: "{}", token: erin.accessToken)
        #expect(bumped.status == 200)
        #expect(bumped.data?["updatedAt"] != me.data?["updatedAt"], "{} only bumps updatedAt")
        let renamed = try await HTTP.put(base + "/api/users/me", json: #"{"displayName":"<b>Erin</b> E.","avatarUrl":"/uploads/erin_1.png"}"#,
                                         token: erin.accessToken)
        #expect(renamed.data?["displayName"] == .string("Erin E."))
        #expect(renamed.data?["avatarUrl"] == .string("/uploads/erin_1.png"))

        let short = try await HTTP.get(base + "/api/users/search?q=%20e%20", token: erin.accessToken)
        #expect(short.data == .array([]))
        let found = try await HTTP.get(base + "/api/users/search?q=ER", token: erin.accessToken)
        #expect(found.data?.arrayValue?.compactMap { $0["username"]?.stringValue } == ["erik", "fern_1", "fern_2"],
                "case-insensitive substring, the caller excluded")
        #expect(found.data?.arrayValue?.first?.objectValue?.keys.sorted() == ["avatarUrl", "displayName", "id", "username"])
        let wildcard = try await HTTP.get(base + "/api/users/search?q=f%251", token: erin.accessToken)
        #expect(wildcard.data?.arrayValue?.compactMap { $0["username"]?.stringValue } == ["fern_1"], "% stays a wildcard")
        #expect(try await HTTP.get(base + "/api/users/search?q=ab%5C", token: erin.accessToken).status == 200, "a trailing backslash")
        #expect(try await HTTP.get(base + "/api/users/search?q=er").status == 401)

        // A token whose user row is gone (deleted behind the API's back): 404.
        try hub.sql("DELETE FROM users WHERE username = 'erin'")
        let gone = try await HTTP.get(base + "/api/users/me", token: erin.accessToken)
        #expect(gone.status == 404 && gone.error == "User not found")
        #expect(try await HTTP.get(base + "/api/users/me/oauth-accounts", token: admin.accessToken).data == .array([]))
    }

    @Test func changingTheOwnPasswordEndsEverySession() async throws {
        let hub = try await AuthHub.start()
        defer { hub.stop() }
        let base = hub.base
        let admin = try await AuthClient.admin(base)
        try await AuthClient.createUser(base, admin: admin.accessToken, "gina", password: "GinaPass123")
        let gina = try await AuthClient.login(base, "gina", "GinaPass123")
        let other = try await AuthClient.login(base, "gina", "GinaPass123")
        let socket = TestSocket(url: hub.process.wsURL)
        defer { socket.close() }
        #expect(await socket.authenticate(other.accessToken)?["ok"] == .bool(true))

        // Validation of the new password: UsersRefusalsInProcessTests.
        let wrong = try await HTTP.put(base + "/api/users/me/password", json: #"{"currentPassword":"nope","newPassword":"NewGina456"}"#,
                                       token: gina.accessToken)
        #expect(wrong.status == 400 && wrong.error == "Current password is incorrect")

        let changed = try await HTTP.put(base + "/api/users/me/password", json: #"{"currentPassword":"GinaPass123","newPassword":"NewGina456"}"#,
                                         token: gina.accessToken)
        #expect(changed.status == 200 && changed.body == .object(["ok": .bool(true)]))
        let revoked = try await HTTP.get(base + "/api/users/me", token: gina.accessToken)
        #expect(revoked.status == 401 && revoked.error == "Token revoked", "the caller's own token too")
        #expect(await socket.next(type: "server:error")?["code"] == .string("SESSION_REVOKED"))
        #expect(await socket.closed() == 1008)
        #expect(try await AuthClient.refresh(base, body: other.refreshToken).status == 401)
        #expect(try await AuthClient.loginReply(base, "gina", "GinaPass123").status == 401)
        await Wait.nextSecond()  // revocation is by whole seconds
        let fresh = try await AuthClient.login(base, "gina", "NewGina456")
        #expect(try await HTTP.get(base + "/api/users/me", token: fresh.accessToken).status == 200)
        #expect(try hub.sql("SELECT count(*) FROM revoked_tokens WHERE user_id = '\(fresh.userId)'") == "1")

        try hub.sql("UPDATE users SET password_hash = NULL WHERE username = 'gina'")
        let none = try await HTTP.put(base + "/api/users/me/password", json: #"{"currentPassword":"x","newPassword":"NewGina789"}"#,
                                      token: fresh.accessToken)
        #expect(none.status == 400 && none.error == "No password set for this account")
    }

    @Test func adminsListCreateAndUpdateUsers() async throws {
        let hub = try await AuthHub.start()
        defer { hub.stop() }
        let base = hub.base
        let admin = try await AuthClient.admin(base)
        let henryId = try await AuthClient.createUser(base, admin: admin.accessToken, "henry", password: "HenryPass1")
        let henry = try await AuthClient.login(base, "henry", "HenryPass1")

        for (method, path) in [("GET", "/api/users"), ("POST", "/api/users"), ("PUT", "/api/users/\(henryId)"), ("DELETE", "/api/users/\(henryId)")] {
            let reply = try await HTTP.send(method, base + path, body: "{}", token: henry.accessToken)
            #expect(reply.status == 403 && reply.error == "Admin access required", "\(method) \(path)")
            #expect(try await HTTP.send(method, base + path, body: "{}", token: nil).status == 401)
        }

        // Validation of the admin's creates and updates: UsersRefusalsInProcessTests.
        let taken = try await HTTP.post(base + "/api/users", json: #"{"username":"henry","password":"HenryPass1"}"#, token: admin.accessToken)
        #expect(taken.status == 409 && taken.error == "Username already taken")
        let created = try await HTTP.post(base + "/api/users", json: #"{"username":"iris","password":"IrisPass12","displayName":"<i>Iris</i>"}"#,
                                          token: admin.accessToken)
        #expect(created.status == 200)
        #expect(created.data?.objectValue?.keys.sorted() == ["createdAt", "displayName", "id", "role", "updatedAt", "username"])
        #expect(created.data?["displayName"] == .string("Iris") && created.data?["role"] == .string("user"))

        let page = try await HTTP.get(base + "/api/users?limit=2&offset=1", token: admin.accessToken)
        #expect(page["total"] == .number(3))
        #expect(page.data?.arrayValue?.compactMap { $0["username"]?.stringValue } == ["henry", "iris"], "creation order")
        #expect(page.data?.arrayValue?.first?["maxWsConnections"] == .null)
        #expect(try await HTTP.get(base + "/api/users?limit=abc&offset=-5", token: admin.accessToken).data?.arrayValue?.count == 3)
        #expect(try await HTTP.get(base + "/api/users?limit=0", token: admin.accessToken).data?.arrayValue?.count == 3, "0 means the default")

        let missing = try await HTTP.put(base + "/api/users/nobody", json: "{}", token: admin.accessToken)
        #expect(missing.status == 404 && missing.error == "User not found")
        let demote = try await HTTP.put(base + "/api/users/\(admin.userId)", json: #"{"role":"user"}"#, token: admin.accessToken)
        #expect(demote.status == 400 && demote.error == "Cannot demote yourself")

        let promoted = try await HTTP.put(base + "/api/users/\(henryId)", json: #"{"role":"admin","maxWsConnections":5,"displayName":"Hen"}"#,
                                          token: admin.accessToken)
        #expect(promoted.status == 200)
        #expect(promoted.data?.objectValue?.keys.sorted() == ["createdAt", "displayName", "id", "maxGateways", "maxWsConnections", "role", "updatedAt", "username"])
        #expect(promoted.data?["role"] == .string("admin") && promoted.data?["maxWsConnections"] == .number(5) && promoted.data?["maxGateways"] == .null)
        #expect(try await HTTP.get(base + "/api/users", token: henry.accessToken).status == 200, "the role is read from the database")
        let cleared = try await HTTP.put(base + "/api/users/\(henryId)", json: #"{"maxWsConnections":null}"#, token: admin.accessToken)
        #expect(cleared.data?["maxWsConnections"] == .null && cleared.data?["displayName"] == .string("Hen"))

        // A password reset ends the target's sessions, everywhere.
        let socket = TestSocket(url: hub.process.wsURL)
        defer { socket.close() }
        #expect(await socket.authenticate(henry.accessToken)?["ok"] == .bool(true))
        let reset = try await HTTP.put(base + "/api/users/\(henryId)", json: #"{"password":"Reset1234x"}"#, token: admin.accessToken)
        #expect(reset.status == 200)
        #expect(await socket.next(type: "server:error")?["code"] == .string("SESSION_REVOKED"))
        #expect(await socket.closed() == 1008)
        #expect(try await HTTP.get(base + "/api/users/me", token: henry.accessToken).error == "Token revoked")
        #expect(try await AuthClient.refresh(base, body: henry.refreshToken).status == 401)
        #expect(try hub.sql("SELECT string_agg(action, ',' ORDER BY created_at) FROM audit_logs WHERE action LIKE 'user_%'")
                == "user_create,user_create,user_update,user_update,user_update")
    }

    @Test func deletingAUserTakesWhatHangsOnItAndEndsItsSessions() async throws {
        let hub = try await AuthHub.start()
        defer { hub.stop() }
        let base = hub.base
        let admin = try await AuthClient.admin(base)
        let jackId = try await AuthClient.createUser(base, admin: admin.accessToken, "jack", password: "JackPass12")
        let jack = try await AuthClient.login(base, "jack", "JackPass12")

        let ownRoom = try await HTTP.post(base + "/api/rooms", json: #"{"name":"Jack's room"}"#, token: jack.accessToken)
        let ownRoomId = try #require(ownRoom.data?["id"]?.stringValue)
        let shared = try await HTTP.post(base + "/api/rooms", json: #"{"name":"Shared"}"#, token: admin.accessToken)
        let sharedId = try #require(shared.data?["id"]?.stringValue)
        let added = try await HTTP.post(base + "/api/rooms/\(sharedId)/members", json: #"{"memberId":"\#(jackId)","memberType":"user"}"#,
                                        token: admin.accessToken)
        #expect(added.status == 201)
        let socket = TestSocket(url: hub.process.wsURL)
        defer { socket.close() }
        #expect(await socket.authenticate(jack.accessToken)?["ok"] == .bool(true))
        socket.send(["type": "client:join_room", "roomId": ownRoomId])
        socket.send(["type": "client:send_message", "roomId": ownRoomId, "content": "mine"])
        #expect(await socket.next(type: "server:new_message") != nil)
        try hub.sql("INSERT INTO settings (key, value, updated_at, updated_by) VALUES ('totp.issuer', 'Jack', now(), '\(jackId)')")

        let yourself = try await HTTP.delete(base + "/api/users/\(admin.userId)", token: admin.accessToken)
        #expect(yourself.status == 400 && yourself.error == "Cannot delete yourself")
        let missing = try await HTTP.delete(base + "/api/users/nobody", token: admin.accessToken)
        #expect(missing.status == 404 && missing.error == "User not found")

        let deleted = try await HTTP.delete(base + "/api/users/\(jackId)", token: admin.accessToken)
        #expect(deleted.status == 200 && deleted.body == .object(["ok": .bool(true)]))
        #expect(await socket.next(type: "server:error")?["code"] == .string("SESSION_REVOKED"))
        #expect(await socket.closed() == 1008)
        #expect(try await HTTP.get(base + "/api/users/me", token: jack.accessToken).error == "Token revoked")
        let refresh = try await AuthClient.refresh(base, body: jack.refreshToken)
        #expect(refresh.status == 401 && refresh.error == "User not found")

        #expect(try hub.sql("SELECT count(*) FROM rooms WHERE id = '\(ownRoomId)'") == "0")
        #expect(try hub.sql("SELECT count(*) FROM messages WHERE room_id = '\(ownRoomId)'") == "0")
        #expect(try hub.sql("SELECT count(*) FROM room_members WHERE member_id = '\(jackId)'") == "0")
        #expect(try hub.sql("SELECT count(*) FROM refresh_tokens WHERE user_id = '\(jackId)'") == "0")
        #expect(try hub.sql("SELECT count(*) FROM rooms WHERE id = '\(sharedId)'") == "1")
        #expect(try hub.sql("SELECT updated_by IS NULL FROM settings WHERE key = 'totp.issuer'") == "t")
        #expect(try hub.sql("SELECT count(*) FROM audit_logs WHERE user_id IS NULL AND action = 'login'") == "1", "jack's rows stay, unowned")
        #expect(try hub.sql("SELECT metadata->>'username' FROM audit_logs WHERE action = 'user_delete' AND target_id = '\(jackId)'") == "jack")
    }
}
