import AgentIMCore
import AgentIMDatabase
import AgentIMHTTP
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

/// `ServiceAgent` of http-api §14 (never the stored config), plus `config` where shown;
/// no description or avatar is `null`.
struct ServiceAgentView: Encodable, Sendable {
    var id: String
    var name: String
    var type: String
    var category: String
    var description: Nullable<String>
    var status: String
    var avatarUrl: Nullable<String>
    var createdById: String
    var createdAt: String
    var updatedAt: String
    var config: JSONValue?

    init(record: ServiceAgentRecord, config: JSONValue? = nil) {
        id = record.id
        name = record.name
        type = record.type
        category = record.category
        description = Nullable(record.description)
        status = record.status
        avatarUrl = Nullable(record.avatarUrl)
        createdById = record.createdById
        createdAt = Timestamp.format(record.createdAt)
        updatedAt = Timestamp.format(record.updatedAt)
        self.config = config
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
