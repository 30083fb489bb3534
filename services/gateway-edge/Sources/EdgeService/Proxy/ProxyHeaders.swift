import AgentIMHTTP
import HTTPTypes
import NIOCore
import NIOHTTP1

/// The header rules of the reverse proxy, shared by the lane (HTTP/1.1 on the event loop)
/// and the middleware (HTTP/2 and the requests the lane leaves to the framework):
///
/// - `Host` is the client's; `X-Forwarded-For` gets the peer appended (to a trusted proxy's
///   list; an untrusted client's own list is replaced, so services never see a forged one),
///   `X-Real-IP` is the client address by the `TRUST_PROXY` rule, `X-Forwarded-Proto` the
///   scheme the client used (a trusted proxy's value wins), `X-Request-ID` the request's id.
/// - Hop-by-hop headers, and those a `Connection` header names, are dropped both ways.
enum ProxyHeaders {
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "proxy-connection", "host", "http2-settings",
    ]
    /// Set by the edge itself, so a client's own values never reach a service.
    static let replaced: Set<String> = ["x-forwarded-for", "x-real-ip", "x-forwarded-proto", "x-forwarded-host"]

    /// The HTTP/1.1 headers a service receives for `request`, `Host` first (the name the
    /// client used, as nginx's `proxy_set_header Host $host`). Over HTTP/2 the `Host` header
    /// is the request's `:authority`.
    static func upstream(_ request: HTTPRequestHead, requestId: String, peer: SocketAddress?, trustProxy: Bool, scheme: String) -> HTTPHeaders {
        let inbound = request.headers
        var headers = HTTPHeaders()
        headers.reserveCapacity(inbound.count + 7)
        let authority = inbound.first(name: "host")
        if let authority { headers.add(name: "Host", value: authority) }
        let named = tokens(inbound.first(name: "connection"))
        for (name, value) in inbound {
            let lower = name.lowercased()
            // `Expect` was answered by the edge already (100 Continue).
            if hopByHop.contains(lower) || replaced.contains(lower) || lower == "expect" || lower == "x-request-id"
                || (!named.isEmpty && named.contains(lower)) { continue }
            headers.add(name: name, value: value)
        }
        let address = peer?.ipAddress ?? "unknown"
        let prior = trustProxy ? inbound.first(name: "x-forwarded-for") : nil
        headers.add(name: "X-Forwarded-For", value: prior.map { "\($0), \(address)" } ?? address)
        headers.add(name: "X-Real-IP", value: ClientAddress.resolve(headers: inbound, peer: peer, trustProxy: trustProxy))
        headers.add(name: "X-Forwarded-Proto", value: trustProxy ? inbound.first(name: "x-forwarded-proto") ?? scheme : scheme)
        if let authority { headers.add(name: "X-Forwarded-Host", value: authority) }
        headers.add(name: "X-Request-ID", value: requestId)
        return headers
    }

    /// The headers of a service's answer that go on to the client, less `dropping` (lower-cased
    /// names the edge sets itself).
    static func downstream(_ upstream: HTTPHeaders, dropping: Set<String> = []) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.reserveCapacity(upstream.count + 16)
        let named = tokens(upstream.first(name: "connection"))
        for (name, value) in upstream {
            let lower = name.lowercased()
            if hopByHop.contains(lower) || dropping.contains(lower) || (!named.isEmpty && named.contains(lower)) { continue }
            headers.add(name: name, value: value)
        }
        return headers
    }

    /// The lower-cased tokens of a `Connection` header (the hop-by-hop headers it names).
    static func tokens(_ header: String?) -> Set<String> {
        guard let header else { return [] }
        // The usual values name nothing beyond the hop-by-hop headers dropped anyway.
        if header == "keep-alive" || header == "close" || header == "Keep-Alive" || header == "Close" { return [] }
        var tokens = Set<String>()
        for part in header.split(separator: ",") {
            var token = part
            while let first = token.first, first == " " || first == "\t" { token = token.dropFirst() }
            while let last = token.last, last == " " || last == "\t" { token = token.dropLast() }
            if !token.isEmpty { tokens.insert(token.lowercased()) }
        }
        return tokens
    }
}
