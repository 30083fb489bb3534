import AgentIMCore
import AsyncHTTPClient

/// What the edge asks the rooms service, and must hear back, about gateways and agents:
/// the gateway row at auth, an agent's registration, where an agent may stream, and the
/// approvals a room is waiting on. Everything that needs no answer travels on the bus.
public struct AgentsDirectory: Sendable {
    let gatewayConnected: @Sendable (GatewayLogin) async throws -> GatewayAdmission
    let registerAgent: @Sendable (AgentRegistrationRequest) async throws -> AgentRegistration
    let placement: @Sendable (_ agentId: String) async throws -> AgentPlacement?
    /// Rendered `server:permission_request` frames still pending in a room, for a late joiner.
    let pendingPermissions: @Sendable (_ roomId: String) async throws -> [String]
    /// Whether the gateway belongs to the user and has a live socket somewhere.
    let gatewayOnline: @Sendable (_ gatewayId: String, _ userId: String) async throws -> Bool

    public init(gatewayConnected: @escaping @Sendable (GatewayLogin) async throws -> GatewayAdmission,
                registerAgent: @escaping @Sendable (AgentRegistrationRequest) async throws -> AgentRegistration,
                placement: @escaping @Sendable (_ agentId: String) async throws -> AgentPlacement?,
                pendingPermissions: @escaping @Sendable (_ roomId: String) async throws -> [String],
                gatewayOnline: @escaping @Sendable (_ gatewayId: String, _ userId: String) async throws -> Bool) {
        self.gatewayOnline = gatewayOnline
        self.gatewayConnected = gatewayConnected
        self.registerAgent = registerAgent
        self.placement = placement
        self.pendingPermissions = pendingPermissions
    }

    static func remote(_ rooms: ServiceURL, client: HTTPClient) -> AgentsDirectory {
        let calls = InternalCalls(base: rooms, client: client)
        return AgentsDirectory(
            gatewayConnected: { login in
                try await calls.post("/internal/gateways/connect", body: login, as: GatewayAdmission.self) ?? GatewayAdmission(ok: false, error: "Authentication failed")
            },
            registerAgent: { registration in
                try await calls.post("/internal/agents/register", body: registration, as: AgentRegistration.self) ?? .foreign
            },
            placement: { agentId in
                try await calls.get("/internal/agents/\(InternalCalls.escape(agentId))/placement", as: AgentPlacement.self)
            },
            pendingPermissions: { roomId in
                try await calls.get("/internal/rooms/\(InternalCalls.escape(roomId))/permissions", as: [String].self) ?? []
            },
            gatewayOnline: { gatewayId, userId in
                try await calls.get("/internal/gateways/\(InternalCalls.escape(gatewayId))/online/\(InternalCalls.escape(userId))", as: Bool.self) ?? false
            })
    }
}
