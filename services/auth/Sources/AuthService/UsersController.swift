import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/users`: the caller's profile and admin user creation (http-api §5.1, §5.7).
struct UsersController {
    let service: AuthService

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("me", use: me)
        group.post("", use: create)
    }

    struct Me: Encodable, Sendable {
        var id: String
        var username: String
        var displayName: String
        var avatarUrl: String?
        var role: String
        var createdAt: String
        var updatedAt: String
        var totpEnabled: Bool

        enum CodingKeys: String, CodingKey { case id, username, displayName, avatarUrl, role, createdAt, updatedAt, totpEnabled }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(username, forKey: .username)
            try c.encode(displayName, forKey: .displayName)
            try c.encode(avatarUrl, forKey: .avatarUrl)
            try c.encode(role, forKey: .role)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(updatedAt, forKey: .updatedAt)
            try c.encode(totpEnabled, forKey: .totpEnabled)
        }
    }

    func me(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try await service.authenticate(request)
        guard let user = try await service.users.find(id: caller.id) else { throw APIError(404, "User not found") }
        return ok(Me(id: user.id, username: user.username, displayName: user.displayName, avatarUrl: user.avatarUrl,
                     role: user.role, createdAt: Timestamp.format(user.createdAt), updatedAt: Timestamp.format(user.updatedAt),
                     totpEnabled: user.totpEnabled))
    }

    struct CreatedUser: Encodable, Sendable {
        var id: String
        var username: String
        var displayName: String
        var role: String
        var createdAt: String
        var updatedAt: String
    }

    static let usernamePattern = try! NSRegularExpression(pattern: "^[a-zA-Z0-9_-]+$")

    func create(_ request: Request, context: HubRequestContext) async throws -> Response {
        _ = try await service.requireAdmin(request)
        var reader = FieldReader(try await request.jsonBody())
        let username = reader.string("username", min: 3, max: 50)
        if let username, Self.usernamePattern.firstMatch(in: username, range: NSRange(location: 0, length: (username as NSString).length)) == nil {
            reader.fail("username", "Invalid")
        }
        let password = reader.string("password")
        if let password { PasswordPolicy.check(password, field: "password", into: &reader) }
        let displayName = reader.string("displayName", min: 1, max: 100, optional: true)
        if let displayName, displayName.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            reader.fail("displayName", "validation.displayNameWhitespace")
        }
        let role = reader.oneOf("role", ["admin", "user"]) ?? "user"
        try reader.check()
        guard let username, let password else { throw APIError.invalidJSON }

        let now = Date()
        let user = UserRecord(id: Nanoid.make(), username: username, passwordHash: try await PasswordHasher.hash(password),
                              displayName: Sanitizer.text(displayName ?? username), avatarUrl: nil, role: role,
                              failedLoginAttempts: 0, lockedUntil: nil, totpEnabled: false, createdAt: now, updatedAt: now)
        guard try await service.users.insert(user) else { throw APIError(409, "Username already taken") }
        return ok(CreatedUser(id: user.id, username: user.username, displayName: user.displayName, role: user.role,
                              createdAt: Timestamp.format(now), updatedAt: Timestamp.format(now)))
    }
}
