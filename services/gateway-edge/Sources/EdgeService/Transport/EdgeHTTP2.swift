import HTTPTypes
import Logging
import NIOCore
import NIOHTTP2
import NIOHTTPTypes
import NIOHTTP1
import NIOHTTPTypesHTTP1

/// HTTP/2 on an edge connection: NIOHTTP2's connection handler, its connection manager, the
/// proxy lane (`HTTP2Lane`, which answers proxied streams from their frames) and NIOHTTP2's
/// stream multiplexer for the rest. Only a stream the lane leaves becomes a child channel, and
/// then an async channel with a task running the framework's responder; a proxied stream
/// costs no channel, no task and no thread hop, which the framework's HTTP/2 channel (a child
/// channel and a task per stream) could not give.
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
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(FlushCoalescer())
            try pipeline.addHandler(NIOHTTP2Handler(mode: .server, connectionConfiguration: .init(), streamConfiguration: .init()))
            // NIOHTTP2's connection manager closes idle connections and, on graceful shutdown, says
            // GOAWAY in the two steps of RFC 9113 §6.8, so no stream in flight is lost. It counts
            // streams from NIOHTTP2's events, so it sits before the lane, which keeps its own.
            try pipeline.addHandler(NIOHTTP2ServerConnectionManagementHandler(
                eventLoop: channel.eventLoop,
                configuration: .init(maxIdleTime: idleTimeout, maxAge: nil, maxGraceTime: gracePeriod, keepalive: nil)))
            let scheme = self.scheme
            if let lane { try pipeline.addHandler(HTTP2Lane(settings: lane, scheme: scheme)) }
            let stream = StreamConfiguration()
            try pipeline.addHandler(HTTP2StreamMultiplexer(
                mode: .server, channel: channel, targetWindowSize: stream.targetWindowSize,
                outboundBufferSizeHighWatermark: stream.outboundBufferSizeHighWatermark,
                outboundBufferSizeLowWatermark: stream.outboundBufferSizeLowWatermark
            ) { stream in
                stream.eventLoop.makeCompletedFuture {
                    let pipeline = stream.pipeline.syncOperations
                    try pipeline.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                    try pipeline.addHandler(StreamHandoff(framework: framework, secure: scheme == "https"))
                }
            })
            return streams
        }
    }

    private typealias StreamConfiguration = NIOHTTP2Handler.StreamConfiguration
}

/// The last handler of a multiplexed stream: its first request part turns the stream into an
/// async channel for the framework, behind the conversion to the framework's HTTP types, then
/// passes through.
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
