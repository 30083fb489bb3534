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
        Migration(version: 4, owner: "auth", name: "settings", statements: [
            """
            CREATE TABLE settings (
                key text PRIMARY KEY,
                value text NOT NULL,
                updated_at timestamptz NOT NULL,
                updated_by text CONSTRAINT settings_updated_by_users_id_fk REFERENCES users(id) ON DELETE SET NULL
            )
            """,
        ]),
        Migration(version: 5, owner: "auth", name: "audit_logs", statements: [
            """
            CREATE TABLE audit_logs (
                id text PRIMARY KEY,
                user_id text CONSTRAINT audit_logs_user_id_users_id_fk REFERENCES users(id) ON DELETE SET NULL,
                action text NOT NULL,
                target_id text,
                target_type text,
                metadata jsonb,
                ip_address text,
                created_at timestamptz NOT NULL
            )
            """,
            "CREATE INDEX audit_logs_user_idx ON audit_logs (user_id)",
            "CREATE INDEX audit_logs_action_idx ON audit_logs (action)",
            "CREATE INDEX audit_logs_created_at_idx ON audit_logs (created_at)",
            "CREATE INDEX audit_logs_target_idx ON audit_logs (target_id, target_type)",
        ]),
        Migration(version: 6, owner: "auth", name: "oauth_accounts", statements: [
            """
            CREATE TABLE oauth_accounts (
                id text PRIMARY KEY,
                user_id text NOT NULL CONSTRAINT oauth_accounts_user_id_fkey REFERENCES users(id) ON DELETE CASCADE,
                provider text NOT NULL,
                provider_account_id text NOT NULL,
                email text,
                display_name text,
                avatar_url text,
                access_token text,
                refresh_token text,
                created_at timestamptz NOT NULL DEFAULT now(),
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE UNIQUE INDEX oauth_provider_account_idx ON oauth_accounts (provider, provider_account_id)",
            "CREATE INDEX oauth_user_idx ON oauth_accounts (user_id)",
        ]),
    ]
}
