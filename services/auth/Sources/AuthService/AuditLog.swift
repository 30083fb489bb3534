import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// The actions audit rows record (data-config-security §3.12).
enum AuditAction: String, Sendable {
    case login, loginFailed = "login_failed", logout, passwordChange = "password_change"
    case userCreate = "user_create", userUpdate = "user_update", userDelete = "user_delete"
    case settingUpdate = "setting_update"
    case totpSetup = "totp_setup", totpEnabled = "totp_enabled", totpDisabled = "totp_disabled"
    case totpVerifyFailed = "totp_verify_failed"
}

/// `audit_logs`: who did what, from where. A failed write is logged and never fails the
/// request that caused it.
struct AuditLog: Sendable {
    /// Metadata whose JSON is longer than this is replaced by a marker with its size.
    static let metadataLimit = 4096

    let database: Database
    var logger: Logger { database.logger }

    func record(_ action: AuditAction, userId: String?, targetId: String? = nil, targetType: String? = nil,
                metadata: [String: JSONValue]? = nil, ip: String?) async {
        do {
            try await database.client.query("""
                INSERT INTO audit_logs (id, user_id, action, target_id, target_type, metadata, ip_address, created_at)
                VALUES (\(Nanoid.make()), \(userId), \(action.rawValue), \(targetId), \(targetType),
                        \(Self.cappedMetadata(metadata))::jsonb, \(ip), now())
                """, logger: logger)
        } catch {
            logger.error("audit \(action.rawValue) not recorded: \(error)")
        }
    }

    /// The metadata as JSON text, or `{_truncated, _originalSize}` when it is too long.
    static func cappedMetadata(_ metadata: [String: JSONValue]?) -> String? {
        guard let metadata, let text = try? JSONCoding.encodeString(JSONValue.object(metadata)) else { return nil }
        guard text.jsLength > metadataLimit else { return text }
        return #"{"_truncated":true,"_originalSize":\#(text.jsLength)}"#
    }
}
