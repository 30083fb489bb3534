import AgentIMCore
import Logging
import NIOCore
import NIOWebSocket
import ServiceLifecycle
@_spi(WSInternal) import WSCore

/// Runs an upgraded connection as a `/ws/client` or `/ws/gateway` session.
///
/// On graceful shutdown each session says goodbye itself (websocket §15.4: client sockets
/// first get `server:error SERVER_SHUTDOWN`, then every socket is closed with 1001 going
/// away). The WebSocket library would close with 1000 at the same moment, racing the
/// notice, so the library runs shielded from the shutdown signal and the session decides.
public struct SocketSessions: Sendable {
    let hub: ClientHub

    public init(hub: ClientHub) { self.hub = hub }

    struct Context: WebSocketContext {
        let logger: Logger
    }

    /// A `/ws/gateway` socket (`/ws/client` sockets run on the event loop: `clientHandler`).
    func runGateway(socket: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, logger: Logger) async {
        let session: any SocketSession = GatewaySession(gateways: hub.gateways)
        let configuration = WebSocketHandler.Configuration(
            extensions: [], autoPing: .disabled, closeTimeout: .seconds(5), validateUTF8: true, maxFrameSize: SocketEndpoint.messageCap)
        let context = Context(logger: logger)
        await withGracefulShutdownHandler {
            let shielded = Task.detached {
                do {
                    _ = try await WebSocketHandler.handle(type: .server, configuration: configuration, asyncChannel: socket, context: context) {
                        inbound, outbound, context in
                        try await session.run(inbound: inbound, outbound: outbound, logger: context.logger)
                    }
                } catch {
                    logger.debug("socket ended: \(error)")
                }
            }
            await withTaskCancellationHandler {
                await shielded.value
            } onCancel: {
                shielded.cancel()
            }
        } onGracefulShutdown: {
            session.goAway()
        }
    }
}

extension SocketSessions {
    /// The end of an upgraded `/ws/client` pipeline (called on its event loop): a session
    /// driven by its frames, holding no task while idle.
    func clientHandler(on channel: any Channel) -> FrameSocketHandler {
        let outbox = SocketOutbox(loop: channel.eventLoop)
        let session = ClientSession(clients: hub.clients, gateways: hub.gateways, outbox: outbox)
        return FrameSocketHandler(session: session, outbox: outbox, maxMessageSize: SocketEndpoint.messageCap)
    }
}

extension SocketSessions {
    /// The life of a socket of either endpoint: one task writes what the session queued, in
    /// order; the 5 s auth timer closes with 4001 (websocket §2.2); the reader hands each
    /// message to `handle` in arrival order. Returns how reading ended: a transport error
    /// (too large, bad UTF-8) is thrown on by the session so the socket closes with its code.
    ///
    /// When reading ends, the writer first drains what is queued (up to `drainTimeout`): a close
    /// the session decided (1008 for a frame before gateway auth) must reach the peer even when
    /// the next frame broke the transport (invalid UTF-8); cancelled mid-write, that close was
    /// lost, the library's own close was then refused as a second one, and the peer saw no close
    /// frame at all, only the connection dropped 5 s later (found by Tests/fuzz).
    static func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, outbox: AsyncStream<Outgoing>,
                      send: AsyncStream<Outgoing>.Continuation, authTimeoutMs: Int, isAuthenticated: @escaping @Sendable () -> Bool,
                      drainTimeout: Duration = .seconds(2), handle: (String) async -> Void) async -> Result<Void, any Error> {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await Outgoing.write(outbox, to: outbound) }
            let authTimer = Task {
                try? await LoopSleep.for(.milliseconds(authTimeoutMs))
                if !Task.isCancelled, !isAuthenticated() { send.yield(.close(code: 4001, reason: "Authentication timeout")) }
            }
            var outcome = Result<Void, any Error>.success(())
            do {
                for try await message in inbound.messages(maxSize: SocketEndpoint.messageCap) {
                    await handle(message.text)
                }
            } catch {
                outcome = .failure(error)
            }
            authTimer.cancel()
            send.finish()
            group.addTask { try? await LoopSleep.for(drainTimeout) }
            await group.next()  // the writer drained the outbox, or the drain deadline passed
            group.cancelAll()
            return outcome
        }
    }
}

/// What the edge needs from a WebSocket session of either endpoint.
protocol SocketSession: Sendable {
    /// Reads frames until the peer leaves; a transport error (too large, bad UTF-8) is
    /// thrown so that the socket closes with the matching code.
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async throws
    /// Graceful shutdown: tell the peer and close with 1001.
    func goAway()
}
