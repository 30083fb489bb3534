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
        var relay: UploadRelay?
        if request.method != .get && request.method != .head {
            let declared = request.headers[.contentLength]
            let bodyless = declared == "0" || (declared == nil && request.headers[.transferEncoding] == nil && request.head.scheme == nil)
            if bodyless {
                // Nothing to send (an HTTP/1.1 request with neither length nor chunking has no body).
            } else if service == .uploads {
                // Uploads stream (12 MiB at most, one chunk at a time: the edge's memory must not
                // grow with them), read from the client by the relay's pump alone.
                let body = UploadRelay()
                relay = body
                let length = request.headers[.contentLength].flatMap(Int64.init)
                outbound.body = .stream(body, length: length.map { .known($0) } ?? .unknown)
            } else {
                // Other bodies (the 1 MiB limit caps them) are collected first: nothing is left
                // for a second reader when an upstream answers early.
                outbound.body = .bytes(try await request.body.collect(upTo: 16 << 20))
            }
        }
        guard let relay else { return try await exchange(outbound, service: service, context: context, relay: nil) }

        // The pump is a child of this handler: when it returns, nothing reads the client's body
        // any more, and the server can read the next request on the connection.
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask { await relay.pump(request.body); return true }
            let response: Response
            do {
                response = try await exchange(outbound, service: service, context: context, relay: relay)
            } catch {
                relay.close()
                group.cancelAll()
                throw error
            }
            relay.close()
            if relay.pumped { return response }
            // An early answer: the rest of the client's body is read and dropped, so the
            // connection can carry the next request (most clients have sent it all by now).
            group.addTask { try? await LoopSleep.for(Self.drainLimit); return false }
            let drained = try await group.next() ?? true
            group.cancelAll()
            if drained { return response }
            // The body did not end in time: its read stops, and the connection closes after
            // the answer (HTTP/2 drops the header; the stream ends with the answer).
            var closing = response
            closing.headers[.connection] = "close"
            return closing
        }
    }

    /// How long an early answer waits for the rest of an upload body to be dropped (nginx's
    /// lingering_timeout) before the connection is closed instead.
    static let drainLimit = Duration.seconds(5)

    /// Sends `outbound` and shapes the service's answer. `relay`: the upload body being streamed.
    private func exchange(_ outbound: HTTPClientRequest, service: UpstreamTable.Service, context: Context, relay: UploadRelay?) async throws -> Response {
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

        let headers = HTTPFields(ProxyHeaders.downstream(upstreamResponse.headers), splitCookie: false)
        let status = HTTPResponse.Status(code: Int(upstreamResponse.status.code))
        if let relay, !relay.pumped {
            // An answer before the whole upload went up. From 300 on, AsyncHTTPClient sends no
            // more of it (and would park a producer handed another chunk): none is handed over.
            // The answer is read whole (an error or a short JSON one), so that the body can be
            // ended without failing it.
            if status.code >= 300 { relay.hold() }
            let body = try await upstreamResponse.body.collect(upTo: 1 << 20)
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
        }
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
