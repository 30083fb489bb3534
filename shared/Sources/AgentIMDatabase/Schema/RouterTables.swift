/// Tables owned by the router service (data-config-security §1.2): router configurations,
/// service agents (secrets inside are envelopes, §3.9) and the routing decisions that make
/// each broadcast-mode message routed once however often its command is delivered.
enum RouterTables {
    static let migrations: [Migration] = [
        Migration(version: 301, owner: "router", name: "routers", statements: [
            """
            CREATE TABLE routers (
                id text PRIMARY KEY,
                name text NOT NULL,
                description text,
                scope text NOT NULL DEFAULT 'personal',
                created_by_id text NOT NULL CONSTRAINT routers_created_by_id_users_id_fk REFERENCES users(id) ON DELETE CASCADE,
                llm_base_url text NOT NULL,
                llm_api_key text NOT NULL,
                llm_model text NOT NULL,
                max_chain_depth integer NOT NULL DEFAULT 5,
                rate_limit_window integer NOT NULL DEFAULT 60,
                rate_limit_max integer NOT NULL DEFAULT 20,
                visibility text NOT NULL DEFAULT 'all',
                visibility_list jsonb NOT NULL DEFAULT '[]',
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX routers_created_by_idx ON routers (created_by_id)",
            "CREATE INDEX routers_scope_idx ON routers (scope)",
            "CREATE INDEX routers_scope_creator_idx ON routers (scope, created_by_id)",
            "CREATE UNIQUE INDEX routers_name_creator_idx ON routers (name, created_by_id)",
            // Rooms keep their router_id column; deleting a router detaches it from its rooms.
            "UPDATE rooms SET router_id = NULL WHERE router_id IS NOT NULL",
            """
            ALTER TABLE rooms ADD CONSTRAINT rooms_router_id_routers_id_fk
                FOREIGN KEY (router_id) REFERENCES routers(id) ON DELETE SET NULL
            """,
        ]),
        Migration(version: 302, owner: "router", name: "service_agents", statements: [
            // One CASCADE foreign key: the original's migrated databases also carry a NO ACTION
            // duplicate that makes deleting such a user fail (§1.3); schema.ts intends this one.
            """
            CREATE TABLE service_agents (
                id text PRIMARY KEY,
                name text NOT NULL,
                type text NOT NULL DEFAULT 'openai-chat',
                category text NOT NULL DEFAULT 'chat',
                description text,
                status text NOT NULL DEFAULT 'active',
                config_encrypted text NOT NULL,
                avatar_url text,
                created_by_id text NOT NULL CONSTRAINT service_agents_created_by_id_users_id_fk REFERENCES users(id) ON DELETE CASCADE,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX service_agents_created_by_idx ON service_agents (created_by_id)",
            "CREATE UNIQUE INDEX service_agents_name_creator_idx ON service_agents (name, created_by_id)",
            "CREATE INDEX service_agents_name_idx ON service_agents (name)",
            "CREATE INDEX service_agents_status_idx ON service_agents (status)",
        ]),
        Migration(version: 303, owner: "router", name: "routing_decisions", statements: [
            // A router process claims a message (`claimed_until`) while it asks the LLM and
            // publishes; `agent_ids` is NULL until decided; `published_at` is set once the decision
            // is on the rooms stream. A redelivered command then only acknowledges, one being
            // handled elsewhere waits, and one whose handler died is taken over after the claim.
            """
            CREATE TABLE routing_decisions (
                message_id text PRIMARY KEY,
                room_id text NOT NULL,
                agent_ids jsonb,
                claimed_until timestamptz,
                decided_at timestamptz NOT NULL DEFAULT now(),
                published_at timestamptz
            )
            """,
            "CREATE INDEX routing_decisions_decided_idx ON routing_decisions (decided_at)",
        ]),
    ]
}
