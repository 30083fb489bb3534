/// Tables owned by the rooms service (data-config-security §1.2).
enum RoomsTables {
    static let migrations: [Migration] = [
        Migration(version: 101, owner: "rooms", name: "rooms", statements: [
            """
            CREATE TABLE rooms (
                id text PRIMARY KEY,
                name text NOT NULL,
                type text NOT NULL DEFAULT 'group',
                broadcast_mode boolean NOT NULL DEFAULT false,
                system_prompt text,
                router_id text,
                agent_command_role text NOT NULL DEFAULT 'member',
                created_by_id text NOT NULL CONSTRAINT rooms_created_by_id_users_id_fk REFERENCES users(id) ON DELETE CASCADE,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX rooms_created_by_idx ON rooms (created_by_id)",
            "CREATE INDEX rooms_router_idx ON rooms (router_id)",
        ]),
        Migration(version: 102, owner: "rooms", name: "room_members", statements: [
            """
            CREATE TABLE room_members (
                room_id text NOT NULL CONSTRAINT room_members_room_id_rooms_id_fk REFERENCES rooms(id) ON DELETE CASCADE,
                member_id text NOT NULL,
                member_type text NOT NULL,
                role text NOT NULL DEFAULT 'member',
                role_description text,
                notification_pref text NOT NULL DEFAULT 'all',
                pinned_at timestamptz,
                archived_at timestamptz,
                last_read_at timestamptz,
                cleared_at timestamptz,
                joined_at timestamptz NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX room_members_unique_idx ON room_members (room_id, member_id)",
            "CREATE INDEX room_members_room_idx ON room_members (room_id)",
            "CREATE INDEX room_members_member_idx ON room_members (member_id)",
            "CREATE INDEX room_members_member_room_idx ON room_members (member_id, room_id)",
            "CREATE INDEX room_members_room_type_idx ON room_members (room_id, member_type)",
            "CREATE INDEX room_members_member_type_idx ON room_members (member_id, member_type)",
            "CREATE INDEX room_members_pinned_idx ON room_members (member_id, pinned_at)",
            "CREATE INDEX room_members_archived_idx ON room_members (member_id, archived_at)",
        ]),
        Migration(version: 103, owner: "rooms", name: "messages", statements: [
            """
            CREATE TABLE messages (
                id text PRIMARY KEY,
                room_id text NOT NULL CONSTRAINT messages_room_id_rooms_id_fk REFERENCES rooms(id) ON DELETE CASCADE,
                sender_id text NOT NULL,
                sender_type text NOT NULL,
                sender_name text NOT NULL,
                type text NOT NULL DEFAULT 'text',
                content text NOT NULL,
                reply_to_id text,
                mentions jsonb NOT NULL DEFAULT '[]',
                chunks jsonb,
                created_at timestamptz NOT NULL,
                updated_at timestamptz
            )
            """,
            "CREATE INDEX messages_room_idx ON messages (room_id)",
            "CREATE INDEX messages_room_created_idx ON messages (room_id, created_at)",
            "CREATE INDEX messages_sender_idx ON messages (sender_id)",
            "CREATE INDEX messages_sender_created_idx ON messages (sender_id, created_at)",
            "CREATE INDEX messages_reply_to_idx ON messages (reply_to_id)",
            "CREATE INDEX messages_updated_at_idx ON messages (updated_at)",
        ]),
        Migration(version: 104, owner: "rooms", name: "message sequence and idempotent send", statements: [
            // Per-room sequence: the room row is the counter, so concurrent writers (several
            // rooms replicas) serialise on it and every message gets the next number.
            "ALTER TABLE rooms ADD COLUMN last_seq bigint NOT NULL DEFAULT 0",
            "ALTER TABLE messages ADD COLUMN seq bigint",
            "ALTER TABLE messages ADD COLUMN client_message_id text",
            "CREATE UNIQUE INDEX messages_room_seq_idx ON messages (room_id, seq)",
            "CREATE UNIQUE INDEX messages_client_id_idx ON messages (sender_id, client_message_id) WHERE client_message_id IS NOT NULL",
        ]),
        Migration(version: 105, owner: "rooms", name: "reactions, edits, search", statements: [
            """
            CREATE TABLE message_reactions (
                message_id text NOT NULL CONSTRAINT message_reactions_message_id_messages_id_fk REFERENCES messages(id) ON DELETE CASCADE,
                user_id text NOT NULL CONSTRAINT message_reactions_user_id_users_id_fk REFERENCES users(id) ON DELETE CASCADE,
                emoji text NOT NULL,
                created_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX reactions_message_idx ON message_reactions (message_id)",
            "CREATE UNIQUE INDEX reactions_unique_idx ON message_reactions (message_id, user_id, emoji)",
            """
            CREATE TABLE message_edits (
                id text PRIMARY KEY,
                message_id text NOT NULL CONSTRAINT message_edits_message_id_messages_id_fk REFERENCES messages(id) ON DELETE CASCADE,
                previous_content text NOT NULL,
                edited_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX message_edits_message_idx ON message_edits (message_id)",
            "CREATE INDEX message_edits_message_edited_idx ON message_edits (message_id, edited_at)",
            "CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE INDEX IF NOT EXISTS messages_content_trgm_idx ON messages USING gin (content gin_trgm_ops)",
        ]),
        Migration(version: 106, owner: "rooms", name: "tasks and bookmarks", statements: [
            """
            CREATE TABLE tasks (
                id text PRIMARY KEY,
                room_id text NOT NULL CONSTRAINT tasks_room_id_rooms_id_fk REFERENCES rooms(id) ON DELETE CASCADE,
                title text NOT NULL,
                description text NOT NULL DEFAULT '',
                status text NOT NULL DEFAULT 'pending',
                result text,
                due_date timestamptz,
                assignee_id text,
                assignee_type text,
                created_by_id text NOT NULL CONSTRAINT tasks_created_by_id_users_id_fk REFERENCES users(id) ON DELETE CASCADE,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX tasks_room_idx ON tasks (room_id)",
            "CREATE INDEX tasks_assignee_idx ON tasks (assignee_id)",
            "CREATE INDEX tasks_status_idx ON tasks (status)",
            "CREATE INDEX tasks_created_by_idx ON tasks (created_by_id)",
            "CREATE INDEX tasks_room_status_idx ON tasks (room_id, status)",
            "CREATE INDEX tasks_updated_at_idx ON tasks (updated_at)",
            """
            CREATE TABLE bookmarks (
                id text PRIMARY KEY,
                user_id text NOT NULL CONSTRAINT bookmarks_user_id_fkey REFERENCES users(id) ON DELETE CASCADE,
                message_id text NOT NULL CONSTRAINT bookmarks_message_id_fkey REFERENCES messages(id) ON DELETE CASCADE,
                note text DEFAULT '',
                created_at timestamptz NOT NULL,
                CONSTRAINT bookmarks_user_message_unique UNIQUE (user_id, message_id)
            )
            """,
            "CREATE INDEX bookmarks_user_idx ON bookmarks (user_id)",
            "CREATE INDEX bookmarks_created_at_idx ON bookmarks (user_id, created_at)",
        ]),
    ]
}
