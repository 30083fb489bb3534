import NIOCore

/// Tells h2c with prior knowledge from HTTP/1.1 on the plain port: it holds the first bytes
/// until they either match or leave the HTTP/2 connection preface (RFC 9113 §3.4), has the
/// pipeline configured for the protocol found, then replays what it held and steps aside.
final class PriorKnowledgeDetector<Output: Sendable>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static var preface: [UInt8] { Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) }

    private enum State { case detecting, configuring, done }

    private let configure: @Sendable (_ isHTTP2: Bool) -> EventLoopFuture<Output>
    private let promise: EventLoopPromise<Output>
    private var state = State.detecting
    private var held: ByteBuffer?

    /// Completes with what `configure` produced once the protocol is known.
    var result: EventLoopFuture<Output> { promise.futureResult }

    init(eventLoop: any EventLoop, configure: @escaping @Sendable (_ isHTTP2: Bool) -> EventLoopFuture<Output>) {
        self.configure = configure
        self.promise = eventLoop.makePromise()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if held == nil { held = buffer } else { held!.writeBuffer(&buffer) }
        guard state == .detecting, let held else { return }
        let preface = Self.preface
        let count = min(held.readableBytes, preface.count)
        let start = held.readerIndex
        let matches = held.getBytes(at: start, length: count).map { $0 == Array(preface[0..<count]) } ?? false
        if !matches {
            decide(isHTTP2: false, context: context)
        } else if count == preface.count {
            decide(isHTTP2: true, context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if state == .done { context.fireChannelReadComplete() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if state != .done { promise.fail(ChannelError.eof) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if state != .done { promise.fail(ChannelError.eof) }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if state == .detecting, let event = event as? ChannelEvent, event == .inputClosed {
            // The peer stopped before saying which protocol: nothing to serve.
            promise.fail(ChannelError.eof)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if state != .done {
            promise.fail(error)
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }

    private func decide(isHTTP2: Bool, context: ChannelHandlerContext) {
        state = .configuring
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        configure(isHTTP2).hop(to: context.eventLoop).whenComplete { result in
            let (handler, context) = loopBound.value
            switch result {
            case .success(let output):
                handler.promise.succeed(output)
                handler.replay(context: context)
            case .failure(let error):
                handler.promise.fail(error)
                context.close(promise: nil)
            }
        }
    }

    private func replay(context: ChannelHandlerContext) {
        state = .done
        if let held {
            self.held = nil
            context.fireChannelRead(wrapInboundOut(held))
            context.fireChannelReadComplete()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
