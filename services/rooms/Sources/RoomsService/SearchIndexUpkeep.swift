import AgentIMDatabase
import AgentIMRuntime
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Keeps the message search index's pending list short, off the send path.
///
/// `messages_content_trgm_idx` is a GIN index with PostgreSQL's default `fastupdate`: a new
/// row's trigrams go to a pending list, cheap to append to, and the list is merged into the
/// index once it passes `gin_pending_list_limit` (4 MB), by whichever insert passes it. That
/// insert, and every commit queued behind it, then waits for the merge: measured here with
/// pgbench (single-row inserts of chat-like text), 30–46 ms about every 2,000 messages. With
/// `fastupdate` off there is no merge, but every insert costs twice as much (p50 0.19 → 0.38 ms).
/// So the list is merged here instead, a few times a second while messages are stored, on a
/// pooled connection of its own: in that pgbench run the inserts' longest wait fell from 46 ms
/// to 4.9 ms, at the same insert rate.
final class SearchIndexUpkeep: Sendable {
    static let index = "messages_content_trgm_idx"
    /// How often the list is merged while messages are stored.
    static let interval = Duration.milliseconds(250)
    /// And how often at most when none went through the group commit (other writes add rows too).
    static let idleInterval = Duration.seconds(10)

    /// Messages handed to the group commit since the last merge.
    private let stored = Atomic<Int>(0)
    /// Rounds of the loop since the last merge.
    private let rounds = Atomic<Int>(0)

    func noteStored(_ count: Int) {
        stored.add(count, ordering: .relaxed)
    }

    /// Whether this round of the loop merges: messages went in since the last merge, or
    /// `idleInterval` passed without one.
    private func due() -> Bool {
        let waited = rounds.add(1, ordering: .relaxed).newValue
        return stored.load(ordering: .relaxed) > 0 || Self.interval * waited >= Self.idleInterval
    }

    /// Merges the pending list now; returns how many pending pages it merged.
    func merge(_ database: Database) async throws -> Int {
        stored.store(0, ordering: .relaxed)
        rounds.store(0, ordering: .relaxed)
        let rows = try await database.client.query("SELECT gin_clean_pending_list(\(Self.index)::regclass)::int8", logger: database.logger)
        for try await pages in rows.decode(Int64.self) { return Int(pages) }
        return 0
    }

    /// The loop of one rooms process. Replicas each run one; PostgreSQL runs their merges one
    /// after the other, and a merge finding the list empty costs one round trip.
    struct Loop: Service {
        let upkeep: SearchIndexUpkeep
        let database: Database
        let logger: Logger

        func run() async throws {
            await PeriodicJob.run(firstRun: SearchIndexUpkeep.interval, interval: SearchIndexUpkeep.interval, logger: logger,
                                  name: "search index upkeep") {
                guard upkeep.due() else { return }
                do {
                    _ = try await upkeep.merge(database)
                } catch {
                    // PostgreSQL restarting, or a role that does not own the index: the inserts
                    // then merge the list themselves, as they would without this loop. Logged
                    // quietly, as it may fail four times a second while that lasts.
                    logger.debug("search index upkeep: \(String(reflecting: error))")
                }
            }
        }
    }
}
