import AgentIMCore
import AgentIMDatabase
import AgentIMHTTP
import Foundation
import Logging
import PostgresNIO

/// `gateways` and `agents` in PostgreSQL; rooms alone writes them (DESIGN "Ownership").
struct AgentStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    struct Agent: Sendable {
        var id, name, type, status, visibility: String
        var visibilityList: [String]
        var gatewayId: String
        var workingDirectory: String?
        var capabilities: [String]?
        var connectionType: String
        var slashCommands: JSONValue?
        var mcpServers: [String]?
        var model: String?
        var lastSeenAt: Date?
        var createdAt: Date
        var updatedAt: Date
        var queueDepth: Int
        /// Owner of the agent's gateway.
        var userId: String
        var device: (hostname: String?, platform: String?, arch: String?, nodeVersion: String?)?

        /// The REST `Agent` (http-api §16): nullable columns as null, optional lists omitted.
        func rest(ownerName: String? = nil) -> AgentView {
            var view = statusSubset
            view.visibility = visibility
            view.visibilityList = visibilityList
            view.gatewayId = gatewayId
            view.workingDirectory = Nullable(workingDirectory)
            view.capabilities = capabilities
            view.connectionType = connectionType
            view.lastSeenAt = Nullable(lastSeenAt.map(Timestamp.format))
            view.createdAt = Timestamp.format(createdAt)
            view.updatedAt = Timestamp.format(updatedAt)
            view.deviceInfo = device.map {
                AgentView.DeviceInfo(hostname: $0.hostname ?? "", platform: $0.platform ?? "", arch: $0.arch ?? "", nodeVersion: $0.nodeVersion ?? "")
            }
            view.ownerName = ownerName
            return view
        }

        /// `server:agent_status.agent` (websocket §4.4 subset).
        var statusSubset: AgentView {
            AgentView(id: id, name: name, type: type, status: status, slashCommands: slashCommands, mcpServers: mcpServers, model: model)
        }

        /// The full Agent of `server:agent_info` (websocket §4.4): the REST agent with its
        /// unset fields omitted rather than null. A JSON value, because the gateway's
        /// reported settings are merged into it.
        var info: JSONValue {
            var view = rest()
            if view.slashCommands == .null { view.slashCommands = nil }
            if workingDirectory == nil { view.workingDirectory = nil }
            if lastSeenAt == nil { view.lastSeenAt = nil }
            return view.json
        }
    }

    /// An agent as answers and frames show it; the status frame sets only the first fields,
    /// the REST answer all but `ownerName`, which only the shared listing adds.
    struct AgentView: Encodable, Sendable {
        struct DeviceInfo: Encodable, Sendable { var hostname, platform, arch, nodeVersion: String }

        var id, name, type, status: String
        var slashCommands: JSONValue?
        var mcpServers: [String]?
        var model: String?
        var visibility: String?
        var visibilityList: [String]?
        var gatewayId: String?
        var workingDirectory: Nullable<String>?
        var capabilities: [String]?
        var connectionType: String?
        var lastSeenAt: Nullable<String>?
        var createdAt: String?
        var updatedAt: String?
        var deviceInfo: DeviceInfo?
        var ownerName: String?

        /// This view as a JSON value, for the frame builders that take one.
        var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(self))) ?? .null }
    }

    static let columns = """
        a.id, a.name, a.type, a.status, a.visibility, a.visibility_list::text, a.gateway_id, a.working_directory, a.capabilities::text,
        a.connection_type, a.slash_commands::text, a.mcp_servers::text, a.model, a.last_seen_at, a.created_at, a.updated_at, a.queue_depth,
        g.user_id, g.hostname, g.platform, g.arch, g.node_version
        """
    static let from = "FROM agents a JOIN gateways g ON g.id = a.gateway_id"

    static func decode<T: Decodable>(_ text: String?, as: T.Type) -> T? {
        text.flatMap { try? JSONDecoder().decode(T.self, from: Data($0.utf8)) }
    }

    static func agents(_ rows: PostgresRowSequence) async throws -> [Agent] {
        var result: [Agent] = []
        typealias Head = (String, String, String, String, String, String, String, String?, String?, String?, String?)
        for try await row in rows {
            let c = row.makeRandomAccess()
            let head = try (c[0].decode(String.self), c[1].decode(String.self), c[2].decode(String.self), c[3].decode(String.self),
                            c[4].decode(String.self), c[5].decode(String.self), c[6].decode(String.self), c[7].decode(String?.self),
                            c[8].decode(String?.self), c[9].decode(String.self), c[10].decode(String?.self))
            let tail = try (c[11].decode(String?.self), c[12].decode(String?.self), c[13].decode(Date?.self), c[14].decode(Date.self),
                            c[15].decode(Date.self), c[16].decode(Int.self), c[17].decode(String.self), c[18].decode(String?.self),
                            c[19].decode(String?.self), c[20].decode(String?.self), c[21].decode(String?.self))
            result.append(Agent(
                id: head.0, name: head.1, type: head.2, status: head.3, visibility: head.4,
                visibilityList: decode(head.5, as: [String].self) ?? [], gatewayId: head.6, workingDirectory: head.7,
                capabilities: decode(head.8, as: [String].self), connectionType: head.9 ?? "cli",
                slashCommands: decode(head.10, as: JSONValue.self), mcpServers: decode(tail.0, as: [String].self), model: tail.1,
                lastSeenAt: tail.2, createdAt: tail.3, updatedAt: tail.4, queueDepth: tail.5, userId: tail.6,
                device: (tail.7, tail.8, tail.9, tail.10)))
        }
        return result
    }

    func find(_ id: String) async throws -> Agent? {
        try await Self.agents(database.client.query("SELECT \(unescaped: Self.columns) \(unescaped: Self.from) WHERE a.id = \(id)", logger: logger)).first
    }

    /// The agents a gateway registered.
    func agents(onGateway gatewayId: String) async throws -> [Agent] {
        try await Self.agents(database.client.query("SELECT \(unescaped: Self.columns) \(unescaped: Self.from) WHERE a.gateway_id = \(gatewayId)", logger: logger))
    }

    /// Agents on the user's gateways (http-api §8.1).
    func owned(by userId: String, limit: Int, offset: Int) async throws -> [Agent] {
        try await Self.agents(database.client.query("""
            SELECT \(unescaped: Self.columns) \(unescaped: Self.from) WHERE g.user_id = \(userId)
            ORDER BY a.created_at, a.id LIMIT \(limit) OFFSET \(offset)
            """, logger: logger))
    }

    /// Other users' agents that are not private (http-api §8.2), paged before the whitelist filter.
    func shared(excluding userId: String, limit: Int, offset: Int) async throws -> [(Agent, String?)] {
        let agents = try await Self.agents(database.client.query("""
            SELECT \(unescaped: Self.columns) \(unescaped: Self.from) WHERE g.user_id <> \(userId) AND a.visibility <> 'private'
            ORDER BY a.created_at, a.id LIMIT \(limit) OFFSET \(offset)
            """, logger: logger))
        var owners: [String: String] = [:]
        let ids = Array(Set(agents.map(\.userId)))
        if !ids.isEmpty {
            for try await (id, name) in try await database.client.query("SELECT id, display_name FROM users WHERE id = ANY(\(ids))", logger: logger).decode((String, String).self) {
                owners[id] = name
            }
        }
        return agents.filter { $0.visibility == "all" || $0.visibilityList.contains(userId) }.map { ($0, owners[$0.userId]) }
    }

    /// Agent members of a room, with their rows.
    func members(of roomId: String) async throws -> [Agent] {
        try await Self.agents(database.client.query("""
            SELECT \(unescaped: Self.columns) \(unescaped: Self.from)
            JOIN room_members rm ON rm.member_id = a.id AND rm.member_type = 'agent' WHERE rm.room_id = \(roomId)
            ORDER BY rm.joined_at, a.id
            """, logger: logger))
    }

    /// Rooms where the agent is an `agent` member.
    func rooms(of agentId: String) async throws -> [String] {
        var ids: [String] = []
        for try await id in try await database.client.query(
            "SELECT room_id FROM room_members WHERE member_id = \(agentId) AND member_type = 'agent'", logger: logger).decode(String.self) {
            ids.append(id)
        }
        return ids
    }

    func setStatus(_ agentIds: [String], status: String, queueDepth: Int? = nil) async throws {
        guard !agentIds.isEmpty else { return }
        if let queueDepth {
            try await database.client.query("""
                UPDATE agents SET status = \(status), queue_depth = \(queueDepth), last_seen_at = now(), updated_at = now() WHERE id = ANY(\(agentIds))
                """, logger: logger)
        } else {
            try await database.client.query("""
                UPDATE agents SET status = \(status), last_seen_at = now(), updated_at = now() WHERE id = ANY(\(agentIds))
                """, logger: logger)
        }
    }

    /// Agents whose gateway socket is gone are offline (websocket §15.2).
    func wentOffline(_ agentIds: [String]) async throws {
        guard !agentIds.isEmpty else { return }
        try await database.client.query("""
            UPDATE agents SET status = 'offline', queue_depth = 0, updated_at = now() WHERE id = ANY(\(agentIds))
            """, logger: logger)
    }

    func gatewayDisconnected(_ gatewayId: String) async throws {
        try await database.client.query("UPDATE gateways SET disconnected_at = now() WHERE id = \(gatewayId)", logger: logger)
    }
}
