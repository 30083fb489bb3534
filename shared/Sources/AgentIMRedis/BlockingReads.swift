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
///
/// A read whose task is cancelled (a graceful shutdown, `cancelWhenGracefulShutdown`) ends at
/// once: `CLIENT UNBLOCK` from another connection makes Redis answer it as if its block had run
/// out. Closing the connection instead would drop a reply already on its way, and an
/// `XREADGROUP`'s entries in it would wait as pending until claimed as stale.
final class BlockingReads: Sendable {
    /// A connection and its Redis client id (nil when the server refuses `CLIENT ID`: then a
    /// cancelled read waits out its block, as before).
    struct Connection: Sendable {
        let channel: any Channel
        let clientId: Int?
    }

    private let url: RedisURL
    private let group: any EventLoopGroup
    /// Connections no read holds now; a loop's own are taken first, so its replies land where
    /// the reading task runs.
    private let idle = NIOLockedValueBox<[Connection]>([])
    private let maxIdle: Int
    /// Sends `CLIENT UNBLOCK <id>` on a connection other than the blocked one; true when a
    /// blocked client was found.
    private let unblocker: @Sendable (Int) async throws -> Bool

    init(url: RedisURL, maxIdle: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
         unblocker: @escaping @Sendable (Int) async throws -> Bool) {
        self.url = url
        self.maxIdle = maxIdle
        self.group = group
        self.unblocker = unblocker
    }

    /// Sends `commands` together on a connection no other command uses and waits up to `timeout`
    /// for each reply; past it the connection closes and the read fails. A cancelled task's read
    /// ends early with the reply of a block that ran out.
    func send(_ commands: [[[UInt8]]], timeout: TimeAmount) async throws -> [RedisValue] {
        let connection = try await checkout(timeout: timeout)
        guard !Task.isCancelled else {
            checkin(connection)
            throw CancellationError()
        }
        let reading = NIOLockedValueBox(true)
        let values = try await withTaskCancellationHandler {
            defer { reading.withLockedValue { $0 = false } }
            return try await PipelinedRedis.exchange(commands, on: connection.channel, timeout: timeout)
        } onCancel: {
            if let id = connection.clientId { unblock(id, while: reading) }
        }
        checkin(connection)
        return values
    }

    /// Unblocks client `id` while its read is still out. The cancel may come before Redis has
    /// the read (nothing to unblock yet), hence a few tries.
    private func unblock(_ id: Int, while reading: NIOLockedValueBox<Bool>) {
        Task { [unblocker] in
            for _ in 0..<10 {
                guard reading.withLockedValue({ $0 }) else { return }
                if (try? await unblocker(id)) == true { return }
                try? await LoopSleep.for(.milliseconds(20))
            }
        }
    }

    func shutdown() async {
        let open = idle.withLockedValue { connections in
            defer { connections.removeAll() }
            return connections
        }
        for connection in open { try? await connection.channel.close() }
    }

    private func checkout(timeout: TimeAmount) async throws -> Connection {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop
        let found: Connection? = idle.withLockedValue { connections in
            connections.removeAll { !$0.channel.isActive }
            let index = connections.lastIndex { $0.channel.eventLoop === loop } ?? connections.indices.last
            return index.map { connections.remove(at: $0) }
        }
        if let found { return found }
        let channel: any Channel
        do {
            channel = try await PipelinedRedis.connect(to: url, on: loop ?? group.next()).get()
        } catch {
            throw PipelinedRedis.connectionError(error, url: url)
        }
        // Asked once per connection, on the connection itself, within the read's own timeout (a
        // server that does not answer fails the read in its time, closing the connection).
        let id = try? await PipelinedRedis.exchange([[Array("CLIENT".utf8), Array("ID".utf8)]], on: channel, timeout: timeout)
        if case .integer(let clientId)? = id?.first { return Connection(channel: channel, clientId: clientId) }
        return Connection(channel: channel, clientId: nil)
    }

    /// Kept for the next read while it is open and the pool has room; closed otherwise.
    private func checkin(_ connection: Connection) {
        let kept = connection.channel.isActive && idle.withLockedValue { connections in
            guard connections.count < maxIdle else { return false }
            connections.append(connection)
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }
}
