/// A gateway → hub frame as the hub reads it (websocket §8.1), decoded once with the schema
/// checks of the table. A known type whose fields fail them is `.malformed`: the hub drops it
/// (after the authentication gate, so before `gateway:auth` it still closes 1008).
public enum InboundGatewayFrame: Sendable, Equatable {
    public struct Auth: Sendable, Equatable {
        public var token: String
        public var gatewayId: String
        public var protocolVersion: String?
        /// hostname, platform, arch and nodeVersion are strings; other keys are kept as sent.
        public var deviceInfo: [String: JSONValue]
        public var ephemeral: Bool
        public init(token: String, gatewayId: String, protocolVersion: String?, deviceInfo: [String: JSONValue], ephemeral: Bool) {
            self.token = token; self.gatewayId = gatewayId; self.protocolVersion = protocolVersion; self.deviceInfo = deviceInfo; self.ephemeral = ephemeral
        }
    }

    public struct MessageComplete: Sendable, Equatable {
        public var roomId: String
        public var agentId: String
        public var messageId: String
        public var fullContent: String
        /// Each a valid chunk (websocket §4.3), as sent.
        public var chunks: [JSONValue]?
        public var conversationId: String?
        public var depth: Int?
        public var targetAgentName: String?
        public init(roomId: String, agentId: String, messageId: String, fullContent: String, chunks: [JSONValue]?,
                    conversationId: String?, depth: Int?, targetAgentName: String?) {
            self.roomId = roomId; self.agentId = agentId; self.messageId = messageId; self.fullContent = fullContent; self.chunks = chunks
            self.conversationId = conversationId; self.depth = depth; self.targetAgentName = targetAgentName
        }
    }

    public struct PermissionRequest: Sendable, Equatable {
        public var requestId: String
        public var agentId: String
        public var roomId: String
        public var toolName: String
        /// An object.
        public var toolInput: JSONValue
        public var timeoutMs: Int
        public init(requestId: String, agentId: String, roomId: String, toolName: String, toolInput: JSONValue, timeoutMs: Int) {
            self.requestId = requestId; self.agentId = agentId; self.roomId = roomId; self.toolName = toolName
            self.toolInput = toolInput; self.timeoutMs = timeoutMs
        }
    }

    /// The frames the hub relays to the gateway owner's client sockets unchanged.
    public enum Relayed: String, Sendable, Equatable, CaseIterable {
        case spawnResult = "gateway:spawn_result"
        case credentialList = "gateway:credential_list"
        case credentialResult = "gateway:credential_result"
        case oauthURL = "gateway:oauth_url"
        case oauthResult = "gateway:oauth_result"
    }

    case auth(Auth)
    /// `ts` is any JSON number.
    case ping(ts: Double)
    /// `agent` as sent: id and name non-empty, a known type, ≤ 100 slash commands and MCP servers, model ≤ 200.
    case registerAgent(agentId: String, agent: [String: JSONValue])
    case unregisterAgent(agentId: String)
    /// `chunk` as sent, once checked; `content` is its text.
    case messageChunk(roomId: String, agentId: String, messageId: String, chunk: JSONValue, content: String)
    case messageComplete(MessageComplete)
    case agentStatus(agentId: String, status: String, queueDepth: Int?)
    case permissionRequest(PermissionRequest)
    case agentCommandResult(agentId: String, roomId: String, command: String, success: Bool, message: String?)
    /// The whole frame's body, which rooms stores as the agent's info.
    case agentInfo(agentId: String, roomId: String?, body: [String: JSONValue])
    /// The whole frame, relayed with its own fields.
    case relayed(Relayed, frame: JSONValue)
    case workspaceResponse(agentId: String, requestId: String, response: JSONValue)
    /// Only logged: `success` is true only when it is the JSON `true`.
    case rewindResult(success: Bool)
    case taskUpdate(taskId: String, status: String, result: String?)
    case terminalData(agentId: String, data: String)
    /// A gateway type whose fields fail the schema.
    case malformed(type: String)

    /// The gateway → hub types of websocket §1.3.
    public static let types: Set<String> = [
        "gateway:auth", "gateway:ping", "gateway:register_agent", "gateway:unregister_agent",
        "gateway:message_chunk", "gateway:message_complete", "gateway:agent_status", "gateway:permission_request",
        "gateway:agent_command_result", "gateway:agent_info", "gateway:spawn_result", "gateway:workspace_response",
        "gateway:credential_list", "gateway:credential_result", "gateway:oauth_url", "gateway:oauth_result",
        "gateway:rewind_result", "gateway:task_update", "gateway:terminal_data",
    ]
    public static let chunkTypes: Set<String> = ["text", "thinking", "tool_use", "tool_result", "error", "workspace_status"]
    public static let agentTypes: Set<String> = ["claude-code", "codex", "gemini", "generic"]
    public static let agentStatuses: Set<String> = ["online", "offline", "busy", "error"]

    /// nil when `value` is not an object whose `type` is a gateway → hub type (dropped silently).
    public static func parse(_ value: JSONValue) -> InboundGatewayFrame? {
        guard let body = value.objectValue, let type = body["type"]?.stringValue, types.contains(type) else { return nil }
        return decode(type, Fields(body: body), frame: value) ?? .malformed(type: type)
    }

    /// The type the frame arrived as.
    public var type: String {
        switch self {
        case .auth: "gateway:auth"
        case .ping: "gateway:ping"
        case .registerAgent: "gateway:register_agent"
        case .unregisterAgent: "gateway:unregister_agent"
        case .messageChunk: "gateway:message_chunk"
        case .messageComplete: "gateway:message_complete"
        case .agentStatus: "gateway:agent_status"
        case .permissionRequest: "gateway:permission_request"
        case .agentCommandResult: "gateway:agent_command_result"
        case .agentInfo: "gateway:agent_info"
        case .relayed(let kind, _): kind.rawValue
        case .workspaceResponse: "gateway:workspace_response"
        case .rewindResult: "gateway:rewind_result"
        case .taskUpdate: "gateway:task_update"
        case .terminalData: "gateway:terminal_data"
        case .malformed(let type): type
        }
    }

    private static func decode(_ type: String, _ fields: Fields, frame: JSONValue) -> InboundGatewayFrame? {
        switch type {
        case "gateway:auth":
            guard let token = fields.string("token", 1...2000), let gatewayId = fields.string("gatewayId"),
                  case .some(let protocolVersion) = fields.optionalString("protocolVersion"),
                  let device = fields["deviceInfo"]?.objectValue,
                  ["hostname", "platform", "arch", "nodeVersion"].allSatisfy({ device[$0]?.stringValue != nil }) else { return nil }
            return .auth(Auth(token: token, gatewayId: gatewayId, protocolVersion: protocolVersion, deviceInfo: device,
                              ephemeral: fields.bool("ephemeral") ?? false))
        case "gateway:ping":
            guard case .number(let ts)? = fields["ts"] else { return nil }
            return .ping(ts: ts)
        case "gateway:register_agent":
            guard let agent = fields["agent"]?.objectValue, let agentId = agent["id"]?.stringValue, !agentId.isEmpty,
                  let name = agent["name"]?.stringValue, !name.isEmpty,
                  let kind = agent["type"]?.stringValue, agentTypes.contains(kind),
                  (agent["slashCommands"]?.arrayValue?.count ?? 0) <= 100, (agent["mcpServers"]?.arrayValue?.count ?? 0) <= 100,
                  (agent["model"]?.stringValue?.jsLength ?? 0) <= 200 else { return nil }
            return .registerAgent(agentId: agentId, agent: agent)
        case "gateway:unregister_agent":
            return fields.string("agentId").map { .unregisterAgent(agentId: $0) }
        case "gateway:message_chunk":
            guard let roomId = fields.string("roomId"), let agentId = fields.string("agentId"), let messageId = fields.string("messageId"),
                  let chunk = fields["chunk"], isChunk(chunk), let content = chunk["content"]?.stringValue else { return nil }
            return .messageChunk(roomId: roomId, agentId: agentId, messageId: messageId, chunk: chunk, content: content)
        case "gateway:message_complete":
            guard let roomId = fields.string("roomId"), let agentId = fields.string("agentId"), let messageId = fields.string("messageId"),
                  let fullContent = fields.string("fullContent", 0...200_000),
                  case .some(let conversationId) = fields.optionalString("conversationId", max: 100),
                  case .some(let depth) = fields.optionalInt("depth", 0...Int(Int32.max)),
                  case .some(let target) = fields.optionalString("targetAgentName") else { return nil }
            var chunks: [JSONValue]?
            if let raw = fields["chunks"], raw != .null {
                guard let items = raw.arrayValue, items.count <= 5000, items.allSatisfy(isChunk) else { return nil }
                chunks = items
            }
            return .messageComplete(MessageComplete(roomId: roomId, agentId: agentId, messageId: messageId, fullContent: fullContent,
                                                    chunks: chunks, conversationId: conversationId, depth: depth, targetAgentName: target))
        case "gateway:agent_status":
            guard let agentId = fields.string("agentId"), let status = fields.string("status"), agentStatuses.contains(status),
                  case .some(let depth) = fields.optionalInt("queueDepth", 0...Int(Int32.max)) else { return nil }
            return .agentStatus(agentId: agentId, status: status, queueDepth: depth)
        case "gateway:permission_request":
            guard let requestId = fields.string("requestId", 1...100), let agentId = fields.string("agentId"), let roomId = fields.string("roomId"),
                  let toolName = fields.string("toolName", 1...200), let toolInput = fields["toolInput"], toolInput.objectValue != nil,
                  let timeoutMs = fields.int("timeoutMs", 1000...300_000) else { return nil }
            return .permissionRequest(PermissionRequest(requestId: requestId, agentId: agentId, roomId: roomId, toolName: toolName,
                                                        toolInput: toolInput, timeoutMs: timeoutMs))
        case "gateway:agent_command_result":
            guard let agentId = fields.string("agentId"), let roomId = fields.string("roomId"), let command = fields.string("command", 1...100),
                  let success = fields.bool("success"), case .some(let message) = fields.optionalString("message", max: 10_000) else { return nil }
            return .agentCommandResult(agentId: agentId, roomId: roomId, command: command, success: success, message: message)
        case "gateway:agent_info":
            guard let agentId = fields.string("agentId"), fields["slashCommands"]?.arrayValue != nil, fields["mcpServers"]?.arrayValue != nil,
                  case .some(let roomId) = fields.optionalString("roomId") else { return nil }
            return .agentInfo(agentId: agentId, roomId: roomId, body: fields.body)
        case "gateway:workspace_response":
            guard let agentId = fields.string("agentId"), let requestId = fields.string("requestId"),
                  let response = fields["response"], response.objectValue?["kind"]?.stringValue != nil else { return nil }
            return .workspaceResponse(agentId: agentId, requestId: requestId, response: response)
        case "gateway:rewind_result":
            return .rewindResult(success: fields.bool("success") == true)
        case "gateway:task_update":
            guard let taskId = fields.string("taskId"), let status = fields.string("status"),
                  case .some(let result) = fields.optionalString("result", max: 100_000) else { return nil }
            return .taskUpdate(taskId: taskId, status: status, result: result)
        case "gateway:terminal_data":
            guard let agentId = fields.string("agentId"), let data = fields.string("data", 0...1_000_000) else { return nil }
            return .terminalData(agentId: agentId, data: data)
        default:
            // The relayed five: a non-empty requestId, except credential_list, which goes as it is.
            guard let kind = Relayed(rawValue: type), fields.string("requestId") != nil || kind == .credentialList else { return nil }
            return .relayed(kind, frame: frame)
        }
    }

    /// A ParsedChunk (websocket §4.3): a known type, content ≤ 1,000,000, metadata an object of
    /// ≤ 50 keys whose JSON is ≤ 100,000 characters.
    public static func isChunk(_ value: JSONValue) -> Bool {
        guard let chunk = value.objectValue, let type = chunk["type"]?.stringValue, chunkTypes.contains(type),
              let content = chunk["content"]?.stringValue, content.jsLength <= 1_000_000 else { return false }
        if let metadata = chunk["metadata"], metadata != .null {
            guard let keys = metadata.objectValue, keys.count <= 50, JSONValue.text(metadata).jsLength <= 100_000 else { return false }
        }
        return true
    }

    /// Field readers: nil when a field is missing or out of bounds.
    private struct Fields {
        let body: [String: JSONValue]

        subscript(key: String) -> JSONValue? { body[key] }

        func string(_ key: String, _ range: ClosedRange<Int> = 1...Int.max) -> String? {
            guard let text = body[key]?.stringValue, range.contains(text.jsLength) else { return nil }
            return text
        }

        /// `.some(nil)` when absent or null, nil when present and invalid.
        func optionalString(_ key: String, max: Int = Int.max) -> String?? {
            guard let raw = body[key], raw != .null else { return .some(nil) }
            guard let text = raw.stringValue, text.jsLength <= max else { return nil }
            return .some(text)
        }

        func int(_ key: String, _ range: ClosedRange<Int>) -> Int? {
            guard let number = body[key]?.numberValue, number.rounded() == number,
                  number >= Double(range.lowerBound), number <= Double(range.upperBound) else { return nil }
            return Int(number)
        }

        func optionalInt(_ key: String, _ range: ClosedRange<Int>) -> Int?? {
            guard let raw = body[key], raw != .null else { return .some(nil) }
            guard raw.numberValue != nil, let value = int(key, range) else { return nil }
            return .some(value)
        }

        func bool(_ key: String) -> Bool? { body[key]?.boolValue }
    }
}
