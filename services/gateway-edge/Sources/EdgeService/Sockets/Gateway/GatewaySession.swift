import AgentIMCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import WSCore

/// One `/ws/gateway` connection, the `agentim` CLI's (websocket §2.2, §3.2, §6): the 5 s
/// auth timer, the gateway's frame limits, `gateway:ping` answered before and after auth,
/// and close 1008 for anything else before auth. What `gateway:auth` and the frames after
/// it do is `GatewayHandler`'s.
struct GatewaySession: SocketSession {
    /// Frames longer than this (UTF-16 units) get a `server:error` without a code (§3.2).
    /// Each frame's fields are checked once by `InboundGatewayFrame.parse`.
    static let maxFrameLength = 1_248_576

    /// The original's hard cap unless `ws.gatewayMessageSize` was stored by an admin or set
    /// through `MAX_GATEWAY_MESSAGE_SIZE`: its 262,144 default was never enforced, and
    /// enforcing it would refuse chunks the original's CLIs send (websocket §3.3).
    var maxFrameLength: Int {
        let settings = gateways.runtime.settings
        guard let definition = SettingsRegistry.definition("ws.gatewayMessageSize"), settings.resolve(definition).source != .default else {
            return Self.maxFrameLength
        }
        return settings.int("ws.gatewayMessageSize")
    }

    let gateways: GatewaySockets
    let socket: GatewaySocket
    private let outbox: AsyncStream<Outgoing>

    init(gateways: GatewaySockets) {
        self.gateways = gateways
        let (outbox, send) = AsyncStream.makeStream(of: Outgoing.self)
        self.outbox = outbox
        socket = GatewaySocket(id: Nanoid.make(), send: send)
    }

    func goAway() {
        socket.close(code: 1001, reason: "Server is shutting down")
    }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async throws {
        gateways.count.add(1)
        defer { gateways.count.add(-1) }
        let socket = self.socket
        let outcome = await SocketSessions.serve(
            inbound: inbound, outbound: outbound, outbox: outbox, send: socket.outbox, authTimeoutMs: gateways.authTimeoutMs,
            isAuthenticated: { socket.isAuthenticated }
        ) { text in
            await handle(text, logger: logger)
        }
        await gateways.handler?.closed(socket)
        try outcome.get()
    }

    private func handle(_ text: String, logger: Logger) async {
        // UTF-16 units never outnumber UTF-8 bytes (an O(1) count): most frames skip the UTF-16 count.
        let limit = maxFrameLength
        if text.utf8.count > limit, text.jsLength > limit {
            return socket.send(text: #"{"type":"server:error","message":"Message exceeds maximum size"}"#)
        }
        // Parsed once, without JSONDecoder (it was a fifth of the hub's time per relayed chunk).
        guard let value = JSONValue.parse(text),
              (try? value.checkShape()) != nil, let frame = InboundGatewayFrame.parse(value) else {
            return  // unparseable, too deep or wide, or not a gateway frame: dropped silently
        }
        gateways.inbound.increment()
        switch frame {
        case .ping(let ts):
            socket.send(text: ServerFrame.pong(ts: ts))
        case .malformed("gateway:ping"):
            return
        case .auth, .malformed("gateway:auth"):
            guard let handler = gateways.handler else {
                logger.warning("gateway:auth on socket \(socket.id): this edge has no agents directory")
                return
            }
            guard case .auth(let auth) = frame else { return }
            if await handler.authenticate(auth, on: socket) { socket.markAuthenticated() }
        default:
            guard socket.isAuthenticated, let handler = gateways.handler else {
                return socket.close(code: 1008, reason: "Not authenticated")
            }
            await handler.handle(frame, on: socket)
        }
    }
}

/// A `/ws/gateway` socket as the gateway handler sees it.
public struct GatewaySocket: Sendable {
    public let id: String
    let outbox: AsyncStream<Outgoing>.Continuation
    private let authenticated = NIOLockedValueBox(false)

    init(id: String, send: AsyncStream<Outgoing>.Continuation) {
        self.id = id
        self.outbox = send
    }

    public var isAuthenticated: Bool { authenticated.withLockedValue { $0 } }
    func markAuthenticated() { authenticated.withLockedValue { $0 = true } }

    public func send(text: String) { outbox.yield(.text(text)) }
    public func close(code: Int, reason: String) { outbox.yield(.close(code: code, reason: reason)) }
}
