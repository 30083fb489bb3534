import AgentIMCore
import AgentIMRuntime

/// What the edge asks the rooms service, and must hear back, about gateways and agents:
/// the gateway row at auth, an agent's registration, where an agent may stream, and the
/// approvals a room is waiting on. Everything that needs no answer travels on the bus.
public struct AgentsDirectory: Sendable {
    let calls: InternalClient

    public init(_ calls: InternalClient) { self.calls = calls }

    func gatewayConnected(_ login: GatewayLogin) async throws -> GatewayAdmission {
        try await calls.call(InternalRoutes.gatewayConnected, login)
    }

    func registerAgent(_ registration: AgentRegistrationRequest) async throws -> AgentRegistration {
        try await calls.call(InternalRoutes.registerAgent, registration)
    }

    func placement(_ agentId: String) async throws -> AgentPlacement? {
        try await calls.call(InternalRoutes.placement, AgentRef(agentId: agentId))
    }

    /// Rendered `server:permission_request` frames still pending in a room, for a late joiner.
    func pendingPermissions(_ roomId: String) async throws -> [String] {
        try await calls.call(InternalRoutes.pendingPermissions, RoomRef(roomId: roomId))
    }

    /// Whether the gateway belongs to the user and has a live socket somewhere.
    func gatewayOnline(_ gatewayId: String, _ userId: String) async throws -> Bool {
        try await calls.call(InternalRoutes.gatewayOnline, GatewayOwner(gatewayId: gatewayId, userId: userId))
    }
}
