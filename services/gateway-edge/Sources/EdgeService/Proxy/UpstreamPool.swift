import Glibc
import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// Keep-alive connections to the services for the proxy lane, like nginx's `keepalive`
/// upstream block: per event loop and service, so a client's request and its upstream
/// exchange run on one thread with no hop between them (see `LaneLoop`).
final class UpstreamPool: Sendable {
    /// Idle connections kept per loop and service. As many as requests in flight at a peak, or
    /// every burst pays for connecting again: with 256, h2 at 2,048 streams in flight closed and
    /// reopened connections all the time and did 15–16k req/s; with 1024, 21k. Idle ones close
    /// after `idleTimeout`.
    static let maxIdle = 1024
    static let idleTimeout = TimeAmount.seconds(60)

    private let loops = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBound<LaneLoop>]>([:])
    let connectTimeout: TimeAmount
    /// How often each loop looks for silent services and stale idle connections.
    let tick: TimeAmount

    /// `upstreamTimeout`: the longest silence from a service; deadlines are checked every
    /// quarter of it (at most every second), so a 504 comes at most a quarter late.
    init(upstreamTimeout: TimeAmount, connectTimeout: TimeAmount = .seconds(5)) {
        self.connectTimeout = connectTimeout
        tick = .nanoseconds(min(1_000_000_000, max(50_000_000, upstreamTimeout.nanoseconds / 4)))
    }

    /// This event loop's share of the pool; called on `loop`, once per client connection.
    func loop(_ loop: any EventLoop) -> LaneLoop {
        loops.withLockedValue { loops in
            if let state = loops[ObjectIdentifier(loop)] { return state.value }
            let state = LaneLoop(loop: loop, pool: self)
            loops[ObjectIdentifier(loop)] = NIOLoopBound(state, eventLoop: loop)
            return state
        }
    }

    /// A new connection on `loop`: NIO's HTTP/1.1 client codecs, then an `UpstreamHandler`
    /// (HTTP/1.1 parts as they are: no conversion to shared HTTP types and back). No outbound
    /// header validation: every header comes from a parsed client request or from the edge.
    func connect(to address: ProxyLaneSettings.Address, on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(HTTPRequestEncoder())
                    try pipeline.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
                    try pipeline.addHandler(UpstreamHandler())
                }
            }
        // An address literal needs no resolver (nor its happy-eyeballs race) per connection.
        if let resolved = address.resolved { return bootstrap.connect(to: resolved) }
        return bootstrap.connect(host: address.host, port: address.port)
    }
}

/// The lane's state on one event loop, touched only from that loop (so without locks): idle
/// connections per service, up to `maxIdle` each, and the exchanges waiting on a service.
/// One repeating tick closes connections idle for 60 s (or closed by the service) and times
/// out silent services, where a timer per exchange and per parked connection cost a heap
/// insert and a linear cancel on every request.
final class LaneLoop {
    private let pool: UpstreamPool
    /// Oldest first: `take` uses the most recent, the tick closes from the front.
    private var idle: [UpstreamTable.Service: CircularBuffer<(channel: any Channel, since: NIODeadline)>] = [:]
    private var waiting: [ObjectIdentifier: ProxyExchange] = [:]

    fileprivate init(loop: any EventLoop, pool: UpstreamPool) {
        self.pool = pool
        let loopBound = NIOLoopBound(self, eventLoop: loop)
        loop.scheduleRepeatedTask(initialDelay: pool.tick, delay: pool.tick) { _ in loopBound.value.sweep() }
    }

    /// An idle connection to `service`, if one is still open.
    func take(_ service: UpstreamTable.Service) -> (any Channel)? {
        while let parked = idle[service]?.popLast() {
            if parked.channel.isActive { return parked.channel }
        }
        return nil
    }

    /// Parks a connection whose exchange ended cleanly; beyond the cap it is closed.
    func put(_ channel: any Channel, service: UpstreamTable.Service) {
        guard idle[service, default: []].count < UpstreamPool.maxIdle else { return channel.close(promise: nil) }
        idle[service, default: []].append((channel, .now()))
    }

    /// A request id (12 characters of the nanoid alphabet), cut from one CSPRNG draw made for 64
    /// of them: glibc's arc4random_buf is a getrandom system call on every call, which was one
    /// system call more per proxied request.
    func requestId() -> String {
        if randomUsed + Self.idLength > random.count {
            random.withUnsafeMutableBytes { raw in arc4random_buf(raw.baseAddress!, raw.count) }
            randomUsed = 0
        }
        let start = randomUsed
        randomUsed += Self.idLength
        return String(unsafeUninitializedCapacity: Self.idLength) { out in
            for i in 0..<Self.idLength { out[i] = Self.alphabet[Int(random[start + i] & 63)] }
            return Self.idLength
        }
    }

    private static let idLength = 12
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".utf8)
    private var random = [UInt8](repeating: 0, count: 64 * 12)
    private var randomUsed = 64 * 12

    /// The exchange is waiting on its service: `checkSilence` is called every tick until `unwatch`.
    func watch(_ exchange: ProxyExchange) { waiting[ObjectIdentifier(exchange)] = exchange }
    func unwatch(_ exchange: ProxyExchange) { waiting[ObjectIdentifier(exchange)] = nil }

    private func sweep() {
        let now = NIODeadline.now()
        for exchange in Array(waiting.values) { exchange.checkSilence(now: now) }
        for service in Array(idle.keys) {
            while let oldest = idle[service]?.first, !oldest.channel.isActive || now - oldest.since >= UpstreamPool.idleTimeout {
                idle[service]?.removeFirst()
                oldest.channel.close(promise: nil)
            }
        }
    }
}

/// The end of an upstream connection's pipeline: hands the service's answer to the lane's
/// exchange that owns the connection, and holds reads while the client cannot take more
/// (back-pressure).
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// The exchange using this connection; nil while parked.
    weak var exchange: ProxyExchange?
    private var context: ChannelHandlerContext?
    private var paused = false
    private var readWanted = false

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        guard let exchange else {
            // An answer nobody asked for: the connection is out of step.
            context.close(promise: nil)
            return
        }
        exchange.upstreamRead(part)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.upstreamReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { exchange?.upstreamWritable() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        exchange?.upstreamClosed(error: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        exchange?.upstreamClosed(error: error)
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if paused { readWanted = true } else { context.read() }
    }

    /// Holds (true) or resumes (false) reading the service's answer.
    func pause(_ pause: Bool) {
        paused = pause
        if !pause, readWanted, let context {
            readWanted = false
            context.read()
        }
    }

    /// Taken by an exchange (or parked, with nil).
    func attach(_ exchange: ProxyExchange?) {
        self.exchange = exchange
        pause(false)
    }
}

extension UpstreamHandler {
    func send(_ part: HTTPClientRequestPart) {
        guard let context else { return }
        context.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() { context?.flush() }
}
