import AgentIMCore
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOSSL
import NIOTLS
import NIOWebSocket

/// One accepted connection of the edge's listener, whatever it speaks:
///
/// - with a certificate: TLS, then ALPN picks `h2` or `http/1.1` (WebSocket upgrades included);
/// - without: the first bytes tell h2c with prior knowledge from HTTP/1.1 (WebSocket upgrades
///   included) on the same port.
///
/// It composes the framework's HTTP/2 channel with an HTTP/1.1 pipeline of our own, because
/// a refused upgrade must be answered with the hub's status and JSON (429, 403), which the
/// framework's WebSocket channel turns into a bare 400.
struct EdgeChannel: ServerChildChannel, HTTPChannelHandler {
    /// The protocol chosen, once the pipeline is set up for it. HTTP/1.1 is known for good
    /// only after its first request (a WebSocket upgrade or not), hence the inner future.
    enum Connection: Sendable {
        case http1(EventLoopFuture<HTTP1Connection>)
        case http2(EdgeHTTP2.Streams)
    }

    enum HTTP1Connection: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, refusal: UpgradeRefusal?)
        /// A `/ws/gateway` socket, run by a task.
        case gatewaySocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>)
        /// A `/ws/client` socket, run on the event loop by its `FrameSocketHandler`: nothing to await.
        case clientSocket
    }

    struct Value: ServerChildChannelValue {
        let connection: EventLoopFuture<Connection>
        let channel: any Channel
    }

    let responder: HTTPChannelHandler.Responder
    let tls: NIOSSLContext?
    let gate: UpgradeGate
    let sessions: SocketSessions
    let http1: HTTP1Channel.Configuration
    let http2: EdgeHTTP2
    /// The reverse proxy's fast lane for HTTP/1.1 and HTTP/2 (`agentim-edge` only).
    let lane: ProxyLaneSettings?
    /// How many connections may be open at once (the file limit's budget).
    let budget: ConnectionBudget

    init(responder: @escaping HTTPChannelHandler.Responder, tls: NIOSSLContext?, gate: UpgradeGate, sessions: SocketSessions,
         lane: ProxyLaneSettings?, budget: ConnectionBudget, idleTimeout: Duration = .seconds(75)) {
        self.responder = responder
        self.budget = budget
        self.lane = lane
        self.tls = tls
        self.gate = gate
        self.sessions = sessions
        http1 = HTTP1Channel.Configuration(idleTimeout: TimeAmount(idleTimeout))
        // HTTP/2 is spoken over TLS when a certificate is set, else only as h2c.
        let scheme = tls == nil ? "http" : "https"
        http2 = EdgeHTTP2(lane: lane, scheme: scheme, idleTimeout: TimeAmount(idleTimeout), gracePeriod: .seconds(5))
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard budget.admit(channel) else {
            // Past the budget: closed before anything is read (a failed set-up is dropped).
            return channel.close().flatMapThrowing { throw ChannelError.ioOnClosedChannel }
        }
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(SetupGuard(timeout: .seconds(30)))
            let connection: EventLoopFuture<Connection>
            if let tls {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                try channel.pipeline.syncOperations.addHandler(TLSRecordCoalescer())
                let negotiation = NIOTypedApplicationProtocolNegotiationHandler<Connection> { result in
                    switch result {
                    case .negotiated("h2"):
                        return http2.setup(channel: channel).map { .http2($0) }
                    case .negotiated("http/1.1"), .fallback:
                        return setupHTTP1(channel: channel, secure: true, logger: logger)
                    case .negotiated:
                        return channel.close().flatMapThrowing { throw NIOHTTP2Errors.invalidALPNToken() }
                    }
                }
                try channel.pipeline.syncOperations.addHandler(negotiation)
                connection = negotiation.protocolNegotiationResult
            } else {
                let detector = PriorKnowledgeDetector<Connection>(eventLoop: channel.eventLoop) { isHTTP2 in
                    isHTTP2 ? http2.setup(channel: channel).map { .http2($0) }
                            : setupHTTP1(channel: channel, secure: false, logger: logger)
                }
                try channel.pipeline.syncOperations.addHandler(detector)
                connection = detector.result
            }
            // Set up once HTTP/2 is configured, or once an HTTP/1.1 connection's first request is in.
            connection.whenSuccess { connection in
                switch connection {
                case .http1(let outcome): outcome.whenComplete { _ in SetupGuard.release(from: channel) }
                case .http2: SetupGuard.release(from: channel)
                }
            }
            return Value(connection: connection, channel: channel)
        }
    }

    /// HTTP/1.1 with the WebSocket upgrade on `/ws/client` and `/ws/gateway`.
    private func setupHTTP1(channel: any Channel, secure: Bool, logger: Logger) -> EventLoopFuture<Connection> {
        channel.eventLoop.makeCompletedFuture {
            let refusal = NIOLoopBoundBox<UpgradeRefusal?>(nil, eventLoop: channel.eventLoop)
            let gate = self.gate
            let upgrader = NIOTypedWebSocketServerUpgrader<HTTP1Connection>(
                maxFrameSize: SocketEndpoint.messageCap,
                shouldUpgrade: { channel, head in
                    let decision = channel.eventLoop.makePromise(of: UpgradeGate.Decision.self)
                    let peer = channel.remoteAddress
                    decision.completeWithTask { await gate.decide(head, peer: peer) }
                    return decision.futureResult.map { decision -> HTTPHeaders? in
                        switch decision {
                        case .upgrade(_, let extra):
                            return HTTPHeaders(extra.map { ($0.0.rawName, $0.1) })
                        case .refuse(let reason):
                            refusal.value = reason
                            return nil
                        }
                    }
                },
                upgradePipelineHandler: { [sessions] channel, head in
                    channel.eventLoop.makeCompletedFuture {
                        if SocketEndpoint(uri: head.uri) == .gateway {
                            let socket = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(
                                wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                            return .gatewaySocket(socket)
                        }
                        try channel.pipeline.syncOperations.addHandler(sessions.clientHandler(on: channel))
                        return .clientSocket
                    }
                })
            let upgrades = NIOTypedHTTPServerUpgradeConfiguration<HTTP1Connection>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let lane {
                            // The lane first, on NIO's HTTP/1.1 parts; it keeps the connection too.
                            try pipeline.addHandler(ProxyLane(settings: lane, scheme: secure ? "https" : "http", idleTimeout: http1.idleTimeout))
                            try pipeline.addHandler(ExpectContinueHandler())
                            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: secure))
                        } else {
                            try pipeline.addHandler(ExpectContinueHandler())
                            try pipeline.addHandler(HTTP1ToHTTPServerCodec(secure: secure))
                            try pipeline.addHandler(ConnectionGuard())
                            try pipeline.addHandler(HTTPConnectionStateHandler(idleTimeout: http1.idleTimeout.map { .init($0) }, logger: logger))
                        }
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return .http(http, refusal: refusal.value)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<HTTP1Connection>(upgradeConfiguration: upgrades)
            configuration.enablePipelining = false  // requests are taken one at a time by the async channel
            configuration.enableErrorHandling = false
            configuration.enableResponseHeaderValidation = false  // HTTPTypes validated them
            configuration.decoderConfiguration.maxHeaderFieldSize = http1.httpDecoder.maxHeaderFieldSize
            configuration.decoderConfiguration.maxHeaderListSize = http1.httpDecoder.maxHeaderListSize
            configuration.decoderConfiguration.maxHeaderFieldCount = http1.httpDecoder.maxHeaderFieldCount
            let outcome = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: configuration)
            let upgradeHandler = try channel.pipeline.syncOperations.handler(type: NIOTypedHTTPServerUpgradeHandler<HTTP1Connection>.self)
            try channel.pipeline.syncOperations.addHandler(ForeignUpgradeFilter(), position: .before(upgradeHandler))
            return .http1(outcome)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            let connection: Connection = try await value.connection.get()
            // Work done for this connection's requests (the proxy) stops when it closes.
            let client = ClientConnection(closeFuture: value.channel.closeFuture)
            switch connection {
            case .http1(let outcome):
                switch try await outcome.get() {
                case .http(let http, nil):
                    await ClientConnection.$current.withValue(client) { await handleHTTP(asyncChannel: http, logger: logger) }
                case .http(let http, let refusal?):
                    await Self.answer(refusal, on: http, logger: logger)
                case .gatewaySocket(let socket):
                    await sessions.runGateway(socket: socket, logger: logger)
                case .clientSocket:
                    break
                }
            case .http2(let streams):
                // Only the streams the proxy lane handed on come here, each answered in a task of its own.
                await ClientConnection.$current.withValue(client) {
                    await withDiscardingTaskGroup { group in
                        for await stream in streams {
                            group.addTask { await handleHTTP(asyncChannel: stream, logger: logger) }
                        }
                    }
                }
            }
        } catch {
            logger.debug("connection ended before a protocol was set up: \(error)")
        }
    }

    /// A refused upgrade: the hub's JSON error, with the headers every response carries.
    static func answer(_ refusal: UpgradeRefusal, on http: NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>, logger: Logger) async {
        logger.debug("upgrade refused: \(refusal.status.code) \(refusal.error)")
        let body = ByteBuffer(string: #"{"ok":false,"error":"\#(refusal.error)"}"#)
        var headers: HTTPFields = [.contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close"]
        for (name, value) in SecurityHeadersMiddleware.common { headers[name] = value }
        headers[RequestIDMiddleware.header] = Nanoid.make(length: 12)
        for (name, value) in refusal.headers { headers[name] = value }
        do {
            try await http.executeThenClose { _, outbound in
                try await outbound.write(contentsOf: [.head(HTTPResponse(status: refusal.status, headerFields: headers)), .body(body), .end(nil)])
            }
        } catch {
            logger.trace("could not answer a refused upgrade: \(error)")
        }
    }
}
