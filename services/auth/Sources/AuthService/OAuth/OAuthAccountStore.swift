import AgentIMCore
import AgentIMDatabase
import AgentIMSecrets
import Foundation
import Logging
import PostgresNIO

/// `oauth_accounts` (data-config-security §1): one row per provider account, linked to
/// one user. Provider tokens are stored through the secret envelope.
struct OAuthAccountStore: Sendable {
    let database: Database
    let secrets: SecretBox
    var logger: Logger { database.logger }

    /// The user a provider account is linked to.
    func owner(provider: OAuthProvider, accountId: String) async throws -> String? {
        let rows = try await database.client.query("""
            SELECT user_id FROM oauth_accounts WHERE provider = \(provider.rawValue) AND provider_account_id = \(accountId)
            """, logger: logger)
        for try await userId in rows.decode(String.self) { return userId }
        return nil
    }

    /// Whether the user has an account of this provider linked.
    func hasLink(userId: String, provider: OAuthProvider) async throws -> Bool {
        let rows = try await database.client.query("""
            SELECT 1 FROM oauth_accounts WHERE user_id = \(userId) AND provider = \(provider.rawValue) LIMIT 1
            """, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// Links the provider account to `userId`, or refreshes the row when it already is
    /// (new tokens, email, name, picture). Returns the user the account belongs to after
    /// the call: another user's id when someone else holds it (nothing is changed then).
    func link(_ profile: OAuthProfile, provider: OAuthProvider, to userId: String) async throws -> String {
        let access = try secrets.seal(profile.accessToken)
        let refresh = try profile.refreshToken.map { try secrets.seal($0) }
        let rows = try await database.client.query("""
            INSERT INTO oauth_accounts (id, user_id, provider, provider_account_id, email, display_name, avatar_url,
                                        access_token, refresh_token, created_at, updated_at)
            VALUES (\(Nanoid.make()), \(userId), \(provider.rawValue), \(profile.providerAccountId), \(profile.email),
                    \(profile.displayName), \(profile.avatarUrl), \(access), \(refresh), now(), now())
            ON CONFLICT (provider, provider_account_id) DO UPDATE SET
                email = EXCLUDED.email, display_name = EXCLUDED.display_name, avatar_url = EXCLUDED.avatar_url,
                access_token = EXCLUDED.access_token, refresh_token = EXCLUDED.refresh_token, updated_at = now()
                WHERE oauth_accounts.user_id = EXCLUDED.user_id
            RETURNING user_id
            """, logger: logger)
        for try await owner in rows.decode(String.self) { return owner }
        // The conflict's WHERE excluded the row: it belongs to someone else.
        return try await owner(provider: provider, accountId: profile.providerAccountId) ?? userId
    }

    /// Removes the user's link to `provider`, unless it is their last way to sign in (no
    /// password and at most one link). Both checks and the delete hold the user's row lock,
    /// so two concurrent unlinks cannot together remove the last two links.
    enum UnlinkOutcome { case unlinked, userNotFound, lastMethod, notLinked }

    func unlink(userId: String, provider: OAuthProvider) async throws -> UnlinkOutcome {
        try await database.client.withTransaction(logger: logger) { tx in
            var hasPassword: Bool?
            for try await value in try await tx.query("SELECT password_hash IS NOT NULL FROM users WHERE id = \(userId) FOR UPDATE",
                                                      logger: logger).decode(Bool.self) {
                hasPassword = value
            }
            guard let hasPassword else { return .userNotFound }
            if !hasPassword {
                var links = 0
                for try await count in try await tx.query("SELECT count(*)::int FROM oauth_accounts WHERE user_id = \(userId)",
                                                          logger: logger).decode(Int.self) {
                    links = count
                }
                if links <= 1 { return .lastMethod }
            }
            let deleted = try await tx.query("""
                DELETE FROM oauth_accounts WHERE user_id = \(userId) AND provider = \(provider.rawValue) RETURNING id
                """, logger: logger)
            var found = false
            for try await _ in deleted { found = true }
            return found ? .unlinked : .notLinked
        }
    }

    /// Creates a password-less user for a first sign-in and links the account to it, in one
    /// transaction. The username comes from `OAuthUsername`; a name taken between the check
    /// and the insert moves on to the next candidate. Returns the user id, or the id of the
    /// user who got the account first when two first sign-ins race.
    func createUser(for profile: OAuthProfile, provider: OAuthProvider) async throws -> (id: String, username: String) {
        let source = profile.displayName ?? profile.email ?? provider.rawValue
        let base = OAuthUsername.base(source)
        let id = Nanoid.make()
        let access = try secrets.seal(profile.accessToken)
        let refresh = try profile.refreshToken.map { try secrets.seal($0) }
        for candidate in OAuthUsername.candidates(base) {
            let outcome: (id: String, username: String)?
            do {
                outcome = try await database.client.withTransaction(logger: logger) { tx in
                    let inserted = try await tx.query("""
                        INSERT INTO users (id, username, password_hash, display_name, avatar_url, role, created_at, updated_at)
                        VALUES (\(id), \(candidate), NULL, \(profile.displayName ?? candidate), \(profile.avatarUrl), 'user', now(), now())
                        ON CONFLICT (username) DO NOTHING RETURNING id
                        """, logger: logger)
                    var created = false
                    for try await _ in inserted { created = true }
                    guard created else { return nil }
                    let linked = try await tx.query("""
                        INSERT INTO oauth_accounts (id, user_id, provider, provider_account_id, email, display_name, avatar_url,
                                                    access_token, refresh_token, created_at, updated_at)
                        VALUES (\(Nanoid.make()), \(id), \(provider.rawValue), \(profile.providerAccountId), \(profile.email),
                                \(profile.displayName), \(profile.avatarUrl), \(access), \(refresh), now(), now())
                        ON CONFLICT (provider, provider_account_id) DO NOTHING RETURNING id
                        """, logger: logger)
                    var didLink = false
                    for try await _ in linked { didLink = true }
                    if !didLink { throw LostRace() }
                    return (id, candidate)
                }
            } catch let error as PostgresTransactionError where error.closureError is LostRace {
                throw LostRace()
            }
            if let outcome { return outcome }
        }
        throw OAuthExchangeError("no free username for \(base)")
    }

    /// Another first sign-in of the same provider account committed first; the
    /// transaction is rolled back and the caller signs in as that user.
    struct LostRace: Error {}
}

/// Usernames for users created by a first OAuth sign-in (data-config-security §3.3): from
/// the display name or the email's local part, `[a-zA-Z0-9_]` only, lower-cased, at most
/// 40 chars (`user` when nothing is left); then `base1` … `base100`; then `base_` + 6 random chars.
enum OAuthUsername {
    static func base(_ source: String) -> String {
        let local = source.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let kept = local.unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }
        let base = String(String.UnicodeScalarView(kept)).lowercased()
        let cut = String(base.prefix(40))
        return cut.isEmpty ? "user" : cut
    }

    static func candidates(_ base: String) -> [String] {
        [base] + (1...100).map { "\(base)\($0)" } + (0..<3).map { _ in "\(base)_\(Nanoid.make(length: 6))" }
    }
}
