import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// A row of `service_agents`; `configEncrypted` is the envelope of the JSON config.
struct ServiceAgentRecord: Sendable {
    var id: String
    var name: String
    var type: String
    var category: String
    var description: String?
    var status: String
    var configEncrypted: String
    var avatarUrl: String?
    var createdById: String
    var createdAt: Date
    var updatedAt: Date
}

/// `ServiceAgent` of http-api §14 (never the stored config), plus `config` where shown.
struct ServiceAgentView: Encodable, Sendable {
    let record: ServiceAgentRecord
    var config: JSONValue? = nil

    enum CodingKeys: String, CodingKey {
        case id, name, type, category, description, status, avatarUrl, createdById, createdAt, updatedAt, config
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(record.id, forKey: .id)
        try c.encode(record.name, forKey: .name)
        try c.encode(record.type, forKey: .type)
        try c.encode(record.category, forKey: .category)
        try c.encode(record.description, forKey: .description)
        try c.encode(record.status, forKey: .status)
        try c.encode(record.avatarUrl, forKey: .avatarUrl)
        try c.encode(record.createdById, forKey: .createdById)
        try c.encode(Timestamp.format(record.createdAt), forKey: .createdAt)
        try c.encode(Timestamp.format(record.updatedAt), forKey: .updatedAt)
        try c.encodeIfPresent(config, forKey: .config)
    }
}

/// `service_agents` in PostgreSQL; the router service alone writes it.
struct ServiceAgentStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    static let columns = "id, name, type, category, description, status, config_encrypted, avatar_url, created_by_id, created_at, updated_at"
    typealias Row = (String, String, String, String, String?, String, String, String?, String, Date, Date)

    static func record(_ r: Row) -> ServiceAgentRecord {
        ServiceAgentRecord(id: r.0, name: r.1, type: r.2, category: r.3, description: r.4, status: r.5, configEncrypted: r.6,
                           avatarUrl: r.7, createdById: r.8, createdAt: r.9, updatedAt: r.10)
    }

    func all() async throws -> [ServiceAgentRecord] {
        try await collect(database.client.query("SELECT \(unescaped: Self.columns) FROM service_agents ORDER BY created_at, id", logger: logger))
    }

    func find(_ id: String) async throws -> ServiceAgentRecord? {
        try await collect(database.client.query("SELECT \(unescaped: Self.columns) FROM service_agents WHERE id = \(id)", logger: logger)).first
    }

    /// The active service agent called `name`, compared case-insensitively (websocket §11.7); the oldest wins a tie.
    func active(named name: String) async throws -> ServiceAgentRecord? {
        try await collect(database.client.query("""
            SELECT \(unescaped: Self.columns) FROM service_agents WHERE status = 'active' AND lower(name) = lower(\(name))
            ORDER BY created_at, id LIMIT 1
            """, logger: logger)).first
    }

    func insert(_ r: ServiceAgentRecord) async throws {
        try await database.client.query("""
            INSERT INTO service_agents (id, name, type, category, description, status, config_encrypted, avatar_url, created_by_id, created_at, updated_at)
            VALUES (\(r.id), \(r.name), \(r.type), \(r.category), \(r.description), \(r.status), \(r.configEncrypted), \(r.avatarUrl),
                    \(r.createdById), \(r.createdAt), \(r.updatedAt))
            """, logger: logger)
    }

    func update(_ r: ServiceAgentRecord) async throws {
        try await database.client.query("""
            UPDATE service_agents SET name = \(r.name), type = \(r.type), category = \(r.category), description = \(r.description),
                status = \(r.status), config_encrypted = \(r.configEncrypted), updated_at = \(r.updatedAt)
            WHERE id = \(r.id)
            """, logger: logger)
    }

    func delete(_ id: String) async throws {
        try await database.client.query("DELETE FROM service_agents WHERE id = \(id)", logger: logger)
    }

    private func collect(_ rows: PostgresRowSequence) async throws -> [ServiceAgentRecord] {
        var result: [ServiceAgentRecord] = []
        for try await row in rows.decode(Row.self) { result.append(Self.record(row)) }
        return result
    }
}
