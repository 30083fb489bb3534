import AgentIMCore
import Logging

/// What a socket missed in a room, from the store: replayed on join after `lastSeq`, and
/// when a hole opens in the live sequence (websocket §9).
struct RoomCatchUp: Sendable {
    let registry: ClientRegistry
    let rooms: RoomsDirectory
    let logger: Logger

    /// Most messages replayed on a join; beyond that the client is told to reload history.
    static let limit = 500

    /// Joins a socket to a room and replays what it missed after `lastSeq` (or, without
    /// one, what arrived while it was joining), before any live message of the room.
    func join(socket: String, room: String, lastSeq: Int64?, latestSeq: Int64) async throws {
        let start = lastSeq ?? latestSeq
        guard await registry.join(socket, room: room, lastSeq: start) else { return }
        do {
            let missed = try await rooms.messagesAfter(room, start, Self.limit)
            if missed.count >= Self.limit {
                await registry.send(socket, .text(ServerFrame.historyGap(roomId: room, lastSeq: start, latestSeq: latestSeq)))
                await registry.finishFill(socket, room: room, messages: [], latestSeq: latestSeq)
            } else if let gap = await registry.finishFill(socket, room: room, messages: missed.map { ($0.seq ?? 0, ServerFrame.newMessage($0)) }) {
                fill(gap)
            }
        } catch {
            await registry.finishFill(socket, room: room, messages: [], giveUp: true)
            throw error
        }
    }

    /// Fills a hole in one socket's sequence from the store, after giving the missing
    /// announcement a moment to arrive on the bus by itself (when it does, the store is not
    /// asked at all). While the store cannot answer (PostgreSQL restarting) it asks again each
    /// second for a while: giving up at once would move the socket past the hole, and the
    /// missing message would never reach it.
    func fill(_ gap: ClientRegistry.Gap) {
        Task {
            try? await LoopSleep.for(.milliseconds(200))
            for attempt in 1...Self.fillAttempts {
                guard let from = await registry.gapToFill(gap.socket, room: gap.room) else { return }
                let last = attempt == Self.fillAttempts
                do {
                    let missed = try await rooms.messagesAfter(gap.room, from, Self.limit)
                    // Frames still waiting behind a hole the store did not know of yet: read again
                    // shortly (those messages were being committed), passing holes over only at the end.
                    guard await registry.finishFill(gap.socket, room: gap.room, messages: missed.map { ($0.seq ?? 0, ServerFrame.newMessage($0)) },
                                                    giveUp: last) != nil else { return }
                    try? await LoopSleep.for(.milliseconds(200))
                } catch {
                    if last {
                        logger.warning("gap fill for room \(gap.room) failed: \(error)")
                        await registry.finishFill(gap.socket, room: gap.room, messages: [], giveUp: true)
                    } else {
                        try? await LoopSleep.for(.seconds(1))
                    }
                }
            }
        }
    }

    /// How many times a gap fill asks the store, a second apart, before it gives up.
    static let fillAttempts = 60
}
