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
    ]
}
