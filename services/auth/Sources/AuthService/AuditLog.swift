import AgentIMBus
import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import ServiceLifecycle

/// The actions the auth service itself records (data-config-security §3.12).
enum AuditAction: String, Sendable {
    case login, loginFailed = "login_failed", logout, passwordChange = "password_change"
    case userCreate = "user_create", userUpdate = "user_update", userDelete = "user_delete"
    case settingUpdate = "setting_update"
    case totpSetup = "totp_setup", totpEnabled = "totp_enabled", totpDisabled = "totp_disabled"
    case totpVerifyFailed = "totp_verify_failed"
    case oauthLink = "oauth_link", oauthUnlink = "oauth_unlink"
}

/// `audit_logs`: who did what, from where. Auth writes its own rows directly and stores
/// the other services' rows from `BusStream.auditCommands`. A failed write is logged and
/// never fails the request that caused it.
struct AuditLog: Sendable {
    /// Metadata whose JSON is longer than this is replaced by a marker with its size.
    static let metadataLimit = 4096

    let database: Database
    var logger: Logger { database.logger }

    func record(_ action: AuditAction, userId: String?, targetId: String? = nil, targetType: String? = nil,
                metadata: [String: JSONValue]? = nil, ip: String?) async {
        let entry = AuditEntry(userId: userId, action: action.rawValue, targetId: targetId, targetType: targetType,
                               metadata: metadata, ipAddress: ip)
        do {
            try await store(entry)
        } catch {
            logger.error("audit \(action.rawValue) not recorded: \(error)")
        }
    }

    /// Stores an entry once: a redelivered command finds its id taken and changes nothing.
    /// The user may be gone by then (deleted after acting); the row then keeps a null user.
    func store(_ entry: AuditEntry) async throws {
        try await AuditStore(database: database).insert(entry, metadata: Self.cappedMetadata(entry.metadata))
    }

    /// The consumer of the other services' audit rows; auth processes share the work.
    func worker(bus: any Bus, consumer: String, failures: @escaping CommandWorker.FailureReport = { _, _, _ in }) -> some Service {
        CommandWorker(bus: bus, stream: BusStream.auditCommands, group: BusGroup.auth, consumer: consumer, logger: logger) { entry in
            guard let audit = try? JSONCoding.decode(AuditEntry.self, from: entry.payload) else {
                logger.warning("dropping an unreadable audit command \(entry.id)")
                return
            }
            try await store(audit)
        }.reportingFailures(to: failures)
    }

    /// The metadata as JSON text, or `{_truncated, _originalSize}` when it is too long.
    static func cappedMetadata(_ metadata: [String: JSONValue]?) -> String? {
        guard let metadata, let text = try? JSONCoding.encodeString(JSONValue.object(metadata)) else { return nil }
        guard text.jsLength > metadataLimit else { return text }
        return #"{"_truncated":true,"_originalSize":\#(text.jsLength)}"#
    }
}
