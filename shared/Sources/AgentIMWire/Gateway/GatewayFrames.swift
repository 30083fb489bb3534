import Foundation

// Gateway → hub frames (agent-cli.md §9.1, websocket.md §8.1). Optional fields are
// omitted when nil (JSONEncoder skips nil optionals).

public struct DeviceInfo: Codable, Sendable, Equatable {
    public var hostname: String
    public var platform: String
    public var arch: String
    public var nodeVersion: String
    public var agentimVersion: String?
    public init(hostname: String, platform: String, arch: String, nodeVersion: String, agentimVersion: String? = nil) {
        self.hostname = hostname; self.platform = platform; self.arch = arch; self.nodeVersion = nodeVersion; self.agentimVersion = agentimVersion
    }
}

/// `chunk` of `gateway:message_chunk` and the items of `chunks` (websocket.md §4.3).
public struct WireChunk: Codable, Sendable, Equatable {
    public var type: String
    public var content: String
    public var metadata: [String: JSONValue]?
    public init(type: String, content: String, metadata: [String: JSONValue]? = nil) { self.type = type; self.content = content; self.metadata = metadata }
}

public struct RegisteredAgent: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var type: String
    public var workingDirectory: String?
    public var capabilities: [String]?
    public var slashCommands: [SlashCommand]?
    public var mcpServers: [String]?
    public var model: String?
    public init(id: String, name: String, type: String, workingDirectory: String? = nil, capabilities: [String]? = nil,
                slashCommands: [SlashCommand]? = nil, mcpServers: [String]? = nil, model: String? = nil) {
        self.id = id; self.name = name; self.type = type; self.workingDirectory = workingDirectory; self.capabilities = capabilities
        self.slashCommands = slashCommands; self.mcpServers = mcpServers; self.model = model
    }
}

public struct ModelOption: Codable, Sendable, Equatable {
    public var value: String
    public var displayName: String
    public var description: String?
    public init(value: String, displayName: String, description: String? = nil) {
        self.value = value; self.displayName = displayName; self.description = description
    }
}

public struct CredentialRef: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public init(id: String, name: String) { self.id = id; self.name = name }
}

/// One frame ready for the socket: its type and its JSON text.
public struct OutboundFrame: Sendable, Equatable {
    public let type: String
    public let text: String
    public init(type: String, text: String) { self.type = type; self.text = text }
}

/// Builders for every gateway → hub type.
public enum GatewayFrame {
    private struct Auth: Encodable { let type = "gateway:auth"; let token: String; let gatewayId: String; let protocolVersion = "1"; let deviceInfo: DeviceInfo; let ephemeral: Bool? }
    private struct Ping: Encodable { let type = "gateway:ping"; let ts: Int64 }
    private struct Register: Encodable { let type = "gateway:register_agent"; let agent: RegisteredAgent }
    private struct AgentOnly: Encodable { let type: String; let agentId: String }
    private struct Status: Encodable { let type = "gateway:agent_status"; let agentId: String; let status: String; let queueDepth: Int }
    private struct Complete: Encodable {
        let type = "gateway:message_complete"; let roomId: String; let agentId: String; let messageId: String; let fullContent: String
        let chunks: [WireChunk]?; let conversationId: String?; let depth: Int?; let targetAgentName: String?
    }
    private struct Permission: Encodable { let type = "gateway:permission_request"; let requestId: String; let agentId: String; let roomId: String; let toolName: String; let toolInput: JSONValue; let timeoutMs: Int }
    private struct CommandResultFrame: Encodable { let type = "gateway:agent_command_result"; let agentId: String; let roomId: String; let command: String; let success: Bool; let message: String? }
    public struct AgentInfoFrame: Encodable, Sendable {
        let type = "gateway:agent_info"
        public var agentId: String
        public var roomId: String?
        public var slashCommands: [SlashCommand]
        public var mcpServers: [String]
        public var model: String?
        public var thinkingMode: String?
        public var effortLevel: String?
        public var sessionCostUSD: Double?
        public var availableModels: [String]?
        public var availableModelInfo: [ModelOption]?
        public var availableEffortLevels: [String]?
        public var availableThinkingModes: [String]?
        public var planMode: Bool?
        public var permissionLevel: String
        public init(agentId: String, roomId: String?, slashCommands: [SlashCommand], mcpServers: [String], model: String?, thinkingMode: String?,
                    effortLevel: String?, sessionCostUSD: Double?, availableModels: [String]?, availableModelInfo: [ModelOption]?,
                    availableEffortLevels: [String]?, availableThinkingModes: [String]?, planMode: Bool?, permissionLevel: String) {
            self.agentId = agentId; self.roomId = roomId; self.slashCommands = slashCommands; self.mcpServers = mcpServers; self.model = model
            self.thinkingMode = thinkingMode; self.effortLevel = effortLevel; self.sessionCostUSD = sessionCostUSD; self.availableModels = availableModels
            self.availableModelInfo = availableModelInfo; self.availableEffortLevels = availableEffortLevels
            self.availableThinkingModes = availableThinkingModes; self.planMode = planMode; self.permissionLevel = permissionLevel
        }
    }
    private struct SpawnResult: Encodable { let type = "gateway:spawn_result"; let requestId: String; let success: Bool; let agentId: String?; let error: String? }
    private struct Workspace: Encodable { let type = "gateway:workspace_response"; let agentId: String; let requestId: String; let response: JSONValue }
    private struct CredentialList: Encodable { let type = "gateway:credential_list"; let requestId: String; let agentType: String; let credentials: [JSONValue] }
    private struct RequestResult: Encodable { let type: String; let requestId: String; let success: Bool; let error: String?; let credential: CredentialRef? }
    private struct OAuthURL: Encodable { let type = "gateway:oauth_url"; let requestId: String; let authUrl: String; let autoCallback: Bool? }
    private struct Rewind: Encodable { let type = "gateway:rewind_result"; let agentId: String; let roomId: String; let success: Bool; let error: String? }

    private static func frame<T: Encodable>(_ type: String, _ value: T) -> OutboundFrame { OutboundFrame(type: type, text: JSONValue.text(value)) }

    public static func auth(token: String, gatewayId: String, deviceInfo: DeviceInfo, ephemeral: Bool) -> OutboundFrame {
        frame("gateway:auth", Auth(token: token, gatewayId: gatewayId, deviceInfo: deviceInfo, ephemeral: ephemeral ? true : nil))
    }
    public static func ping(ts: Int64) -> OutboundFrame { frame("gateway:ping", Ping(ts: ts)) }
    public static func register(_ agent: RegisteredAgent) -> OutboundFrame { frame("gateway:register_agent", Register(agent: agent)) }
    public static func unregister(agentId: String) -> OutboundFrame { frame("gateway:unregister_agent", AgentOnly(type: "gateway:unregister_agent", agentId: agentId)) }
    public static func status(agentId: String, status: String, queueDepth: Int) -> OutboundFrame {
        frame("gateway:agent_status", Status(agentId: agentId, status: status, queueDepth: queueDepth))
    }
    /// Written without JSONEncoder: one frame per streamed chunk makes this the hot path (same JSONValue).
    public static func chunk(roomId: String, agentId: String, messageId: String, chunk: WireChunk, targetAgentName: String? = nil) -> OutboundFrame {
        var out: [UInt8] = []
        out.reserveCapacity(chunk.content.utf8.count + 160)
        func field(_ name: String, _ value: String) {
            out.append(contentsOf: name.utf8)
            JSONValue.appendQuoted(value, to: &out)
        }
        field(#"{"type":"#, "gateway:message_chunk")
        field(#","roomId":"#, roomId)
        field(#","agentId":"#, agentId)
        field(#","messageId":"#, messageId)
        field(#","chunk":{"type":"#, chunk.type)
        field(#","content":"#, chunk.content)
        if let metadata = chunk.metadata {
            out.append(contentsOf: #","metadata":"#.utf8)
            out.append(contentsOf: JSONValue.text(metadata).utf8)
        }
        out.append(0x7D)
        if let targetAgentName { field(#","targetAgentName":"#, targetAgentName) }
        out.append(0x7D)
        return OutboundFrame(type: "gateway:message_chunk", text: String(decoding: out, as: UTF8.self))
    }
    public static func complete(roomId: String, agentId: String, messageId: String, fullContent: String, chunks: [WireChunk]?,
                                conversationId: String?, depth: Int?, targetAgentName: String? = nil) -> OutboundFrame {
        frame("gateway:message_complete", Complete(roomId: roomId, agentId: agentId, messageId: messageId, fullContent: fullContent, chunks: chunks,
                                                    conversationId: conversationId, depth: depth, targetAgentName: targetAgentName))
    }
    public static func permissionRequest(requestId: String, agentId: String, roomId: String, toolName: String, toolInput: JSONValue, timeoutMs: Int) -> OutboundFrame {
        frame("gateway:permission_request", Permission(requestId: requestId, agentId: agentId, roomId: roomId, toolName: toolName, toolInput: toolInput, timeoutMs: timeoutMs))
    }
    public static func commandResult(agentId: String, roomId: String, command: String, success: Bool, message: String?) -> OutboundFrame {
        frame("gateway:agent_command_result", CommandResultFrame(agentId: agentId, roomId: roomId, command: command, success: success, message: message))
    }
    public static func agentInfo(_ info: AgentInfoFrame) -> OutboundFrame { frame("gateway:agent_info", info) }
    public static func spawnResult(requestId: String, success: Bool, agentId: String?, error: String?) -> OutboundFrame {
        frame("gateway:spawn_result", SpawnResult(requestId: requestId, success: success, agentId: agentId, error: error))
    }
    public static func workspaceResponse(agentId: String, requestId: String, response: JSONValue) -> OutboundFrame {
        frame("gateway:workspace_response", Workspace(agentId: agentId, requestId: requestId, response: response))
    }
    public static func credentialList(requestId: String, agentType: String, credentials: [JSONValue]) -> OutboundFrame {
        frame("gateway:credential_list", CredentialList(requestId: requestId, agentType: agentType, credentials: credentials))
    }
    public static func credentialResult(requestId: String, success: Bool, error: String?, credential: CredentialRef?) -> OutboundFrame {
        frame("gateway:credential_result", RequestResult(type: "gateway:credential_result", requestId: requestId, success: success, error: error, credential: credential))
    }
    public static func oauthURL(requestId: String, authUrl: String, autoCallback: Bool?) -> OutboundFrame {
        frame("gateway:oauth_url", OAuthURL(requestId: requestId, authUrl: authUrl, autoCallback: autoCallback))
    }
    public static func oauthResult(requestId: String, success: Bool, error: String?, credential: CredentialRef?) -> OutboundFrame {
        frame("gateway:oauth_result", RequestResult(type: "gateway:oauth_result", requestId: requestId, success: success, error: error, credential: credential))
    }
    public static func rewindResult(agentId: String, roomId: String, success: Bool, error: String?) -> OutboundFrame {
        frame("gateway:rewind_result", Rewind(agentId: agentId, roomId: roomId, success: success, error: error))
    }
}
