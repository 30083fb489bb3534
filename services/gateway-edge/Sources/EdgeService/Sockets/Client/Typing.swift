import AgentIMCore
import AgentIMRuntime
import AgentIMTokens

/// `server:typing` (websocket §13.1): at most one notice per user and room a second, to the
/// room's other sockets; a closing socket's rooms get one more, so the indicator clears.
struct Typing: Sendable {
    let registry: ClientRegistry
    let runtime: Runtime
    let debounce = FixedWindows()

    func typed(socket: String, user: AuthenticatedUser, room: String) async throws {
        guard await registry.isJoined(socket, room: room), debounce.hit("\(user.id):\(room)", window: .seconds(1), max: 1) else { return }
        try await runtime.deliver(Delivery(audience: .room(room, except: SocketAddress(node: runtime.nodeId, socket: socket)),
                                           frame: ServerFrame.typing(roomId: room, userId: user.id, username: user.username)))
    }

    func stopped(userId: String, username: String, rooms: Set<String>) async {
        for room in rooms {
            try? await runtime.deliver(Delivery(audience: .room(room), frame: ServerFrame.typing(roomId: room, userId: userId, username: username)))
        }
    }
}
