import AgentIMCore
import AgentIMRuntime
import AgentIMTokens

/// `server:presence` from this edge (websocket §13.2): online with a user's first socket,
/// offline when the last one closed and none came back within 2 s; each change announced once.
struct Presence: Sendable {
    let registry: ClientRegistry
    let runtime: Runtime
    let announced = Announced()

    func cameOnline(_ user: AuthenticatedUser) async {
        guard await announced.cameOnline(user.id) else { return }
        try? await runtime.deliver(Delivery(audience: .all, frame: ServerFrame.presence(userId: user.id, username: user.username, online: true)))
    }

    func lastSocketClosed(userId: String, username: String) {
        Task {
            try? await LoopSleep.for(.seconds(2))
            guard await registry.connections(of: userId) == 0, await announced.wentOffline(userId) else { return }
            try? await runtime.deliver(Delivery(audience: .all, frame: ServerFrame.presence(userId: userId, username: username, online: false)))
        }
    }

    /// Who this edge has announced online.
    actor Announced {
        private var online: Set<String> = []
        func cameOnline(_ userId: String) -> Bool { online.insert(userId).inserted }
        func wentOffline(_ userId: String) -> Bool { online.remove(userId) != nil }
    }
}
