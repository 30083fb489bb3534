import AgentIMCore
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1

/// What every connection's lane shares: where the services listen, the pooled connections
/// to them, and the rules the middleware chain would otherwise apply. A class: every stream
/// and exchange holds it, and one reference is cheaper to pass around than its fields.
final class ProxyLaneSettings: Sendable {
    struct Address: Sendable {
        var host: String
        var port: Int
        /// Set when `host` is an IP address.
        var resolved: NIOCore.SocketAddress?

        init(host: String, port: Int) {
            self.host = host
            self.port = port
            resolved = try? NIOCore.SocketAddress(ipAddress: host, port: port)
        }
    }

    let addresses: [UpstreamTable.Service: Address]
    let pool: UpstreamPool
    let trustProxy: Bool
    let production: Bool
    /// What of a service's answer never reaches the client: the hop-by-hop headers and those the
    /// edge sets on every answer itself (a service's own are dropped).
    let notReturned: HeaderNames
    let cors: HubCORSMiddleware
    /// Nil when rate limits are off.
    let limiter: RateLimiter?
    let metrics: EdgeMetrics
    /// `UPSTREAM_TIMEOUT_SECONDS`: the longest silence from a service (nginx's proxy_read_timeout).
    let upstreamTimeout: TimeAmount
    let logger: Logger

    init(addresses: [UpstreamTable.Service: Address], pool: UpstreamPool, trustProxy: Bool, production: Bool, cors: HubCORSMiddleware,
         limiter: RateLimiter?, metrics: EdgeMetrics, upstreamTimeout: TimeAmount, logger: Logger) {
        self.addresses = addresses
        self.pool = pool
        self.trustProxy = trustProxy
        self.production = production
        notReturned = ProxyHeaders.hopByHop.union(SecurityHeadersMiddleware.names(production: production).union(["x-request-id"]))
        self.cors = cors
        self.limiter = limiter
        self.metrics = metrics
        self.upstreamTimeout = upstreamTimeout
        self.logger = logger
    }

    /// The service that answers `request` on the lane and the request's path without its query,
    /// or nil when the framework's chain takes it: preflights, HTTP/1.1 chunked bodies, uploads
    /// (12 MiB limit) and the routes with their own per-user or per-route buckets.
    func route(_ request: HTTPRequestHead) -> (service: UpstreamTable.Service, path: String)? {
        // TRACE stays off the lane: NIO's request encoder drops a TRACE's framing headers, so its
        // body would reach the service as the start of a next request, whose parse error (an
        // empty 400) then answered some later request on that pooled connection (Tests/fuzz).
        guard request.method != .OPTIONS, request.method != .CONNECT, request.method != .TRACE,
              !request.headers.contains(name: "transfer-encoding") else { return nil }
        let bare = Self.bare(request.uri)
        guard let service = UpstreamTable.service(for: bare), addresses[service] != nil, !bare.hasPrefix("/api/upload"),
              let method = try? HTTPRequest.Method(request.method), RateLimitBucket.route(method: method, path: bare) == nil else { return nil }
        return (service, bare)
    }

    /// A request target without its query.
    static func bare(_ path: String) -> String {
        // By byte: `String.firstIndex(of: Character)` walks grapheme clusters.
        guard let query = path.utf8.firstIndex(of: UInt8(ascii: "?")) else { return path }
        return String(path[..<query])
    }
}

/// The reverse proxy's fast lane, first after the HTTP/1.1 codec of a connection (`HTTP2Lane`
/// is its HTTP/2 sibling): a request for a service is relayed to a pooled upstream
/// connection on the same event loop, with the edge's rules (request id, `api` rate limit,
/// body limit, forwarded headers, CORS, security headers, metrics) applied here, so no task,
/// no thread hop, no HTTP client and no conversion to shared HTTP types sits between client
/// and service. Everything else (the edge's own routes, the web UI, uploads, routes with their
/// own buckets) goes on to the framework's handlers in order; while the framework answers a
/// request, the lane takes none, so answers keep the order of the requests.
///
/// The lane also keeps the connection, for every request, as the
/// framework's connection handlers did: it closes after an answer to a request that asked for
/// it (or an answer that says `Connection: close`), once idle for `idleTimeout`, on shutdown
/// once the requests in flight are answered, and when a client hangs up mid-request.
final class ProxyLane: ChannelDuplexHandler, RemovableChannelHandler, ProxyClient {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let settings: ProxyLaneSettings
    /// `https` when the edge terminates TLS.
    let scheme: String
    let onStream = false
    private let idleTimeout: TimeAmount?
    private(set) var context: ChannelHandlerContext?
    /// The pool's state on this connection's event loop.
    private var lanes: LaneLoop?
    /// Requests handed to the framework and not yet answered.
    private var inward = 0
    private enum Target { case inward, exchange, discard }
    /// Where the body of the request being read goes.
    private var target = Target.inward
    private var exchange: ProxyExchange?
    /// Requests read while the lane still answers an earlier one (a pipelining client).
    private var queued = CircularBuffer<HTTPServerRequestPart>()
    private var readWanted = false
    /// No request is taken any more; the connection closes once those in flight are answered.
    private var closing = false
    private var lastActivity = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?

    init(settings: ProxyLaneSettings, scheme: String, idleTimeout: TimeAmount? = nil) {
        self.settings = settings
        self.scheme = scheme
        self.idleTimeout = idleTimeout
    }

    private var inFlight: Bool { exchange != nil || inward > 0 || !queued.isEmpty }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        lanes = settings.pool.loop(context.eventLoop)
        if let idleTimeout { scheduleIdleCheck(in: idleTimeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if queued.isEmpty { process(part) } else { queued.append(part) }
    }

    private func process(_ part: HTTPServerRequestPart) {
        switch part {
        case .head(let head):
            lastActivity = .now()
            if closing {
                target = .discard
            } else if exchange != nil {
                queued.append(part)
            } else {
                if !head.isKeepAlive { closing = true }
                if inward == 0, let route = settings.route(head), let context, let lanes {
                    target = .exchange
                    if ExpectContinueHandler.expectsContinue(head) {
                        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
                    }
                    let exchange = ProxyExchange(lane: self, head: head, service: route.service, path: route.path, loop: context.eventLoop, lanes: lanes)
                    self.exchange = exchange
                    exchange.start()
                } else {
                    inward += 1
                    target = .inward
                    context?.fireChannelRead(wrapInboundOut(part))
                }
            }
        case .body, .end:
            switch target {
            case .inward: context?.fireChannelRead(wrapInboundOut(part))
            case .exchange: exchange?.clientPart(part)
            case .discard: break
            }
        }
    }

    /// The exchange answered; the rest of its request body (if any) is dropped, and queued
    /// requests go on. `closeConnection`: the answer said `Connection: close`.
    func exchangeFinished(requestComplete: Bool, closeConnection: Bool) {
        exchange = nil
        if closeConnection { closing = true }
        if !requestComplete { target = .discard }
        let inwardBefore = inward
        var replayed = false
        while let part = queued.first {
            if case .head = part, exchange != nil { break }
            queued.removeFirst()
            process(part)
            replayed = true
        }
        // Parts handed inward outside a read cycle reach the framework on read-complete.
        if replayed, inward > inwardBefore || target == .inward { context?.fireChannelReadComplete() }
        answered()
        resumeReads()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            // An answer that says close (the framework's 413 mid-upload) ends the connection, rather
            // than reading the rest of an unwanted body.
            if head.status.code >= 200, head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "close" }) {
                closing = true
            }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            inward = max(0, inward - 1)
            context.write(data, promise: promise)
            answered()
        }
    }

    /// After an answer: the connection closes here if it is closing and nothing is left in flight.
    private func answered() {
        lastActivity = .now()
        guard closing, !inFlight, let context else { return }
        context.flush()
        context.close(promise: nil)
    }

    /// Reads wait while the exchange cannot pass the body on, or requests are queued.
    func read(context: ChannelHandlerContext) {
        if !queued.isEmpty || exchange?.holdsClientReads == true { readWanted = true } else { context.read() }
    }

    func resumeReads() {
        guard readWanted, queued.isEmpty, exchange?.holdsClientReads != true, let context else { return }
        readWanted = false
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        exchange?.clientWritabilityChanged(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            // Shutdown: what is in flight is answered, nothing new is taken.
            closing = true
            if !inFlight { context.close(promise: nil) }
        case let event as ChannelEvent where event == .inputClosed && inFlight:
            // The client hung up mid-request: it is gone, and so is its upstream request.
            context.close(promise: nil)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The client left: its upstream request is cancelled (nginx's proxy_ignore_client_abort off).
        idleCheck?.cancel()
        exchange?.clientClosed()
        exchange = nil
        queued.removeAll()
        context.fireChannelInactive()
    }

    /// One timer per connection that looks at the idle clock, re-armed for what is left of the
    /// window, rather than a timer set and cancelled on every request.
    private func scheduleIdleCheck(in delay: TimeAmount) {
        guard let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        idleCheck = context.eventLoop.scheduleTask(in: delay) { loopBound.value.checkIdle() }
    }

    private func checkIdle() {
        guard let idleTimeout, let context, context.channel.isActive else { return }
        if inFlight { return scheduleIdleCheck(in: idleTimeout) }
        let left = lastActivity + idleTimeout - .now()
        if left > .zero { return scheduleIdleCheck(in: left) }
        context.close(promise: nil)
    }

    // What the exchange writes to the client.
    var clientWritable: Bool { context?.channel.isWritable ?? false }
    var peer: NIOCore.SocketAddress? { context?.channel.remoteAddress }
    func send(_ part: HTTPServerResponsePart) { context?.write(wrapOutboundOut(part), promise: nil) }
    func flush() { context?.flush() }
    func closeClient() { context?.close(promise: nil) }
}
