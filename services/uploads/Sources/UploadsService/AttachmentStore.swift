import AgentIMCore
import AgentIMDatabase
import Foundation
import Logging
import PostgresNIO

/// `message_attachments`, owned by the uploads service. Rooms links rows to messages in
/// its message transaction (the one write elsewhere, so the link commits with the message).
struct AttachmentStore: Sendable {
    let database: Database
    var logger: Logger { database.logger }

    struct Upload: Sendable {
        var id: String
        var filename: String
        var mimeType: String
        var size: Int
        var url: String
        var uploadedBy: String?
    }

    func insert(_ upload: Upload) async throws {
        try await database.client.query("""
            INSERT INTO message_attachments (id, message_id, filename, mime_type, size, url, uploaded_by, created_at)
            VALUES (\(upload.id), NULL, \(upload.filename), \(upload.mimeType), \(Int32(upload.size)), \(upload.url),
                    \(upload.uploadedBy), \(Timestamp.format(Date()))::timestamptz)
            """, logger: logger)
    }

    /// Deletes unlinked uploads older than `age` and returns their URLs. The rows go first,
    /// in one statement, so a message cannot link an upload whose file is being removed;
    /// a file whose deletion then fails is only a stray file, never a broken attachment.
    func claimOrphans(olderThan age: Duration, limit: Int = 1000) async throws -> [String] {
        let seconds = Double(age.components.seconds)
        var urls: [String] = []
        for try await url in try await database.client.query("""
            DELETE FROM message_attachments WHERE id IN (
                SELECT id FROM message_attachments
                WHERE message_id IS NULL AND created_at < now() - make_interval(secs => \(seconds))
                ORDER BY created_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            AND message_id IS NULL
            RETURNING url
            """, logger: logger).decode(String.self) {
            urls.append(url)
        }
        return urls
    }
}
