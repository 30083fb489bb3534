import AgentIMCore
import Foundation
import Logging

/// Makes sure `ADMIN_USERNAME` exists as an admin with `ADMIN_PASSWORD` at every start
/// (data-config-security §2.5). Unlike the original it says so in the log when it resets
/// a password that was changed through the API.
struct AdminSeeder {
    let config: HubConfig
    let users: UserStore
    let logger: Logger

    func seed() async throws {
        guard let password = config.adminPassword else {
            logger.warning("ADMIN_PASSWORD is not set: no admin account seeded")
            return
        }
        let username = config.adminUsername
        if let existing = try await users.find(username: username) {
            var newHash: String?
            if existing.passwordHash == nil {
                newHash = try await PasswordHasher.hash(password)
            } else if let hash = existing.passwordHash, !(await PasswordHasher.verify(password, against: hash)) {
                newHash = try await PasswordHasher.hash(password)
                logger.warning("admin \(username): password reset to ADMIN_PASSWORD (it had been changed since the last start)")
            }
            let newRole = existing.role == "admin" ? nil : "admin"
            if newHash != nil || newRole != nil {
                try await users.updatePasswordHashAndRole(id: existing.id, passwordHash: newHash, role: newRole)
            }
            return
        }
        let inserted = try await users.insert(.new(username: username, passwordHash: try await PasswordHasher.hash(password),
                                                   displayName: username, role: "admin"))
        if inserted { logger.info("admin account \(username) created") }
    }
}
