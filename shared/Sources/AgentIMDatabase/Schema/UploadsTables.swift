/// Tables owned by the uploads service (data-config-security §1.2, §1.3). Versions come
/// after the rooms ones: `message_id` references `messages`.
enum UploadsTables {
    static let migrations: [Migration] = [
        Migration(version: 201, owner: "uploads", name: "message_attachments", statements: [
            """
            CREATE TABLE message_attachments (
                id text PRIMARY KEY,
                message_id text CONSTRAINT message_attachments_message_id_messages_id_fk REFERENCES messages(id) ON DELETE CASCADE,
                filename text NOT NULL,
                mime_type text NOT NULL,
                size integer NOT NULL,
                url text NOT NULL,
                uploaded_by text CONSTRAINT message_attachments_uploaded_by_users_id_fk REFERENCES users(id) ON DELETE SET NULL,
                created_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX attachments_message_idx ON message_attachments (message_id)",
            "CREATE INDEX attachments_uploaded_by_idx ON message_attachments (uploaded_by)",
        ]),
    ]
}
