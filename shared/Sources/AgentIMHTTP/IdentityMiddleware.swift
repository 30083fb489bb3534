import AgentIMCore
import AgentIMTokens
import Hummingbird

/// Verifies a request's bearer token once and puts the result and the client's address into
/// the context, so that handlers ask `context.requireUser()` / `requireAdmin()` and read
/// `context.clientAddress`. It never refuses a request itself: anonymous routes (login,
/// refresh, health) answer as before whatever the header holds.
public struct IdentityMiddleware: RouterMiddleware {
    public typealias Context = HubRequestContext

    let tokens: TokenService
    /// nil in a service without admin routes (`requireAdmin` then refuses everyone).
    let roleOf: RoleLookup?
    /// Read per request: `trust.proxy` is a runtime setting.
    let trustProxy: @Sendable () -> Bool
    let behindEdge: Bool
    /// `?token=` when there is no `Bearer ` header (file downloads, http-api §11.3).
    let acceptsQueryToken: Bool

    public init(tokens: TokenService, roleOf: RoleLookup?, trustProxy: @escaping @Sendable () -> Bool,
                behindEdge: Bool, acceptsQueryToken: Bool = false) {
        self.tokens = tokens
        self.roleOf = roleOf
        self.trustProxy = trustProxy
        self.behindEdge = behindEdge
        self.acceptsQueryToken = acceptsQueryToken
    }

    /// The same middleware, also reading `?token=`.
    public func acceptingQueryToken() -> IdentityMiddleware {
        IdentityMiddleware(tokens: tokens, roleOf: roleOf, trustProxy: trustProxy, behindEdge: behindEdge, acceptsQueryToken: true)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.clientAddress = ClientAddress.resolve(headers: request.headers, peer: context.remoteAddress,
                                                      trustProxy: trustProxy(), behindEdge: behindEdge)
        context.roleLookup = roleOf
        if let header = request.headers[.authorization], let earlier = context.verifiedHeader, earlier.header == header {
            context.identity = earlier.identity
        } else {
            context.identity = await identify(request)
            // An empty bearer's outcome depends on `acceptsQueryToken`: not shared.
            if let header = request.headers[.authorization], header.hasPrefix("Bearer "), header.count > 7 {
                context.verifiedHeader = (header, context.identity)
            }
        }
        return try await next(request, context)
    }

    func identify(_ request: Request) async -> RequestIdentity {
        var token: String?
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            token = String(header.dropFirst(7))
        } else if acceptsQueryToken {
            token = request.uri.queryParameters.get("token")
        }
        // An API route verifies even an empty bearer (401 `Invalid or expired token`); the
        // download guard first asks for a non-empty token (401 `Unauthorized`).
        guard let token, !(acceptsQueryToken && token.isEmpty) else { return .anonymous }
        do {
            let user = try await tokens.verifyAccess(token)
            return .verified(Caller(id: user.id, username: user.username))
        } catch {
            return .rejected(error)
        }
    }
}
