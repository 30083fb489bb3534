import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Two HTTP/1.1 connection rules the framework leaves to us, both as nginx behaves:
/// a client that hangs up (EOF) while its request is in flight is gone — the connection is
/// closed, which cancels the upstream request waiting on it; and a response that says
/// `Connection: close` (a 413 mid-upload) closes the connection once written, instead of
/// draining the rest of an unwanted body.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var inFlight = 0
    private var closeAfterResponse = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { inFlight += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headerFields[.connection]?.lowercased() == "close" { closeAfterResponse = true }
        case .end:
            inFlight = max(0, inFlight - 1)
            if closeAfterResponse {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
                return
            }
        case .body:
            break
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed, inFlight > 0 {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// The connection a request arrived on, so that work done for it (an upstream request)
/// stops when the client goes away. One per connection, reached through a task-local.
final class ClientConnection: Sendable {
    @TaskLocal static var current: ClientConnection?

    private struct State {
        var closed = false
        var nextToken = 0
        var onClose: [Int: @Sendable () -> Void] = [:]
    }
    private let state = NIOLockedValueBox(State())

    init(closeFuture: EventLoopFuture<Void>) {
        closeFuture.whenComplete { _ in self.closed() }
    }

    var isClosed: Bool { state.withLockedValue { $0.closed } }

    /// Runs `action` when the connection closes (at once if it already has); returns a token
    /// for `cancel`, or nil when it already ran.
    func onClose(_ action: @escaping @Sendable () -> Void) -> Int? {
        let token: Int? = state.withLockedValue { state in
            guard !state.closed else { return nil }
            state.nextToken += 1
            state.onClose[state.nextToken] = action
            return state.nextToken
        }
        if token == nil { action() }
        return token
    }

    func cancel(_ token: Int?) {
        guard let token else { return }
        _ = state.withLockedValue { $0.onClose.removeValue(forKey: token) }
    }

    private func closed() {
        let actions = state.withLockedValue { state in
            state.closed = true
            defer { state.onClose = [:] }
            return Array(state.onClose.values)
        }
        for action in actions { action() }
    }
}

/// Ignores upgrades other than WebSocket (RFC 9110 §7.8 lets a server do so), so that for
/// instance `curl --http2`'s `Upgrade: h2c` gets its answer over HTTP/1.1: the upgrade
/// handler would otherwise swallow the request. It sits before the upgrade handler, which
/// only ever judges a connection's first request, and leaves with that request's head.
final class ForeignUpgradeFilter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        defer { context.pipeline.syncOperations.removeHandler(context: context, promise: nil) }
        guard head.headers.contains(name: "upgrade"),
              !head.headers[canonicalForm: "upgrade"].contains(where: { $0.lowercased() == "websocket" }) else {
            return context.fireChannelRead(data)
        }
        let connection = head.headers[canonicalForm: "connection"].filter {
            let token = $0.lowercased()
            return token != "upgrade" && token != "http2-settings"
        }
        head.headers.remove(name: "upgrade")
        head.headers.remove(name: "http2-settings")
        head.headers.remove(name: "connection")
        if !connection.isEmpty { head.headers.add(name: "connection", value: connection.joined(separator: ", ")) }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }
}

/// Bounds a connection's set-up: the TLS handshake, the first bytes that pick the protocol and
/// an HTTP/1.1 connection's first request must all arrive within `timeout` (nginx's
/// `client_header_timeout`), or the connection is closed; a shutdown closes it at once. After
/// that the protocol's own idle timeouts apply, and this handler leaves.
final class SetupGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) { loopBound.value.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The connection is set up: the guard steps aside.
    static func release(from channel: any Channel) {
        channel.eventLoop.execute {
            if let guardHandler = try? channel.pipeline.syncOperations.handler(type: SetupGuard.self) {
                channel.pipeline.syncOperations.removeHandler(guardHandler, promise: nil)
            }
        }
    }
}
