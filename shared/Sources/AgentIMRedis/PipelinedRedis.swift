import AgentIMCore
import CHiredis
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Redis's ordinary commands (everything but the blocking reads) on one NIO connection per
/// event loop, pipelined: a command is written by the task that sends it, on that task's loop
/// when it runs on one, and its reply completes it there. Through the thread pool each command
/// cost two thread wake-ups; in bench/fanout.py's overload run (two rooms replicas) the pool's
/// threads held 47% of an edge's CPU. Replies are parsed by hiredis's reader.
final class PipelinedRedis: Sendable {
    /// How long a command may wait for its reply before its connection is closed (and every
    /// command on it fails), as the blocking connections' socket timeout did.
    static let replyTimeout = TimeAmount.seconds(5)

    private let url: RedisURL
    private let group: any EventLoopGroup
    private enum Connection {
        case connecting(EventLoopFuture<any Channel>)
        case ready(any Channel)
    }
    private struct Entry {
        let loop: any EventLoop
        var connection: Connection
        let generation: Int
    }
    /// Per event loop (a few: one per core), so a linear scan.
    private let connections = NIOLockedValueBox<(entries: [Entry], generations: Int)>(([], 0))

    init(url: RedisURL, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.url = url
        self.group = group
    }

    func send(_ arguments: [[UInt8]]) async throws -> RedisValue {
        try await pipeline([arguments])[0]
    }

    /// The commands written together and flushed once; the replies in order.
    func pipeline(_ commands: [[[UInt8]]]) async throws -> [RedisValue] {
        try await Self.exchange(commands, on: try await channel())
    }

    /// Writes `commands` on `channel` (from its own loop) and waits for their replies, in order;
    /// a reply that takes longer than `timeout` fails the connection.
    static func exchange(_ commands: [[[UInt8]]], on channel: any Channel, timeout: TimeAmount = replyTimeout) async throws -> [RedisValue] {
        let sent = commands.map { RedisCommand($0, on: channel, timeout: timeout) }
        if channel.eventLoop.inEventLoop {
            write(sent, to: channel)
        } else {
            channel.eventLoop.execute { write(sent, to: channel) }
        }
        var values: [RedisValue] = []
        values.reserveCapacity(sent.count)
        for command in sent {
            do {
                values.append(try await command.reply.futureResult.get())
            } catch let error as RedisError {
                throw error
            } catch {
                throw RedisError("Redis connection failed: \(error)")
            }
        }
        return values
    }

    func shutdown() async {
        let open = connections.withLockedValue { state in
            defer { state.entries.removeAll() }
            return state.entries
        }
        for entry in open {
            switch entry.connection {
            case .ready(let channel): try? await channel.close()
            case .connecting(let future): try? await future.get().close()
            }
        }
    }

    private static func write(_ commands: [RedisCommand], to channel: any Channel) {
        for command in commands {
            // A write that never reaches the handler (the channel closed meanwhile) fails here.
            let written = channel.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenFailure { command.fail($0) }
            channel.write(command, promise: written)
        }
        channel.flush()
    }

    fileprivate static func format(_ arguments: [[UInt8]], allocator: ByteBufferAllocator) -> ByteBuffer {
        var target: UnsafeMutablePointer<CChar>?
        let length = arguments.withArgv { argc, argv, argvlen in redisFormatCommandArgv(&target, argc, argv, argvlen) }
        guard let target, length > 0 else { return allocator.buffer(capacity: 0) }
        defer { redisFreeCommand(target) }
        return target.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            allocator.buffer(bytes: UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }

    /// The current loop's connection, opened when there is none (or it closed).
    private func channel() async throws -> any Channel {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? group.next()
        let (found, opening): (EventLoopFuture<any Channel>, (EventLoopPromise<any Channel>, Int)?) = connections.withLockedValue { state in
            if let entry = state.entries.first(where: { $0.loop === loop }) {
                switch entry.connection {
                case .ready(let channel): return (loop.makeSucceededFuture(channel), nil)
                case .connecting(let future): return (future, nil)
                }
            }
            state.generations += 1
            let promise = loop.makePromise(of: (any Channel).self)
            state.entries.append(Entry(loop: loop, connection: .connecting(promise.futureResult), generation: state.generations))
            return (promise.futureResult, (promise, state.generations))
        }
        // Opened outside the lock: its callbacks take the lock, and may run at once.
        if let (promise, generation) = opening { open(on: loop, generation: generation, into: promise) }
        do {
            return try await found.get()
        } catch {
            throw Self.connectionError(error, url: url)
        }
    }

    /// Why a connection could not be opened, as a `RedisError` (a refused AUTH or SELECT already is one).
    static func connectionError(_ error: any Error, url: RedisURL) -> RedisError {
        error as? RedisError ?? RedisError("cannot connect to \(url.host):\(url.port): \(error)")
    }

    private func open(on loop: any EventLoop, generation: Int, into promise: EventLoopPromise<any Channel>) {
        let opened = Self.connect(to: url, on: loop)
        opened.whenComplete { [connections] result in
            connections.withLockedValue { state in
                guard let index = state.entries.firstIndex(where: { $0.generation == generation }) else { return }
                switch result {
                case .success(let channel): state.entries[index].connection = .ready(channel)
                case .failure: state.entries.remove(at: index)
                }
            }
            // A closed connection is forgotten: the next command opens another.
            if case .success(let channel) = result {
                channel.closeFuture.whenComplete { _ in
                    connections.withLockedValue { $0.entries.removeAll { $0.generation == generation } }
                }
            }
        }
        opened.cascade(to: promise)
    }

    /// A new connection on `loop`, ready once AUTH and SELECT (when the URL asks) succeeded: they
    /// go first, before any command waiting for it.
    static func connect(to url: RedisURL, on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(RedisReplyHandler()) }
            }
            .connect(host: url.host, port: url.port)
            .flatMap { channel -> EventLoopFuture<any Channel> in
                let commands = url.handshake.map { RedisCommand($0, on: channel) }
                write(commands, to: channel)
                let replies = EventLoopFuture.whenAllSucceed(commands.map(\.reply.futureResult), on: channel.eventLoop)
                return replies.flatMapThrowing { values in
                    for case .error(let message) in values {
                        channel.close(promise: nil)
                        throw RedisError(message)
                    }
                    return channel
                }
            }
    }
}

/// One command on its way: its bytes and the promise its reply completes, once.
final class RedisCommand: @unchecked Sendable {
    // `done` is touched only on the channel's event loop (the handler, write promises).
    let bytes: ByteBuffer
    let reply: EventLoopPromise<RedisValue>
    /// How long its reply may take before the connection is given up.
    let timeout: TimeAmount
    private var done = false

    /// The command formatted for `channel`, its reply to come on the channel's loop.
    init(_ arguments: [[UInt8]], on channel: any Channel, timeout: TimeAmount = PipelinedRedis.replyTimeout) {
        bytes = PipelinedRedis.format(arguments, allocator: channel.allocator)
        reply = channel.eventLoop.makePromise()
        self.timeout = timeout
    }

    func succeed(_ value: RedisValue) {
        guard !done else { return }
        done = true
        reply.succeed(value)
    }

    func fail(_ error: any Error) {
        guard !done else { return }
        done = true
        reply.fail(error)
    }
}

/// Writes commands and matches the replies hiredis's reader parses to them in order (Redis
/// answers a connection's commands in the order it got them). A reply overdue by its
/// command's timeout, a protocol error or the connection's end fails every
/// command still waiting, and the connection closes.
final class RedisReplyHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisCommand
    typealias OutboundOut = ByteBuffer

    private let reader: UnsafeMutablePointer<redisReader>
    private var waiting = CircularBuffer<(command: RedisCommand, deadline: NIODeadline)>()
    private var timer: Scheduled<Void>?
    private var failure: RedisError?
    /// A flush asked for in this turn of the loop, not yet done: the commands that other tasks
    /// write meanwhile go with it. A flush per command cost a write(2) and a Redis wake-up each
    /// (the edges' biggest cost in bench/fanout.py's overload run, two rooms replicas).
    private var flushQueued = false

    init() { reader = redisReaderCreate() }

    deinit { redisReaderFree(reader) }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let command = unwrapOutboundIn(data)
        if let failure {
            promise?.fail(failure)
            return
        }
        waiting.append((command, .now() + command.timeout))
        if timer == nil { armTimer(context: context) }
        context.write(wrapOutboundOut(command.bytes), promise: promise)
    }

    /// Flushes once the tasks queued on the loop now have run: the socket is written once for
    /// every command they sent.
    func flush(context: ChannelHandlerContext) {
        guard !flushQueued else { return }
        flushQueued = true
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let context = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.value.eventLoop.execute {
            handler.value.flushQueued = false
            context.value.flush()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let fed = buffer.withUnsafeReadableBytes { bytes in
            redisReaderFeed(reader, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard fed == REDIS_OK else { return failAll(context: context, RedisError("Redis protocol error: \(readerError)")) }
        while true {
            var raw: UnsafeMutableRawPointer?
            guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
                return failAll(context: context, RedisError("Redis protocol error: \(readerError)"))
            }
            guard let raw else { return }
            let value = Hiredis.copy(raw.assumingMemoryBound(to: redisReply.self))
            freeReplyObject(raw)
            guard let next = waiting.popFirst() else {
                return failAll(context: context, RedisError("Redis sent a reply to no command"))
            }
            next.command.succeed(value)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(context: nil, failure ?? RedisError("the Redis connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(context: context, RedisError("Redis connection failed: \(error)"))
    }

    private var readerError: String {
        withUnsafeBytes(of: reader.pointee.errstr) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }

    private func armTimer(context: ChannelHandlerContext) {
        guard let first = waiting.first else {
            timer = nil
            return
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let context = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.value.eventLoop.scheduleTask(deadline: first.deadline) {
            handler.value.timerFired(context: context.value)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        if let first = waiting.first, first.deadline <= .now() {
            return failAll(context: context, RedisError("no reply from Redis in \(first.command.timeout.nanoseconds / 1_000_000_000) s"))
        }
        armTimer(context: context)
    }

    /// Fails every waiting command and closes the connection (when still open).
    private func failAll(context: ChannelHandlerContext?, _ error: RedisError) {
        if failure == nil { failure = error }
        timer?.cancel()
        timer = nil
        while let next = waiting.popFirst() { next.command.fail(error) }
        context?.close(promise: nil)
    }
}
