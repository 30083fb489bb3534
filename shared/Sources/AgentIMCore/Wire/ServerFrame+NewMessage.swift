import AgentIMWire
import Foundation

/// `server:new_message`, the frame of every stored chat message, written by hand: JSONEncoder's
/// path for the frame and its message was about a twenty-fifth of the hub's time per message
/// at 4,000 msg/s. The bytes are exactly what the Codable path writes (`ChatMessage.encode`,
/// frame shape: nil optionals left out); a message with attachments, reactions or chunks,
/// seldom sent this way, takes that path.
extension ServerFrame {
    public static func newMessage(_ message: ChatMessage) -> String {
        guard message.attachments == nil, message.reactions == nil, message.chunks == nil else {
            return render(NewMessage(message: message))
        }
        var out = JSONBytes(capacity: message.content.utf8.count + 320)
        out.raw(#"{"type":"server:new_message","message":{"#)
        out.string("id", message.id, first: true)
        out.string("roomId", message.roomId)
        out.string("senderId", message.senderId)
        out.string("senderType", message.senderType)
        out.string("senderName", message.senderName)
        out.string("type", message.type)
        out.string("content", message.content)
        if let replyToId = message.replyToId { out.string("replyToId", replyToId) }
        out.strings("mentions", message.mentions)
        out.string("createdAt", message.createdAt)
        if let updatedAt = message.updatedAt { out.string("updatedAt", updatedAt) }
        if let seq = message.seq { out.integer("seq", seq) }
        if let clientMessageId = message.clientMessageId { out.string("clientMessageId", clientMessageId) }
        out.raw("}}")
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// The Codable rendering, which the hand-written one must equal (tests compare them).
    static func newMessageByCodable(_ message: ChatMessage) -> String { render(NewMessage(message: message)) }
}
