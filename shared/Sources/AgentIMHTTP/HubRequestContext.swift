import AgentIMTokens
import Hummingbird
import NIOCore

/// The request context of every hub router, edge and services alike, so that the
/// single-process hub can mount the services' routes behind the edge unchanged.
public struct HubRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are read by `Request.jsonBody`, which enforces the hub's own limits.
    public var maxUploadSize: Int { 12 * 1024 * 1024 }
}
