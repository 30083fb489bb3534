import AgentIMCore
import AsyncHTTPClient
import Foundation
import NIOCore

/// What the edge asks the rooms service, and must hear back, about gateways and agents:
/// the gateway row at auth, an agent's registration, where an agent may stream, and the
/// approvals a room is waiting on. Everything that needs no answer travels on the bus.
public struct AgentsDirectory: Sendable {
    public struct GatewayLogin: Codable, Sendable {
        public var userId: String
        public var gatewayId: String
        public var deviceInfo: JSONValue
        public var ephemeral: Bool
        /// The user's other live gateway sockets on this edge, for the `maxGateways` cap.
        public var liveSockets: Int
        public init(userId: String, gatewayId: String, deviceInfo: JSONValue, ephemeral: Bool, liveSockets: Int) {
            self.userId = userId
            self.gatewayId = gatewayId
            self.deviceInfo = deviceInfo
            self.ephemeral = ephemeral
            self.liveSockets = liveSockets
        }
    }

    public struct Registration: Codable, Sendable {
        public var userId: String
        public var gatewayId: String
        public var agent: JSONValue
        public init(userId: String, gatewayId: String, agent: JSONValue) {
            self.userId = userId
            self.gatewayId = gatewayId
            self.agent = agent
        }
    }

    let gatewayConnected: @Sendable (GatewayLogin) async throws -> GatewayAdmission
    let registerAgent: @Sendable (Registration) async throws -> AgentRegistration
    let placement: @Sendable (_ agentId: String) async throws -> AgentPlacement?
    /// Rendered `server:permission_request` frames still pending in a room, for a late joiner.
    let pendingPermissions: @Sendable (_ roomId: String) async throws -> [String]
    /// Whether the gateway belongs to the user and has a live socket somewhere.
    let gatewayOnline: @Sendable (_ gatewayId: String, _ userId: String) async throws -> Bool

    public init(gatewayConnected: @escaping @Sendable (GatewayLogin) async throws -> GatewayAdmission,
                registerAgent: @escaping @Sendable (Registration) async throws -> AgentRegistration,
                placement: @escaping @Sendable (_ agentId: String) async throws -> AgentPlacement?,
                pendingPermissions: @escaping @Sendable (_ roomId: String) async throws -> [String],
                gatewayOnline: @escaping @Sendable (_ gatewayId: String, _ userId: String) async throws -> Bool) {
        self.gatewayOnline = gatewayOnline
        self.gatewayConnected = gatewayConnected
        self.registerAgent = registerAgent
        self.placement = placement
        self.pendingPermissions = pendingPermissions
    }

    struct Optional<T: Decodable>: Decodable { var data: T? }

    static func remote(_ rooms: ServiceURL, client: HTTPClient) -> AgentsDirectory {
        @Sendable func call<T: Decodable>(_ path: String, body: (some Encodable)?, as type: T.Type) async throws -> T? {
            var request = HTTPClientRequest(url: rooms.base + path)
            if let body {
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
            }
            let response = try await client.execute(request, timeout: .seconds(10))
            let bytes = try await response.body.collect(upTo: 16 << 20)
            guard response.status == .ok else { throw APIError(502, "rooms service answered \(response.status.code)") }
            return try JSONDecoder().decode(Optional<T>.self, from: Data(buffer: bytes)).data
        }
        let none: String? = nil
        return AgentsDirectory(
            gatewayConnected: { login in
                try await call("/internal/gateways/connect", body: login, as: GatewayAdmission.self) ?? GatewayAdmission(ok: false, error: "Authentication failed")
            },
            registerAgent: { registration in
                try await call("/internal/agents/register", body: registration, as: AgentRegistration.self) ?? .foreign
            },
            placement: { agentId in
                try await call("/internal/agents/\(RoomsDirectory.escape(agentId))/placement", body: none, as: AgentPlacement.self)
            },
            pendingPermissions: { roomId in
                try await call("/internal/rooms/\(RoomsDirectory.escape(roomId))/permissions", body: none, as: [String].self) ?? []
            },
            gatewayOnline: { gatewayId, userId in
                try await call("/internal/gateways/\(RoomsDirectory.escape(gatewayId))/online/\(RoomsDirectory.escape(userId))", body: none, as: Bool.self) ?? false
            })
    }
}
