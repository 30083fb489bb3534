import Foundation

extension ClientFrame {
    /// The inbound pipeline of websocket §3.2 in its order: size, JSON, shape, then the
    /// frame's schema.
    public static func parse(_ text: String, maxLength: Int) throws(Rejection) -> ClientFrame {
        if text.jsLength > maxLength { throw .tooLarge }
        // JSONParser, not JSONDecoder's Decodable path (a sixth of the hub's time per chat message).
        guard let value = JSONValue.parse(text) else { throw .invalidJSON }
        do {
            try value.checkShape()
        } catch .tooDeep {
            throw .tooDeep
        } catch {
            throw .tooWide
        }
        return try parse(value)
    }

    /// The schema step. Session and chat types that fail it throw; agent and gateway types
    /// come back as `.refused`, judged later (see there).
    public static func parse(_ value: JSONValue) throws(Rejection) -> ClientFrame {
        guard let body = value.objectValue, let type = body["type"]?.stringValue else { throw .invalidMessage }
        let fields = Fields(body: body)
        switch type {
        case "client:auth":
            return .auth(token: try fields.string("token", 1...2000), protocolVersion: try fields.optionalString("protocolVersion"))
        case "client:ping":
            guard let ts = body["ts"]?.numberValue else { throw .invalidMessage }
            return .ping(ts: ts)
        case "client:join_room":
            var lastSeq: Int64?
            if let raw = body["lastSeq"] {
                guard let number = raw.numberValue, number >= 0, number.rounded() == number, number < 9.0e15 else { throw .invalidMessage }
                lastSeq = Int64(number)
            }
            return .joinRoom(roomId: try fields.string("roomId"), lastSeq: lastSeq)
        case "client:leave_room":
            return .leaveRoom(roomId: try fields.string("roomId"))
        case "client:typing":
            return .typing(roomId: try fields.string("roomId"))
        case "client:send_message":
            let roomId = try fields.string("roomId")
            let content = try fields.string("content", 1...100_000)
            _ = try fields.stringArray("mentions", max: 50)  // validated, then ignored: the hub parses mentions itself
            let attachmentIds = try fields.stringArray("attachmentIds", max: 20) ?? []
            let replyToId = try fields.optionalString("replyToId")
            let clientMessageId = try fields.optionalString("clientMessageId", 1...100)
            return .sendMessage(SendMessage(roomId: roomId, content: content, replyToId: replyToId,
                                            attachmentIds: attachmentIds, clientMessageId: clientMessageId))
        default:
            guard let decode = laterTypes[type] else { throw .invalidMessage }
            do {
                return try decode(fields)
            } catch let refusal as Refusal {
                return .refused(type: type, reason: refusal.reason)
            } catch {
                return .refused(type: type, reason: .invalidMessage)
            }
        }
    }

    /// Agent and gateway types, whose schema failures become `.refused`.
    private static let laterTypes: [String: @Sendable (Fields) throws -> ClientFrame] = [
        "client:stop_generation": { fields in
            // Incomplete stop requests were always dropped without an answer.
            guard let roomId = try? fields.string("roomId"), let agentId = try? fields.string("agentId") else { throw Refusal(reason: nil) }
            return .stopGeneration(roomId: roomId, agentId: agentId)
        },
        "client:permission_response": { fields in
            let requestId = try fields.string("requestId", 1...100)
            let decision = try fields.string("decision")
            guard ["allow", "allowAlways", "deny"].contains(decision) else { throw Refusal(reason: .invalidMessage) }
            return .permissionResponse(PermissionAnswer(requestId: requestId, decision: decision,
                                                        denyReason: try fields.nullableString("denyReason", max: 500)))
        },
        "client:agent_command": { fields in
            .agentCommand(AgentCommandRequest(agentId: try fields.string("agentId"), roomId: try fields.string("roomId"),
                                              command: try fields.string("command", 1...100),
                                              args: try fields.nullableString("args", max: 10_000) ?? ""))
        },
        "client:query_agent_info": { fields in
            .queryAgentInfo(agentId: try fields.string("agentId"), roomId: try fields.nullableString("roomId"))
        },
        "client:request_workspace": { fields in
            let roomId = try fields.string("roomId")
            let agentId = try fields.string("agentId")
            guard let request = fields.body["request"], let kind = request["kind"]?.stringValue,
                  ["status", "tree", "file"].contains(kind) else { throw Refusal(reason: .invalidMessage) }
            return .requestWorkspace(roomId: roomId, agentId: agentId, request: request)
        },
        "client:list_gateway_credentials": { .listGatewayCredentials(try gatewayRequest($0)) },
        "client:add_gateway_credential": { fields in
            var request = try gatewayRequest(fields)
            let mode = (try? fields.string("mode")) ?? "api"
            request.fields["mode"] = .string(mode)
            if mode == "api", (try? fields.string("apiKey")) == nil { throw Refusal(reason: .apiKeyRequired) }
            return .addGatewayCredential(request)
        },
        "client:manage_gateway_credential": { .manageGatewayCredential(try gatewayRequest($0)) },
        "client:start_gateway_oauth": { .startGatewayOAuth(try gatewayRequest($0)) },
        "client:complete_gateway_oauth": { .completeGatewayOAuth(try gatewayRequest($0)) },
        "client:rewind_room": { fields in
            .rewindRoom(roomId: try fields.string("roomId"), messageId: try fields.string("messageId"))
        },
    ]

    private static func gatewayRequest(_ fields: Fields) throws -> GatewayRequest {
        let gatewayId = try fields.string("gatewayId")
        var rest = fields.body
        rest["type"] = nil
        rest["gatewayId"] = nil
        return GatewayRequest(gatewayId: gatewayId, fields: rest)
    }

    /// A later type's schema failure: `reason` nil means drop without an answer.
    private struct Refusal: Error {
        let reason: Rejection?
    }

    /// Typed reads of one frame's members; lengths count as JavaScript does.
    private struct Fields {
        let body: [String: JSONValue]

        /// A string present, of a length in `range` (by default not empty).
        func string(_ key: String, _ range: ClosedRange<Int> = 1...Int.max) throws(Rejection) -> String {
            guard let text = body[key]?.stringValue, range.contains(text.jsLength) else { throw .invalidMessage }
            return text
        }

        /// Absent is nil; present must be a string in `range` (`null` is refused).
        func optionalString(_ key: String, _ range: ClosedRange<Int> = 0...Int.max) throws(Rejection) -> String? {
            guard let raw = body[key] else { return nil }
            guard let text = raw.stringValue, range.contains(text.jsLength) else { throw .invalidMessage }
            return text
        }

        /// Absent or `null` is nil; otherwise a string of at most `max`.
        func nullableString(_ key: String, max: Int = Int.max) throws(Rejection) -> String? {
            guard let raw = body[key], raw != .null else { return nil }
            guard let text = raw.stringValue, text.jsLength <= max else { throw .invalidMessage }
            return text
        }

        func stringArray(_ key: String, max: Int) throws(Rejection) -> [String]? {
            guard let raw = body[key] else { return nil }
            guard let items = raw.arrayValue, items.count <= max else { throw .invalidMessage }
            var result: [String] = []
            for item in items {
                guard let text = item.stringValue else { throw .invalidMessage }
                result.append(text)
            }
            return result
        }
    }
}
