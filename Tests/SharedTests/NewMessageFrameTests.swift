@testable import AgentIMCore
import AgentIMWire
import Foundation
import Testing

/// `server:new_message` is written by hand for the usual message; it must be the Codable
/// rendering (clients and the edges' readers see one shape whichever path made it). Compared as
/// parsed JSON: this Foundation's JSONEncoder writes an object's keys in hash order, which
/// changes from run to run.
struct NewMessageFrameTests {
    static func message(_ content: String, replyTo: String? = nil, mentions: [String] = [], updatedAt: String? = nil, seq: Int64? = nil,
                        client: String? = nil, senderType: String = "user") -> ChatMessage {
        ChatMessage(id: "V1StGXR8_Z5jdHi6B-myT", roomId: "room-1", senderId: "u1", senderType: senderType, senderName: "Amy \"A\" O'Neil",
                    type: "text", content: content, replyToId: replyTo, mentions: mentions, createdAt: "2026-12-06T03:00:00.123Z",
                    updatedAt: updatedAt, seq: seq, clientMessageId: client)
    }

    static let messages: [ChatMessage] = [
        message("hi", seq: 1),
        message(""),
        message("quote \" backslash \\ slash / newline \n tab \t cr \r bell \u{07} del \u{7F} nul \u{00} sep \u{2028} é 日本 🎉 </script>",
                replyTo: "m0", mentions: ["amy", "bot \"x\""], updatedAt: "2026-12-06T03:00:01.000Z", seq: 9_007_199_254_740_993,
                client: "c-9"),
        message("@amy @bob", mentions: ["amy", "bob"], seq: 0, client: "", senderType: "agent"),
        message(String(repeating: "long ✓ ", count: 5_000), seq: 42),
    ]

    static func parsed(_ text: String) throws -> JSONValue { try JSONCoding.decode(JSONValue.self, from: Data(text.utf8)) }

    @Test func handWrittenFrameIsTheCodableRendering() throws {
        for (index, message) in Self.messages.enumerated() {
            let fast = ServerFrame.newMessage(message)
            let same = try Self.parsed(fast) == Self.parsed(ServerFrame.newMessageByCodable(message))
            #expect(same, "message \(index)")
            #expect(fast.hasPrefix(#"{"type":"server:new_message","message":{"id":""#), "the type first, as the original writes it")
            let parsed = try JSONSerialization.jsonObject(with: Data(fast.utf8)) as? [String: Any]
            #expect(parsed?["type"] as? String == "server:new_message")
            #expect((parsed?["message"] as? [String: Any])?["content"] as? String == message.content)
        }
    }

    @Test func messagesWithAttachmentsReactionsOrChunksTakeTheCodablePath() throws {
        var withAttachment = Self.message("file", seq: 3)
        withAttachment.attachments = [Attachment(id: "a1", messageId: "V1StGXR8_Z5jdHi6B-myT", filename: "x.png", mimeType: "image/png",
                                                 size: 10, url: "/uploads/x.png")]
        var withReaction = Self.message("r", seq: 4)
        withReaction.reactions = [Reaction(emoji: "👍", userIds: ["u2"], usernames: ["bob"])]
        var withChunks = Self.message("c", seq: 5, senderType: "agent")
        withChunks.chunks = [.object(["type": .string("text"), "content": .string("x")])]
        for message in [withAttachment, withReaction, withChunks] {
            let frame = ServerFrame.newMessage(message)
            let same = try Self.parsed(frame) == Self.parsed(ServerFrame.newMessageByCodable(message))
            #expect(same)
            #expect(frame.contains("\"attachments\"") || frame.contains("\"reactions\"") || frame.contains("\"chunks\""))
        }
    }
}
