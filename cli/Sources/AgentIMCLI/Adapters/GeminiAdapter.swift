import Foundation

public final class GeminiAdapter: AgentAdapter, @unchecked Sendable {
    public let type = "gemini"
    public let options: AdapterOptions
    public let supportsParallelRooms = true
    public let supportsRewind = false
    private let level: Locked<PermissionLevel>
    public init(options: AdapterOptions) { self.options = options; self.level = Locked(options.permissionLevel) }
    public func send(_ prompt: String, context: MessageContext, onChunk: @escaping @Sendable (AgentChunk) async -> Void) async -> ReplyOutcome { .failed("not implemented yet") }
    public func stop() async {}
    public func dispose() async {}
    public func isRoomBusy(_ roomKey: String) async -> Bool { false }
    public var isRunning: Bool { get async { false } }
    public func info(roomKey: String?) async -> AdapterInfo { AdapterInfo() }
    public func waitForModels(milliseconds: Int) async {}
    public func handleSlashCommand(_ command: String, args: String, roomKey: String?) async -> CommandResult { .unsupported }
    public func rewind(messageId: String, roomKey: String?) async -> CommandResult { .unsupported }
    public func setPermissionLevel(_ l: PermissionLevel) async { level.withLock { $0 = l } }
    public func permissionLevel() async -> PermissionLevel { level.current }
}
