import NIOCore

/// Joins the small buffers written between two flushes into one, just above the TLS handler,
/// which seals every write it is given as a TLS record of its own. An HTTP/2 answer is written
/// as three or four pieces (the HEADERS frame, a DATA frame's 9-byte header, its payload, the
/// end), an HTTP/1.1 answer as a head and a body: one record each cost a seal, a record header
/// and a tag per piece, for the edge and again for the client that opens them. Joined, a
/// flush is one record (or as many 16 kB ones as it fills).
///
/// Large buffers go on as they are (after what was joined before them): they fill records of
/// their own, and copying them would only cost. Nothing changes in what is sent, its order, or
/// when: a flush sends all, a close sends what was written before it as it did (unflushed).
final class TLSRecordCoalescer: ChannelOutboundHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// Buffers this large are not copied.
    static let copyLimit = 4096

    private var pending: ByteBuffer?
    /// Whether `pending` is this handler's own buffer (written into), not a caller's.
    private var owned = false
    /// Completed when `pending` is written; the promises of the writes in it cascade from it.
    private var promise: EventLoopPromise<Void>?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .byteBuffer(var buffer) = unwrapOutboundIn(data), buffer.readableBytes < Self.copyLimit else {
            forwardPending(context: context)
            return context.write(data, promise: promise)
        }
        if let promise {
            if let joined = self.promise { joined.futureResult.cascade(to: promise) } else { self.promise = promise }
        }
        guard var joined = pending else {
            pending = buffer
            owned = false
            return
        }
        pending = nil
        if !owned {
            // The caller's buffer is not written into (it may reuse its storage); a copy with room.
            var copy = context.channel.allocator.buffer(capacity: max(1024, (joined.readableBytes + buffer.readableBytes) * 2))
            copy.writeBuffer(&joined)
            joined = copy
            owned = true
        }
        joined.writeBuffer(&buffer)
        pending = joined
    }

    func flush(context: ChannelHandlerContext) {
        forwardPending(context: context)
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        forwardPending(context: context)
        context.close(mode: mode, promise: promise)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        pending = nil
        promise?.fail(ChannelError.ioOnClosedChannel)
        promise = nil
    }

    private func forwardPending(context: ChannelHandlerContext) {
        guard let buffer = pending else { return }
        let promise = self.promise
        pending = nil
        self.promise = nil
        context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: promise)
    }
}
