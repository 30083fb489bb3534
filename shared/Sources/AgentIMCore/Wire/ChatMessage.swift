import AgentIMWire
import Foundation

/// A chat message as both protocols carry it (websocket §4.2, http-api §16).
/// On WebSocket frames optional fields are omitted when empty; REST bodies carry
/// `replyToId`/`updatedAt` as `null`, as the original does (see `MessageShape`).
public struct ChatMessage: Codable, Sendable, Equatable {
    public var id: String
    public var roomId: String
    public var senderId: String
    public var senderType: String
    public var senderName: String
    public var type: String
    public var content: String
    public var replyToId: String?
    public var mentions: [String]
    public var attachments: [Attachment]?
    public var reactions: [Reaction]?
    public var chunks: [JSONValue]?
    public var createdAt: String
    public var updatedAt: String?
    /// Position in the room, strictly increasing (an extension the original clients ignore).
    public var seq: Int64?
    /// The sender's own id for the send (`client:send_message.clientMessageId`), echoed on the
    /// socket frames announcing it so a client pairs its local copy exactly; never in REST bodies.
    public var clientMessageId: String?

    public init(id: String, roomId: String, senderId: String, senderType: String, senderName: String,
                type: String, content: String, replyToId: String? = nil, mentions: [String] = [],
                attachments: [Attachment]? = nil, reactions: [Reaction]? = nil, chunks: [JSONValue]? = nil,
                createdAt: String, updatedAt: String? = nil, seq: Int64? = nil, clientMessageId: String? = nil) {
        self.id = id
        self.roomId = roomId
        self.senderId = senderId
        self.senderType = senderType
        self.senderName = senderName
        self.type = type
        self.content = content
        self.replyToId = replyToId
        self.mentions = mentions
        self.attachments = attachments
        self.reactions = reactions
        self.chunks = chunks
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.seq = seq
        self.clientMessageId = clientMessageId
    }

    enum CodingKeys: String, CodingKey {
        case id, roomId, senderId, senderType, senderName, type, content, replyToId, mentions
        case attachments, reactions, chunks, createdAt, updatedAt, seq, clientMessageId
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let nulls = encoder.userInfo[MessageShape.restKey] as? Bool == true
        try c.encode(id, forKey: .id)
        try c.encode(roomId, forKey: .roomId)
        try c.encode(senderId, forKey: .senderId)
        try c.encode(senderType, forKey: .senderType)
        try c.encode(senderName, forKey: .senderName)
        try c.encode(type, forKey: .type)
        try c.encode(content, forKey: .content)
        if nulls { try c.encode(replyToId, forKey: .replyToId) } else { try c.encodeIfPresent(replyToId, forKey: .replyToId) }
        try c.encode(mentions, forKey: .mentions)
        // Absent unless set: most shapes carry them only when non-empty, the thread listing always.
        try c.encodeIfPresent(attachments, forKey: .attachments)
        try c.encodeIfPresent(reactions, forKey: .reactions)
        try c.encodeIfPresent(chunks, forKey: .chunks)
        try c.encode(createdAt, forKey: .createdAt)
        if nulls { try c.encode(updatedAt, forKey: .updatedAt) } else { try c.encodeIfPresent(updatedAt, forKey: .updatedAt) }
        try c.encodeIfPresent(seq, forKey: .seq)
        if !nulls { try c.encodeIfPresent(clientMessageId, forKey: .clientMessageId) }
    }
}

public struct Attachment: Codable, Sendable, Equatable {
    public var id: String
    public var messageId: String
    public var filename: String
    public var mimeType: String
    public var size: Int
    public var url: String

    public init(id: String, messageId: String, filename: String, mimeType: String, size: Int, url: String) {
        self.id = id
        self.messageId = messageId
        self.filename = filename
        self.mimeType = mimeType
        self.size = size
        self.url = url
    }
}

public struct Reaction: Codable, Sendable, Equatable {
    public var emoji: String
    public var userIds: [String]
    public var usernames: [String]

    public init(emoji: String, userIds: [String], usernames: [String]) {
        self.emoji = emoji
        self.userIds = userIds
        self.usernames = usernames
    }
}

/// Selects the REST rendering of nullable message fields.
public enum MessageShape {
    public static let restKey = CodingUserInfoKey(rawValue: "agentim.restShape")!
}
