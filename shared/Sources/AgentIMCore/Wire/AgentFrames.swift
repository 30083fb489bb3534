import AgentIMWire
import Foundation

/// Frames about agents, for both endpoints (websocket §7, §8.2), rendered to JSON text.
/// Optional fields are omitted, never `null`.
public enum AgentFrames {
    struct GatewayAuthResult: Encodable { let type = "server:gateway_auth_result"; let ok: Bool; let error: String? }
    struct AgentOnly: Encodable { let type: String; let agentId: String }
    struct PermissionResponse: Encodable { let type = "server:permission_response"; let requestId: String; let agentId: String; let decision: String; let denyReason: String? }
    struct PermissionExpired: Encodable { let type = "server:permission_request_expired"; let requestId: String }
    struct PermissionRequestFrame: Encodable {
        let type = "server:permission_request"; let requestId: String; let agentId: String; let agentName: String
        let roomId: String; let toolName: String; let toolInput: JSONValue; let expiresAt: String
    }
    struct MessageChunk: Encodable { let type = "server:message_chunk"; let roomId: String; let agentId: String; let agentName: String; let messageId: String; let chunk: JSONValue }
    struct MessageComplete: Encodable { let type = "server:message_complete"; let message: ChatMessage }
    struct AgentsChanged: Encodable { let type = "server:agents_changed" }
    struct AgentStatus: Encodable { let type = "server:agent_status"; let agent: JSONValue }
    struct AgentInfo: Encodable { let type = "server:agent_info"; let agent: JSONValue }
    struct SendToAgent: Encodable {
        let type = "server:send_to_agent"; let agentId: String; let roomId: String; let messageId: String; let content: String
        let senderName: String; let senderType: String; let routingMode: String; let conversationId: String; let depth: Int
    }
    struct RoomContextFrame: Encodable { let type = "server:room_context"; let agentId: String; let context: JSONValue }
    struct AgentCommandFrame: Encodable { let type = "server:agent_command"; let agentId: String; let roomId: String; let command: String; let args: String; let userId: String }
    struct AgentCommandResult: Encodable { let type = "server:agent_command_result"; let agentId: String; let roomId: String; let command: String; let success: Bool; let message: String? }
    struct QueryAgentInfo: Encodable { let type = "server:query_agent_info"; let agentId: String; let roomId: String? }
    struct TerminalData: Encodable { let type = "server:terminal_data"; let agentId: String; let agentName: String; let roomId: String; let data: String }

    public static func gatewayAuthResult(ok: Bool, error: String? = nil) -> String { render(GatewayAuthResult(ok: ok, error: error)) }
    public static func removeAgent(_ agentId: String) -> String { render(AgentOnly(type: "server:remove_agent", agentId: agentId)) }
    struct StopAgent: Encodable { let type = "server:stop_agent"; let agentId: String; let roomId: String? }
    /// `roomId` (an addition to the original's frame) lets the CLI stop only that room (agent-cli.md §27).
    public static func stopAgent(_ agentId: String, roomId: String? = nil) -> String { render(StopAgent(agentId: agentId, roomId: roomId)) }
    public static let agentsChanged = render(AgentsChanged())

    public static func permissionResponse(requestId: String, agentId: String, decision: String, denyReason: String? = nil) -> String {
        render(PermissionResponse(requestId: requestId, agentId: agentId, decision: decision, denyReason: denyReason))
    }

    public static func permissionExpired(_ requestId: String) -> String { render(PermissionExpired(requestId: requestId)) }

    public static func permissionRequest(requestId: String, agentId: String, agentName: String, roomId: String,
                                         toolName: String, toolInput: JSONValue, expiresAt: String) -> String {
        render(PermissionRequestFrame(requestId: requestId, agentId: agentId, agentName: agentName, roomId: roomId,
                                      toolName: toolName, toolInput: toolInput, expiresAt: expiresAt))
    }

    public static func messageChunk(roomId: String, agentId: String, agentName: String, messageId: String, chunk: JSONValue) -> String {
        render(MessageChunk(roomId: roomId, agentId: agentId, agentName: agentName, messageId: messageId, chunk: chunk))
    }

    public static func messageComplete(_ message: ChatMessage) -> String { render(MessageComplete(message: message)) }
    public static func agentStatus(_ agent: JSONValue) -> String { render(AgentStatus(agent: agent)) }
    public static func agentInfo(_ agent: JSONValue) -> String { render(AgentInfo(agent: agent)) }

    public static func sendToAgent(agentId: String, roomId: String, messageId: String, content: String, senderName: String,
                                   senderType: String, routingMode: String, conversationId: String, depth: Int) -> String {
        render(SendToAgent(agentId: agentId, roomId: roomId, messageId: messageId, content: content, senderName: senderName,
                           senderType: senderType, routingMode: routingMode, conversationId: conversationId, depth: depth))
    }

    public static func roomContext(agentId: String, context: JSONValue) -> String { render(RoomContextFrame(agentId: agentId, context: context)) }

    public static func agentCommand(agentId: String, roomId: String, command: String, args: String, userId: String) -> String {
        render(AgentCommandFrame(agentId: agentId, roomId: roomId, command: command, args: args, userId: userId))
    }

    public static func agentCommandResult(agentId: String, roomId: String, command: String, success: Bool, message: String?) -> String {
        render(AgentCommandResult(agentId: agentId, roomId: roomId, command: command, success: success, message: message))
    }

    public static func queryAgentInfo(agentId: String, roomId: String?) -> String { render(QueryAgentInfo(agentId: agentId, roomId: roomId)) }

    public static func terminalData(agentId: String, agentName: String, roomId: String, data: String) -> String {
        render(TerminalData(agentId: agentId, agentName: agentName, roomId: roomId, data: data))
    }

    /// A frame whose body is a gateway's object with `type` replaced and fields added
    /// (spawn results and credential/OAuth relays, websocket §8.1).
    public static func relay(_ body: JSONValue, as type: String, adding extra: [String: JSONValue] = [:]) -> String {
        var object = body.objectValue ?? [:]
        object["type"] = .string(type)
        for (key, value) in extra { object[key] = value }
        return (try? JSONCoding.encodeString(JSONValue.object(object))) ?? "{}"
    }

    static func render(_ value: some Encodable) -> String { ServerFrame.render(value) }
}
