import AgentIMCore
import AgentIMHTTP
import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Streams requests for the services' paths to their upstream and the answer back, over
/// AsyncHTTPClient's pooled keep-alive connections, as the original's nginx did. Bodies are
/// never collected whole: both directions flow with back-pressure.
///
/// - `Host` is the client's; `X-Forwarded-For` gets the peer appended (to a trusted proxy's
///   list; an untrusted client's own list is replaced, so services never see a forged one),
///   `X-Real-IP` is the client address by the `TRUST_PROXY` rule, `X-Forwarded-Proto` the
///   scheme the client used (a trusted proxy's value wins), `X-Request-ID` the request's id.
/// - Hop-by-hop headers are dropped both ways.
/// - Upstream refusing connections → 502, not connectable in time → 503, no answer within
///   `UPSTREAM_TIMEOUT_SECONDS` → 504, all with the JSON envelope.
/// - A client that disconnects cancels its upstream request.
struct ReverseProxyMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext

    let upstreams: UpstreamTable
    let client: HTTPClient
    let trustProxy: Bool
    /// `https` when the edge terminates TLS.
    let scheme: String

    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "proxy-connection", "host", "http2-settings",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let service = UpstreamTable.service(for: request.uri.path), let upstream = upstreams.urls[service] else {
            return try await next(request, context)
        }
        var outbound = HTTPClientRequest(url: upstream.base + request.uri.description)
        outbound.method = HTTPMethod(rawValue: request.method.rawValue)
        outbound.headers.reserveCapacity(request.headers.count + 4)
        // Headers named in `Connection` are hop-by-hop too (RFC 9110 §7.6.1).
        let named = Self.tokens(request.headers[.connection])
        for field in request.headers {
            let name = field.name.canonicalName
            if Self.hopByHop.contains(name) || named.contains(name) || name == "x-forwarded-for" || name == "x-real-ip"
                || name == "x-forwarded-proto" { continue }
            outbound.headers.add(name: field.name.rawName, value: field.value)
        }
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        let prior = trustProxy ? request.headers[ClientAddress.forwardedFor] : nil
        outbound.headers.add(name: "X-Forwarded-For", value: prior.map { "\($0), \(peer)" } ?? peer)
        outbound.headers.add(name: "X-Real-IP", value: ClientAddress.resolve(headers: request.headers, peer: context.remoteAddress, trustProxy: trustProxy))
        let proto = trustProxy ? request.headers[ClientAddress.forwardedProto] ?? scheme : scheme
        outbound.headers.add(name: "X-Forwarded-Proto", value: proto)
        if let authority = request.head.authority {
            // As nginx's `proxy_set_header Host $host`: the service sees the name the client used.
            outbound.headers.add(name: "Host", value: authority)
            outbound.headers.add(name: "X-Forwarded-Host", value: authority)
        }
        if request.method != .get && request.method != .head {
            let length = request.headers[.contentLength].flatMap(Int64.init)
            outbound.body = .stream(request.body, length: length.map { .known($0) } ?? .unknown)
        }

        let upstreamResponse: HTTPClientResponse
        do {
            upstreamResponse = try await untilClientLeaves { [client, outbound] in
                try await client.execute(outbound, deadline: .distantFuture)
            }
        } catch let error as HTTPClientError where error == .readTimeout || error == .deadlineExceeded {
            return errorResponse(APIError(504, "Gateway timeout"))
        } catch let error as HTTPClientError where error == .connectTimeout || error == .getConnectionFromPoolTimeout {
            context.logger.warning("upstream \(service.rawValue) not connectable in time")
            return errorResponse(APIError(503, "Service unavailable"))
        } catch is BodyTooLarge {
            throw BodyTooLarge()
        } catch {
            if Task.isCancelled || ClientConnection.current?.isClosed == true { throw CancellationError() }
            context.logger.warning("upstream \(service.rawValue) failed: \(error)")
            return errorResponse(APIError(502, "Bad gateway"))
        }

        var headers = HTTPFields()
        headers.reserveCapacity(upstreamResponse.headers.count)
        let namedBack = Self.tokens(upstreamResponse.headers.first(name: "connection"))
        for header in upstreamResponse.headers {
            let lowered = header.name.lowercased()
            if Self.hopByHop.contains(lowered) || namedBack.contains(lowered) { continue }
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        let status = HTTPResponse.Status(code: Int(upstreamResponse.status.code))
        // A small answer of known length (most API answers) goes out in one write; anything
        // else streams through as it arrives.
        if let length = upstreamResponse.headers.first(name: "content-length").flatMap(Int.init), length <= Self.smallBody {
            let body = try await upstreamResponse.body.collect(upTo: Self.smallBody)
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
        }
        return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: upstreamResponse.body))
    }

    static let smallBody = 64 * 1024

    /// The lower-cased tokens of a `Connection` header (the hop-by-hop headers it names).
    static func tokens(_ header: String?) -> Set<String> {
        guard let header else { return [] }
        var tokens = Set<String>()
        for part in header.split(separator: ",") {
            var token = part
            while let first = token.first, first == " " || first == "\t" { token = token.dropFirst() }
            while let last = token.last, last == " " || last == "\t" { token = token.dropLast() }
            if !token.isEmpty { tokens.insert(token.lowercased()) }
        }
        return tokens
    }

    /// Runs the upstream request in a task of its own that the client's disconnect cancels.
    private func untilClientLeaves(_ operation: @escaping @Sendable () async throws -> HTTPClientResponse) async throws -> HTTPClientResponse {
        guard let connection = ClientConnection.current else { return try await operation() }
        let upstream = Task(operation: operation)
        let token = connection.onClose { upstream.cancel() }
        defer { connection.cancel(token) }
        return try await withTaskCancellationHandler {
            try await upstream.value
        } onCancel: {
            upstream.cancel()
        }
    }
}
