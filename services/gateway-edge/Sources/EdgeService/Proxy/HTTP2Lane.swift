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
        for (name, value) in head.headers where !connectionSpecific.contains(name) {
            block.add(name: lowercased(name), value: value, indexing: unindexed.contains(name) ? .nonIndexable : .indexable)
        }
        return block
    }

    /// Matched by length and bytes (`HeaderNames`): comparing each name as a string with six
    /// others was 3% of the edge's samples under HTTP/2 load.
    private static let connectionSpecific = HeaderNames(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"])
    private static let unindexed = HeaderNames(["x-request-id"])

    /// `name` itself when it has no upper-case letter (the edge's own names), else a lower-cased copy.
    private static func lowercased(_ name: String) -> String {
        name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) ? name.lowercased() : name
    }
}
