import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1

/// Which address is the client's (http-api §1.7): behind a trusted proxy the first
/// `X-Forwarded-For` entry, else `X-Real-IP`, else `unknown`; otherwise the socket's peer.
enum ClientAddress {
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let realIP = HTTPField.Name("X-Real-IP")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!

    static func resolve(headers: HTTPFields, peer: NIOCore.SocketAddress?, trustProxy: Bool) -> String {
        resolve(forwardedFor: headers[forwardedFor], realIP: headers[realIP], peer: peer, trustProxy: trustProxy)
    }

    /// The same on NIO's HTTP/1.1 headers (the proxy lane, the WebSocket upgrade).
    static func resolve(headers: HTTPHeaders, peer: NIOCore.SocketAddress?, trustProxy: Bool) -> String {
        resolve(forwardedFor: headers.first(name: "x-forwarded-for"), realIP: headers.first(name: "x-real-ip"), peer: peer, trustProxy: trustProxy)
    }

    static func resolve(forwardedFor: String?, realIP: String?, peer: NIOCore.SocketAddress?, trustProxy: Bool) -> String {
        guard trustProxy else { return peer?.ipAddress ?? "unknown" }
        if let first = forwardedFor?.split(separator: ",", omittingEmptySubsequences: false).first {
            let trimmed = first.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty { return trimmed }
        }
        if let realIP, !realIP.isEmpty { return realIP }
        return "unknown"
    }
}
