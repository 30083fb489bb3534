import AgentIMTokens
import Hummingbird
import NIOCore

/// The request context of every hub router, edge and services alike, so that the
/// single-process hub can mount the services' routes behind the edge unchanged.
public struct HubRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var remoteAddress: SocketAddress?
    /// Set by `IdentityMiddleware`; `.anonymous` on routes mounted without it.
    public var identity: RequestIdentity = .anonymous
    /// The client's address (`ClientAddress`), set by `IdentityMiddleware`; the socket's peer before.
    public var clientAddress: String
    /// How `requireAdmin` reads the caller's current role; set by `IdentityMiddleware`.
    var roleLookup: RoleLookup?
    /// The `Authorization` header an earlier `IdentityMiddleware` verified (the edge's, in the
    /// single-process hub) and its outcome, so the service's own middleware does not verify it again.
    var verifiedHeader: (header: String, identity: RequestIdentity)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        clientAddress = remoteAddress?.ipAddress ?? "unknown"
    }

    /// Bodies are read by `Request.jsonBody`, which enforces the hub's own limits.
    public var maxUploadSize: Int { 12 * 1024 * 1024 }
}
