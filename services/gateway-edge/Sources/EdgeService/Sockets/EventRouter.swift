import AgentIMBus
import AgentIMCore
import AgentIMRuntime
import Foundation
import ServiceLifecycle

/// Follows the bus and delivers to this edge's sockets (websocket §9): deliveries to client
/// sockets in sequence (asking catch-up to fill a gap), to gateway sockets, and workspace
/// answers to whoever asked here; control events revoke, evict and release.
struct EventRouter: Sendable {
    let runtime: Runtime
    let clients: ClientSockets
    let gateways: GatewaySockets
    let messageCounter = MessageCounter()

    /// The two followers, `events` and `control`, run as the edge's background services.
    var followers: [any Service] {
        [
            EventFollower.batched(bus: runtime.bus, stream: BusStream.events, logger: runtime.logger) { entries in
                await route(entries.compactMap { Delivery.decode($0.payload) })
            },
            EventFollower(bus: runtime.bus, stream: BusStream.control, logger: runtime.logger) { entry in
                guard let event = try? JSONDecoder().decode(ControlEvent.self, from: entry.payload) else { return }
                await apply(event)
            },
        ]
    }

    /// One read's deliveries, in order. Those to client sockets go to the registry together, in
    /// one turn, so each socket is flushed once for all of them; a workspace answer, sent to
    /// client sockets another way, first lets the ones before it go.
    func route(_ deliveries: [Delivery]) async {
        var toClients: [Delivery] = []
        for delivery in deliveries {
            switch delivery.audience {
            case .agent, .gateway:
                await gateways.registry.deliver(delivery.audience, frame: delivery.frame)
            case .workspaceRequest(let requestId):
                await deliver(toClients)
                toClients.removeAll()
                guard let asker = await gateways.workspaceRequests.take(requestId) else { continue }
                await clients.registry.send(toUser: asker.userId, joined: asker.roomId, delivery.frame)
            default:
                messageCounter.count(delivery)
                toClients.append(delivery)
            }
        }
        await deliver(toClients)
    }

    private func deliver(_ deliveries: [Delivery]) async {
        guard !deliveries.isEmpty else { return }
        for gap in await clients.registry.deliver(deliveries) { clients.catchUp.fill(gap) }
    }

    func apply(_ event: ControlEvent) async {
        switch event {
        case .tokensRevoked(let userId, _):
            await clients.registry.revoke(userId: userId)
            await gateways.registry.revoke(userId: userId)
        case .evicted(let roomId, let userId): await clients.registry.evict(userId: userId, room: roomId)
        case .agentBound(let agentId, let socket):
            await gateways.registry.release(agentId, unless: socket.node == runtime.nodeId ? socket.socket : nil)
        case .membershipChanged: await gateways.registry.forgetPlacements()
        default: break
        }
    }
}
