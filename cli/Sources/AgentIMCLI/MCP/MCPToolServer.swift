import Foundation

/// The `agentim` MCP server of §18 as a JSON-RPC message handler. One handler serves both
/// transports: Claude's in-process SDK server (`mcp_message` control requests carry single
/// JSON-RPC messages, so no transport of the MCP SDK fits) and the stdio server (`MCPStdioServer`).
public struct MCPToolServer: Sendable {
    public static let serverName = "agentim"
    public static let serverVersion = "1.0.0"
    public static let protocolVersion = "2025-06-18"

    public let context: (any AgentIMToolContext)?
    public init(context: (any AgentIMToolContext)?) { self.context = context }

    public static var tools: [[String: Any]] { [
        ["name": "send_message",
         "description": "Send a message to another agent in the current room.",
         "inputSchema": ["type": "object", "required": ["target_agent", "content"],
                         "properties": ["target_agent": ["type": "string", "description": "Name of the agent to address"],
                                        "content": ["type": "string", "description": "Message text"]]]],
        ["name": "request_reply",
         "description": "Send a message to another agent and wait for its reply.",
         "inputSchema": ["type": "object", "required": ["target_agent", "content"],
                         "properties": ["target_agent": ["type": "string"], "content": ["type": "string"],
                                        "timeout_seconds": ["type": "number", "description": "Seconds to wait (default 120, max 300)"]]]],
        ["name": "get_room_messages",
         "description": "Read the latest messages of the current room.",
         "inputSchema": ["type": "object", "properties": ["limit": ["type": "number", "description": "How many (default 20, max 50)"]]]],
        ["name": "list_room_members",
         "description": "List the members of the current room.",
         "inputSchema": ["type": "object", "properties": [String: Any]()]],
    ] }

    /// Handles one decoded JSON-RPC message; returns the response object, or nil for notifications.
    public func handle(_ message: [String: Any]) async -> [String: Any]? {
        let id = message["id"]
        guard let method = message["method"] as? String else {
            return id == nil ? nil : Self.error(id: id, code: -32600, message: "Invalid Request")
        }
        guard let id, !(id is NSNull) else { return nil }   // notifications (e.g. notifications/initialized)
        let params = message["params"] as? [String: Any] ?? [:]
        switch method {
        case "initialize":
            let requested = params["protocolVersion"] as? String
            return Self.result(id: id, [
                "protocolVersion": requested ?? Self.protocolVersion,
                "capabilities": ["tools": ["listChanged": false]],
                "serverInfo": ["name": Self.serverName, "version": Self.serverVersion],
            ])
        case "ping":
            return Self.result(id: id, [:])
        case "tools/list":
            return Self.result(id: id, ["tools": Self.tools])
        case "tools/call":
            let name = params["name"] as? String ?? ""
            let arguments = params["arguments"] as? [String: Any] ?? [:]
            let (payload, isError) = await call(name, arguments)
            var result: [String: Any] = ["content": [["type": "text", "text": payload]]]
            if isError { result["isError"] = true }
            return Self.result(id: id, result)
        default:
            return Self.error(id: id, code: -32601, message: "Method not found: \(method)")
        }
    }

    /// Runs one tool; the text is JSON (§18: one text item holding JSON).
    func call(_ name: String, _ args: [String: Any]) async -> (String, Bool) {
        do {
            switch name {
            case "send_message":
                let (target, content) = try Self.targetAndContent(args)
                guard let context else { throw AgentIMToolError.notInRoom }
                let messageId = try await context.sendMessage(targetAgent: target, content: content)
                return (Self.json(["success": true, "messageId": messageId]), false)
            case "request_reply":
                let (target, content) = try Self.targetAndContent(args)
                let requested = (args["timeout_seconds"] as? NSNumber)?.intValue ?? 120
                let timeout = min(max(requested, 1), 300)
                guard let context else { throw AgentIMToolError.notInRoom }
                if let answer = try await context.requestReply(targetAgent: target, content: content, timeoutSeconds: timeout) {
                    return (Self.json(["reply": answer.reply, "agentName": answer.agentName]), false)
                }
                return (Self.json(["timeout": true]), false)
            case "get_room_messages":
                let requested = (args["limit"] as? NSNumber)?.intValue ?? 20
                let limit = min(max(requested, 1), 50)
                let messages = await context?.roomMessages(limit: limit) ?? []
                let list = messages.suffix(limit).map { ["sender": $0.sender, "senderType": $0.senderType, "content": $0.content, "timestamp": $0.timestamp] }
                return (Self.json(["messages": list]), false)
            case "list_room_members":
                let members = await context?.roomMembers() ?? []
                let list: [[String: Any]] = members.map { member in
                    var entry: [String: Any] = ["name": member.name, "type": member.type]
                    if let agentType = member.agentType { entry["agentType"] = agentType }
                    if let status = member.status { entry["status"] = status }
                    return entry
                }
                return (Self.json(["members": list]), false)
            default:
                return (Self.json(["error": "Unknown tool: \(name)"]), true)
            }
        } catch {
            return (Self.json(["error": "\(error)"]), true)
        }
    }

    static func targetAndContent(_ args: [String: Any]) throws -> (String, String) {
        guard let target = args["target_agent"] as? String, !target.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw AgentIMToolError.other("target_agent is required")
        }
        guard let content = args["content"] as? String, !content.isEmpty else {
            throw AgentIMToolError.other("content is required")
        }
        return (target, content)
    }

    static func json(_ object: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func result(id: Any, _ result: [String: Any]) -> [String: Any] { ["jsonrpc": "2.0", "id": id, "result": result] }
    static func error(id: Any?, code: Int, message: String) -> [String: Any] {
        ["jsonrpc": "2.0", "id": id ?? NSNull(), "error": ["code": code, "message": message]]
    }
}

/// The stdio transport: newline-delimited JSON-RPC on stdin/stdout (for agents that start MCP
/// servers as children, e.g. Codex). Reads lines until EOF.
public enum MCPStdioServer {
    public static func run(server: MCPToolServer, input: FileHandle = .standardInput, output: FileHandle = .standardOutput) async {
        var splitter = LineSplitter()
        for await chunk in StdinChunks.stream(input) {
            guard let lines = try? splitter.feed(chunk) else { return }
            for line in lines where !line.isEmpty {
                guard let data = line.data(using: .utf8),
                      let message = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                    write(MCPToolServer.error(id: nil, code: -32700, message: "Parse error"), to: output)
                    continue
                }
                if let response = await server.handle(message) { write(response, to: output) }
            }
        }
    }

    static func write(_ object: [String: Any], to output: FileHandle) {
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes]) else { return }
        data.append(0x0A)
        output.write(data)
    }
}

/// Reads a file handle as an async stream of chunks without blocking a cooperative thread.
enum StdinChunks {
    static func stream(_ handle: FileHandle) -> AsyncStream<Data> {
        AsyncStream { continuation in
            let queue = DispatchQueue(label: "agentim.mcp.stdin")
            guard let io = try? DispatchChannel.stream(handle.fileDescriptor, queue: queue) else { continuation.finish(); return }
            io.setLimit(lowWater: 1)
            io.read(offset: 0, length: Int.max, queue: queue) { done, data, _ in
                if let data, !data.isEmpty { continuation.yield(Data(data)) }
                if done { io.close(); continuation.finish() }
            }
        }
    }
}
