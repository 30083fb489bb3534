import AgentIMCore
import AgentIMTokens

/// The user behind a request's verified access token.
public struct Caller: Sendable, Equatable {
    public var id: String
    public var username: String

    public init(id: String, username: String) {
        self.id = id
        self.username = username
    }
}

/// What `IdentityMiddleware` found in a request's `Authorization` header (or `?token=` where
/// a route accepts it). Anonymous routes ignore it; `requireUser()` turns it into the caller
/// or the 401 of http-api §1.3.
public enum RequestIdentity: Sendable, Equatable {
    /// No header, or one without the case-sensitive `Bearer ` prefix.
    case anonymous
    case verified(Caller)
    case rejected(TokenRejection)
}

/// A user's current site role (`admin`, `user`), nil when there is no such user.
public typealias RoleLookup = @Sendable (_ userId: String) async throws -> String?

extension HubRequestContext {
    /// The verified caller, else 401 `Unauthorized` / `Invalid or expired token` /
    /// `Invalid token type` / `Token revoked`.
    public func requireUser() throws(APIError) -> Caller {
        switch identity {
        case .verified(let caller): return caller
        case .anonymous: throw .unauthorized
        case .rejected(let rejection): throw rejection.apiError
        }
    }

    /// The verified caller when their current role is `admin` (read through the service's
    /// role lookup), else 403 `Admin access required` (401 first, as `requireUser`).
    @discardableResult
    public func requireAdmin() async throws -> Caller {
        let caller = try requireUser()
        guard try await isAdmin(caller) else { throw APIError.adminRequired }
        return caller
    }

    /// 403 `Admin access required` unless `caller` (from `requireUser`) is an admin, for
    /// handlers that check something else between the two.
    public func requireAdmin(_ caller: Caller) async throws {
        guard try await isAdmin(caller) else { throw APIError.adminRequired }
    }

    /// Whether `caller`'s current site role is `admin`; false where no lookup was installed.
    public func isAdmin(_ caller: Caller) async throws -> Bool {
        guard let roleLookup else { return false }
        return try await roleLookup(caller.id) == "admin"
    }
}
