import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/users` for any signed-in user: the caller's profile, password and linked
/// accounts, and the user search of the sharing picker (http-api §5.1–5.5).
struct ProfileController {
    let service: AuthService
    var users: UserStore { service.users }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("me", use: me)
        group.put("me", use: updateMe)
        group.get("me/oauth-accounts", use: oauthAccounts)
        group.put("me/password", use: changePassword)
        group.get("search", use: search)
    }

    func me(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        guard let user = try await users.find(id: caller.id) else { throw APIError(404, "User not found") }
        return ok(UserView.me(user))
    }

    static let avatarPattern = try! NSRegularExpression(pattern: "^/uploads/[a-zA-Z0-9_][a-zA-Z0-9_.-]*$")

    func updateMe(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var reader = FieldReader(try await request.jsonBody())
        let displayName = UserFields.displayName(&reader)
        let avatarUrl = reader.string("avatarUrl", optional: true)
        if let avatarUrl {
            // Every rule is checked, as the original's validator reports them all.
            if !avatarUrl.hasPrefix("/uploads/") { reader.fail("avatarUrl", #"Invalid input: must start with "/uploads/""#) }
            if avatarUrl.jsLength > 500 { reader.fail("avatarUrl", "String must contain at most 500 character(s)") }
            if avatarUrl.contains("..") { reader.fail("avatarUrl", "validation.avatarUrlTraversal") }
            if !UserFields.matches(Self.avatarPattern, avatarUrl) { reader.fail("avatarUrl", "validation.avatarUrlInvalid") }
        }
        try reader.check()
        try await users.updateProfile(id: caller.id, displayName: displayName.map(Sanitizer.text), avatarUrl: avatarUrl)
        guard let user = try await users.find(id: caller.id) else { throw APIError(404, "User not found") }
        return ok(UserView.me(user))
    }

    /// `PUT /api/users/me/password`: on success every session of the user ends — refresh
    /// tokens deleted, access tokens revoked (the caller's too), sockets closed with 1008.
    func changePassword(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var reader = FieldReader(try await request.jsonBody())
        let current = reader.string("currentPassword", min: 1)
        let new = reader.string("newPassword")
        if let new { PasswordPolicy.check(new, field: "newPassword", into: &reader) }
        try reader.check()
        guard let current, let new else { throw APIError.invalidJSON }
        guard let user = try await users.find(id: caller.id) else { throw APIError(404, "User not found") }
        guard let hash = user.passwordHash else { throw APIError(400, "No password set for this account") }
        guard await PasswordHasher.verify(current, against: hash) else { throw APIError(400, "Current password is incorrect") }
        let revokedAt = try await users.changePassword(id: user.id, to: try await PasswordHasher.hash(new), revoker: service.revoker)
        await service.revoker.announce(userId: user.id, revokedAtMs: revokedAt)
        await service.audit.record(.passwordChange, userId: user.id, ip: context.clientAddress)
        return okEmpty()
    }

    func search(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let query = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // No name holds a NUL (nor can PostgreSQL compare one): nobody matches.
        guard query.jsLength >= 2, !query.utf8.contains(0) else { return ok([UserView]()) }
        return ok(try await users.search(query, excluding: caller.id).map(UserView.summary))
    }

    func oauthAccounts(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        return ok(try await users.oauthAccounts(of: caller.id))
    }
}

/// Field rules shared by the profile and admin routes.
enum UserFields {
    /// `displayName`: optional, 1–100, not only whitespace (sanitised by the caller).
    static func displayName(_ reader: inout FieldReader) -> String? {
        let value = reader.string("displayName", min: 1, max: 100, optional: true)
        if let value, value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            reader.fail("displayName", "validation.displayNameWhitespace")
            return nil
        }
        return value
    }

    static func matches(_ pattern: NSRegularExpression, _ text: String) -> Bool {
        pattern.firstMatch(in: text, range: NSRange(location: 0, length: (text as NSString).length)) != nil
    }
}
