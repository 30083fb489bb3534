import AgentIMCore
import AgentIMDatabase
import AgentIMHTTP
import Foundation
import Logging
import PostgresNIO

/// A row of `tasks`.
struct RoomTask: Sendable {
    var id: String
    var roomId: String
    var title: String
    var description: String
    var status: String
    var result: String?
    var dueDate: Date?
    var assigneeId: String?
    var assigneeType: String?
    var createdById: String
    var createdAt: Date
    var updatedAt: Date

    func view(_ rendering: Rendering) -> RoomTaskView {
        RoomTaskView(id: id, roomId: roomId, title: title, description: description, status: status,
                     result: rendering.nullable(result), dueDate: rendering.nullable(dueDate.map(Timestamp.format)),
                     assigneeId: rendering.nullable(assigneeId), assigneeType: rendering.nullable(assigneeType),
                     createdById: createdById, createdAt: Timestamp.format(createdAt), updatedAt: Timestamp.format(updatedAt))
    }
}

/// A task as answers and frames show it (http-api §16).
struct RoomTaskView: Encodable, Sendable {
    var id: String
    var roomId: String
    var title: String
    var description: String
    var status: String
    var result: Nullable<String>?
    var dueDate: Nullable<String>?
    var assigneeId: Nullable<String>?
    var assigneeType: Nullable<String>?
    var createdById: String
    var createdAt: String
    var updatedAt: String
}

/// `tasks` in PostgreSQL; rooms alone writes it.
struct TaskStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    static let columns = "t.id, t.room_id, t.title, t.description, t.status, t.result, t.due_date, t.assignee_id, t.assignee_type, t.created_by_id, t.created_at, t.updated_at"
    typealias Row = (String, String, String, String, String, String?, Date?, String?, String?, String, Date, Date)

    static func tasks(_ rows: PostgresRowSequence) async throws -> [RoomTask] {
        var result: [RoomTask] = []
        for try await r in rows.decode(Row.self) {
            result.append(RoomTask(id: r.0, roomId: r.1, title: r.2, description: r.3, status: r.4, result: r.5, dueDate: r.6,
                                   assigneeId: r.7, assigneeType: r.8, createdById: r.9, createdAt: r.10, updatedAt: r.11))
        }
        return result
    }

    func find(_ id: String) async throws -> RoomTask? {
        try await Self.tasks(database.client.query("SELECT \(unescaped: Self.columns) FROM tasks t WHERE t.id = \(id)", logger: logger)).first
    }

    func list(userId: String, limit: Int, offset: Int) async throws -> [RoomTask] {
        try await Self.tasks(database.client.query("""
            SELECT \(unescaped: Self.columns) FROM tasks t
            JOIN room_members m ON m.room_id = t.room_id AND m.member_id = \(userId) AND m.member_type = 'user'
            ORDER BY t.created_at DESC, t.id DESC LIMIT \(limit) OFFSET \(offset)
            """, logger: logger))
    }

    func list(roomId: String, limit: Int, offset: Int) async throws -> [RoomTask] {
        try await Self.tasks(database.client.query("""
            SELECT \(unescaped: Self.columns) FROM tasks t WHERE t.room_id = \(roomId)
            ORDER BY t.created_at DESC, t.id DESC LIMIT \(limit) OFFSET \(offset)
            """, logger: logger))
    }

    func insert(_ task: RoomTask) async throws {
        try await database.client.query("""
            INSERT INTO tasks (id, room_id, title, description, status, result, due_date, assignee_id, assignee_type, created_by_id, created_at, updated_at)
            VALUES (\(task.id), \(task.roomId), \(task.title), \(task.description), \(task.status), \(task.result), \(task.dueDate),
                    \(task.assigneeId), \(task.assigneeType), \(task.createdById), \(task.createdAt), \(task.updatedAt))
            """, logger: logger)
    }

    func save(_ task: RoomTask) async throws {
        try await database.client.query("""
            UPDATE tasks SET title = \(task.title), description = \(task.description), status = \(task.status), result = \(task.result),
                due_date = \(task.dueDate), assignee_id = \(task.assigneeId), assignee_type = \(task.assigneeType), updated_at = \(task.updatedAt)
            WHERE id = \(task.id)
            """, logger: logger)
    }

    func delete(_ id: String) async throws {
        try await database.client.query("DELETE FROM tasks WHERE id = \(id)", logger: logger)
    }
}
