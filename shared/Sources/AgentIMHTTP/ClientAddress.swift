import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The client's IP address as audit rows and rate limits record it (http-api §1.7).
public enum ClientAddress {
    /// - `behindEdge`: the process is a service reached only through the edge, whose proxy
    ///   rewrites `X-Forwarded-For` so that its first entry is the client it decided on.
    /// - otherwise, with `trustProxy` the first `X-Forwarded-For` entry, else `X-Real-IP`,
    ///   else `unknown`; without it the socket's peer.
    public static func of(_ request: Request, context: HubRequestContext, trustProxy: Bool, behindEdge: Bool) -> String {
        if behindEdge || trustProxy {
            if let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").first {
                let first = forwarded.trimmingCharacters(in: .whitespaces)
                if !first.isEmpty { return first }
            }
            if let real = request.headers[.xRealIP], !real.isEmpty { return real }
            if trustProxy { return "unknown" }
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xRealIP = Self("X-Real-IP")!
}
