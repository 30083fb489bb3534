import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `routers` in PostgreSQL; the router service alone writes it.
struct RouterStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    static let columns = """
        id, name, description, scope, created_by_id, llm_base_url, llm_api_key, llm_model, max_chain_depth,
        rate_limit_window, rate_limit_max, visibility, visibility_list::text, created_at, updated_at
        """
    typealias Row = (String, String, String?, String, String, String, String, String, Int, Int, Int, String, String, Date, Date)

    static func record(_ row: Row) -> RouterRecord {
        let list = (try? JSONDecoder().decode([String].self, from: Data(row.12.utf8))) ?? []
        return RouterRecord(id: row.0, name: row.1, description: row.2, scope: row.3, createdById: row.4, llmBaseUrl: row.5,
                            llmApiKey: row.6, llmModel: row.7, maxChainDepth: row.8, rateLimitWindow: row.9,
                            rateLimitMax: row.10, visibility: row.11, visibilityList: list, createdAt: row.13, updatedAt: row.14)
    }

    static func json(_ list: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(list)) ?? Data("[]".utf8), as: UTF8.self)
    }

    func find(_ id: String) async throws -> RouterRecord? {
        let rows = try await database.client.query("SELECT \(unescaped: Self.columns) FROM routers WHERE id = \(id)", logger: logger)
        for try await row in rows.decode(Row.self) { return Self.record(row) }
        return nil
    }

    /// Every router (admins), at most 500 as in the original.
    func all() async throws -> [RouterRecord] {
        try await collect(database.client.query("SELECT \(unescaped: Self.columns) FROM routers ORDER BY created_at, id LIMIT 500", logger: logger))
    }

    /// The caller's personal routers and every global one (visibility is filtered by the caller).
    func personalAndGlobal(of userId: String) async throws -> [RouterRecord] {
        let personal = try await collect(database.client.query("""
            SELECT \(unescaped: Self.columns) FROM routers WHERE scope = 'personal' AND created_by_id = \(userId)
            ORDER BY created_at, id LIMIT 500
            """, logger: logger))
        let global = try await collect(database.client.query("""
            SELECT \(unescaped: Self.columns) FROM routers WHERE scope = 'global' ORDER BY created_at, id LIMIT 500
            """, logger: logger))
        return personal + global
    }

    func insert(_ r: RouterRecord) async throws {
        try await database.client.query("""
            INSERT INTO routers (id, name, description, scope, created_by_id, llm_base_url, llm_api_key, llm_model,
                                 max_chain_depth, rate_limit_window, rate_limit_max, visibility, visibility_list, created_at, updated_at)
            VALUES (\(r.id), \(r.name), \(r.description), \(r.scope), \(r.createdById), \(r.llmBaseUrl), \(r.llmApiKey), \(r.llmModel),
                    \(r.maxChainDepth), \(r.rateLimitWindow), \(r.rateLimitMax), \(r.visibility), \(Self.json(r.visibilityList))::jsonb,
                    \(r.createdAt), \(r.updatedAt))
            """, logger: logger)
    }

    func update(_ r: RouterRecord) async throws {
        try await database.client.query("""
            UPDATE routers SET name = \(r.name), description = \(r.description), llm_base_url = \(r.llmBaseUrl),
                llm_api_key = \(r.llmApiKey), llm_model = \(r.llmModel), max_chain_depth = \(r.maxChainDepth),
                rate_limit_window = \(r.rateLimitWindow), rate_limit_max = \(r.rateLimitMax), visibility = \(r.visibility),
                visibility_list = \(Self.json(r.visibilityList))::jsonb, updated_at = \(r.updatedAt)
            WHERE id = \(r.id)
            """, logger: logger)
    }

    /// Deletes the router; rooms using it lose it through `rooms_router_id_routers_id_fk` (SET NULL).
    func delete(_ id: String) async throws {
        try await database.client.query("DELETE FROM routers WHERE id = \(id)", logger: logger)
    }

    /// A user's site role, read where the original reads it (per request, from `users`, no cache).
    func role(of userId: String) async throws -> String? {
        let rows = try await database.client.query("SELECT role FROM users WHERE id = \(userId)", logger: logger)
        for try await role in rows.decode(String.self) { return role }
        return nil
    }

    private func collect(_ rows: PostgresRowSequence) async throws -> [RouterRecord] {
        var result: [RouterRecord] = []
        for try await row in rows.decode(Row.self) { result.append(Self.record(row)) }
        return result
    }
}
