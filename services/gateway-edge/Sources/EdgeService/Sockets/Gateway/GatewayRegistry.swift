import AgentIMCore
import Foundation

/// The `/ws/gateway` sockets this edge holds and the agents bound to them (websocket §8.2):
/// a message for an agent goes to the socket that registered it most recently, on
/// whichever edge that is; a registration elsewhere releases the binding here.
actor GatewayRegistry {
    struct Socket {
        var outbox: AsyncStream<Outgoing>.Continuation
        var userId: String
        var gatewayId: String
        var agents: Set<String> = []
    }

    /// Where an agent may stream, as rooms last said, and since when.
    struct Placement {
        var name: String
        var rooms: Set<String>
        var fetched: ContinuousClock.Instant
    }

    private var sockets: [String: Socket] = [:]
    private var byAgent: [String: String] = [:]
    private var byGateway: [String: [String]] = [:]
    private var placements: [String: Placement] = [:]
    /// Bytes streamed per reply `messageId` (websocket §10.3 step 4).
    private var streamed: [String: Int] = [:]
    private var responses = AgentResponseClock()

    /// Sockets of a user, counted against `maxGateways`.
    func count(of userId: String) -> Int { sockets.values.filter { $0.userId == userId }.count }

    func add(_ id: String, outbox: AsyncStream<Outgoing>.Continuation, userId: String, gatewayId: String) {
        if let previous = sockets[id] { byGateway[previous.gatewayId]?.removeAll { $0 == id } }
        sockets[id] = Socket(outbox: outbox, userId: userId, gatewayId: gatewayId, agents: sockets[id]?.agents ?? [])
        byGateway[gatewayId, default: []].append(id)
    }

    func owner(of id: String) -> (userId: String, gatewayId: String)? {
        sockets[id].map { ($0.userId, $0.gatewayId) }
    }

    func bind(_ agentId: String, to id: String) {
        if let previous = byAgent[agentId], previous != id { sockets[previous]?.agents.remove(agentId) }
        byAgent[agentId] = id
        sockets[id]?.agents.insert(agentId)
        placements[agentId] = nil
    }

    /// Another socket (here or on another edge) registered the agent: let go of it.
    func release(_ agentId: String, unless id: String?) {
        guard let holder = byAgent[agentId], holder != id else { return }
        byAgent[agentId] = nil
        sockets[holder]?.agents.remove(agentId)
    }

    func unbind(_ agentId: String, from id: String) -> Bool {
        guard byAgent[agentId] == id else { return false }
        byAgent[agentId] = nil
        sockets[id]?.agents.remove(agentId)
        return true
    }

    func owns(_ id: String, agent agentId: String) -> Bool { byAgent[agentId] == id }

    func agents(of id: String) -> [String] { Array(sockets[id]?.agents ?? []) }

    /// Agents bound to this edge's live gateway sockets.
    var agentCount: Int { byAgent.count }

    /// Forgets the socket; returns the agents it still held.
    func remove(_ id: String) -> (agents: [String], userId: String, gatewayId: String)? {
        guard let socket = sockets.removeValue(forKey: id) else { return nil }
        byGateway[socket.gatewayId]?.removeAll { $0 == id }
        if byGateway[socket.gatewayId]?.isEmpty == true { byGateway[socket.gatewayId] = nil }
        var held: [String] = []
        for agentId in socket.agents where byAgent[agentId] == id {
            byAgent[agentId] = nil
            responses.forget(agentId: agentId)
            held.append(agentId)
        }
        return (held, socket.userId, socket.gatewayId)
    }

    func placement(_ agentId: String) -> Placement? { placements[agentId] }
    /// Room membership changed somewhere: ask rooms again before the next chunk.
    func forgetPlacements() { placements = [:] }
    func remember(_ agentId: String, _ placement: Placement) { placements[agentId] = placement }

    /// What a chunk may do, decided in one turn of the actor (it was four per chunk).
    enum ChunkAdmission {
        /// The agent is not this socket's, or rooms said lately it is not in the room: dropped.
        case drop
        /// Placement unknown or stale for this room: the handler asks rooms, then counts the chunk.
        case askRooms
        case tooLarge
        case relay(agentName: String)
    }

    /// A chunk's owner check, placement and reply budget (`stream(_:adding:limit:)`) at once.
    func admitChunk(socket id: String, agentId: String, roomId: String, messageId: String, length: Int, limit: Int,
                    now: ContinuousClock.Instant) -> ChunkAdmission {
        guard byAgent[agentId] == id else { return .drop }
        guard let known = placements[agentId] else { return .askRooms }
        guard known.rooms.contains(roomId) else { return now - known.fetched < .seconds(1) ? .drop : .askRooms }
        return stream(messageId, adding: length, limit: limit) ? .relay(agentName: known.name) : .tooLarge
    }

    /// Counts a chunk against its reply's 10 MiB budget; false (and the count reset) when over.
    func stream(_ messageId: String, adding length: Int, limit: Int) -> Bool {
        let total = (streamed[messageId] ?? 0) + length
        if total > limit {
            streamed[messageId] = nil
            return false
        }
        streamed[messageId] = total
        return true
    }

    func streamEnded(_ messageId: String) { streamed[messageId] = nil }

    /// The agent completed a reply in the room (its response time is observed).
    func completed(agentId: String, roomId: String) { responses.completed(agentId: agentId, roomId: roomId) }

    /// Delivers frames addressed to an agent or a gateway id held here.
    func deliver(_ audience: Audience, frame: String) {
        switch audience {
        case .agent(let agentId):
            if let id = byAgent[agentId], let socket = sockets[id] {
                socket.outbox.yield(.text(frame))
                responses.delivered(frame, to: agentId)
            }
        case .gateway(let gatewayId):
            if let id = byGateway[gatewayId]?.first { sockets[id]?.outbox.yield(.text(frame)) }
        default:
            break
        }
    }

    /// Closes every gateway socket of a revoked user with 1008, without a frame (websocket §15.4).
    func revoke(userId: String) {
        for (_, socket) in sockets where socket.userId == userId {
            socket.outbox.yield(.close(code: 1008, reason: "Session revoked"))
        }
    }

    func isOnline(gatewayId: String) -> Bool { !(byGateway[gatewayId]?.isEmpty ?? true) }
}
