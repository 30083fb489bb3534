/// Gateways, agents and the state of routing work to them, owned by the rooms service
/// (data-config-security §1.2, websocket §11–§12). Routing state lives in PostgreSQL so
/// every rooms replica sees the same visited sets, windows and pending approvals.
enum AgentTables {
    static let migrations: [Migration] = [
        Migration(version: 107, owner: "rooms", name: "gateways and agents", statements: [
            """
            CREATE TABLE gateways (
                id text PRIMARY KEY,
                user_id text NOT NULL CONSTRAINT gateways_user_id_users_id_fk REFERENCES users(id) ON DELETE CASCADE,
                name text NOT NULL,
                hostname text,
                platform text,
                arch text,
                node_version text,
                connected_at timestamptz,
                disconnected_at timestamptz,
                ephemeral boolean NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX gateways_user_idx ON gateways (user_id)",
            """
            CREATE TABLE agents (
                id text PRIMARY KEY,
                name text NOT NULL,
                type text NOT NULL,
                status text NOT NULL DEFAULT 'offline',
                visibility text NOT NULL DEFAULT 'private',
                visibility_list jsonb NOT NULL DEFAULT '[]',
                gateway_id text NOT NULL CONSTRAINT agents_gateway_id_gateways_id_fk REFERENCES gateways(id) ON DELETE CASCADE,
                working_directory text,
                capabilities jsonb,
                connection_type text NOT NULL DEFAULT 'cli',
                slash_commands jsonb,
                mcp_servers jsonb,
                model text,
                last_seen_at timestamptz,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                queue_depth integer NOT NULL DEFAULT 0
            )
            """,
            "CREATE INDEX agents_gateway_idx ON agents (gateway_id)",
            "CREATE INDEX agents_status_idx ON agents (status)",
            "CREATE INDEX agents_visibility_idx ON agents (visibility)",
            "CREATE INDEX agents_last_seen_idx ON agents (last_seen_at)",
        ]),
        Migration(version: 108, owner: "rooms", name: "routing state and permission requests", statements: [
            // One send_to_agent per (message, agent), however often the command is redelivered.
            "CREATE TABLE agent_dispatches (message_id text NOT NULL, agent_id text NOT NULL, sent_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (message_id, agent_id))",
            "CREATE INDEX agent_dispatches_sent_idx ON agent_dispatches (sent_at)",
            // The agents that completed in a conversation (websocket §11.2), TTL 300 s.
            "CREATE TABLE conversation_visits (conversation_id text NOT NULL, agent_id text NOT NULL, expires_at timestamptz NOT NULL, PRIMARY KEY (conversation_id, agent_id))",
            // Fixed windows of the agent rate limit (websocket §11.3).
            "CREATE TABLE agent_rate_windows (agent_id text PRIMARY KEY, window_start timestamptz NOT NULL, count integer NOT NULL)",
            // Last send from a sender to an agent, for the queue cooldown (websocket §11.1).
            "CREATE TABLE agent_sender_sends (sender_id text NOT NULL, agent_id text NOT NULL, sent_at timestamptz NOT NULL, PRIMARY KEY (sender_id, agent_id))",
            // Agents deleted while their gateway was offline: a later registration is refused (§11.5).
            "CREATE TABLE deleted_agents (agent_id text PRIMARY KEY, deleted_at timestamptz NOT NULL DEFAULT now())",
            """
            CREATE TABLE permission_requests (
                id text PRIMARY KEY,
                agent_id text NOT NULL,
                agent_name text NOT NULL,
                room_id text NOT NULL,
                tool_name text NOT NULL,
                tool_input jsonb NOT NULL,
                status text NOT NULL DEFAULT 'pending',
                expires_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX permission_requests_pending_idx ON permission_requests (status, expires_at)",
            "CREATE INDEX permission_requests_room_idx ON permission_requests (room_id, status)",
        ]),
    ]
}
