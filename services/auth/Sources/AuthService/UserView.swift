import AgentIMCore
import AgentIMHTTP

/// A user as every auth answer shows one (http-api §3, §5). Each answer picks its fields;
/// an absent field is left out, a `Nullable` one is `null` when unset. Fields are written in
/// this order whatever the answer.
struct UserView: Encodable, Sendable {
    var id: String
    var username: String
    var displayName: String
    var avatarUrl: Nullable<String>?
    var role: String?
    var maxWsConnections: Nullable<Int>?
    var maxGateways: Nullable<Int>?
    var createdAt: String?
    var updatedAt: String?
    var totpEnabled: Bool?

    /// `UserSummary`: `{id, username, displayName, avatarUrl}`.
    static func summary(_ user: UserRecord) -> UserView {
        UserView(id: user.id, username: user.username, displayName: user.displayName, avatarUrl: Nullable(user.avatarUrl))
    }

    /// `LoginUser` (§3.1): the summary with `role` and `totpEnabled`.
    static func login(_ user: UserRecord) -> UserView {
        var view = summary(user)
        view.role = user.role
        view.totpEnabled = user.totpEnabled
        return view
    }

    /// `Me` (§5.1), plus `totpEnabled`, which the web's settings page reads from here.
    static func me(_ user: UserRecord) -> UserView {
        var view = login(user)
        view.createdAt = Timestamp.format(user.createdAt)
        view.updatedAt = Timestamp.format(user.updatedAt)
        return view
    }

    /// `AdminUserRow` (§5.6): overrides are `null` when unset; the update answer has no `avatarUrl`.
    static func admin(_ user: UserRecord, includesAvatar: Bool = true) -> UserView {
        var view = created(user)
        if includesAvatar { view.avatarUrl = Nullable(user.avatarUrl) }
        view.maxWsConnections = Nullable(user.maxWsConnections)
        view.maxGateways = Nullable(user.maxGateways)
        return view
    }

    /// The answer of `POST /api/users` (§5.7).
    static func created(_ user: UserRecord) -> UserView {
        UserView(id: user.id, username: user.username, displayName: user.displayName, role: user.role,
                 createdAt: Timestamp.format(user.createdAt), updatedAt: Timestamp.format(user.updatedAt))
    }
}
