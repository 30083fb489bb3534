import AgentIMCore
import AgentIMRuntime
import Logging
import ServiceLifecycle
import Synchronization

/// This edge's share of the `PresenceBoard`: a user's lease is granted with their first socket
/// here, dropped with the last, and renewed while they stay (so a crashed edge's users fall
/// away when the lease runs out). The registry is the truth: a renewal drops users it no
/// longer holds, which also mends a grant and a release that raced each other.
final class PresenceLease: Service, Sendable {
    let registry: ClientRegistry
    let board: PresenceBoard
    let node: String
    let logger: Logger
    private let users = Mutex<Set<String>>([])

    init(registry: ClientRegistry, runtime: Runtime) {
        self.registry = registry
        board = PresenceBoard.of(runtime)
        node = runtime.nodeId
        logger = runtime.logger
    }

    func arrived(_ userId: String) async {
        users.withLock { _ = $0.insert(userId) }
        do { try await board.hold([userId], node: node) } catch { logger.warning("presence lease for \(userId) not granted: \(error)") }
    }

    func left(_ userId: String) async {
        users.withLock { _ = $0.remove(userId) }
        do { try await board.release(userId, node: node) } catch { logger.warning("presence lease for \(userId) not released: \(error)") }
    }

    /// Renews the leases every third of their life.
    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await LoopSleep.for(.milliseconds(PresenceBoard.leaseMs / 3)) }
            guard !Task.isCancelled && !Task.isShuttingDownGracefully else { return }
            var held: [String] = []
            for user in users.withLock({ Array($0) }) {
                if await registry.connections(of: user) > 0 { held.append(user) } else { await left(user) }
            }
            do { try await board.hold(held, node: node) } catch { logger.warning("presence leases not renewed: \(error)") }
        }
    }
}
