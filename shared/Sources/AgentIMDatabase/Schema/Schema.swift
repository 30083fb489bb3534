/// The whole schema history. One database serves every service and foreign keys cross
/// service boundaries (rooms.created_by_id → users), so the history is one ordered list;
/// each migration names its owning service, which alone writes those tables.
public enum Schema {
    public static let all: [Migration] = AuthTables.migrations + RoomsTables.migrations + AgentTables.migrations + UploadsTables.migrations + RouterTables.migrations + PushTables.migrations
}
