import HTTPTypes
import Logging
import NIOCore
import NIOHTTP2
import NIOHTTPTypes
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// HTTP/2 on an edge connection. Each stream gets the proxy lane first; only a stream the lane
/// hands on (the edge's own routes, the web UI, uploads…) becomes an async channel with a task
/// running the framework's responder. A proxied stream thus costs no task and no thread hop,
/// which the framework's HTTP/2 channel (one task per stream) could not give.
struct EdgeHTTP2: Sendable {
    /// The streams of one connection that the framework answers, in the order they came.
    typealias Streams = AsyncStream<NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>>

    let lane: ProxyLaneSettings?
    /// `https` when the edge terminates TLS.
    let scheme: String
    let idleTimeout: TimeAmount
    let gracePeriod: TimeAmount

    func setup(channel: any Channel) -> EventLoopFuture<Streams> {
        channel.eventLoop.makeCompletedFuture {
            let (streams, framework) = Streams.makeStream()
            channel.closeFuture.whenComplete { _ in framework.finish() }
            // NIOHTTP2's connection manager closes idle connections and, on graceful shutdown, says
            // GOAWAY in the two steps of RFC 9113 §6.8, so no stream in flight is lost.
            let keeper = NIOHTTP2ServerConnectionManagementHandler(
                eventLoop: channel.eventLoop,
                configuration: .init(maxIdleTime: idleTimeout, maxAge: nil, maxGraceTime: gracePeriod, keepalive: nil))
            let lane = self.lane, scheme = self.scheme
            let lanes = lane.map { NIOLoopBound($0.pool.loop(channel.eventLoop), eventLoop: channel.eventLoop) }
            try channel.pipeline.syncOperations.addHandler(FlushCoalescer())
            _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                mode: .server, connectionConfiguration: .init(), streamConfiguration: .init(), streamDelegate: keeper.http2StreamDelegate
            ) { stream in
                stream.eventLoop.makeCompletedFuture {
                    let pipeline = stream.pipeline.syncOperations
                    try pipeline.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                    if let lane { try pipeline.addHandler(ProxyLane(settings: lane, scheme: scheme, onStream: true, lanes: lanes?.value)) }
                    try pipeline.addHandler(StreamHandoff(framework: framework, secure: scheme == "https"))
                }
            }
            try channel.pipeline.syncOperations.addHandler(keeper)
            return streams
        }
    }
}

/// The last handler of a stream: the first request part that reaches it (the lane did not take
/// the request) turns the stream into an async channel for the framework, behind the
/// conversion to the framework's HTTP types, then passes through.
private final class StreamHandoff: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let framework: EdgeHTTP2.Streams.Continuation
    private let secure: Bool

    init(framework: EdgeHTTP2.Streams.Continuation, secure: Bool) {
        self.framework = framework
        self.secure = secure
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            // Added behind this handler, so the part passed on below is the channel's first.
            try context.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: secure))
            let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(wrappingChannelSynchronously: context.channel)
            guard case .enqueued = framework.yield(http) else { return context.close(promise: nil) }
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }
}
