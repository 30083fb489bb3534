import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// Keep-alive connections to the services for the proxy lane, like nginx's `keepalive`
/// upstream block: per event loop and service, so a client's request and its upstream
/// exchange run on one thread with no hop between them. Up to 256 idle per loop and service
/// (a busy HTTP/2 client alone keeps 100 streams in flight; below that, connections churn).
/// Idle connections close after 60 s; ones the service closed are skipped when taken.
final class UpstreamPool: Sendable {
    struct Key: Hashable {
        let loop: ObjectIdentifier
        let service: UpstreamTable.Service
    }

    static let maxIdle = 256
    static let idleTimeout = TimeAmount.seconds(60)

    private let idle = NIOLockedValueBox<[Key: [any Channel]]>([:])
    let connectTimeout: TimeAmount

    init(connectTimeout: TimeAmount = .seconds(5)) {
        self.connectTimeout = connectTimeout
    }

    /// An idle connection to `service` on `loop`, if one is still open.
    func take(_ service: UpstreamTable.Service, on loop: any EventLoop) -> (any Channel)? {
        let key = Key(loop: ObjectIdentifier(loop), service: service)
        while let channel = idle.withLockedValue({ $0[key]?.popLast() }) {
            if channel.isActive { return channel }
        }
        return nil
    }

    /// Parks a connection whose exchange ended cleanly; beyond the cap it is closed.
    func put(_ channel: any Channel, service: UpstreamTable.Service) {
        let key = Key(loop: ObjectIdentifier(channel.eventLoop), service: service)
        let parked = idle.withLockedValue { idle -> Bool in
            var list = idle[key] ?? []
            list.removeAll { !$0.isActive }
            guard list.count < Self.maxIdle else { return false }
            list.append(channel)
            idle[key] = list
            return true
        }
        if !parked { channel.close(promise: nil) }
    }

    /// A new connection on `loop`: NIO's HTTP/1.1 client codecs, then an `UpstreamHandler`
    /// (HTTP/1.1 parts as they are: no conversion to shared HTTP types and back).
    func connect(to address: ProxyLaneSettings.Address, on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(UpstreamHandler())
                }
            }
        // An address literal needs no resolver (nor its happy-eyeballs race) per connection.
        if let resolved = address.resolved { return bootstrap.connect(to: resolved) }
        return bootstrap.connect(host: address.host, port: address.port)
    }
}

/// The end of an upstream connection's pipeline: hands the service's answer to the lane's
/// exchange that owns the connection, holds reads while the client cannot take more
/// (back-pressure), and closes the connection when parked too long.
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// The exchange using this connection; nil while parked.
    weak var exchange: ProxyExchange?
    private var context: ChannelHandlerContext?
    private var paused = false
    private var readWanted = false
    private var idleTimer: Scheduled<Void>?

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
        idleTimer?.cancel()
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
        idleTimer?.cancel()
        idleTimer = nil
        pause(false)
        if exchange == nil, let context {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            idleTimer = context.eventLoop.scheduleTask(in: UpstreamPool.idleTimeout) { loopBound.value.close(promise: nil) }
        }
    }
}

extension UpstreamHandler {
    func send(_ part: HTTPClientRequestPart) {
        guard let context else { return }
        context.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() { context?.flush() }
}
