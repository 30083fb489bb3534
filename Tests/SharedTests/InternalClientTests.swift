import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import Foundation
import Hummingbird
import Testing

/// `InternalClient` over HTTP against a real Hummingbird listener on an ephemeral port, and
/// directly: the same answers, the same errors, one timeout and one size limit.
struct InternalClientTests {
    // Routes only these tests declare, next to the catalogue's.
    static let echo = InternalRoute<RoomMember, RoomMember>(.get, "/internal/test/rooms/:roomId/echo/:userId", owner: .rooms)
    static let echoBody = InternalRoute<AvatarRecord, AvatarRecord>(.put, "/internal/test/users/:userId/echo", owner: .auth)
    static let slow = InternalRoute<InternalEmpty, String>(.get, "/internal/test/slow", owner: .rooms)
    static let stall = InternalRoute<InternalEmpty, [String]>(.get, "/internal/test/stall", owner: .rooms)
    static let huge = InternalRoute<InternalEmpty, [String]>(.get, "/internal/test/huge", owner: .rooms)
    static let notJSON = InternalRoute<InternalEmpty, [String]>(.get, "/internal/test/not-json", owner: .rooms)

    /// A route read as the raw JSON body the listener sent, whatever its status.
    static func raw(_ method: HTTPRequest.Method, _ path: String) -> InternalRoute<InternalEmpty, JSONValue> {
        InternalRoute(method, path, owner: .auth, answer: .bare(status: { _ in .ok }))
    }

    struct Boom: Error {}

    static let message = ChatMessage(id: "m1", roomId: "r1", senderId: "u1", senderType: "user", senderName: "ann", type: "text",
                                     content: "hi", mentions: ["u2"], createdAt: "2026-01-01T00:00:00.000Z", seq: 6)
    static let report = HealthReport(checks: ["database": true, "filesystem": false])

    static var handlers: InternalHandlers {
        var handlers = InternalHandlers()
        handlers.on(InternalRoutes.roomAccess) { member in
            guard member.roomId != "gone" else { throw APIError(404, "Room not found") }
            return RoomAccessInfo(access: member.userId == "u1" ? "member" : "none", lastSeq: 7)
        }
        handlers.on(InternalRoutes.messagesAfter) { query in
            Array(repeating: message, count: min(query.limit, 3)).enumerated().map { index, message in
                var copy = message
                copy.seq = query.afterSeq + Int64(index) + 1
                return copy
            }
        }
        handlers.on(InternalRoutes.placement) { ref in
            ref.agentId == "a1" ? AgentPlacement(name: "bot", roomIds: ["r1"], status: "online") : nil
        }
        handlers.on(InternalRoutes.gatewayConnected) { login in
            login.liveSockets < 2 ? GatewayAdmission(ok: true) : GatewayAdmission(ok: false, error: "Too many gateways")
        }
        handlers.on(InternalRoutes.gatewayOnline) { _ in throw Boom() }
        handlers.on(InternalRoutes.userRole) { $0.userId == "admin1" ? "admin" : nil }
        handlers.on(InternalRoutes.recordAvatar) { record in
            if record.avatarUrl.isEmpty { throw APIError.validation([.init(field: "avatarUrl", message: "Required")]) }
            guard record.avatarUrl.hasPrefix("/uploads/") else { throw APIError(400, "avatarUrl must start with /uploads/") }
            return InternalEmpty()
        }
        handlers.on(InternalRoutes.revocations) { _ in [RevocationEntry(userId: "u1", revokedAtMs: 1_700_000_000_123)] }
        handlers.on(InternalRoutes.health) { _ in report }
        handlers.on(InternalRoutes.live) { $0 }
        handlers.on(echo) { $0 }
        handlers.on(echoBody) { $0 }
        handlers.on(slow) { _ in
            try await Task.sleep(for: .seconds(5))
            return "late"
        }
        return handlers
    }

    /// The listener of a service that mounts `handlers` plus routes that misbehave on purpose.
    static func router() -> Router<HubRequestContext> {
        let router = Router(context: HubRequestContext.self)
        router.middlewares.add(ErrorEnvelopeMiddleware(production: true))
        handlers.mount(on: router)
        router.get("/internal/test/stall") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: #"{"ok":true,"data":["#))
                try await Task.sleep(for: .seconds(5))
                try await writer.write(ByteBuffer(string: "]}"))
                try await writer.finish(nil)
            })
        }
        router.get("/internal/test/huge") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: #"{"ok":true,"data":[""#))
                let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 20)
                for _ in 0...(InternalClient.maxBytes >> 20) { try await writer.write(chunk) }
                try await writer.write(ByteBuffer(string: #""]}"#))
                try await writer.finish(nil)
            })
        }
        router.get("/internal/test/not-json") { _, _ in "<html>surprise</html>" }
        return router
    }

    /// Serves `router` on 127.0.0.1 at a port the kernel picks while `body` runs.
    static func serving<T>(_ router: Router<HubRequestContext>, _ body: (ServiceURL) async throws -> T) async throws -> T {
        let (ports, announce) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in announce.yield(channel.localAddress?.port ?? 0) })
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0, let base = ServiceURL("http://127.0.0.1:\(port)") else {
            throw APIError(500, "the test listener did not start")
        }
        return try await body(base)
    }

    static func http(_ base: ServiceURL, timeout: Duration = InternalClient.timeout) -> InternalClient {
        .http([.auth: base, .rooms: base], timeout: timeout)
    }

    /// The error a call throws, as an `APIError` (nil when it succeeded, `Boom` as 0).
    static func failure<T>(_ call: () async throws -> T) async -> APIError? {
        do {
            _ = try await call()
            return nil
        } catch let error as APIError {
            return error
        } catch is Boom {
            return APIError(0, "Boom")
        } catch {
            return APIError(-1, "\(error)")
        }
    }

    @Test func directAndHTTPGiveTheSameAnswers() async throws {
        let direct = InternalClient.direct(Self.handlers)
        try await Self.serving(Self.router()) { base async throws in
            let http = Self.http(base)
            for client in [direct, http] {
                #expect(try await client.call(InternalRoutes.roomAccess, RoomMember(roomId: "r1", userId: "u1")) == RoomAccessInfo(access: "member", lastSeq: 7))
            }
            for (roomId, userId) in [("r1", "u1"), ("a b/c?d&e=f", "ü%20#x"), ("..", "-_")] {
                let member = RoomMember(roomId: roomId, userId: userId)
                #expect(try await http.call(Self.echo, member) == member, "path parameters arrive as sent")
                #expect(try await direct.call(Self.echo, member) == member)
            }
            let record = AvatarRecord(userId: "u/1 2", avatarUrl: "/uploads/avatar_u1.png")
            #expect(try await http.call(Self.echoBody, record) == record, "a path parameter and body fields arrive as sent")

            let query = RoomMessagesQuery(roomId: "r1", afterSeq: 41, limit: 500)
            let messages = try await http.call(InternalRoutes.messagesAfter, query)
            #expect(messages == (try await direct.call(InternalRoutes.messagesAfter, query)))
            #expect(messages.map(\.seq) == [42, 43, 44])
            #expect(messages.first?.mentions == ["u2"] && messages.first?.replyToId == nil)

            for agentId in ["a1", "a2"] {
                #expect(try await http.call(InternalRoutes.placement, AgentRef(agentId: agentId)) == (try await direct.call(InternalRoutes.placement, AgentRef(agentId: agentId))))
            }
            #expect(try await http.call(InternalRoutes.placement, AgentRef(agentId: "a2")) == nil, "data: null is no placement")
            for userId in ["admin1", "nobody"] {
                #expect(try await http.call(InternalRoutes.userRole, UserRef(userId: userId)) == (try await direct.call(InternalRoutes.userRole, UserRef(userId: userId))))
            }
            #expect(try await http.call(InternalRoutes.userRole, UserRef(userId: "admin1")) == "admin")
            for live in [0, 2] {
                let login = GatewayLogin(userId: "u1", gatewayId: "g1", deviceInfo: .object(["os": .string("linux")]), ephemeral: false, liveSockets: live)
                #expect(try await http.call(InternalRoutes.gatewayConnected, login) == (try await direct.call(InternalRoutes.gatewayConnected, login)))
            }
            #expect(try await http.call(InternalRoutes.recordAvatar, AvatarRecord(userId: "u1", avatarUrl: "/uploads/a.png")) == InternalEmpty())
            #expect(try await direct.call(InternalRoutes.recordAvatar, AvatarRecord(userId: "u1", avatarUrl: "/uploads/a.png")) == InternalEmpty())
            #expect(try await http.call(InternalRoutes.revocations) == (try await direct.call(InternalRoutes.revocations)))
            #expect(try await http.call(InternalRoutes.revocations) == [RevocationEntry(userId: "u1", revokedAtMs: 1_700_000_000_123)])
            #expect(try await http.call(InternalRoutes.health, on: .rooms) == Self.report, "a 503 health answer still carries its report")
            #expect(try await direct.call(InternalRoutes.health, on: .rooms) == Self.report)
            #expect(try await http.call(InternalRoutes.live, on: .auth) == InternalEmpty())
        }
    }

    @Test func errorEnvelopesComeBackAsTheSameErrors() async throws {
        let direct = InternalClient.direct(Self.handlers)
        try await Self.serving(Self.router()) { base async throws in
            let http = Self.http(base)
            for client in [direct, http] {
                #expect(await Self.failure { try await client.call(InternalRoutes.roomAccess, RoomMember(roomId: "gone", userId: "u1")) } == APIError(404, "Room not found"))
                #expect(await Self.failure { try await client.call(InternalRoutes.recordAvatar, AvatarRecord(userId: "u1", avatarUrl: "/etc/passwd")) }
                        == APIError(400, "avatarUrl must start with /uploads/"))
                #expect(await Self.failure { try await client.call(InternalRoutes.recordAvatar, AvatarRecord(userId: "u1", avatarUrl: "")) }
                        == APIError.validation([.init(field: "avatarUrl", message: "Required")]), "fields survive the trip")
            }
            // A handler that fails unexpectedly: the owner answers 500, the caller sees 502 (direct: the error itself).
            #expect(await Self.failure { try await http.call(InternalRoutes.gatewayOnline, GatewayOwner(gatewayId: "g1", userId: "u1")) } == APIError(502, "Bad gateway"))
            #expect(await Self.failure { try await direct.call(InternalRoutes.gatewayOnline, GatewayOwner(gatewayId: "g1", userId: "u1")) } == APIError(0, "Boom"))
            // A body that is not the route's answer, and a route the owner does not have.
            #expect(await Self.failure { try await http.call(Self.notJSON) } == APIError(502, "Bad gateway"))
            #expect(await Self.failure { try await http.call(InternalRoutes.pendingPermissions, RoomRef(roomId: "r1")) } == APIError(404, "Not found"))
            #expect(await Self.failure { try await direct.call(InternalRoutes.pendingPermissions, RoomRef(roomId: "r1")) }
                    == APIError(500, "GET /internal/rooms/:roomId/permissions has no handler in this process"))
        }
        // An input a GET cannot carry is refused before anything is sent.
        let nested = InternalRoute<GatewayLogin, Bool>(.get, "/internal/test/nested", owner: .rooms)
        let login = GatewayLogin(userId: "u1", gatewayId: "g1", deviceInfo: .object([:]), ephemeral: false, liveSockets: 0)
        #expect(await Self.failure { try await InternalClient.http([.rooms: ServiceURL("http://127.0.0.1:1")!]).call(nested, login) }
                == APIError(500, "GET /internal/test/nested: deviceInfo is not a query parameter"))
        // Nobody listening, and no URL configured for the owner.
        let refused = InternalClient.http([.rooms: ServiceURL("http://127.0.0.1:1")!])
        #expect(await Self.failure { try await refused.call(InternalRoutes.roomAccess, RoomMember(roomId: "r1", userId: "u1")) } == APIError(502, "Bad gateway"))
        #expect(await Self.failure { try await refused.call(InternalRoutes.userRole, UserRef(userId: "u1")) }
                == APIError(500, "AUTH_URL is not set: GET /internal/users/:userId/role cannot be called"))
    }

    @Test func oneTimeoutCoversTheWholeAnswer() async throws {
        try await Self.serving(Self.router()) { base async throws in
            let http = Self.http(base, timeout: .seconds(1))
            var start = ContinuousClock.now
            #expect(await Self.failure { try await http.call(Self.slow) } == APIError(504, "Gateway timeout"), "no head in time")
            #expect(ContinuousClock.now - start < .seconds(3))
            start = ContinuousClock.now
            #expect(await Self.failure { try await http.call(Self.stall) } == APIError(504, "Gateway timeout"), "a head, then silence")
            #expect(ContinuousClock.now - start < .seconds(3))
            // The listener still answers afterwards.
            #expect(try await http.call(InternalRoutes.userRole, UserRef(userId: "admin1")) == "admin")
        }
    }

    @Test func anAnswerLargerThanTheLimitIsRefused() async throws {
        try await Self.serving(Self.router()) { base async throws in
            let http = Self.http(base)
            #expect(await Self.failure { try await http.call(Self.huge) } == APIError(502, "Bad gateway"))
            #expect(try await http.call(InternalRoutes.roomAccess, RoomMember(roomId: "r1", userId: "u2")) == RoomAccessInfo(access: "none", lastSeq: 7))
        }
    }

    /// The bytes on the wire are the ones the distributed topology has always exchanged.
    @Test func wireFormatIsUnchanged() async throws {
        try await Self.serving(Self.router()) { base async throws in
            let http = Self.http(base)
            #expect(try await http.call(Self.raw(.get, "/internal/users/admin1/role")) == .object(["ok": .bool(true), "data": .string("admin")]))
            #expect(try await http.call(Self.raw(.get, "/internal/users/nobody/role")) == .object(["ok": .bool(true), "data": .null]))
            #expect(try await http.call(Self.raw(.get, "/internal/live")) == .object(["ok": .bool(true)]))
            #expect(try await http.call(Self.raw(.get, "/internal/revocations"))
                    == .object(["ok": .bool(true), "data": .array([.object(["userId": .string("u1"), "revokedAtMs": .number(1_700_000_000_123)])])]))
            let health = try await http.call(Self.raw(.get, "/internal/health"))
            #expect(health["ok"] == .bool(false) && health["checks"] == .object(["database": .bool(true), "filesystem": .bool(false)]) && health["timestamp"]?.stringValue != nil)
            #expect(try await http.call(Self.raw(.get, "/internal/rooms/r1/access/u1")) == .object(["ok": .bool(true), "data": .object(["access": .string("member"), "lastSeq": .number(7)])]))
            // Messages keep the socket rendering: absent optionals are left out, not null.
            let page = try await http.call(Self.raw(.get, "/internal/rooms/r1/messages?afterSeq=5&limit=1"))
            #expect(page["data"]?.arrayValue?.count == 1)
            #expect(page["data"]?.arrayValue?.first?.objectValue?.keys.contains("replyToId") == false)
            #expect(page["data"]?.arrayValue?.first?["seq"] == .number(6))
            // A parameter that is not its field's type is refused; so is a body without the fields.
            let refused = try await http.call(Self.raw(.get, "/internal/rooms/r1/messages?afterSeq=x&limit=1"))
            #expect(refused == .object(["ok": .bool(false), "error": .string("Invalid parameter: afterSeq")]))
            #expect(try await http.call(Self.raw(.put, "/internal/users/u1/avatar")) == .object(["ok": .bool(false), "error": .string("Invalid JSON body")]))
        }
    }
}
