import NIOCore

/// Holds an HTTP/2 connection's flushes until the event loop has handled the I/O it is
/// handling now, then flushes once. Each proxied stream's answer arrives on its own upstream
/// socket and flushes its stream, which flushes the connection: without this, eight answers
/// ready in one loop tick cost eight socket writes (and TLS records) instead of one.
final class FlushCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = Any

    private var pending = false

    func flush(context: ChannelHandlerContext) {
        guard !pending else { return }
        pending = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let (coalescer, context) = loopBound.value
            coalescer.flushNow(context: context)
        }
    }

    /// What was written goes out before the connection closes.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        flushNow(context: context)
        context.close(mode: mode, promise: promise)
    }

    private func flushNow(context: ChannelHandlerContext) {
        guard pending else { return }
        pending = false
        context.flush()
    }
}
