import AgentIMWire
import Foundation

/// A rooms command as bus bytes and back. Chat sends, one per message, are written and read by
/// hand (JSONEncoder and JSONDecoder's Decodable path were a twentieth of the hub's time per chat
/// message); every other command takes the Codable path. The bytes are the synthesized Codable
/// layout (`{"sendMessage":{"_0":{…}}}`, nil optionals left out), so either side of a rolling
/// upgrade reads the other's.
extension RoomsCommand {
    public func busPayload() throws -> Data {
        guard case .sendMessage(let send) = self else {
            return try JSONCoding.encode(self)
        }
        var out = JSONBytes(capacity: send.content.utf8.count + 256)
        out.raw(#"{"sendMessage":{"_0":{"#)
        out.string("commandId", send.commandId, first: true)
        out.key("origin")
        out.raw("{")
        out.string("node", send.origin.node, first: true)
        out.string("socket", send.origin.socket)
        out.raw("}")
        out.string("userId", send.userId)
        out.string("username", send.username)
        out.string("roomId", send.roomId)
        out.string("content", send.content)
        if let replyToId = send.replyToId { out.string("replyToId", replyToId) }
        out.strings("attachmentIds", send.attachmentIds)
        if let clientMessageId = send.clientMessageId { out.string("clientMessageId", clientMessageId) }
        out.raw("}}}")
        return Data(out.bytes)
    }

    /// Nil for bytes that are no rooms command (the worker acknowledges and drops those).
    public static func fromBusPayload(_ payload: Data) -> RoomsCommand? {
        if let value = JSONValue.parse(payload), let outer = value.objectValue, outer.count == 1,
           let wrapped = outer["sendMessage"]?.objectValue, wrapped.count == 1, let body = wrapped["_0"]?.objectValue {
            return SendMessageCommand(body).map(RoomsCommand.sendMessage)
        }
        return try? JSONDecoder().decode(RoomsCommand.self, from: payload)
    }
}

extension RoomsCommand.SendMessageCommand {
    /// As the synthesized decoder reads it: required fields present with their types, optional
    /// ones absent or null, unknown keys ignored.
    init?(_ body: [String: JSONValue]) {
        func optional(_ name: String) -> String?? {
            switch body[name] {
            case nil, .null?: return .some(nil)
            case .string(let value)?: return .some(value)
            default: return nil
            }
        }
        guard let commandId = body["commandId"]?.stringValue, let origin = body["origin"]?.objectValue,
              let node = origin["node"]?.stringValue, let socket = origin["socket"]?.stringValue,
              let userId = body["userId"]?.stringValue, let username = body["username"]?.stringValue,
              let roomId = body["roomId"]?.stringValue, let content = body["content"]?.stringValue,
              let attachments = body["attachmentIds"]?.arrayValue, let replyToId = optional("replyToId"),
              let clientMessageId = optional("clientMessageId") else { return nil }
        var attachmentIds: [String] = []
        for item in attachments {
            guard let id = item.stringValue else { return nil }
            attachmentIds.append(id)
        }
        self.init(commandId: commandId, origin: SocketAddress(node: node, socket: socket), userId: userId, username: username,
                  roomId: roomId, content: content, replyToId: replyToId, attachmentIds: attachmentIds, clientMessageId: clientMessageId)
    }
}
