import AgentIMCore
import AgentIMRuntime
import Logging
import ServiceLifecycle

/// Removes uploads never linked to a message (data-config-security §3.11, §4): first 10 s
/// after start, then every `cleanup.orphanFileInterval` (live; `ORPHAN_FILE_CHECK_INTERVAL` seeds it): unlinked uploads older than an
/// hour lose their row, then their file. Every uploads replica runs it; deleting twice is harmless.
struct OrphanSweep: Service {
    static let maxAge = Duration.seconds(3600)
    static let firstRun = Duration.seconds(10)

    let attachments: AttachmentStore
    let storage: StorageHolder
    let timer: SettingTimer
    var logger: Logger { timer.logger }

    func run() async throws {
        await timer.run {
            let removed = try await sweep()
            if removed > 0 { logger.info("removed \(removed) orphan upload(s)") }
        }
    }

    /// One pass; returns how many uploads it removed.
    func sweep() async throws -> Int {
        let urls = try await attachments.claimOrphans(olderThan: Self.maxAge)
        for url in urls {
            guard let key = StorageKey(url: url) else { continue }  // a URL no file can have
            do {
                try await storage.current.delete(key)
            } catch {
                logger.warning("orphan upload \(key): row removed, file not: \(error)")
            }
        }
        return urls.count
    }
}
