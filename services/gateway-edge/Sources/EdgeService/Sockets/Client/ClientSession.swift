import AgentIMBus
import AgentIMCore
import AgentIMRuntime
import AgentIMTokens
import Foundation
import Logging
import NIOCore
import WSCore

/// One `/ws/client` connection from open to close (websocket §2–§5): auth with its
/// attempt limiter and 5 s timer, the inbound pipeline, and the hand-off of work to the
/// rooms service over the bus. Frames of one socket are handled in arrival order, by
/// `FrameSocketHandler`: no task is held for an idle socket.
struct ClientSession: FrameSession {
    let clients: ClientSockets
    /// Agent and gateway requests of this socket go to the gateway side.
    let gateways: GatewaySockets
    let id = Nanoid.make()
    /// Everything this socket sends goes through here, straight to its channel.
    private let outbox: SocketOutbox
    private let state = State()

    init(clients: ClientSockets, gateways: GatewaySockets, outbox: SocketOutbox) {
        self.clients = clients
        self.gateways = gateways
        self.outbox = outbox
    }

    private var runtime: Runtime { clients.runtime }

    private final class State: @unchecked Sendable {
        // Touched only by the session's reader loop (and read once by the auth timer).
        var user: AuthenticatedUser?
        var authAttempts = 0
        var lastAttempt: ContinuousClock.Instant?
        let lock = NSLock()
        var isAuthenticated: Bool { lock.withLock { user != nil } }
    }

    func goAway() {
        outbox.send(.text(ServerFrame.error(code: "SERVER_SHUTDOWN", message: "Server is shutting down")))
        outbox.send(.close(code: 1001, reason: "Server is shutting down"))
    }

    var authTimeoutMs: Int { clients.authTimeoutMs }
    var isAuthenticated: Bool { state.isAuthenticated }

    func opened() async { await clients.registry.register(id, outbox: outbox) }

    func handle(_ text: String) async {
        let outbox = self.outbox
        await handle(text, state: state, send: { outbox.send($0) })
    }

    func closed() async { await clients.closed(id) }

    private func handle(_ text: String, state: State, send: @escaping @Sendable (Outgoing) -> Void) async {
        func fail(_ code: String, _ message: String) { send(.text(ServerFrame.error(code: code, message: message))) }
        let frame: ClientFrame
        do {
            frame = try ClientFrame.parse(text, maxLength: clients.runtime.settings.int("ws.maxMessageSize"))
        } catch {
            return fail(error.code, error.message)
        }
        clients.inbound.increment()
        switch frame {
        case .ping(let ts):
            return send(.text(ServerFrame.pong(ts: ts)))
        case .auth(let token, let protocolVersion):
            return await authenticate(token: token, protocolVersion: protocolVersion, state: state, send: send)
        default:
            break
        }
        guard let user = state.lock.withLock({ state.user }) else {
            return fail("NOT_AUTHENTICATED", "Please authenticate first")
        }
        // A chat send is counted where it is appended (one round trip for both).
        let countedLater: Bool
        if case .sendMessage = frame { countedLater = true } else { countedLater = false }
        if !countedLater, !(await clients.allowFrame(from: user.id)) {
            return fail("RATE_LIMITED", "Too many messages, please slow down")
        }
        let agentRequests = ClientAgentRequests(clients: clients, gateways: gateways, socket: id, user: user, send: send)
        // One span per frame (a no-op without tracing): the root of the trace a `client:send_message` starts.
        await Traces.span(frame.type, kind: .server) {
            do {
                switch frame {
                case .joinRoom(let roomId, let lastSeq):
                    let info = try await clients.rooms.accessInfo(user.id, roomId)
                    switch info.access {
                    case "creator", "member":
                        try await clients.catchUp.join(socket: id, room: roomId, lastSeq: lastSeq, latestSeq: info.lastSeq)
                        // Approvals the room is still waiting on, for a socket that joins late (websocket §12).
                        for pending in try await gateways.agents?.pendingPermissions(roomId) ?? [] { send(.text(pending)) }
                    case "missing": fail("ROOM_NOT_FOUND", "Room not found")
                    default: fail("NOT_A_MEMBER", "Not a member of this room")
                    }
                case .leaveRoom(let roomId):
                    await clients.registry.leave(id, room: roomId)
                case .sendMessage(let message):
                    // The rooms service is behind by more than it may be: refused, not queued
                    // (and counted, as every frame past authentication is).
                    if clients.roomsBacklog.isFull {
                        _ = await clients.allowFrame(from: user.id)
                        fail("RATE_LIMITED", "Too many messages, please slow down")
                        break
                    }
                    let command = RoomsCommand.sendMessage(.init(
                        commandId: Nanoid.make(), origin: SocketAddress(node: runtime.nodeId, socket: id), userId: user.id,
                        username: user.username, roomId: message.roomId, content: message.content, replyToId: message.replyToId,
                        attachmentIds: message.attachmentIds, clientMessageId: message.clientMessageId))
                    guard try await clients.countThenAppendSend(from: user.id, command.busPayload()) else {
                        fail("RATE_LIMITED", "Too many messages, please slow down")
                        break
                    }
                    clients.roomsBacklog.noteSend()
                case .typing(let roomId):
                    try await clients.typing.typed(socket: id, user: user, room: roomId)
                case .refused(_, let reason):
                    if let reason { fail(reason.code, reason.message) }
                case .ping, .auth:
                    break
                default:
                    try await agentRequests.handle(frame)
                }
            } catch {
                runtime.logger.error("client frame \(frame.type) failed: \(error)")
                fail("INTERNAL_ERROR", "An internal error occurred")
            }
        }
    }

    /// `client:auth` (websocket §2.3), steps in order; the first failure answers.
    private func authenticate(token: String, protocolVersion: String?, state: State, send: @Sendable (Outgoing) -> Void) async {
        func result(_ ok: Bool, error: String? = nil, userId: String? = nil) {
            send(.text(ServerFrame.authResult(ok: ok, error: error, userId: userId)))
        }
        let now = ContinuousClock.now
        let attempt = state.authAttempts + 1
        state.authAttempts = attempt
        if attempt >= 6 {
            result(false, error: "Too many authentication attempts")
            return send(.close(code: 1008, reason: "Too many authentication attempts"))
        }
        if let last = state.lastAttempt, attempt > 1 {
            let wait = Duration.milliseconds(200 * (1 << (attempt - 2)))
            if now - last < wait {
                state.lastAttempt = now
                return result(false, error: "Too many authentication attempts, please wait")
            }
        }
        state.lastAttempt = now
        let user: AuthenticatedUser
        do {
            user = try await runtime.tokens.verifyAccess(token)
        } catch .wrongType {
            return result(false, error: "Invalid token type")
        } catch .revoked {
            return result(false, error: "Token revoked")
        } catch {
            return result(false, error: "Invalid token")
        }
        if let protocolVersion, protocolVersion != "1" {
            send(.text(ServerFrame.error(code: "PROTOCOL_VERSION_MISMATCH",
                                         message: "Protocol version mismatch: server speaks 1, client sent \(protocolVersion)")))
            return send(.close(code: 1008, reason: "Protocol version mismatch"))
        }
        // The caps are checked and the socket bound in one step, so racing sockets cannot overshoot.
        let first: Bool
        switch await clients.registry.authenticate(id, userId: user.id, username: user.username,
                                                   perUser: clients.runtime.settings.int("ws.maxConnectionsPerUser"),
                                                   total: clients.runtime.settings.int("ws.maxTotalConnections")) {
        case .tooManyForUser: return result(false, error: "Too many connections")
        case .atCapacity: return result(false, error: "Server at capacity")
        case .admitted(let firstOfUser): first = firstOfUser
        }
        state.lock.withLock { state.user = user }
        if first { await clients.presenceLease.arrived(user.id) }
        await clients.registry.welcome(id, .text(ServerFrame.authResult(ok: true, error: nil, userId: user.id)))
        if first { await clients.presence.cameOnline(user) }
    }
}
