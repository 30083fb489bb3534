import AgentIMCore
import AgentIMHTTP
import Foundation
import PostgresNIO

/// The `gateways` side of `AgentStore`, and the agent changes made over REST.
extension AgentStore {
    /// A gateway as `GET /api/agents/gateways/list` shows it (http-api §8.7): unset columns as null.
    struct Gateway: Encodable, Sendable {
        var id: String
        var userId: String
        var name: String
        var hostname: Nullable<String>
        var platform: Nullable<String>
        var arch: Nullable<String>
        var nodeVersion: Nullable<String>
        var connectedAt: Nullable<String>
        var disconnectedAt: Nullable<String>
        var ephemeral: Bool
        var createdAt: String
        /// The web reads `gateway.deviceInfo.{platform,hostname}` (http-api §8.7 guidance): "" when unset.
        var deviceInfo: DeviceInfo
        struct DeviceInfo: Encodable, Sendable { var hostname, platform, arch, nodeVersion: String }
    }

    /// The user's lasting (not ephemeral) gateways, oldest first.
    func gateways(ownedBy userId: String) async throws -> [Gateway] {
        typealias Row = (String, String, String, String?, String?, String?, String?, Date?, Date?, Bool, Date)
        var gateways: [Gateway] = []
        for try await g in try await database.client.query("""
            SELECT id, user_id, name, hostname, platform, arch, node_version, connected_at, disconnected_at, ephemeral, created_at
            FROM gateways WHERE user_id = \(userId) AND ephemeral = false ORDER BY created_at, id
            """, logger: logger).decode(Row.self) {
            gateways.append(Gateway(
                id: g.0, userId: g.1, name: g.2, hostname: Nullable(g.3), platform: Nullable(g.4), arch: Nullable(g.5),
                nodeVersion: Nullable(g.6), connectedAt: Nullable(g.7.map(Timestamp.format)), disconnectedAt: Nullable(g.8.map(Timestamp.format)),
                ephemeral: g.9, createdAt: Timestamp.format(g.10),
                deviceInfo: .init(hostname: g.3 ?? "", platform: g.4 ?? "", arch: g.5 ?? "", nodeVersion: g.6 ?? "")))
        }
        return gateways
    }

    func gatewayOwner(_ gatewayId: String) async throws -> String? {
        for try await userId in try await database.client.query("SELECT user_id FROM gateways WHERE id = \(gatewayId)", logger: logger).decode(String.self) {
            return userId
        }
        return nil
    }

    /// Whether the gateway has a live socket (and, given `userId`, belongs to that user).
    func isGatewayOnline(_ gatewayId: String, userId: String? = nil) async throws -> Bool {
        let rows: PostgresRowSequence
        if let userId {
            rows = try await database.client.query("""
                SELECT 1 FROM gateways WHERE id = \(gatewayId) AND user_id = \(userId) AND disconnected_at IS NULL AND connected_at IS NOT NULL
                """, logger: logger)
        } else {
            rows = try await database.client.query("""
                SELECT 1 FROM gateways WHERE id = \(gatewayId) AND disconnected_at IS NULL AND connected_at IS NOT NULL
                """, logger: logger)
        }
        for try await _ in rows { return true }
        return false
    }

    /// Every agent offline and every gateway disconnected (a restarted single-process hub).
    func resetAfterRestart() async throws {
        try await database.client.query("UPDATE agents SET status = 'offline', updated_at = now() WHERE status <> 'offline'", logger: logger)
        try await database.client.query("UPDATE gateways SET disconnected_at = now() WHERE disconnected_at IS NULL", logger: logger)
    }

    /// `PUT /api/agents/:id`: only the given fields change.
    func update(_ id: String, name: String?, visibility: String?, visibilityList: [String]?) async throws {
        let listJSON = try visibilityList.map { try JSONCoding.encodeString($0) }
        try await database.client.query("""
            UPDATE agents SET name = COALESCE(\(name), name), visibility = COALESCE(\(visibility), visibility),
                visibility_list = COALESCE(\(listJSON)::jsonb, visibility_list), updated_at = now()
            WHERE id = \(id)
            """, logger: logger)
    }

    /// Deletes the agents and their memberships (and the gateway) in one transaction; `flagged`
    /// ids go into `deleted_agents`, bounded at 10,000 with the oldest evicted (§11.5).
    func delete(_ ids: [String], flagged: [String], gateway gatewayId: String?) async throws {
        try await database.client.withTransaction(logger: logger) { tx in
            try await tx.query("DELETE FROM room_members WHERE member_type = 'agent' AND member_id = ANY(\(ids))", logger: logger)
            try await tx.query("DELETE FROM agents WHERE id = ANY(\(ids))", logger: logger)
            for id in flagged {
                try await tx.query("INSERT INTO deleted_agents (agent_id) VALUES (\(id)) ON CONFLICT DO NOTHING", logger: logger)
            }
            if let gatewayId { try await tx.query("DELETE FROM gateways WHERE id = \(gatewayId)", logger: logger) }
            try await tx.query("""
                DELETE FROM deleted_agents WHERE agent_id IN (SELECT agent_id FROM deleted_agents ORDER BY deleted_at DESC OFFSET 10000)
                """, logger: logger)
        }
    }

    // MARK: gateway sign-in and agent registration (websocket §2.4, §11.5)

    /// The user's own gateway cap (`users.max_gateways`), nil when unset.
    func gatewayCap(userId: String) async throws -> Int? {
        for try await value in try await database.client.query("SELECT max_gateways FROM users WHERE id = \(userId)", logger: logger).decode(Int?.self) {
            return value
        }
        return nil
    }

    /// Stores a signed-in gateway (or marks it connected again); false when the id belongs to another user.
    func connectGateway(id: String, userId: String, hostname: String, platform: String?, arch: String?, nodeVersion: String?,
                        ephemeral: Bool) async throws -> Bool {
        let rows = try await database.client.query("""
            INSERT INTO gateways (id, user_id, name, hostname, platform, arch, node_version, connected_at, disconnected_at, ephemeral, created_at)
            VALUES (\(id), \(userId), \(hostname), \(hostname), \(platform), \(arch), \(nodeVersion), now(), NULL, \(ephemeral), now())
            ON CONFLICT (id) DO UPDATE SET connected_at = now(), disconnected_at = NULL, hostname = EXCLUDED.hostname,
                platform = EXCLUDED.platform, arch = EXCLUDED.arch, node_version = EXCLUDED.node_version
            WHERE gateways.user_id = EXCLUDED.user_id
            RETURNING id
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// True (once) when the agent was deleted while its gateway was offline; the flag is then gone.
    func takeDeletedFlag(_ agentId: String) async throws -> Bool {
        for try await _ in try await database.client.query("DELETE FROM deleted_agents WHERE agent_id = \(agentId) RETURNING agent_id", logger: logger) {
            return true
        }
        return false
    }

    /// The columns a gateway reports for one of its agents (JSON columns as JSON text).
    struct Registration: Sendable {
        var id, name, type, gatewayId: String
        var workingDirectory: String?
        var capabilitiesJSON: String?
        var slashCommandsJSON: String?
        var mcpServersJSON: String?
        var model: String?
    }

    /// Stores the agent online; another online agent of the gateway with its name goes offline
    /// (a stale copy, §11.5 step 3).
    func register(_ agent: Registration) async throws {
        try await database.client.withTransaction(logger: logger) { tx in
            try await tx.query("""
                UPDATE agents SET status = 'offline' WHERE gateway_id = \(agent.gatewayId) AND name = \(agent.name) AND id <> \(agent.id) AND status = 'online'
                """, logger: logger)
            try await tx.query("""
                INSERT INTO agents (id, name, type, status, gateway_id, working_directory, capabilities, connection_type, slash_commands,
                                    mcp_servers, model, last_seen_at, created_at, updated_at)
                VALUES (\(agent.id), \(agent.name), \(agent.type), 'online', \(agent.gatewayId), \(agent.workingDirectory),
                        \(agent.capabilitiesJSON)::jsonb, 'cli', \(agent.slashCommandsJSON)::jsonb, \(agent.mcpServersJSON)::jsonb,
                        \(agent.model), now(), now(), now())
                ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, status = 'online',
                    working_directory = EXCLUDED.working_directory, capabilities = EXCLUDED.capabilities, connection_type = 'cli',
                    slash_commands = EXCLUDED.slash_commands, mcp_servers = EXCLUDED.mcp_servers, model = EXCLUDED.model,
                    last_seen_at = now(), updated_at = now(), queue_depth = 0
                """, logger: logger)
        }
    }

    /// Gateways disconnected for more than `days` days.
    func gatewaysOffline(forMoreThanDays days: Int) async throws -> [String] {
        var ids: [String] = []
        for try await id in try await database.client.query("""
            SELECT id FROM gateways WHERE disconnected_at IS NOT NULL AND disconnected_at < now() - (\(days)::int * interval '1 day')
            """, logger: logger).decode(String.self) {
            ids.append(id)
        }
        return ids
    }
}
