/// Tables owned by the auth service (data-config-security §1.2).
enum AuthTables {
    static let migrations: [Migration] = [
        Migration(version: 1, owner: "auth", name: "users", statements: [
            """
            CREATE TABLE users (
                id text PRIMARY KEY,
                username text NOT NULL CONSTRAINT users_username_unique UNIQUE,
                password_hash text,
                display_name text NOT NULL,
                avatar_url text,
                role text NOT NULL DEFAULT 'user',
                failed_login_attempts integer NOT NULL DEFAULT 0,
                locked_until timestamptz,
                totp_secret text,
                totp_enabled boolean NOT NULL DEFAULT false,
                totp_backup_codes text,
                max_ws_connections integer,
                max_gateways integer,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX users_username_idx ON users (username)",
        ]),
        Migration(version: 2, owner: "auth", name: "refresh_tokens", statements: [
            """
            CREATE TABLE refresh_tokens (
                id text PRIMARY KEY,
                user_id text NOT NULL CONSTRAINT refresh_tokens_user_id_users_id_fk REFERENCES users(id) ON DELETE CASCADE,
                token_hash text NOT NULL,
                expires_at timestamptz NOT NULL,
                created_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id)",
            "CREATE INDEX refresh_tokens_hash_idx ON refresh_tokens (token_hash)",
            "CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at)",
        ]),
        Migration(version: 3, owner: "auth", name: "revoked_tokens", statements: [
            """
            CREATE TABLE revoked_tokens (
                id text PRIMARY KEY,
                user_id text NOT NULL,
                token_hash text NOT NULL,
                revoked_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX revoked_tokens_user_id_idx ON revoked_tokens (user_id)",
            "CREATE INDEX revoked_tokens_expires_at_idx ON revoked_tokens (expires_at)",
            "CREATE INDEX revoked_tokens_token_hash_idx ON revoked_tokens (token_hash)",
        ]),
    ]
}
