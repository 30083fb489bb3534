import AgentIMWire
import Foundation

/// One row for the audit log (data-config-security §3.12). The log belongs to auth; other
/// services send their rows as commands on `BusStream.auditCommands` (`Runtime.audit`),
/// and auth stores each once: the id is chosen by the sender, so a redelivery is a no-op.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: String
    public var userId: String?
    /// One of the spec's actions: `room_create`, `member_add`, `file_upload`, …
    public var action: String
    public var targetId: String?
    /// `user`, `router`, `room`, `file`, `member`, `message` or `setting`.
    public var targetType: String?
    public var metadata: [String: JSONValue]?
    public var ipAddress: String?
    public var createdAtMs: Int64

    public init(userId: String?, action: String, targetId: String? = nil, targetType: String? = nil,
                metadata: [String: JSONValue]? = nil, ipAddress: String?, at date: Date = Date()) {
        id = Nanoid.make()
        self.userId = userId
        self.action = action
        self.targetId = targetId
        self.targetType = targetType
        self.metadata = metadata
        self.ipAddress = ipAddress
        createdAtMs = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}
