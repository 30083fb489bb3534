import AgentIMCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Blocking reads (`XREAD … BLOCK`, `XREADGROUP … BLOCK`) on NIO connections of their own: a
/// read holds its connection while Redis keeps it waiting, so it never holds up the pipelined
/// commands, and another read takes another connection. They ran on a pool of blocking hiredis
/// connections, each read handed to a pool thread and its reply handed back to the loop: in
/// bench/fanout.py's distributed small shape the pool's threads held 19% of an edge's CPU and
/// 14% of the rooms service's, for one read per message.
final class BlockingReads: Sendable {
    private let url: RedisURL
    private let group: any EventLoopGroup
    /// Connections no read holds now; a loop's own are taken first, so its replies land where
    /// the reading task runs.
    private let idle = NIOLockedValueBox<[any Channel]>([])
    private let maxIdle: Int

    init(url: RedisURL, maxIdle: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.url = url
        self.maxIdle = maxIdle
        self.group = group
    }

    /// Sends `commands` together on a connection no other command uses and waits up to `timeout`
    /// for each reply; past it the connection closes and the read fails.
    func send(_ commands: [[[UInt8]]], timeout: TimeAmount) async throws -> [RedisValue] {
        let channel = try await checkout()
        let values = try await PipelinedRedis.exchange(commands, on: channel, timeout: timeout)
        checkin(channel)
        return values
    }

    func shutdown() async {
        let open = idle.withLockedValue { channels in
            defer { channels.removeAll() }
            return channels
        }
        for channel in open { try? await channel.close() }
    }

    private func checkout() async throws -> any Channel {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop
        let found: (any Channel)? = idle.withLockedValue { channels in
            channels.removeAll { !$0.isActive }
            let index = channels.lastIndex { $0.eventLoop === loop } ?? channels.indices.last
            return index.map { channels.remove(at: $0) }
        }
        if let found { return found }
        do {
            return try await PipelinedRedis.connect(to: url, on: loop ?? group.next()).get()
        } catch {
            throw PipelinedRedis.connectionError(error, url: url)
        }
    }

    /// Kept for the next read while it is open and the pool has room; closed otherwise.
    private func checkin(_ channel: any Channel) {
        let kept = channel.isActive && idle.withLockedValue { channels in
            guard channels.count < maxIdle else { return false }
            channels.append(channel)
            return true
        }
        if !kept { channel.close(promise: nil) }
    }
}
