import AgentIMCore

extension InternalRoutes {
    // MARK: uploads: files other services produce

    /// A service agent's generated media (websocket §11.7): uploads stores the bytes and
    /// records an attachment not yet linked to a message (`uploaded_by` null); rooms links
    /// it when it stores the agent's reply. Bytes travel base64 in the JSON body, so a file
    /// is bounded well below `InternalClient.maxBytes` (`GeneratedMedia.maxBytes`).
    public static let storeGeneratedMedia = InternalRoute<GeneratedMedia, StoredAttachment>(.post, "/internal/uploads/generated-media", owner: .uploads)
}

/// A file made by a provider, to be stored as an attachment.
public struct GeneratedMedia: Codable, Sendable, Equatable {
    /// 40 MiB: its base64 (53.4 MiB) stays under the 64 MiB internal body cap.
    public static let maxBytes = 40 << 20

    public var filename: String
    public var mimeType: String
    /// The file, base64.
    public var data: String

    public init(filename: String, mimeType: String, data: String) {
        self.filename = filename
        self.mimeType = mimeType
        self.data = data
    }
}

/// An attachment row as uploads recorded it (`url` is `/uploads/<key>`).
public struct StoredAttachment: Codable, Sendable, Equatable {
    public var id: String
    public var filename: String
    public var mimeType: String
    public var size: Int
    public var url: String

    public init(id: String, filename: String, mimeType: String, size: Int, url: String) {
        self.id = id
        self.filename = filename
        self.mimeType = mimeType
        self.size = size
        self.url = url
    }
}
