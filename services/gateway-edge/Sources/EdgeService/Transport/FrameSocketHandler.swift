import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// A WebSocket session driven by the frames as they arrive (`/ws/client`): nothing of it runs
/// while its socket is idle. Its messages are handed over one at a time, in arrival order.
protocol FrameSession: Sendable {
    /// Milliseconds before an unauthenticated socket is closed with 4001 (websocket §2.2).
    var authTimeoutMs: Int { get }
    var isAuthenticated: Bool { get }
    /// Before the first message (the socket's registration).
    func opened() async
    /// One text message (a binary one read as text).
    func handle(_ text: String) async
    /// After the last message: the socket is gone.
    func closed() async
    /// Graceful shutdown: tell the peer and close with 1001.
    func goAway()
}

/// Where a frame session's frames go: to its channel, from any thread. Writes of one caller keep
/// their order: each is a task on the channel's event loop, which runs them first in, first out.
/// Never written inline when already on that loop: a caller that moves between threads (an actor,
/// when Swift's tasks run on the event loops) would overtake its own writes still queued there,
/// and a presence could reach a socket before its `server:auth_result`.
final class SocketOutbox: Sendable {
    fileprivate let loop: any EventLoop
    fileprivate let handler: NIOLoopBoundBox<FrameSocketHandler?>

    /// Made on `loop`; `attach` follows once the handler exists.
    init(loop: any EventLoop) {
        self.loop = loop
        handler = NIOLoopBoundBox(nil, eventLoop: loop)
    }

    fileprivate func attach(_ handler: FrameSocketHandler?) { self.handler.value = handler }

    func send(_ item: Outgoing) {
        loop.execute { self.handler.value?.enqueue(item) }
    }
}

/// Frames for many sockets (a room's delivery, a broadcast to everyone) handed to their event
/// loops with one hop per loop instead of one per socket, each socket flushed once per batch.
/// Each socket's frames keep their order: a socket lives on one loop, whose items run in turn.
struct OutboxBatch: Sendable {
    private typealias Item = (outbox: SocketOutbox, item: Outgoing)
    private var groups: [(loop: any EventLoop, items: [Item])] = []

    mutating func add(_ outbox: SocketOutbox, _ item: Outgoing) {
        // Few loops (one per core): a scan beats hashing.
        if let index = groups.firstIndex(where: { $0.loop === outbox.loop }) {
            groups[index].items.append((outbox, item))
        } else {
            groups.append((outbox.loop, [(outbox, item)]))
        }
    }

    func send() {
        for group in groups {
            let items = group.items
            group.loop.execute { Self.run(items) }  // queued, not inline: see `SocketOutbox`
        }
    }

    private static func run(_ items: [Item]) {
        for (outbox, item) in items { outbox.handler.value?.enqueue(item, flush: false) }
        for (outbox, _) in items { outbox.handler.value?.flushWritten() }
    }
}

/// The end of an upgraded `/ws/client` pipeline, after NIO's frame decoder and encoder: the
/// work of the WebSocket library and of the session's tasks, done on the event loop as frames
/// come, so an idle socket holds no task, no stream and no buffer (an idle socket cost ~35 kB,
/// two thirds of it the stacks of its three suspended tasks).
///
/// - Messages: text and binary frames, fragmented with continuations up to `maxMessageSize`
///   (else 1009); a text message must be UTF-8 (else 1007); a continuation out of place, a
///   reserved opcode or bit, or a fragmented ping is a protocol error (1002).
/// - Control frames: a ping is answered with its pong; a close is answered with a close (its
///   code when valid, else 1002) and the connection ends.
/// - A message is handed to the session by one task at a time that lives only while messages
///   wait; while more than `readAhead` wait, the socket is not read (back-pressure).
/// - A close of our own (the session's, or a transport error queued behind the messages before
///   it) is followed by the output's end; the connection ends when the peer answers, or
///   `closeTimeout` after the close frame went out (at most `closeSendTimeout` after it was sent).
/// - Frames that come while the socket cannot take more wait in the handler: beyond
///   `Outgoing.clientBacklog` frames or `Outgoing.clientBacklogBytes` bytes they are dropped and
///   the socket is closed with 1013, so a peer that stops reading cannot grow the edge's memory.
final class FrameSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    static let readAhead = 8
    static let closeTimeout = TimeAmount.seconds(5)
    /// How long our close frame may wait behind frames the peer has not read yet.
    static let closeSendTimeout = TimeAmount.seconds(30)

    private enum Work: Sendable {
        case message(String)
        case fail(WebSocketErrorCode)
        case closed
    }

    /// The messages waiting for the session, shared with the task that hands them over.
    private final class Queue: @unchecked Sendable {
        let lock = NIOLock()
        var items = CircularBuffer<Work>(initialCapacity: 1)
        var running = false

        /// The next work and how many wait behind it; nil (and no longer running) when none.
        func take() -> (work: Work, left: Int)? {
            lock.withLock {
                guard let next = items.popFirst() else {
                    running = false
                    return nil
                }
                return (next, items.count)
            }
        }

        /// The task's work: the queued messages one at a time, until none is left.
        func drain(session: any FrameSession, handler: NIOLoopBound<FrameSocketHandler>, loop: any EventLoop, opening: Bool) async {
            if opening { await session.opened() }
            while let taken = take() {
                if taken.left == FrameSocketHandler.readAhead - 1 { loop.execute { handler.value.resumeReads() } }
                switch taken.work {
                case .message(let text):
                    await session.handle(text)
                case .fail(let code):
                    loop.execute { handler.value.sendClose(code: code, reason: nil) }
                case .closed:
                    await session.closed()
                }
            }
        }
    }

    private let session: any FrameSession
    private let outbox: SocketOutbox
    private let maxMessageSize: Int
    private var context: ChannelHandlerContext?
    /// NIO's frame encoder's place in the pipeline: frames already encoded are written from
    /// there, on toward the socket, past the encoder. Writes stay in order either way: neither
    /// path holds a frame back.
    private var encoded: ChannelHandlerContext?
    /// The channel's writability, as its changes pass this handler: read for every frame, where
    /// asking the channel cost an existential call and an atomic load per socket and delivery.
    private var writable = true
    /// `writeHeld` is under way.
    private var writingHeld = false
    private var loop: (any EventLoop)?
    private let queue = Queue()
    private var isEnded = false
    /// A message being assembled from fragments.
    private var fragments: ByteBuffer?
    private var fragmentsAreText = false
    private enum State { case open, failing, closing, closed }
    private var state = State.open
    private var readWanted = false
    /// Frames waiting for the channel to become writable (at most `Outgoing.clientBacklog`).
    private var held: [Outgoing] = []
    /// Their payload bytes (at most `Outgoing.clientBacklogBytes`).
    private var heldBytes = 0
    private var authTimer: Scheduled<Void>?
    private var closeTimer: Scheduled<Void>?

    init(session: any FrameSession, outbox: SocketOutbox, maxMessageSize: Int) {
        self.session = session
        self.outbox = outbox
        self.maxMessageSize = maxMessageSize
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        encoded = try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
        writable = context.channel.isWritable
        loop = context.eventLoop
        outbox.attach(self)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        authTimer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(session.authTimeoutMs))) {
            loopBound.value.authDeadline(checks: 0)
        }
        submit(nil, opening: true)
    }

    /// Checks of an auth deadline that finds the socket's frames still waiting for the session,
    /// 100 ms apart; at most 5 s more.
    static let authGraceChecks = 50

    /// The auth timer fired (websocket §2.2): an unauthenticated socket is closed with 4001,
    /// unless what it sent in time still waits for the session (its registration, a `client:auth`
    /// queued behind thousands of sockets opened at once, found by Tests/chaos): that is waited
    /// for, so a socket is not closed for the edge's own backlog. An idle socket closes on time.
    private func authDeadline(checks: Int) {
        guard !session.isAuthenticated, let context else { return }
        let waiting = queue.lock.withLock { queue.running || !queue.items.isEmpty }
        if waiting, checks < Self.authGraceChecks {
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            authTimer = context.eventLoop.scheduleTask(in: .milliseconds(100)) { loopBound.value.authDeadline(checks: checks + 1) }
            return
        }
        enqueue(.close(code: 4001, reason: "Authentication timeout"))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ended()
        self.context = nil
        encoded = nil
    }

    // MARK: reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .connectionClose:
            receivedClose(frame)
        case .ping:
            guard state == .open || state == .failing else { return }
            guard frame.fin else { return fail(.protocolError, now: true) }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            break
        case .text, .binary, .continuation:
            guard state == .open else { return }
            guard !frame.rsv1, !frame.rsv2, !frame.rsv3 else { return fail(.protocolError) }
            dataFrame(frame)
        default:
            guard state == .open else { return }
            fail(.protocolError)
        }
    }

    private func dataFrame(_ frame: WebSocketFrame) {
        var payload = frame.unmaskedData
        if frame.opcode == .continuation {
            guard var message = fragments else { return fail(.protocolError) }
            guard message.readableBytes + payload.readableBytes <= maxMessageSize else { return fail(.messageTooLarge) }
            message.writeBuffer(&payload)
            fragments = nil  // one owner while writing, so the buffer grows in place
            if frame.fin { return deliver(message, text: fragmentsAreText) }
            fragments = message
        } else {
            guard fragments == nil else { return fail(.protocolError) }
            if frame.fin { return deliver(payload, text: frame.opcode == .text) }
            fragmentsAreText = frame.opcode == .text
            fragments = payload
        }
    }

    private func deliver(_ message: ByteBuffer, text: Bool) {
        var message = message
        if text {
            guard let string = try? message.readUTF8ValidatedString(length: message.readableBytes) else {
                return fail(.dataInconsistentWithMessage)
            }
            submit(.message(string))
        } else {
            // Binary frames are not part of the protocol; like the original, read as text.
            submit(.message(String(buffer: message)))
        }
    }

    /// A transport error: closed with `code` once the messages before it are handled, or at
    /// once (`now`) for a broken control frame. Nothing more is read but the peer's close.
    private func fail(_ code: WebSocketErrorCode, now: Bool = false) {
        guard state == .open else { return }
        fragments = nil
        if now {
            sendClose(code: code, reason: nil)
        } else {
            state = .failing
            submit(.fail(code))
        }
    }

    private func receivedClose(_ frame: WebSocketFrame) {
        switch state {
        case .open, .failing:
            var data = frame.unmaskedData
            let size = data.readableBytes
            let code = data.readWebSocketErrorCode()
            let reasonValid = data.readableBytes == 0 || (try? data.readUTF8ValidatedString(length: data.readableBytes)) != nil
            let answer: WebSocketErrorCode
            if !frame.rsv1 && !frame.rsv2 && !frame.rsv3, reasonValid, size == 0 || code != nil {
                // 3000–4999: libraries' and private codes, valid; other unknown codes are not.
                if case .unknown(let number) = code, number < 3000 || number > 4999 { answer = .protocolError } else { answer = .normalClosure }
            } else {
                answer = .protocolError
            }
            state = .closed
            guard let channel = context?.channel else { return }
            writeClose(code: answer, reason: nil).whenComplete { _ in channel.close(promise: nil) }
        case .closing:
            // The answer to our close: the connection ends.
            state = .closed
            context?.close(promise: nil)
        case .closed:
            break
        }
    }

    func read(context: ChannelHandlerContext) {
        if queue.lock.withLock({ queue.items.count }) >= Self.readAhead { readWanted = true } else { context.read() }
    }

    private func resumeReads() {
        guard readWanted, let context else { return }
        readWanted = false
        context.read()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            // Graceful shutdown: the session says goodbye (websocket §15.4).
            session.goAway()
        case let event as ChannelEvent where event == .inputClosed:
            context.close(promise: nil)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The decoder's errors were answered (close with its code) by NIO's protocol error handler.
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        ended()
        context.fireChannelInactive()
    }

    /// The connection is gone: timers stop, and the session ends after its waiting messages.
    private func ended() {
        guard !isEnded else { return }
        isEnded = true
        state = .closed
        authTimer?.cancel()
        authTimer = nil
        closeTimer?.cancel()
        closeTimer = nil
        outbox.attach(nil)
        submit(.closed)
    }

    // MARK: handing messages to the session

    /// Queues `work`; starts the task that hands messages over when none runs. `opening`: the
    /// session's `opened` runs first, before anything queued (the registration).
    private func submit(_ work: Work?, opening: Bool = false) {
        guard let eventLoop = loop else { return }
        let queue = self.queue
        let start: Bool = queue.lock.withLock {
            if let work { queue.items.append(work) }
            if queue.running { return false }
            queue.running = true
            return true
        }
        guard start else { return }
        let session = self.session
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        Task { await queue.drain(session: session, handler: loopBound, loop: eventLoop, opening: opening) }
    }

    // MARK: writing

    /// A frame from the session or the registry (on the event loop). While the channel cannot
    /// take more, frames wait in `held` rather than in NIO's buffer, so a close of ours is not
    /// queued behind them: a peer that stops reading gets its 1013 after at most the channel's
    /// high-water mark, not after everything the edge already had for it.
    /// `flush` false: the caller flushes (`flushWritten`) once it has written its batch.
    fileprivate func enqueue(_ item: Outgoing, flush: Bool = true) {
        guard let context, state == .open || state == .failing else { return }
        if case .close(let code, let reason) = item {
            // The session's own close comes after what it sent before it.
            writeHeld(untilUnwritable: false)
            return sendClose(code: WebSocketErrorCode(codeNumber: code), reason: reason)
        }
        guard held.isEmpty, writable else {
            held.append(item)
            heldBytes += item.byteCount
            if held.count > Outgoing.clientBacklog || heldBytes > Outgoing.clientBacklogBytes {
                // The peer does not read: closed with 1013 rather than holding its frames; it
                // reconnects and catches up by seq.
                sendClose(code: WebSocketErrorCode(codeNumber: 1013), reason: "Client too slow")
            }
            return
        }
        write(item, context: context, flush: flush)
    }

    /// Written and not yet flushed (a batch's frames).
    private var unflushed = false

    fileprivate func flushWritten() {
        guard unflushed, let context else { return }
        unflushed = false
        context.flush()
    }

    private func write(_ item: Outgoing, context: ChannelHandlerContext, flush: Bool = true) {
        switch item {
        case .text(let text):
            var buffer = context.channel.allocator.buffer(capacity: text.utf8.count)
            buffer.writeString(text)
            context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
        case .frame(let frame):
            if let encoded {
                encoded.write(NIOAny(frame.wire), promise: nil)
            } else {
                context.write(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: frame.payload)), promise: nil)
            }
        case .close:
            return  // never held: enqueue sends it at once
        }
        if flush { context.flush() } else { unflushed = true }
    }

    /// Moves held frames to the channel, in order: while it is writable, or all of them.
    private func writeHeld(untilUnwritable: Bool) {
        guard let context, !held.isEmpty else { return }
        // Once at a time: when a close writes out everything held, a flush in here that drains
        // the socket calls `channelWritabilityChanged` at once, which would write the same held
        // frames again and then trim `held` twice.
        guard !writingHeld else { return }
        writingHeld = true
        defer { writingHeld = false }
        var written = 0
        while written < held.count, !untilUnwritable || writable {
            write(held[written], context: context)
            heldBytes -= held[written].byteCount
            written += 1
        }
        held.removeFirst(written)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writable = context.channel.isWritable
        if writable, state == .open || state == .failing { writeHeld(untilUnwritable: true) }
        context.fireChannelWritabilityChanged()
    }

    /// Our close: the frame, then the end of our output; the connection ends when the peer
    /// answers or after `closeTimeout`.
    private func sendClose(code: WebSocketErrorCode, reason: String?) {
        guard let context, state == .open || state == .failing else { return }
        state = .closing
        fragments = nil
        held.removeAll()
        heldBytes = 0
        authTimer?.cancel()
        authTimer = nil
        let channel = context.channel
        let loop = context.eventLoop
        // The handshake's clock starts once our close is out: behind a peer that reads slowly
        // it may wait in the channel's buffer (bounded by the high-water mark), and closing
        // before then would end the connection without the code telling the peer why.
        closeTimer = loop.scheduleTask(in: Self.closeSendTimeout) { channel.close(promise: nil) }
        let handler = NIOLoopBound(self, eventLoop: loop)
        writeClose(code: code, reason: reason).whenSuccess {
            channel.close(mode: .output, promise: nil)
            handler.value.closeTimer?.cancel()
            handler.value.closeTimer = loop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
        }
    }

    private func writeClose(code: WebSocketErrorCode, reason: String?) -> EventLoopFuture<Void> {
        guard let context else { return outbox.failed() }
        var buffer = context.channel.allocator.buffer(capacity: 2 + (reason?.utf8.count ?? 0))
        buffer.write(webSocketErrorCode: code)
        if let reason { buffer.writeString(reason) }
        return context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: buffer)))
    }
}

extension SocketOutbox {
    fileprivate func failed() -> EventLoopFuture<Void> { loop.makeFailedFuture(ChannelError.ioOnClosedChannel) }
}
