import AgentIMCore
import AgentIMHTTP
import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// One request on the proxy lane, from the client's head to the service's last byte. Runs
/// on the client connection's event loop, as does its upstream connection.
///
/// - `api` rate limit (in memory at once; a Redis round trip otherwise), then the 1 MiB body
///   limit on a declared length, then a pooled connection (or a new one) to the service.
/// - The body flows both ways with back-pressure: client reads wait for the upstream socket,
///   upstream reads wait for the client socket.
/// - A service refusing connections → 502, not connectable in time → 503, silent for
///   `UPSTREAM_TIMEOUT_SECONDS` before answering → 504; a pooled connection the service had
///   closed is retried once on a new one for a request without a body.
/// - A connection goes back to the pool only after a complete exchange that kept it alive.
final class ProxyExchange {
    private enum Phase { case admitting, connecting, sending, done }

    private let lane: any ProxyClient
    private let head: HTTPRequestHead
    private let service: UpstreamTable.Service
    private let loop: any EventLoop
    private let lanes: LaneLoop
    private let path: String
    private let requestId: String
    private let started = NIODeadline.now()
    private var settings: ProxyLaneSettings { lane.settings }

    private var phase = Phase.admitting
    private var limitHeaders: [(HTTPField.Name, String)] = []
    private var upstreamHead: HTTPRequestHead?
    /// Client parts read before the upstream connection was ready.
    private var buffered: [HTTPServerRequestPart] = []
    private(set) var requestComplete = false
    private let bodyless: Bool
    /// The body limit for the path (BodyLimitMiddleware's rule), nil outside `/api`.
    private let bodyLimit: Int?
    private var channel: (any Channel)?
    private var handler: UpstreamHandler?
    private var reused = false
    private var retried = false
    private var responseStarted = false
    private var responseKeepsAlive = true
    private var status = 0
    private var lastActivity = NIODeadline.now()
    /// Body bytes read, against the 1 MiB limit when no length was declared (an HTTP/2 body).
    private var bodyBytes = 0
    private var watched = false

    /// `hasBody`: whether the request has a body, when the protocol says so (an HTTP/2 stream's
    /// HEADERS frame); otherwise the declared length tells.
    init(lane: any ProxyClient, head: HTTPRequestHead, service: UpstreamTable.Service, path: String, loop: any EventLoop, lanes: LaneLoop,
         hasBody: Bool? = nil) {
        self.lane = lane
        self.lanes = lanes
        self.head = head
        self.service = service
        self.loop = loop
        self.path = path
        requestId = head.headers.first(name: "x-request-id").map { String($0.prefix(32)) } ?? lanes.requestId()
        let length = head.headers.first(name: "content-length")
        bodyless = length == "0" || (hasBody.map { !$0 } ?? (length == nil))
        bodyLimit = BodyLimitMiddleware.limit(for: path)
    }

    /// While the upstream cannot take the body yet, the client is not read.
    var holdsClientReads: Bool {
        switch phase {
        case .admitting, .connecting: return true
        case .sending: return channel?.isWritable == false
        case .done: return false
        }
    }

    func start() {
        guard path.hasPrefix("/api/"), let limiter = settings.limiter else { return admitted(.pass) }
        let identity = ClientAddress.resolve(headers: head.headers, peer: lane.peer, trustProxy: settings.trustProxy)
        if let verdict = limiter.immediateHit(.api, identity: identity) { return admitted(verdict) }
        let promise = loop.makePromise(of: RateLimitVerdict.self)
        promise.completeWithTask { await limiter.hit(.api, identity: identity) }
        promise.futureResult.assumeIsolated().whenSuccess { verdict in self.admitted(verdict) }
    }

    private func admitted(_ verdict: RateLimitVerdict) {
        guard phase == .admitting else { return }
        limitHeaders = verdict.headers
        guard verdict.allowed else { return answer(APIError(429, "Too many requests")) }
        if let bodyLimit, let declared = head.headers.first(name: "content-length") {
            guard let length = Int(declared), length <= bodyLimit else {
                return answer(APIError(413, "Request body too large"), errorId: Nanoid.make(), close: true)
            }
        }
        var headers = ProxyHeaders.upstream(head, requestId: requestId, peer: lane.peer, trustProxy: settings.trustProxy, scheme: lane.scheme)
        // A body with no declared length (HTTP/2) is sent chunked whatever the method: NIO's
        // encoder frames only POST, PUT and PATCH bodies by itself, and a GET's body sent bare
        // would be read by the service as a next request on the connection.
        if !bodyless, !head.headers.contains(name: "content-length") { headers.add(name: "transfer-encoding", value: "chunked") }
        upstreamHead = HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: headers)
        connect(fresh: false)
    }

    private func connect(fresh: Bool) {
        phase = .connecting
        if !fresh, let pooled = lanes.take(service) { return attach(pooled, reused: true) }
        guard let address = settings.addresses[service] else { return answer(APIError(502, "Bad gateway")) }
        settings.pool.connect(to: address, on: loop).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                guard self.phase == .connecting else { return channel.close(promise: nil) }
                self.attach(channel, reused: false)
            case .failure(let error):
                guard self.phase == .connecting else { return }
                if case .connectTimeout = error as? ChannelError {
                    self.settings.logger.warning("upstream \(self.service.rawValue) not connectable in time")
                    self.answer(APIError(503, "Service unavailable"))
                } else {
                    self.settings.logger.warning("upstream \(self.service.rawValue) failed: \(error)")
                    self.answer(APIError(502, "Bad gateway"))
                }
            }
        }
    }

    private func attach(_ channel: any Channel, reused: Bool) {
        guard let handler = try? channel.pipeline.syncOperations.handler(type: UpstreamHandler.self), let upstreamHead else {
            channel.close(promise: nil)
            return answer(APIError(502, "Bad gateway"))
        }
        self.channel = channel
        self.handler = handler
        self.reused = reused
        handler.attach(self)
        handler.pause(!lane.clientWritable)
        phase = .sending
        handler.send(.head(upstreamHead))
        for part in buffered { handler.send(Self.upstreamPart(part)) }
        buffered.removeAll()
        handler.flush()
        startWatching()
        lane.resumeReads()
    }

    /// A part of the client's request after its head.
    func clientPart(_ part: HTTPServerRequestPart) {
        switch part {
        case .end:
            requestComplete = true
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            if let bodyLimit, bodyBytes > bodyLimit, phase != .done {
                if responseStarted {
                    phase = .done
                    detachUpstream(close: true)
                    lane.closeClient()
                } else {
                    answer(APIError(413, "Request body too large"), errorId: Nanoid.make(), close: true)
                }
                return
            }
        case .head:
            break
        }
        switch phase {
        case .admitting, .connecting:
            buffered.append(part)
        case .sending:
            handler?.send(Self.upstreamPart(part))
            handler?.flush()
        case .done:
            break
        }
    }

    /// A body part or the end of the client's request, as the upstream codec takes it.
    private static func upstreamPart(_ part: HTTPServerRequestPart) -> HTTPClientRequestPart {
        switch part {
        case .head: preconditionFailure("the head is sent on its own")
        case .body(let buffer): return .body(.byteBuffer(buffer))
        case .end: return .end(nil)
        }
    }

    // MARK: the service's answer

    func upstreamRead(_ part: HTTPClientResponsePart) {
        guard phase == .sending else { return }
        lastActivity = .now()
        switch part {
        case .head(let response):
            guard response.status.code >= 200 else { return }
            responseStarted = true
            status = Int(response.status.code)
            responseKeepsAlive = response.isKeepAlive
            var headers = ProxyHeaders.downstream(response.headers, dropping: settings.notReturned, room: limitHeaders.count + 20)
            decorate(&headers)
            lane.send(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)))
        case .body(let buffer):
            lane.send(.body(.byteBuffer(buffer)))
        case .end:
            // The connection is parked before the client's end goes out: on an HTTP/2 stream
            // that write closes the stream, and the lane with it.
            release(keepUpstream: responseKeepsAlive && requestComplete)
            lane.send(.end(nil))
            lane.flush()
            lane.exchangeFinished(requestComplete: requestComplete, closeConnection: false)
        }
    }

    func upstreamReadComplete() {
        if responseStarted, phase == .sending { lane.flush() }
    }

    func upstreamWritable() { lane.resumeReads() }

    func clientWritabilityChanged(_ writable: Bool) { handler?.pause(!writable) }

    /// The upstream connection closed or failed before the exchange ended.
    func upstreamClosed(error: (any Error)?) {
        guard phase == .sending else { return }
        detachUpstream(close: true)
        if responseStarted {
            // The answer is cut short; the client can only learn it from the closed connection.
            phase = .done
            stopWatching()
            lane.closeClient()
            return
        }
        if reused, !retried, bodyless {
            // A pooled connection the service had closed meanwhile: once more on a new one.
            retried = true
            buffered = requestComplete ? [.end(nil)] : []
            return connect(fresh: true)
        }
        settings.logger.warning("upstream \(service.rawValue) closed before answering: \(error.map { "\($0)" } ?? "EOF")")
        answer(APIError(502, "Bad gateway"))
    }

    func clientClosed() {
        guard phase != .done else { return }
        phase = .done
        stopWatching()
        detachUpstream(close: true)
    }

    // MARK: timeout

    /// The lane's tick on this loop looks at the exchange's silence until it ends.
    private func startWatching() {
        guard !watched else { return }
        lastActivity = .now()
        watched = true
        lanes.watch(self)
    }

    private func stopWatching() {
        guard watched else { return }
        watched = false
        lanes.unwatch(self)
    }

    func checkSilence(now: NIODeadline) {
        guard phase == .sending, now - lastActivity >= settings.upstreamTimeout else { return }
        stopWatching()
        detachUpstream(close: true)
        if responseStarted {
            phase = .done
            lane.closeClient()
        } else {
            answer(APIError(504, "Gateway timeout"))
        }
    }

    // MARK: ending

    /// The edge's own answer (429, 413, 502, 503, 504) with the JSON envelope.
    private func answer(_ error: APIError, errorId: String? = nil, close: Bool = false) {
        status = error.status
        release(keepUpstream: false)
        let body = errorBody(error, errorId: errorId)
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", String(body.readableBytes))])
        // An HTTP/1.1 connection is closed rather than drained of an unwanted body.
        if close, !lane.onStream { headers.add(name: "Connection", value: "close") }
        decorate(&headers)
        lane.send(.head(HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: error.status), headers: headers)))
        lane.send(.body(.byteBuffer(body)))
        lane.send(.end(nil))
        lane.flush()
        lane.exchangeFinished(requestComplete: requestComplete, closeConnection: close)
    }

    /// The headers the middleware chain would add, innermost first. `headers` has none of the
    /// request id and security headers (`notReturned`), so those are appended, not searched for.
    private func decorate(_ headers: inout HTTPHeaders) {
        for (name, value) in limitHeaders where !headers.contains(name: name.rawName) { headers.add(name: name.rawName, value: value) }
        // Lower-case names on an HTTP/2 stream, which sends them so (no conversion per answer).
        headers.add(name: lane.onStream ? "x-request-id" : "X-Request-ID", value: requestId)
        settings.cors.decorate(&headers, origin: head.headers.first(name: "origin"))
        headers.add(contentsOf: SecurityHeadersMiddleware.block(production: settings.production, lowercased: lane.onStream))
    }

    /// Ends the exchange's hold on its upstream connection (parked or closed) and records it.
    private func release(keepUpstream: Bool) {
        phase = .done
        stopWatching()
        if keepUpstream, let channel, let handler {
            handler.attach(nil)
            lanes.put(channel, service: service)
            self.channel = nil
            self.handler = nil
        } else {
            detachUpstream(close: true)
        }
        let elapsed = NIODeadline.now() - started
        settings.metrics.observe(method: head.method.rawValue, path: path, seconds: Double(elapsed.nanoseconds) / 1e9, status: status)
    }

    private func detachUpstream(close: Bool) {
        guard let channel else { return }
        handler?.exchange = nil
        if close { channel.close(promise: nil) }
        self.channel = nil
        handler = nil
    }
}
