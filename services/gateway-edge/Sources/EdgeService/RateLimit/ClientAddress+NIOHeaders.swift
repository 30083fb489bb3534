import AgentIMHTTP
import NIOCore
import NIOHTTP1

extension ClientAddress {
    /// The shared rule on NIO's HTTP/1.1 headers (the proxy lane, the WebSocket upgrade).
    static func resolve(headers: HTTPHeaders, peer: NIOCore.SocketAddress?, trustProxy: Bool) -> String {
        resolve(forwardedFor: headers.first(name: "x-forwarded-for"), realIP: headers.first(name: "x-real-ip"), peer: peer, trustProxy: trustProxy)
    }
}
