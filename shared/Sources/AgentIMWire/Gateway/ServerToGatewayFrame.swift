import Foundation

// Hub → gateway frames (agent-cli.md §9.2, websocket.md §8.2), decoded and validated by the
// gateway (the `agentim` CLI). A frame that does not decode into its type is dropped by the
// caller (§8.7). Named apart from AgentIMCore's `ServerFrame`, which renders hub → client frames.

public enum ServerToGatewayFrame: Sendable, Equatable {
    case gatewayAuthResult(ok: Bool, error: String?)
    case pong(ts: Double)
    case error(code: String, message: String)
    case sendToAgent(SendToAgent)
    case roomContext(agentId: String, context: RoomContext)
    /// `roomId` is our hub's addition (§27): stop only that room. Absent → every room.
    case stopAgent(agentId: String, roomId: String?)
    case removeAgent(agentId: String)
    case permissionResponse(PermissionResponse)
    case agentCommand(AgentCommand)
    case queryAgentInfo(agentId: String, roomId: String?)
    case spawnAgent(SpawnAgent)
    case requestWorkspace(agentId: String, roomId: String, requestId: String, request: WorkspaceRequest)
    case listCredentials(requestId: String, agentType: String)
    case addCredential(AddCredential)
    case manageCredential(ManageCredential)
    case startOAuth(requestId: String, agentType: String, credentialName: String)
    case completeOAuth(requestId: String, callbackUrl: String)
    case rewindAgent(agentId: String, roomId: String, messageId: String)

    private struct Head: Decodable { let type: String }
    private struct AuthResult: Decodable { let ok: Bool; let error: String? }
    private struct Pong: Decodable { let ts: Double }
    private struct ErrorFrame: Decodable { let code: String; let message: String? }
    private struct ContextFrame: Decodable { let agentId: String; let context: RoomContext }
    private struct AgentRoom: Decodable { let agentId: String; let roomId: String? }
    private struct Workspace: Decodable { let agentId: String; let roomId: String; let requestId: String; let request: WorkspaceRequest }
    private struct ListCreds: Decodable { let requestId: String; let agentType: String }
    private struct StartOAuth: Decodable { let requestId: String; let agentType: String; let credentialName: String }
    private struct CompleteOAuth: Decodable { let requestId: String; let callbackUrl: String }
    private struct Rewind: Decodable { let agentId: String; let roomId: String; let messageId: String }

    /// Decodes one text frame; nil when it is not JSON, of an unknown type, or invalid.
    public static func decode(_ text: String) -> ServerToGatewayFrame? {
        let data = Data(text.utf8)
        let d = JSONDecoder()
        guard let head = try? d.decode(Head.self, from: data) else { return nil }
        func get<T: Decodable>(_ t: T.Type) -> T? { try? d.decode(t, from: data) }
        switch head.type {
        case "server:gateway_auth_result": return get(AuthResult.self).map { .gatewayAuthResult(ok: $0.ok, error: $0.error) }
        case "server:pong": return .pong(ts: get(Pong.self)?.ts ?? 0)
        case "server:error": return get(ErrorFrame.self).map { .error(code: $0.code, message: $0.message ?? "") }
        case "server:send_to_agent":
            guard let m = get(SendToAgent.self), !m.agentId.isEmpty, !m.roomId.isEmpty, m.depth >= 0 else { return nil }
            return .sendToAgent(m)
        case "server:room_context": return get(ContextFrame.self).map { .roomContext(agentId: $0.agentId, context: $0.context) }
        case "server:stop_agent": return get(AgentRoom.self).map { .stopAgent(agentId: $0.agentId, roomId: $0.roomId) }
        case "server:remove_agent": return get(AgentRoom.self).map { .removeAgent(agentId: $0.agentId) }
        case "server:permission_response":
            guard let p = get(PermissionResponse.self), ["allow", "allowAlways", "deny", "timeout"].contains(p.decision) else { return nil }
            return .permissionResponse(p)
        case "server:agent_command":
            guard let c = get(AgentCommand.self), !c.command.isEmpty, c.command.count <= 100 else { return nil }
            return .agentCommand(c)
        case "server:query_agent_info": return get(AgentRoom.self).map { .queryAgentInfo(agentId: $0.agentId, roomId: $0.roomId) }
        case "server:spawn_agent":
            guard let s = get(SpawnAgent.self), ["claude-code", "codex", "gemini", "generic"].contains(s.agentType),
                  (1...100).contains(s.name.count), (s.credentialId?.count ?? 0) <= 50 else { return nil }
            return .spawnAgent(s)
        case "server:request_workspace":
            guard let w = get(Workspace.self), ["status", "tree", "file"].contains(w.request.kind), (w.request.path?.count ?? 0) <= 4096 else { return nil }
            return .requestWorkspace(agentId: w.agentId, roomId: w.roomId, requestId: w.requestId, request: w.request)
        case "server:list_credentials": return get(ListCreds.self).map { .listCredentials(requestId: $0.requestId, agentType: $0.agentType) }
        case "server:add_credential":
            guard let a = get(AddCredential.self), ["api", "subscription"].contains(a.mode) else { return nil }
            return .addCredential(a)
        case "server:manage_credential":
            guard let m = get(ManageCredential.self), ["rename", "delete", "set_default"].contains(m.action) else { return nil }
            return .manageCredential(m)
        case "server:start_oauth": return get(StartOAuth.self).map { .startOAuth(requestId: $0.requestId, agentType: $0.agentType, credentialName: $0.credentialName) }
        case "server:complete_oauth": return get(CompleteOAuth.self).map { .completeOAuth(requestId: $0.requestId, callbackUrl: $0.callbackUrl) }
        case "server:rewind_agent": return get(Rewind.self).map { .rewindAgent(agentId: $0.agentId, roomId: $0.roomId, messageId: $0.messageId) }
        default: return nil
        }
    }
}

/// The payloads of the hub → gateway frames.
extension ServerToGatewayFrame {
    public struct SendToAgent: Codable, Sendable, Equatable {
        public var agentId: String
        public var roomId: String
        public var messageId: String
        public var content: String
        public var senderName: String
        public var senderType: String
        public var routingMode: String
        public var conversationId: String
        public var depth: Int
        public init(agentId: String, roomId: String, messageId: String, content: String, senderName: String, senderType: String = "user",
                    routingMode: String = "direct", conversationId: String = "", depth: Int = 0) {
            self.agentId = agentId; self.roomId = roomId; self.messageId = messageId; self.content = content; self.senderName = senderName
            self.senderType = senderType; self.routingMode = routingMode; self.conversationId = conversationId; self.depth = depth
        }
    }

    public struct PermissionResponse: Codable, Sendable, Equatable {
        public var requestId: String
        public var agentId: String
        public var decision: String
        public var denyReason: String?
        public init(requestId: String, agentId: String, decision: String, denyReason: String? = nil) {
            self.requestId = requestId; self.agentId = agentId; self.decision = decision; self.denyReason = denyReason
        }
    }

    public struct AgentCommand: Codable, Sendable, Equatable {
        public var agentId: String
        public var roomId: String
        public var command: String
        public var args: String
        public var userId: String?
        public init(agentId: String, roomId: String, command: String, args: String, userId: String? = nil) {
            self.agentId = agentId; self.roomId = roomId; self.command = command; self.args = args; self.userId = userId
        }
    }

    public struct SpawnAgent: Codable, Sendable, Equatable {
        public var requestId: String
        public var agentType: String
        public var name: String
        public var workingDirectory: String?
        public var credentialId: String?
        public init(requestId: String, agentType: String, name: String, workingDirectory: String? = nil, credentialId: String? = nil) {
            self.requestId = requestId; self.agentType = agentType; self.name = name; self.workingDirectory = workingDirectory; self.credentialId = credentialId
        }
    }

    public struct WorkspaceRequest: Codable, Sendable, Equatable {
        public var kind: String
        public var path: String?
        public init(kind: String, path: String? = nil) {
            self.kind = kind; self.path = path
        }
    }

    public struct AddCredential: Codable, Sendable, Equatable {
        public var requestId: String
        public var agentType: String
        public var name: String
        public var mode: String
        public var apiKey: String?
        public var baseUrl: String?
        public var model: String?
        public init(requestId: String, agentType: String, name: String, mode: String, apiKey: String? = nil, baseUrl: String? = nil, model: String? = nil) {
            self.requestId = requestId; self.agentType = agentType; self.name = name; self.mode = mode; self.apiKey = apiKey; self.baseUrl = baseUrl; self.model = model
        }
    }

    public struct ManageCredential: Codable, Sendable, Equatable {
        public var requestId: String
        public var agentType: String
        public var credentialId: String
        public var action: String
        public var name: String?
        public init(requestId: String, agentType: String, credentialId: String, action: String, name: String? = nil) {
            self.requestId = requestId; self.agentType = agentType; self.credentialId = credentialId; self.action = action; self.name = name
        }
    }
}
