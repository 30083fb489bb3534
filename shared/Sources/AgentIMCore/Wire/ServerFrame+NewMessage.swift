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
        var out: [UInt8] = []
        out.reserveCapacity(message.content.utf8.count + 320)
        func key(_ name: StaticString) {
            out.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: "\"")])
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func string(_ name: StaticString, _ value: String) {
            key(name)
            JSONValue.appendQuoted(value, to: &out)
        }
        out.append(contentsOf: #"{"type":"server:new_message","message":{"id":"#.utf8)
        JSONValue.appendQuoted(message.id, to: &out)
        string("roomId", message.roomId)
        string("senderId", message.senderId)
        string("senderType", message.senderType)
        string("senderName", message.senderName)
        string("type", message.type)
        string("content", message.content)
        if let replyToId = message.replyToId { string("replyToId", replyToId) }
        key("mentions")
        out.append(UInt8(ascii: "["))
        for (index, mention) in message.mentions.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONValue.appendQuoted(mention, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        string("createdAt", message.createdAt)
        if let updatedAt = message.updatedAt { string("updatedAt", updatedAt) }
        if let seq = message.seq {
            key("seq")
            out.append(contentsOf: String(seq).utf8)
        }
        if let clientMessageId = message.clientMessageId { string("clientMessageId", clientMessageId) }
        out.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "}")])
        return String(decoding: out, as: UTF8.self)
    }

    /// The Codable rendering, which the hand-written one must equal (tests compare them).
    static func newMessageByCodable(_ message: ChatMessage) -> String { render(NewMessage(message: message)) }
}
