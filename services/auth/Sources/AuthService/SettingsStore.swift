import AgentIMCore
import AgentIMDatabase
import AgentIMSecrets
import Foundation
import Logging

/// `settings` rows: auth alone writes them; every process with a database reads them
/// through `RuntimeSettings`. Sensitive values are stored through the secret envelope.
struct SettingsStore: Sendable {
    let database: Database
    let secrets: SecretBox
    var logger: Logger { database.logger }

    func save(_ definition: SettingDefinition, value: String, by userId: String) async throws {
        if definition.sensitive && !secrets.canEncrypt {
            logger.warning("ENCRYPTION_KEY is not set: \(definition.key) is stored in plaintext")
        }
        let stored = definition.sensitive ? try secrets.seal(value) : value
        try await database.client.query("""
            INSERT INTO settings (key, value, updated_at, updated_by) VALUES (\(definition.key), \(stored), now(), \(userId))
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
            """, logger: logger)
    }
}
