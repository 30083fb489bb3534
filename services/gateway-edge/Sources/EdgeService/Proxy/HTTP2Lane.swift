import NIOCore
import NIOHPACK
import NIOHTTP1
import NIOHTTP2

/// The proxy lane of an HTTP/2 connection, between NIOHTTP2's connection handler and its
/// stream multiplexer. A stream whose request the lane takes (`ProxyLaneSettings.route`) is
/// answered here from its frames: no child channel, no handlers per stream, no conversion to
/// HTTP/1.1 parts and back inside the edge. Every other stream (the edge's own routes, the web
/// UI, uploads…) goes on to the multiplexer and the framework, frame for frame.
final class HTTP2Lane: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    let settings: ProxyLaneSettings
    let scheme: String
    private(set) var context: ChannelHandlerContext?
    private(set) var peer: NIOCore.SocketAddress?
    private var lanes: LaneLoop?
    private var streams: [HTTP2StreamID: HTTP2LaneStream] = [:]
    /// Client streams open with ever higher ids: a HEADERS frame above this one opens a stream;
    /// one at or below it is a trailer of a stream the lane or the multiplexer has.
    private var lastOpened = HTTP2StreamID.rootStream

    init(settings: ProxyLaneSettings, scheme: String) {
        self.settings = settings
        self.scheme = scheme
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        peer = context.channel.remoteAddress
        lanes = settings.pool.loop(context.eventLoop)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.channel.remoteAddress
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if let stream = streams[frame.streamID] { return stream.receive(frame.payload) }
        if case .headers(let headers) = frame.payload, frame.streamID > lastOpened {
            lastOpened = frame.streamID
            if let head = Self.requestHead(headers.headers), let route = settings.route(head), let lanes {
                let stream = HTTP2LaneStream(connection: self, id: frame.streamID)
                streams[frame.streamID] = stream
                return stream.start(head: head, route: route, endStream: headers.endStream, lanes: lanes)
            }
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let closed as StreamClosedEvent:
            guard let stream = streams.removeValue(forKey: closed.streamID) else { break }
            return stream.closed()
        case let window as NIOHTTP2WindowUpdatedEvent:
            guard let stream = streams[window.streamID] else { break }
            if let inbound = window.inboundWindowSize { stream.inboundWindowChanged(inbound) }
            return
        case let created as NIOHTTP2StreamCreatedEvent:
            if streams[created.streamID] != nil { return }
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        for stream in streams.values { stream.writabilityMayHaveChanged() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The client left: the upstream requests of its streams are cancelled.
        let open = streams.values
        streams.removeAll()
        for stream in open { stream.closed() }
        context.fireChannelInactive()
    }

    var connectionWritable: Bool { context?.channel.isWritable ?? false }

    func write(_ frame: HTTP2Frame, promise: EventLoopPromise<Void>? = nil) {
        guard let context else { promise?.fail(ChannelError.ioOnClosedChannel); return }
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    func flush() { context?.flush() }

    // MARK: header blocks

    /// The request a HEADERS frame opens, as NIO's HTTP/1.1 parts state it: `:authority`
    /// becomes `Host`, split `cookie` fields are joined (RFC 9113 §8.2.3). Nil without
    /// `:method` and `:path` (CONNECT), which the multiplexer's streams handle.
    static func requestHead(_ block: HPACKHeaders) -> HTTPRequestHead? {
        var method: String?, path: String?, authority: String?
        var headers = HTTPHeaders()
        headers.reserveCapacity(block.count + 1)
        var cookies: [String] = []
        var sawHost = false
        for (name, value, _) in block {
            if name.utf8.first == UInt8(ascii: ":") {
                switch name {
                case ":method": method = value
                case ":path": path = value
                case ":authority": authority = value
                default: break
                }
            } else if name == "cookie" {
                cookies.append(value)
            } else {
                if name == "host" { sawHost = true }
                headers.add(name: name, value: value)
            }
        }
        guard let method, let path else { return nil }
        if !sawHost, let authority { headers.add(name: "host", value: authority) }
        if !cookies.isEmpty { headers.add(name: "cookie", value: cookies.joined(separator: "; ")) }
        return HTTPRequestHead(version: .http2, method: HTTPMethod(rawValue: method), uri: path, headers: headers)
    }

    /// An answer's header block: `:status`, then its fields with lower-case names and without the
    /// connection-specific ones HTTP/2 forbids (RFC 9113 §8.2.2). The request id is not indexed:
    /// unique per answer, it would only push the stable headers out of the HPACK table.
    static func responseBlock(_ head: HTTPResponseHead) -> HPACKHeaders {
        var block = HPACKHeaders()
        block.reserveCapacity(head.headers.count + 1)
        block.add(name: ":status", value: String(head.status.code))
        for (name, value) in head.headers {
            let lower = lowercased(name)
            switch lower {
            case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade": continue
            case "x-request-id": block.add(name: lower, value: value, indexing: .nonIndexable)
            default: block.add(name: lower, value: value)
            }
        }
        return block
    }

    /// `name` itself when it has no upper-case letter (the edge's own names), else a lower-cased copy.
    private static func lowercased(_ name: String) -> String {
        name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) ? name.lowercased() : name
    }
}

/// One HTTP/2 stream the lane answers: the `ProxyClient` of its exchange. Request DATA goes
/// to the exchange, and the stream's window is opened again only as the service's socket takes
/// it. Answer parts go out as frames; a head held until the next part lets the usual answer
/// (head, body, end in one upstream read) leave as one HEADERS and one DATA frame that ends
/// the stream. Answer DATA still in NIOHTTP2's buffers (the client's window closed) counts
/// against a high-water mark, as a stream channel's writability does.
final class HTTP2LaneStream: ProxyClient {
    private let connection: HTTP2Lane
    private let id: HTTP2StreamID
    private var exchange: ProxyExchange?
    private var requestComplete = false
    private var pendingHead: HTTPResponseHead?
    private var pendingBody: ByteBuffer?
    /// Answer bytes written and not yet sent on (NIOHTTP2 holds them until the window opens).
    private var unsent = 0
    private var wasWritable = true
    /// The stream's receive window as NIOHTTP2 last reported it, and whether an update waits
    /// for the exchange to take more body.
    private var inboundWindow = HTTP2LaneStream.targetWindow
    private static let targetWindow = 65535
    private static let highWater = 64 * 1024
    private static let lowWater = 32 * 1024

    init(connection: HTTP2Lane, id: HTTP2StreamID) {
        self.connection = connection
        self.id = id
    }

    var settings: ProxyLaneSettings { connection.settings }
    var scheme: String { connection.scheme }
    let onStream = true
    var peer: NIOCore.SocketAddress? { connection.peer }
    var clientWritable: Bool { unsent < Self.highWater && connection.connectionWritable }

    func start(head: HTTPRequestHead, route: (service: UpstreamTable.Service, path: String), endStream: Bool, lanes: LaneLoop) {
        guard let loop = connection.context?.eventLoop else { return }
        let exchange = ProxyExchange(lane: self, head: head, service: route.service, path: route.path, loop: loop, lanes: lanes,
                                     hasBody: !endStream)
        self.exchange = exchange
        // The end goes in first, so an answer the exchange gives at once knows the request whole.
        if endStream { endOfRequest() }
        exchange.start()
    }

    // MARK: the client's request

    func receive(_ payload: HTTP2Frame.FramePayload) {
        switch payload {
        case .data(let data):
            if case .byteBuffer(let buffer) = data.data, buffer.readableBytes > 0 { exchange?.clientPart(.body(buffer)) }
            if data.endStream { endOfRequest() }
        case .headers(let trailers):
            // Trailers end the request; an HTTP/1.1 upstream request carries none.
            if trailers.endStream { endOfRequest() }
        default:
            // RST_STREAM arrives as StreamClosedEvent; WINDOW_UPDATE is NIOHTTP2's.
            break
        }
    }

    private func endOfRequest() {
        requestComplete = true
        exchange?.clientPart(.end(nil))
    }

    func inboundWindowChanged(_ window: Int) {
        inboundWindow = window
        resumeReads()
    }

    /// Opens the receive window again, once it is half used and the exchange can pass more on.
    func resumeReads() {
        guard !requestComplete, let exchange, !exchange.holdsClientReads, inboundWindow <= Self.targetWindow / 2 else { return }
        let increment = Self.targetWindow - inboundWindow
        inboundWindow = Self.targetWindow
        connection.write(HTTP2Frame(streamID: id, payload: .windowUpdate(windowSizeIncrement: increment)))
        connection.flush()
    }

    /// The stream closed: ended both ways, reset by the client, or its connection gone.
    func closed() {
        exchange?.clientClosed()
        exchange = nil
    }

    // MARK: the answer

    func send(_ part: HTTPServerResponsePart) {
        switch part {
        case .head(let head):
            pendingHead = head
        case .body(let body):
            guard case .byteBuffer(let buffer) = body else { return }
            writeHeldParts()
            pendingBody = buffer
        case .end:
            if pendingBody == nil, let head = pendingHead {
                pendingHead = nil
                connection.write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: HTTP2Lane.responseBlock(head), endStream: true))))
            } else {
                writeHeldParts(keepBody: true)
                let last = pendingBody ?? ByteBuffer()
                pendingBody = nil
                connection.write(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(last), endStream: true))),
                                 promise: requestComplete ? nil : resetOnceSent())
            }
        }
    }

    /// Writes the held head, and the held body unless `keepBody`, without ending the stream.
    private func writeHeldParts(keepBody: Bool = false) {
        if let head = pendingHead {
            pendingHead = nil
            connection.write(HTTP2Frame(streamID: id, payload: .headers(.init(headers: HTTP2Lane.responseBlock(head)))))
        }
        guard !keepBody, let body = pendingBody else { return }
        pendingBody = nil
        let size = body.readableBytes
        unsent += size
        let promise = connection.context?.eventLoop.makePromise(of: Void.self)
        promise?.futureResult.assumeIsolated().whenComplete { _ in
            self.unsent -= size
            self.writabilityMayHaveChanged()
        }
        connection.write(HTTP2Frame(streamID: id, payload: .data(.init(data: .byteBuffer(body)))), promise: promise)
        writabilityMayHaveChanged()
    }

    func flush() {
        writeHeldParts()
        connection.flush()
    }

    /// Tells the exchange when the answer may flow again, or must wait (low and high water).
    func writabilityMayHaveChanged() {
        let writable = wasWritable ? clientWritable : (unsent <= Self.lowWater && connection.connectionWritable)
        guard writable != wasWritable else { return }
        wasWritable = writable
        exchange?.clientWritabilityChanged(writable)
    }

    /// An answer cut short: the stream is reset, and the client learns it from that.
    func closeClient() {
        exchange = nil
        pendingHead = nil
        pendingBody = nil
        connection.write(HTTP2Frame(streamID: id, payload: .rstStream(.internalError)))
        connection.flush()
    }

    func exchangeFinished(requestComplete: Bool, closeConnection: Bool) {
        exchange = nil
    }

    /// A complete answer before the whole request (a 413): once the answer's last frame is out,
    /// the client is asked to stop sending, without error (RFC 9113 §8.1). Not sooner: NIOHTTP2
    /// drops a stream's DATA still in its buffers when the stream is reset.
    private func resetOnceSent() -> EventLoopPromise<Void>? {
        let promise = connection.context?.eventLoop.makePromise(of: Void.self)
        promise?.futureResult.assumeIsolated().whenSuccess { _ in
            guard !self.requestComplete else { return }
            self.connection.write(HTTP2Frame(streamID: self.id, payload: .rstStream(.noError)))
            self.connection.flush()
        }
        return promise
    }
}
