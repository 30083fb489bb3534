import AgentIMCore
import AgentIMHTTP
import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// Streams requests for the services' paths to their upstream and the answer back, over
/// AsyncHTTPClient's pooled keep-alive connections, as the original's nginx did. Answers flow
/// back with back-pressure; request bodies (at most the body limit) are read whole first.
/// HTTP/1.1 requests mostly take the faster `ProxyLane` instead; this serves HTTP/2 and what
/// the lane leaves here.
///
/// - Headers follow `ProxyHeaders`.
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

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let service = UpstreamTable.service(for: request.uri.path), let upstream = upstreams.urls[service] else {
            return try await next(request, context)
        }
        // No service has a TRACE route, and AsyncHTTPClient refuses to send one with a body (a
        // 502 Bad gateway, found by Tests/fuzz): the services' own unknown-route answer.
        if request.method == .trace { return errorResponse(APIError(404, "Not found")) }
        var outbound = HTTPClientRequest(url: upstream.base + request.uri.description)
        outbound.method = HTTPMethod(rawValue: request.method.rawValue)
        // The request id middleware put the id on the request.
        guard let head = try? HTTPRequestHead(request.head) else { return errorResponse(APIError(400, "Bad request")) }
        outbound.headers = ProxyHeaders.upstream(head, requestId: request.headers[RequestIDMiddleware.header] ?? Nanoid.make(length: 12),
                                                 peer: context.remoteAddress, trustProxy: trustProxy, scheme: scheme)
        // The edge's request span goes on in the service (nothing when tracing is off).
        for (name, value) in Traces.currentHeaders() { outbound.headers.replaceOrAdd(name: name, value: value) }
        var streamed: WatchedRequestBody?
        if request.method != .get && request.method != .head {
            let declared = request.headers[.contentLength]
            let bodyless = declared == "0" || (declared == nil && request.headers[.transferEncoding] == nil && request.head.scheme == nil)
            if bodyless {
                // Nothing to send (an HTTP/1.1 request with neither length nor chunking has no body).
            } else if service == .uploads {
                // Uploads stream (12 MiB at most, through a bounded buffer: the edge's memory must
                // not grow with them); the answer waits until the body has been read to its end.
                let body = WatchedRequestBody(request.body)
                streamed = body
                let length = request.headers[.contentLength].flatMap(Int64.init)
                outbound.body = .stream(body, length: length.map { .known($0) } ?? .unknown)
            } else {
                // Other bodies (the 1 MiB limit caps them) are collected first: nothing is left
                // for a second reader when an upstream answers early.
                outbound.body = .bytes(try await request.body.collect(upTo: 16 << 20))
            }
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

        // An upstream that answered early: AsyncHTTPClient may still send it the rest of the body.
        // Bounded at 1 s: after some early answers AsyncHTTPClient stops pulling and never ends
        // the body (the distributed fuzz run's 20 s upload timeouts); then nobody else reads it.
        await streamed?.finished(within: .seconds(1))
        let headers = HTTPFields(ProxyHeaders.downstream(upstreamResponse.headers), splitCookie: false)
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
