import AgentIMCore
import HTTPTypes
import Logging
import NIOCore
import NIOHTTPTypes

/// What every connection's lane shares: where the services listen, the pooled connections
/// to them, and the rules the middleware chain would otherwise apply.
struct ProxyLaneSettings: Sendable {
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
    /// Lower-cased names of the headers the edge sets on every answer (a service's own are dropped).
    var edgeSetHeaders: Set<String> { production ? Self.productionSetHeaders : Self.developmentSetHeaders }
    private static let developmentSetHeaders = SecurityHeadersMiddleware.names(production: false).union(["x-request-id"])
    private static let productionSetHeaders = SecurityHeadersMiddleware.names(production: true).union(["x-request-id"])
    let cors: HubCORSMiddleware
    /// Nil when rate limits are off.
    let limiter: RateLimiter?
    let metrics: EdgeMetrics
    /// `UPSTREAM_TIMEOUT_SECONDS`: the longest silence from a service (nginx's proxy_read_timeout).
    let upstreamTimeout: TimeAmount
    let logger: Logger

    /// The service that answers `request` on the lane and the request's path without its query,
    /// or nil when the framework's chain takes it: preflights, HTTP/1.1 chunked bodies, uploads
    /// (12 MiB limit) and the routes with their own per-user or per-route buckets.
    func route(_ request: HTTPRequest) -> (service: UpstreamTable.Service, path: String)? {
        guard request.method != .options, request.method != .connect, let path = request.path,
              request.headerFields[.transferEncoding] == nil else { return nil }
        let bare = Self.bare(path)
        guard let service = UpstreamTable.service(for: bare), addresses[service] != nil,
              !bare.hasPrefix("/api/upload"), RateLimitBucket.route(method: request.method, path: bare) == nil else { return nil }
        return (service, bare)
    }

    /// A request target without its query.
    static func bare(_ path: String) -> String {
        guard let query = path.firstIndex(of: "?") else { return path }
        return String(path[..<query])
    }
}

/// The reverse proxy's fast lane for HTTP/1.1 connections and HTTP/2 streams: a request for a service is relayed to a pooled
/// upstream connection on the same event loop, with the edge's rules (request id, `api` rate
/// limit, body limit, forwarded headers, CORS, security headers, metrics) applied here, so
/// no task, no thread hop and no HTTP client sits between client and service. Everything
/// else (the edge's own routes, the web UI, uploads, routes with their own buckets) goes on
/// to the framework's chain in order; while the framework answers a request, the lane takes
/// none, so answers keep the order of the requests.
final class ProxyLane: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let settings: ProxyLaneSettings
    /// `https` when the edge terminates TLS.
    let scheme: String
    /// On an HTTP/2 stream (one request, no connection-level headers) rather than an HTTP/1.1 connection.
    let onStream: Bool
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
    private var queued = CircularBuffer<HTTPRequestPart>()
    private var readWanted = false

    init(settings: ProxyLaneSettings, scheme: String, onStream: Bool = false) {
        self.settings = settings
        self.scheme = scheme
        self.onStream = onStream
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        lanes = settings.pool.loop(context.eventLoop)
    }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if queued.isEmpty { process(part) } else { queued.append(part) }
    }

    private func process(_ part: HTTPRequestPart) {
        switch part {
        case .head(let head):
            if exchange != nil {
                queued.append(part)
            } else if inward == 0, let route = settings.route(head), let context, let lanes {
                target = .exchange
                let exchange = ProxyExchange(lane: self, head: head, service: route.service, path: route.path, loop: context.eventLoop, lanes: lanes)
                self.exchange = exchange
                exchange.start()
            } else {
                inward += 1
                target = .inward
                context?.fireChannelRead(wrapInboundOut(part))
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
    /// requests go on.
    func exchangeFinished(requestComplete: Bool) {
        exchange = nil
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
        resumeReads()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { inward = max(0, inward - 1) }
        context.write(data, promise: promise)
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

    func channelInactive(context: ChannelHandlerContext) {
        // The client left: its upstream request is cancelled (nginx's proxy_ignore_client_abort off).
        exchange?.clientClosed()
        exchange = nil
        queued.removeAll()
        context.fireChannelInactive()
    }

    // What the exchange writes to the client.
    var clientWritable: Bool { context?.channel.isWritable ?? false }
    var peer: NIOCore.SocketAddress? { context?.channel.remoteAddress }
    func send(_ part: HTTPResponsePart) { context?.write(wrapOutboundOut(part), promise: nil) }
    func flush() { context?.flush() }
    func closeClient() { context?.close(promise: nil) }
}
