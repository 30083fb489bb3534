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
    static let hopByHop = HeaderNames([
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "proxy-connection", "host", "http2-settings",
    ])
    /// Set by the edge itself, so a client's own values never reach a service.
    static let replaced = ["x-forwarded-for", "x-real-ip", "x-forwarded-proto", "x-forwarded-host"]
    /// A client's headers that never reach a service as they are: the hop-by-hop ones, those the
    /// edge sets, its request id, and `Expect` (the edge answered it already with 100 Continue).
    static let notForwarded = hopByHop.union(replaced + ["expect", "x-request-id"])

    /// The HTTP/1.1 headers a service receives for `request`, `Host` first (the name the
    /// client used, as nginx's `proxy_set_header Host $host`). Over HTTP/2 the `Host` header
    /// is the request's `:authority`.
    static func upstream(_ request: HTTPRequestHead, requestId: String, peer: SocketAddress?, trustProxy: Bool, scheme: String) -> HTTPHeaders {
        let inbound = request.headers
        // Collected as pairs and wrapped once: `HTTPHeaders.add` checks every name it is given,
        // and these names were checked by the parser that read them or are the edge's own.
        var headers: [(String, String)] = []
        headers.reserveCapacity(inbound.count + 7)
        let authority = inbound.first(name: "host")
        if let authority { headers.append(("Host", authority)) }
        let named = tokens(inbound.first(name: "connection"))
        for (name, value) in inbound {
            if notForwarded.contains(name) || (!named.isEmpty && named.contains(name.lowercased())) { continue }
            headers.append((name, value))
        }
        let address = peer?.ipAddress ?? "unknown"
        let prior = trustProxy ? inbound.first(name: "x-forwarded-for") : nil
        headers.append(("X-Forwarded-For", prior.map { "\($0), \(address)" } ?? address))
        // Untrusted, the client address is the peer's (ClientAddress's rule), already at hand.
        headers.append(("X-Real-IP", trustProxy ? ClientAddress.resolve(headers: inbound, peer: peer, trustProxy: true) : address))
        headers.append(("X-Forwarded-Proto", trustProxy ? inbound.first(name: "x-forwarded-proto") ?? scheme : scheme))
        if let authority { headers.append(("X-Forwarded-Host", authority)) }
        headers.append(("X-Request-ID", requestId))
        return HTTPHeaders(headers)
    }

    /// The headers of a service's answer that go on to the client, less `dropping` (the
    /// hop-by-hop headers, and on the lane those the edge sets itself). `room`: how many more
    /// the caller will add (their storage is reserved at once).
    static func downstream(_ upstream: HTTPHeaders, dropping: HeaderNames = hopByHop, room: Int = 0) -> HTTPHeaders {
        var headers: [(String, String)] = []
        headers.reserveCapacity(upstream.count + room)
        let named = tokens(upstream.first(name: "connection"))
        for (name, value) in upstream {
            if dropping.contains(name) || (!named.isEmpty && named.contains(name.lowercased())) { continue }
            headers.append((name, value))
        }
        return HTTPHeaders(headers)
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

/// Header names matched whatever their ASCII case, without a lower-cased copy of the name
/// looked up: that copy was a String made per header, both ways, on every proxied request.
struct HeaderNames: Sendable {
    /// The lower-cased names.
    let names: Set<String>
    /// Their bytes, by length.
    private let byLength: [[[UInt8]]]

    init(_ names: some Sequence<String>) {
        self.names = Set(names.map { $0.lowercased() })
        var byLength: [[[UInt8]]] = []
        for name in self.names {
            let bytes = Array(name.utf8)
            while byLength.count <= bytes.count { byLength.append([]) }
            byLength[bytes.count].append(bytes)
        }
        self.byLength = byLength
    }

    func union(_ other: some Sequence<String>) -> HeaderNames { HeaderNames(names.union(other.map { $0.lowercased() })) }

    func contains(_ name: String) -> Bool {
        let count = name.utf8.count
        guard count < byLength.count, !byLength[count].isEmpty else { return false }
        return name.utf8.withContiguousStorageIfAvailable(matches) ?? Array(name.utf8).withUnsafeBufferPointer(matches)
    }

    private func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        candidates: for candidate in byLength[bytes.count] {
            for index in 0..<bytes.count {
                let byte = bytes[index]
                // ASCII upper case to lower; every other byte as it is.
                if (byte &- 0x41 < 26 ? byte | 0x20 : byte) != candidate[index] { continue candidates }
            }
            return true
        }
        return false
    }
}
