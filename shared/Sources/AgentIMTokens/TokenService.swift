import AgentIMCore
import Crypto
import Foundation

/// A verified access token's identity.
public struct AuthenticatedUser: Sendable, Equatable {
    public var id: String
    public var username: String
    /// Issue time in whole seconds, compared against revocations.
    public var issuedAt: Int64
}

/// Why a token was refused, with the REST error texts of http-api §1.3.
public enum TokenRejection: Error, Equatable, Sendable {
    case invalid, wrongType, revoked

    public var apiError: APIError {
        switch self {
        case .invalid: .invalidToken
        case .wrongType: .invalidTokenType
        case .revoked: .tokenRevoked
        }
    }
}

/// Signs and verifies the hub's HS256 JWTs. New tokens use `JWT_SECRET`; tokens signed
/// with `JWT_SECRET_PREVIOUS` still verify, so a secret rotation logs nobody out.
public struct TokenService: Sendable {
    let signingKey: SymmetricKey
    /// The current secret, then `JWT_SECRET_PREVIOUS` when set.
    let verificationKeys: [SymmetricKey]
    let currentKid: String
    public let revocations: RevocationCache

    public init(secret: String, previousSecret: String? = nil, revocations: RevocationCache) async {
        signingKey = SymmetricKey(data: Data(secret.utf8))
        var keys = [signingKey]
        if let previousSecret, previousSecret != secret { keys.append(SymmetricKey(data: Data(previousSecret.utf8))) }
        verificationKeys = keys
        currentKid = Self.kid(for: secret)
        self.revocations = revocations
    }

    /// `kid` header: the first 4 bytes of SHA-256(secret) as 8 lowercase hex chars.
    public static func kid(for secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    public func sign(userId: String, username: String, type: TokenClaims.Kind, lifetimeSeconds: Int, now: Date = Date()) async throws -> String {
        let issuedAt = Int64(now.timeIntervalSince1970.rounded(.down))
        let claims = TokenClaims(sub: userId, username: username, type: type, iss: TokenClaims.issuer, aud: TokenClaims.issuer,
                                 jti: Nanoid.make(), iat: issuedAt, exp: issuedAt + Int64(lifetimeSeconds))
        return try JWT.sign(claims, secret: signingKey, kid: currentKid)
    }

    /// Verifies signature, issuer, audience and expiry; returns the claims of any type.
    public func claims(of token: String) async throws(TokenRejection) -> TokenClaims {
        do {
            return try JWT.verify(token, keys: verificationKeys)
        } catch {
            throw .invalid
        }
    }

    /// Verifies an access token and checks revocation.
    public func verifyAccess(_ token: String) async throws(TokenRejection) -> AuthenticatedUser {
        let claims = try await claims(of: token)
        guard claims.type == .access else { throw .wrongType }
        if await revocations.isRevoked(userId: claims.sub, issuedAtSeconds: claims.iat) { throw .revoked }
        return AuthenticatedUser(id: claims.sub, username: claims.username, issuedAt: claims.iat)
    }

    /// Reads `Authorization: Bearer <token>`; the prefix is case-sensitive.
    public func verifyBearer(_ header: String?) async throws(APIError) -> AuthenticatedUser {
        guard let header, header.hasPrefix("Bearer ") else { throw .unauthorized }
        do {
            return try await verifyAccess(String(header.dropFirst(7)))
        } catch {
            throw error.apiError
        }
    }
}
