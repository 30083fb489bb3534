import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/users` for site admins: list, create, update, delete (http-api §5.6–5.9).
struct AdminUsersController {
    let service: AuthService
    var users: UserStore { service.users }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("", use: list)
        group.post("", use: create)
        group.put(":id", use: update)
        group.delete(":id", use: delete)
    }

    /// `{ok, data, total}`: the total sits beside `data` (http-api §5.6).
    struct Page: Encodable, Sendable {
        let ok = true
        var data: [UserView]
        var total: Int
    }

    func list(_ request: Request, context: HubRequestContext) async throws -> Response {
        try await context.requireAdmin()
        let query = request.uri.queryParameters
        let limit = OffsetPaging.clamp(query.get("limit"), default: 100, range: 1...500)
        let offset = OffsetPaging.clamp(query.get("offset"), default: 0, range: 0...1_000_000_000)
        let page = try await users.list(limit: limit, offset: offset)
        return jsonResponse(Page(data: page.users.map { UserView.admin($0) }, total: page.total))
    }

    static let usernamePattern = try! NSRegularExpression(pattern: "^[a-zA-Z0-9_-]+$")

    /// Creates an account (the only way accounts come to exist); answers 200, not 201.
    func create(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try await context.requireAdmin()
        var reader = FieldReader(try await request.jsonBody())
        let username = reader.string("username", min: 3, max: 50)
        if let username, !UserFields.matches(Self.usernamePattern, username) {
            reader.fail("username", "Invalid")
        }
        let password = reader.string("password")
        if let password { PasswordPolicy.check(password, field: "password", into: &reader) }
        let displayName = UserFields.displayName(&reader)
        let role = reader.oneOf("role", ["admin", "user"]) ?? "user"
        try reader.check()
        guard let username, let password else { throw APIError.invalidJSON }

        let user = UserRecord.new(username: username, passwordHash: try await PasswordHasher.hash(password),
                                  displayName: displayName.map(Sanitizer.text) ?? username, role: role)
        guard try await users.insert(user) else { throw APIError(409, "Username already taken") }
        await service.audit.record(.userCreate, userId: caller.id, targetId: user.id, targetType: "user", ip: context.clientAddress)
        return ok(UserView.created(user))
    }

    /// Check order (http-api §5.8): validation → target exists → demoting yourself.
    /// A new password ends all the target's sessions, as a self-service change does.
    func update(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let targetId = try context.parameters.id("id")
        try await context.requireAdmin(caller)
        var reader = FieldReader(try await request.jsonBody())
        var changes = UserStore.AdminChanges()
        changes.displayName = UserFields.displayName(&reader).map(Sanitizer.text)
        changes.role = reader.oneOf("role", ["admin", "user"])
        let password = reader.string("password", optional: true)
        if let password { PasswordPolicy.check(password, field: "password", into: &reader) }
        if reader.has("maxWsConnections") { changes.maxWsConnections = .some(reader.int("maxWsConnections", min: 1, max: 1000, nullable: true)) }
        if reader.has("maxGateways") { changes.maxGateways = .some(reader.int("maxGateways", min: 1, max: 1000, nullable: true)) }
        try reader.check()

        guard try await users.find(id: targetId) != nil else { throw APIError(404, "User not found") }
        if targetId == caller.id, let role = changes.role, role != "admin" { throw APIError(400, "Cannot demote yourself") }
        if let password { changes.passwordHash = try await PasswordHasher.hash(password) }

        let revokedAt = try await users.apply(changes, to: targetId, revoker: service.revoker)
        if changes.role != nil { await service.roles.forget(targetId) }
        if let revokedAt { await service.revoker.announce(userId: targetId, revokedAtMs: revokedAt) }
        await service.audit.record(.userUpdate, userId: caller.id, targetId: targetId, targetType: "user", ip: context.clientAddress)
        guard let updated = try await users.find(id: targetId) else { throw APIError(404, "User not found") }
        return ok(UserView.admin(updated, includesAvatar: false))
    }

    /// Deletes an account and what hangs on it (data-config-security §1.4).
    func delete(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let targetId = try context.parameters.id("id")
        try await context.requireAdmin(caller)
        guard targetId != caller.id else { throw APIError(400, "Cannot delete yourself") }
        guard let target = try await users.find(id: targetId) else { throw APIError(404, "User not found") }
        let revokedAt = try await UserDeletion(database: users.database, revoker: service.revoker).delete(userId: targetId)
        await service.revoker.announce(userId: targetId, revokedAtMs: revokedAt)
        await service.roles.forget(targetId)
        await service.audit.record(.userDelete, userId: caller.id, targetId: targetId, targetType: "user",
                                   metadata: ["username": .string(target.username)], ip: context.clientAddress)
        return okEmpty()
    }
}

/// Offset paging parameters (http-api §1.10): non-numeric or zero → default, then forced into range.
enum OffsetPaging {
    static func clamp(_ raw: String?, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let raw, let number = JSNumber.parse(raw), number.isFinite, number != 0 else {
            return min(max(fallback, range.lowerBound), range.upperBound)
        }
        return Int(min(max(number.rounded(.down), Double(range.lowerBound)), Double(range.upperBound)))
    }
}
