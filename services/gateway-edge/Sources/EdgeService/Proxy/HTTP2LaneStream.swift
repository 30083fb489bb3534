import NIOCore
import NIOHTTP1
import NIOHTTP2

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
    /// The stream's receive window as NIOHTTP2 last reported it (or as the lane last opened it).
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
