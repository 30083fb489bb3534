import Foundation

// The adapter contract (agent-cli.md §11): one adapter drives one agent process kind.
// The agent manager owns queues, rooms and the hub; an adapter only turns one prompt
// into chunks and one outcome.

/// A chunk of a reply as it travels to the hub (`gateway:message_chunk.chunk`).
public struct AgentChunk: Sendable, Equatable {
    public enum Kind: String, Sendable { case text, thinking, toolUse = "tool_use", toolResult = "tool_result", error, workspaceStatus = "workspace_status" }
    public var kind: Kind
    public var content: String
    /// Metadata keys of §11 (`toolName`, `toolId`, …); values are JSON text fragments' Swift forms.
    public var metadata: [String: String]

    public init(_ kind: Kind, _ content: String, metadata: [String: String] = [:]) {
        self.kind = kind
        self.content = content
        self.metadata = metadata
    }
}

/// How a message ended: exactly one per `send` (§11: one of onComplete/onError).
public enum ReplyOutcome: Sendable, Equatable {
    case complete(fullContent: String)
    case failed(String)
}

/// What the manager knows about the message being answered (§10.4).
public struct MessageContext: Sendable {
    public var roomId: String?
    public var senderName: String
    public var routingMode: String
    public var conversationId: String
    public var depth: Int
    public var roomContext: RoomContext?

    public init(roomId: String?, senderName: String, routingMode: String = "direct", conversationId: String = "", depth: Int = 0, roomContext: RoomContext? = nil) {
        self.roomId = roomId
        self.senderName = senderName
        self.routingMode = routingMode
        self.conversationId = conversationId
        self.depth = depth
        self.roomContext = roomContext
    }

    /// The per-room state key (§11): the room id, or `__global__`.
    public var roomKey: String { roomId ?? "__global__" }
}

public enum PermissionLevel: String, Sendable { case interactive, bypass }

/// A tool-use approval an adapter asks for (§10.7); the manager turns it into `gateway:permission_request`.
public struct PermissionAsk: Sendable {
    public var requestId: String
    public var toolName: String
    public var toolInputJSON: String   // the tool input as JSON text
    public var timeoutMs: Int          // adapters pass 300000
    public var roomId: String?
    public init(requestId: String, toolName: String, toolInputJSON: String, timeoutMs: Int = 300_000, roomId: String?) {
        self.requestId = requestId; self.toolName = toolName; self.toolInputJSON = toolInputJSON; self.timeoutMs = timeoutMs; self.roomId = roomId
    }
}

public enum PermissionDecision: String, Sendable { case allow, allowAlways, deny }

/// Asked by an adapter before a tool runs; only installed in interactive mode.
public typealias PermissionHandler = @Sendable (PermissionAsk) async -> (decision: PermissionDecision, reason: String?)

/// Everything an adapter is created with (§10.2 step 2).
public struct AdapterOptions: Sendable {
    public var agentId: String
    public var agentName: String
    /// Absolute, resolved working directory.
    public var workingDirectory: String
    /// Credential-derived variables (§16.4) added to the filtered child environment.
    public var environment: [String: String]
    /// `--pass-env` keys (never-passable keys stay blocked, §20.1).
    public var passEnv: [String]
    public var permissionLevel: PermissionLevel
    public var permissionHandler: PermissionHandler?
    /// Inactivity/absolute limits for the agent's runs; nil = from `AGENTIM_PROCESS_TIMEOUT_MS` /
    /// `AGENTIM_ABSOLUTE_TIMEOUT_MS` (§4). Tests inject milliseconds here (§26.1).
    public var timeouts: ProcessTimeouts?
    /// The agent's side of the MCP tools (§18); the manager provides it.
    public var toolContext: (any AgentIMToolContext)?

    public init(agentId: String, agentName: String, workingDirectory: String, environment: [String: String] = [:], passEnv: [String] = [],
                permissionLevel: PermissionLevel = .interactive, permissionHandler: PermissionHandler? = nil,
                timeouts: ProcessTimeouts? = nil, toolContext: (any AgentIMToolContext)? = nil) {
        self.agentId = agentId; self.agentName = agentName; self.workingDirectory = workingDirectory
        self.environment = environment; self.passEnv = passEnv; self.permissionLevel = permissionLevel; self.permissionHandler = permissionHandler
        self.timeouts = timeouts; self.toolContext = toolContext
    }
}

public struct CommandResult: Sendable, Equatable {
    public var success: Bool
    public var message: String?
    public init(success: Bool, message: String? = nil) { self.success = success; self.message = message }
    public static let unsupported = CommandResult(success: false, message: "Command not supported by this agent")
}

public struct CostSummary: Sendable, Equatable {
    public var costUSD: Double = 0
    public var inputTokens: Int = 0
    public var outputTokens: Int = 0
    public var cacheReadTokens: Int = 0
    public init() {}
}

/// Info for `register_agent`, `agent_info` and status files (§11).
public struct AdapterInfo: Sendable {
    public var slashCommands: [SlashCommand] = []
    public var mcpServers: [String] = []
    public var model: String?
    public var thinkingMode: String?
    public var effortLevel: String?
    public var planMode: Bool = false
    public var availableModels: [String] = []
    public var availableEffortLevels: [String] = []
    public var availableThinkingModes: [String] = []
    public var cost = CostSummary()
    public init() {}
}

public protocol AgentAdapter: AnyObject, Sendable {
    /// `claude-code`, `codex`, `gemini` or `generic` (custom types report `generic`).
    var type: String { get }
    var options: AdapterOptions { get }
    var supportsParallelRooms: Bool { get }
    var supportsRewind: Bool { get }

    /// Processes one message; `onChunk` is called in order; returns exactly one outcome.
    /// A second call for a busy room returns `.failed` at once.
    func send(_ prompt: String, context: MessageContext, onChunk: @escaping @Sendable (AgentChunk) async -> Void) async -> ReplyOutcome
    /// Interrupts all running work; running `send` calls end with partial text or an error.
    func stop() async
    /// Interrupts the work of one room only (§27: a Stop never touches other rooms).
    /// Default: `stop()` (adapters that run one room at a time).
    func stop(roomKey: String) async
    /// Stops and frees everything; safe to call twice.
    func dispose() async
    func isRoomBusy(_ roomKey: String) async -> Bool
    var isRunning: Bool { get async }

    func info(roomKey: String?) async -> AdapterInfo
    func waitForModels(milliseconds: Int) async
    func handleSlashCommand(_ command: String, args: String, roomKey: String?) async -> CommandResult
    func rewind(messageId: String, roomKey: String?) async -> CommandResult
    func setPermissionLevel(_ level: PermissionLevel) async
    func permissionLevel() async -> PermissionLevel
}

extension AgentAdapter {
    public func stop(roomKey: String) async { await stop() }
}
