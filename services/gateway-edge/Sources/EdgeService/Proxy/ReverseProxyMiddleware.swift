import AgentIMCore
import AgentIMHTTP
import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Streams requests for the services' paths to their upstream and the answer back, over
/// AsyncHTTPClient's pooled keep-alive connections. Bodies are never collected whole.
struct ReverseProxyMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext

    let upstreams: UpstreamTable
    let client: HTTPClient
    let timeout: TimeAmount
    let trustProxy: Bool

    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "proxy-connection", "host",
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let service = UpstreamTable.service(for: request.uri.path), let upstream = upstreams.urls[service] else {
            return try await next(request, context)
        }
        var outbound = HTTPClientRequest(url: upstream.base + request.uri.description)
        outbound.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            outbound.headers.add(name: field.name.rawName, value: field.value)
        }
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        let prior = request.headers[HTTPField.Name("X-Forwarded-For")!]
        outbound.headers.replaceOrAdd(name: "X-Forwarded-For", value: trustProxy && prior != nil ? "\(prior!), \(peer)" : peer)
        outbound.headers.replaceOrAdd(name: "X-Real-IP", value: peer)
        outbound.headers.replaceOrAdd(name: "X-Forwarded-Proto", value: "http")
        if request.method != .get && request.method != .head {
            let length = request.headers[.contentLength].flatMap(Int.init)
            outbound.body = .stream(request.body, length: length.map { .known(Int64($0)) } ?? .unknown)
        }
        let upstreamResponse: HTTPClientResponse
        do {
            upstreamResponse = try await client.execute(outbound, timeout: timeout)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return errorResponse(APIError(504, "Upstream timed out"))
        } catch {
            context.logger.warning("upstream \(service.rawValue) unreachable: \(error)")
            return errorResponse(APIError(502, "Service unavailable"))
        }
        var headers = HTTPFields()
        for header in upstreamResponse.headers where !Self.hopByHop.contains(header.name.lowercased()) && header.name.lowercased() != "content-length" {
            if let name = HTTPField.Name(header.name) { headers.append(HTTPField(name: name, value: header.value)) }
        }
        if let length = upstreamResponse.headers.first(name: "content-length") { headers[.contentLength] = length }
        return Response(status: .init(code: Int(upstreamResponse.status.code)), headers: headers,
                        body: ResponseBody(asyncSequence: upstreamResponse.body))
    }
}
