import AgentIMCore
import PostgresNIO

extension MessageStore {
    /// Links media the uploads service stored for a service agent's reply (rows with no
    /// uploader, not yet linked) to the stored reply. Like `linkAttachments`, the one kind of
    /// write to `message_attachments` outside uploads; idempotent for a redelivered reply.
    func linkGeneratedMedia(_ ids: [String], to messageId: String) async throws -> [Attachment] {
        guard !ids.isEmpty else { return [] }
        var linked: [Attachment] = []
        for try await (id, filename, mime, size, url) in try await database.client.query("""
            UPDATE message_attachments SET message_id = \(messageId)
            WHERE id = ANY(\(Array(ids.prefix(20)))) AND uploaded_by IS NULL AND message_id IS NULL
            RETURNING id, filename, mime_type, size, url
            """, logger: logger).decode((String, String, String, Int, String).self) {
            linked.append(Attachment(id: id, messageId: messageId, filename: filename, mimeType: mime, size: size, url: url))
        }
        return linked.sorted { (ids.firstIndex(of: $0.id) ?? 0) < (ids.firstIndex(of: $1.id) ?? 0) }
    }
}
