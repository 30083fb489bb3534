import Synchronization

/// Group commit of chat sends across rooms. The command worker stores each room's waiting sends
/// as one batch, and the rooms of one bus read do so side by side; their batches meet here and
/// are stored together (`MessageStore.storeTogether`: one set of statements, one commit), which
/// costs PostgreSQL about what one room's batch did. Per-room batches held about two messages,
/// so the statements and commits paid per batch were most of PostgreSQL's work per message.
///
/// One commit runs at a time; batches that arrive meanwhile wait and go in the next one.
/// Each caller gets its own room's outcomes, after the commit that holds them.
final class SendGroupCommit: Sendable {
    private struct Waiting {
        var batch: MessageStore.RoomBatch
        var reply: CheckedContinuation<MessageStore.BatchResult, any Error>
    }
    private struct State {
        var waiting: [Waiting] = []
        var committing = false
    }
    private let state = Mutex(State())
    /// Messages per commit at most; a longer queue goes in several (statement size stays bounded).
    static let maxMessages = 1_000

    /// How many rooms' batches wait for the next commit.
    var waitingBatches: Int { state.withLock { $0.waiting.count } }

    func store(_ batch: MessageStore.RoomBatch, with store: MessageStore) async throws -> MessageStore.BatchResult {
        try await withCheckedThrowingContinuation { reply in
            let start = state.withLock { state in
                state.waiting.append(Waiting(batch: batch, reply: reply))
                guard !state.committing else { return false }
                state.committing = true
                return true
            }
            if start { Task { await self.commitWhileWaiting(store) } }
        }
    }

    private func commitWhileWaiting(_ store: MessageStore) async {
        while true {
            // The other rooms of the same read are ready to run: let them join this commit.
            await Task.yield()
            let group = state.withLock { state -> [Waiting] in
                var count = 0
                let take = state.waiting.prefix { waiting in
                    count += waiting.batch.messages.count
                    return count <= Self.maxMessages || count == waiting.batch.messages.count
                }
                state.waiting.removeFirst(take.count)
                if take.isEmpty { state.committing = false }
                return Array(take)
            }
            if group.isEmpty { return }
            await commit(group, store)
        }
    }

    private func commit(_ group: [Waiting], _ store: MessageStore) async {
        do {
            let results = try await store.storeTogether(group.map(\.batch))
            for (waiting, result) in zip(group, results) { waiting.reply.resume(returning: result) }
        } catch {
            guard group.count > 1 else { return group[0].reply.resume(throwing: error) }
            // One room's failure (a retry stored by another replica meanwhile breaks a unique
            // index) must not send every room of the commit down the one-at-a-time path.
            await withTaskGroup(of: Void.self) { tasks in
                for waiting in group {
                    tasks.addTask {
                        do { waiting.reply.resume(returning: try await store.storeTogether([waiting.batch])[0]) }
                        catch { waiting.reply.resume(throwing: error) }
                    }
                }
            }
        }
    }
}
