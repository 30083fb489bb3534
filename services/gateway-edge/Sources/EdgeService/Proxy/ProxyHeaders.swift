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
    static let forwardedHost = HTTPField.Name("X-Forwarded-Host")!

    /// The HTTP/1.1 headers a service receives for `request`, `Host` first (the name the
    /// client used, as nginx's `proxy_set_header Host $host`).
    static func upstream(_ request: HTTPRequest, requestId: String, peer: SocketAddress?, trustProxy: Bool, scheme: String) -> HTTPHeaders {
        let inbound = request.headerFields
        var headers = HTTPHeaders()
        headers.reserveCapacity(inbound.count + 7)
        if let authority = request.authority { headers.add(name: "Host", value: authority) }
        let named = tokens(inbound[.connection])
        for field in inbound {
            let name = field.name.canonicalName
            // `Expect` was answered by the edge already (100 Continue).
            if hopByHop.contains(name) || replaced.contains(name) || name == "expect" || name == "x-request-id" || named.contains(name) { continue }
            headers.add(name: field.name.rawName, value: field.value)
        }
        let address = peer?.ipAddress ?? "unknown"
        let prior = trustProxy ? inbound[ClientAddress.forwardedFor] : nil
        headers.add(name: "X-Forwarded-For", value: prior.map { "\($0), \(address)" } ?? address)
        headers.add(name: "X-Real-IP", value: ClientAddress.resolve(headers: inbound, peer: peer, trustProxy: trustProxy))
        headers.add(name: "X-Forwarded-Proto", value: trustProxy ? inbound[ClientAddress.forwardedProto] ?? scheme : scheme)
        if let authority = request.authority { headers.add(name: "X-Forwarded-Host", value: authority) }
        headers.add(name: "X-Request-ID", value: requestId)
        return headers
    }

    /// The headers of a service's answer that go on to the client, less `dropping` (lower-cased
    /// names the edge sets itself).
    static func downstream(_ upstream: HTTPHeaders, dropping: Set<String> = []) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(upstream.count + 16)
        let named = tokens(upstream.first(name: "connection"))
        for (rawName, value) in upstream {
            guard let name = HTTPField.Name(rawName) else { continue }
            let canonical = name.canonicalName
            if hopByHop.contains(canonical) || dropping.contains(canonical) || (!named.isEmpty && named.contains(canonical)) { continue }
            fields.append(HTTPField(name: name, value: value))
        }
        return fields
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
