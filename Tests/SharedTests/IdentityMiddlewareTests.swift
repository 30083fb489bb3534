import AgentIMCore
import AgentIMHTTP
import AgentIMTokens
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `IdentityMiddleware` through a real Hummingbird router: the 401/403 codes and texts of
/// http-api §1.3, anonymous routes untouched, the download guard's `?token=`, and the one
/// client-address rule.
struct IdentityMiddlewareTests {
    static let secret = "identity-middleware-test-secret-0123456789"

    struct Hub {
        let tokens: TokenService
        let revocations: RevocationCache
        let app: Application<RouterResponder<HubRequestContext>>
    }

    /// Roles as a service's lookup answers them, read per request (no cache).
    final class Roles: @unchecked Sendable {
        private let lock = NSLock()
        private var roles: [String: String] = [:]
        subscript(id id: String) -> String? {
            get { lock.withLock { roles[id] } }
            set { lock.withLock { roles[id] = newValue } }
        }
    }

    static func hub(roles: Roles, trustProxy: Bool = false, behindEdge: Bool = false) async -> Hub {
        let revocations = RevocationCache()
        let tokens = await TokenService(secret: secret, revocations: revocations)
        let router = Router(context: HubRequestContext.self)
        router.add(middleware: ErrorEnvelopeMiddleware(production: true))
        let identity = IdentityMiddleware(tokens: tokens, roleOf: { roles[id: $0] }, trustProxy: { trustProxy }, behindEdge: behindEdge)
        let api = router.group().add(middleware: identity)
        api.get("/anonymous") { _, _ in "open" }
        api.get("/user") { _, context in try context.requireUser().username }
        api.get("/admin") { _, context in try await context.requireAdmin().id }
        api.get("/address") { _, context in context.clientAddress }
        let files = router.group().add(middleware: identity.acceptingQueryToken())
        files.get("/file") { _, context in try context.requireUser().id }
        return Hub(tokens: tokens, revocations: revocations, app: Application(router: router))
    }

    struct Reply: Equatable {
        var status: Int
        var body: String
    }

    static func get(_ client: some TestClientProtocol, _ path: String, _ headers: HTTPFields = [:]) async throws -> Reply {
        try await client.execute(uri: path, method: .get, headers: headers) { response in
            Reply(status: Int(response.status.code), body: normalized(String(buffer: response.body)))
        }
    }

    /// JSON with sorted keys (the envelope's key order is not part of the contract); text as is.
    static func normalized(_ body: String) -> String {
        guard body.hasPrefix("{"), let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return body }
        return String(decoding: data, as: UTF8.self)
    }

    static func expect(_ client: some TestClientProtocol, _ path: String, _ headers: HTTPFields = [:], _ expected: Reply,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reply = try await get(client, path, headers)
        #expect(reply == expected, sourceLocation: sourceLocation)
    }

    static func expect(_ client: some TestClientProtocol, _ path: String, _ headers: HTTPFields = [:], body: String,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reply = try await get(client, path, headers)
        #expect(reply.body == body, sourceLocation: sourceLocation)
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    static func error(_ status: Int, _ text: String) -> Reply {
        Reply(status: status, body: normalized(#"{"ok":false,"error":"\#(text)"}"#))
    }

    @Test func theCodesAndTextsOfEveryRefusal() async throws {
        let roles = Roles()
        let hub = await Self.hub(roles: roles)
        let access = try await hub.tokens.sign(userId: "u1", username: "amy", type: .access, lifetimeSeconds: 900)
        let refresh = try await hub.tokens.sign(userId: "u1", username: "amy", type: .refresh, lifetimeSeconds: 900)
        let challenge = try await hub.tokens.sign(userId: "u1", username: "amy", type: .totpChallenge, lifetimeSeconds: 300)
        let expired = try await hub.tokens.sign(userId: "u1", username: "amy", type: .access, lifetimeSeconds: 1, now: Date().addingTimeInterval(-60))
        let foreign = try await TokenService(secret: "some-other-secret-that-is-long-enough", revocations: RevocationCache())
            .sign(userId: "u1", username: "amy", type: .access, lifetimeSeconds: 900)
        let doomed = try await hub.tokens.sign(userId: "u2", username: "bob", type: .access, lifetimeSeconds: 900)
        await hub.revocations.record(userId: "u2", revokedAtMs: Int64(Date().timeIntervalSince1970 * 1000) + 1000)

        try await hub.app.test(.router) { client in
            try await Self.expect(client, "/user", Self.bearer(access), Reply(status: 200, body: "amy"))
            try await Self.expect(client, "/user", [:], Self.error(401, "Unauthorized"))
            try await Self.expect(client, "/user", [.authorization: "bearer \(access)"], Self.error(401, "Unauthorized"))
            // HTTP drops the trailing space: `Bearer ` is no bearer at all.
            try await Self.expect(client, "/user", Self.bearer(""), Self.error(401, "Unauthorized"))
            try await Self.expect(client, "/user", Self.bearer("not.a.jwt"), Self.error(401, "Invalid or expired token"))
            try await Self.expect(client, "/user", Self.bearer(expired), Self.error(401, "Invalid or expired token"))
            try await Self.expect(client, "/user", Self.bearer(foreign), Self.error(401, "Invalid or expired token"))
            try await Self.expect(client, "/user", Self.bearer(refresh), Self.error(401, "Invalid token type"))
            try await Self.expect(client, "/user", Self.bearer(challenge), Self.error(401, "Invalid token type"))
            try await Self.expect(client, "/user", Self.bearer(doomed), Self.error(401, "Token revoked"))
            // The query token counts only where a route group accepts it.
            try await Self.expect(client, "/user?token=\(access)", [:], Self.error(401, "Unauthorized"))
        }
    }

    @Test func adminIsTheCurrentRoleAndComesAfterTheToken() async throws {
        let roles = Roles()
        roles[id: "root"] = "admin"
        roles[id: "u1"] = "user"
        let hub = await Self.hub(roles: roles)
        let admin = try await hub.tokens.sign(userId: "root", username: "root", type: .access, lifetimeSeconds: 900)
        let user = try await hub.tokens.sign(userId: "u1", username: "amy", type: .access, lifetimeSeconds: 900)
        let refresh = try await hub.tokens.sign(userId: "root", username: "root", type: .refresh, lifetimeSeconds: 900)
        try await hub.app.test(.router) { client in
            try await Self.expect(client, "/admin", Self.bearer(admin), Reply(status: 200, body: "root"))
            try await Self.expect(client, "/admin", Self.bearer(user), Self.error(403, "Admin access required"))
            try await Self.expect(client, "/admin", [:], Self.error(401, "Unauthorized"))
            try await Self.expect(client, "/admin", Self.bearer(refresh), Self.error(401, "Invalid token type"))
            // The lookup is asked on every request: a demotion counts on the next one.
            roles[id: "root"] = "user"
            try await Self.expect(client, "/admin", Self.bearer(admin), Self.error(403, "Admin access required"))
            roles[id: "root"] = nil
            try await Self.expect(client, "/admin", Self.bearer(admin), Self.error(403, "Admin access required"))
        }
    }

    @Test func anonymousRoutesAnswerWhateverTheHeaderHolds() async throws {
        let hub = await Self.hub(roles: Roles())
        let refresh = try await hub.tokens.sign(userId: "u1", username: "amy", type: .refresh, lifetimeSeconds: 900)
        try await hub.app.test(.router) { client in
            try await Self.expect(client, "/anonymous", [:], Reply(status: 200, body: "open"))
            try await Self.expect(client, "/anonymous", Self.bearer("garbage"), Reply(status: 200, body: "open"))
            try await Self.expect(client, "/anonymous", Self.bearer(refresh), Reply(status: 200, body: "open"))
        }
    }

    @Test func theDownloadGuardTakesTheQueryTokenWhenTheHeaderIsNoBearer() async throws {
        let hub = await Self.hub(roles: Roles())
        let access = try await hub.tokens.sign(userId: "u1", username: "amy", type: .access, lifetimeSeconds: 900)
        let refresh = try await hub.tokens.sign(userId: "u1", username: "amy", type: .refresh, lifetimeSeconds: 900)
        try await hub.app.test(.router) { client in
            try await Self.expect(client, "/file?token=\(access)", [:], Reply(status: 200, body: "u1"))
            try await Self.expect(client, "/file", Self.bearer(access), Reply(status: 200, body: "u1"))
            try await Self.expect(client, "/file?token=\(access)", [.authorization: "Basic abc"], Reply(status: 200, body: "u1"))
            try await Self.expect(client, "/file?token=\(access)", Self.bearer("garbage"), Self.error(401, "Invalid or expired token"))
            try await Self.expect(client, "/file", [:], Self.error(401, "Unauthorized"))
            try await Self.expect(client, "/file?token=", [:], Self.error(401, "Unauthorized"))
            try await Self.expect(client, "/file", Self.bearer(""), Self.error(401, "Unauthorized"))
            try await Self.expect(client, "/file?token=\(refresh)", [:], Self.error(401, "Invalid token type"))
        }
    }

    @Test func oneClientAddressRule() async throws {
        let forwarded: HTTPFields = [ClientAddress.forwardedFor: " 203.0.113.9 , 10.0.0.1", ClientAddress.realIP: "198.51.100.7"]
        let realOnly: HTTPFields = [ClientAddress.realIP: "198.51.100.7"]
        let trusted = await Self.hub(roles: Roles(), trustProxy: true)
        try await trusted.app.test(.router) { client in
            try await Self.expect(client, "/address", forwarded, body: "203.0.113.9")
            try await Self.expect(client, "/address", realOnly, body: "198.51.100.7")
            try await Self.expect(client, "/address", body: "unknown")
        }
        let direct = await Self.hub(roles: Roles())
        try await direct.app.test(.router) { client in
            // Untrusted headers are ignored: the socket's peer (none in the router test client).
            try await Self.expect(client, "/address", forwarded, body: "unknown")
        }
        let service = await Self.hub(roles: Roles(), behindEdge: true)
        try await service.app.test(.router) { client in
            try await Self.expect(client, "/address", forwarded, body: "203.0.113.9")
            try await Self.expect(client, "/address", realOnly, body: "198.51.100.7")
        }
        #expect(ClientAddress.resolve(forwardedFor: ",203.0.113.9", realIP: "198.51.100.7", peer: nil, trustProxy: true) == "198.51.100.7")
        #expect(ClientAddress.resolve(forwardedFor: nil, realIP: "", peer: nil, trustProxy: true) == "unknown")
    }
}
