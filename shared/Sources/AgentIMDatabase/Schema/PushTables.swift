/// The Web Push subscriptions (data-config-security §1.2). Owned by rooms, which serves
/// `/api/push/*` and sends the pushes: it alone writes the table (subscribe, unsubscribe,
/// and dropping a subscription its push service says is gone).
enum PushTables {
    static let migrations: [Migration] = [
        Migration(version: 109, owner: "rooms", name: "push_subscriptions", statements: [
            """
            CREATE TABLE push_subscriptions (
                id text PRIMARY KEY,
                user_id text NOT NULL CONSTRAINT push_subscriptions_user_id_users_id_fk REFERENCES users(id) ON DELETE CASCADE,
                endpoint text NOT NULL CONSTRAINT push_subscriptions_endpoint_unique UNIQUE,
                p256dh text NOT NULL,
                auth text NOT NULL,
                created_at timestamptz NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX push_subscriptions_endpoint_idx ON push_subscriptions (endpoint)",
            "CREATE INDEX push_subscriptions_user_idx ON push_subscriptions (user_id)",
        ]),
    ]
}
