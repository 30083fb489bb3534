import AgentIMCore
import PostgresNIO

/// A room's message times only go up. History pages by time, exclusive of the cursor (http-api
/// §1.10: `createdAt` of the last message seen), so two messages of one room with the same time
/// could fall on both sides of a page's end and one of them would never be listed. Times are
/// taken at millisecond precision from this process's clock, and two commits of one room can
/// land in the same millisecond (or a replica's clock can be behind another's): a new message
/// takes now, or a millisecond after the room's newest message when that is not earlier. Every
/// write of a message has taken the room's row (its sequence) first, so the newest one it
/// reads cannot change before it commits. The group commit does the same in its statement
/// (`CommitSQL.insert`).
extension PostgresQuery.StringInterpolation {
    /// `greatest(now, newest message's time + 1 ms)` for a message of `roomId`, as SQL.
    mutating func appendInterpolation(timeOfNewMessageIn roomId: String) {
        appendInterpolation(unescaped: "greatest(")
        appendInterpolation(Timestamp.format(MessageStore.now()))
        appendInterpolation(unescaped: "::timestamptz, (SELECT max(created_at) + interval '1 millisecond' FROM messages WHERE room_id = ")
        appendInterpolation(roomId)
        appendInterpolation(unescaped: "))")
    }
}
