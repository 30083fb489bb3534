import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The client's IP address, the one rule that audit rows, rate limits and the edge's proxy
/// headers share (http-api §1.7).
public enum ClientAddress {
    public static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    public static let realIP = HTTPField.Name("X-Real-IP")!

    /// - `behindEdge`: the process is a service reached only through the edge, whose proxy
    ///   rewrites `X-Forwarded-For`/`X-Real-IP` to the client it decided on; the socket's
    ///   peer (the edge) only when neither is there.
    /// - otherwise, with `trustProxy` the first `X-Forwarded-For` entry, else `X-Real-IP`,
    ///   else `unknown`; without it the socket's peer.
    public static func resolve(forwardedFor: String?, realIP: String?, peer: SocketAddress?, trustProxy: Bool,
                               behindEdge: Bool = false) -> String {
        if behindEdge || trustProxy {
            if let first = forwardedFor?.split(separator: ",", omittingEmptySubsequences: false).first {
                let trimmed = first.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { return trimmed }
            }
            if let realIP, !realIP.isEmpty { return realIP }
            if trustProxy { return "unknown" }
        }
        return peer?.ipAddress ?? "unknown"
    }

    public static func resolve(headers: HTTPFields, peer: SocketAddress?, trustProxy: Bool, behindEdge: Bool = false) -> String {
        resolve(forwardedFor: headers[forwardedFor], realIP: headers[realIP], peer: peer, trustProxy: trustProxy, behindEdge: behindEdge)
    }
}
