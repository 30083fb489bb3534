import AgentIMCore
import AgentIMHTTP
import AgentIMTokens
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// In the single-process hub the edge's `IdentityMiddleware` runs before a service's own: the
/// second one takes the first one's outcome for the same `Authorization` header instead of
/// verifying it again, and still installs its own role lookup and client address.
struct IdentityReuseTests {
    typealias Reply = IdentityMiddlewareTests.Reply

    /// The outer middleware verifies with `edge`; the inner one would verify with `service`
    /// (another secret), so an answer that depends on the secret shows which one verified.
    static func app(edge: TokenService, service: TokenService, roles: IdentityMiddlewareTests.Roles) -> Application<RouterResponder<HubRequestContext>> {
        let router = Router(context: HubRequestContext.self)
        router.add(middleware: ErrorEnvelopeMiddleware(production: true))
        router.add(middleware: IdentityMiddleware(tokens: edge, roleOf: nil, trustProxy: { false }, behindEdge: false))
        let inner = IdentityMiddleware(tokens: service, roleOf: { roles[id: $0] }, trustProxy: { true }, behindEdge: false)
        let api = router.group().add(middleware: inner)
        api.get("/user") { _, context in try context.requireUser().username }
        api.get("/admin") { _, context in try await context.requireAdmin().id }
        api.get("/address") { _, context in context.clientAddress }
        let files = router.group().add(middleware: inner.acceptingQueryToken())
        files.get("/file") { _, context in try context.requireUser().id }
        return Application(router: router)
    }

    @Test func theServiceMiddlewareReusesTheEdgeOutcome() async throws {
        let edge = await TokenService(secret: "edge-side-secret-that-is-long-enough-1", revocations: RevocationCache())
        let service = await TokenService(secret: "service-secret-that-is-long-enough-22", revocations: RevocationCache())
        let roles = IdentityMiddlewareTests.Roles()
        roles[id: "root"] = "admin"
        let edgeSigned = try await edge.sign(userId: "root", username: "root", type: .access, lifetimeSeconds: 900)
        let serviceSigned = try await service.sign(userId: "root", username: "root", type: .access, lifetimeSeconds: 900)
        let refresh = try await edge.sign(userId: "root", username: "root", type: .refresh, lifetimeSeconds: 900)
        let B = IdentityMiddlewareTests.self
        try await Self.app(edge: edge, service: service, roles: roles).test(.router) { client in
            // Verified once, by the edge: the service's secret never saw the token.
            try await B.expect(client, "/user", B.bearer(edgeSigned), Reply(status: 200, body: "root"))
            try await B.expect(client, "/user", B.bearer(serviceSigned), B.error(401, "Invalid or expired token"))
            try await B.expect(client, "/user", B.bearer(refresh), B.error(401, "Invalid token type"))
            // The service's own role lookup answers requireAdmin (the edge's has none).
            try await B.expect(client, "/admin", B.bearer(edgeSigned), Reply(status: 200, body: "root"))
            // The service's own address rule (trusts the proxy headers here; the edge did not).
            try await B.expect(client, "/address", [ClientAddress.realIP: "198.51.100.7"], body: "198.51.100.7")
            // No bearer header: the download guard still reads `?token=` itself.
            try await B.expect(client, "/file?token=\(serviceSigned)", [:], Reply(status: 200, body: "root"))
            try await B.expect(client, "/file?token=\(edgeSigned)", [:], B.error(401, "Invalid or expired token"))
        }
    }
}
