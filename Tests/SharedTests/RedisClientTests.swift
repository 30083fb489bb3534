import AgentIMCore
@testable import AgentIMRedis
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

struct RedisClientTests {
    static func testURL() throws -> String {
        try #require(ProcessInfo.processInfo.environment["AGENTIM_TEST_REDIS"], "AGENTIM_TEST_REDIS is not set")
    }

    @Test func commandsRoundTripBinarySafely() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["AGENTIM_TEST_REDIS"])
        let redis = try RedisClient(url)
        let key = "agentim:test:\(UUID().uuidString)"
        let value: [UInt8] = [0, 1, 2, 255, 10, 13]
        try await redis.sendBytes([Array("SET".utf8), Array(key.utf8), value])
        #expect(try await redis.send("GET", key) == .bulk(value))
        #expect(try await redis.send("INCR", key + ":n") == .integer(1))
        await #expect(throws: RedisError.self) { try await redis.send("NOSUCHCOMMAND") }
        #expect(try await redis.send("GET", key + ":missing") == .null)
        await redis.shutdown()
    }

    @Test func anUnreachableServerIsReported() async throws {
        let redis = try RedisClient("redis://127.0.0.1:1")
        await #expect(throws: RedisError.self) { try await redis.waitUntilReachable(attempts: 1) }
        await redis.shutdown()
    }

    /// Ordinary commands share one pipelined connection per event loop: a thousand sent at once
    /// from many tasks each get their own reply, and a pipeline's replies come back in order.
    @Test func concurrentCommandsEachGetTheirOwnReply() async throws {
        let redis = try RedisClient(try Self.testURL())
        let prefix = "agentim:test:pipe:\(UUID().uuidString):"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    try await redis.send("SET", prefix + String(index), String(index))
                    let value = try await redis.send("GET", prefix + String(index))
                    #expect(value == .bulk(Array(String(index).utf8)))
                }
            }
            try await group.waitForAll()
        }
        let replies = try await redis.pipeline((0..<50).map { [Array("INCRBY".utf8), Array((prefix + "n").utf8), Array(String($0).utf8)] }
                                               + [[Array("NOSUCHCOMMAND".utf8)], [Array("GET".utf8), Array((prefix + "7").utf8)]])
        let sums: [RedisValue] = (0..<50).map { .integer($0 * ($0 + 1) / 2) }
        #expect(Array(replies.prefix(50)) == sums)
        guard case .error = replies[50] else { throw RedisError("expected an error reply, got \(replies[50])") }
        #expect(replies[51] == .bulk(Array("7".utf8)))
        _ = try await redis.send(["DEL", prefix + "n"] + (0..<1000).map { prefix + String($0) })
        await redis.shutdown()
    }

    /// Counts the flushes that reach the socket.
    final class FlushCounter: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = ByteBuffer
        let count = Atomic<Int>(0)
        func flush(context: ChannelHandlerContext) {
            count.add(1, ordering: .relaxed)
            context.flush()
        }
    }

    /// Commands that tasks send in one turn of the event loop, each asking for a flush, reach
    /// the socket with one flush: one write(2), one wake-up of Redis.
    @Test func commandsOfOneLoopTurnShareOneFlush() async throws {
        let url = try #require(RedisURL(try Self.testURL()))
        let counter = FlushCounter()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(counter)
                    try channel.pipeline.syncOperations.addHandler(RedisReplyHandler())
                }
            }
            .connect(host: url.host, port: url.port).get()
        let key = "agentim:test:flush:\(UUID().uuidString)"
        let commands = try await channel.eventLoop.submit {
            (0..<50).map { _ in
                let command = RedisCommand([Array("INCR".utf8), Array(key.utf8)], on: channel)
                channel.write(command, promise: nil)
                channel.flush()
                return command
            }
        }.get()
        var replies: [RedisValue] = []
        for command in commands { replies.append(try await command.reply.futureResult.get()) }
        #expect(replies == (1...50).map { .integer($0) })
        #expect(counter.count.load(ordering: .relaxed) == 1, "one flush for the turn's 50 commands")
        try await channel.close()
        let redis = try RedisClient(try Self.testURL())
        try await redis.send("DEL", key)
        await redis.shutdown()
    }

    /// A connection Redis closes (here CLIENT KILL; a restart alike) is opened again by the
    /// next command, and the URL's database is selected on the new one.
    @Test func aConnectionRedisClosedIsOpenedAgainOnTheSameDatabase() async throws {
        let url = try Self.testURL()
        let redis = try RedisClient(url + "/7")
        let plain = try RedisClient(url)
        let key = "agentim:test:db:\(UUID().uuidString)"
        try await redis.send("SET", key, "seven")
        #expect(try await plain.send("GET", key) == .null, "database 7, not 0")
        // The connections on database 7 are this client's.
        let list = try await plain.send("CLIENT", "LIST").string ?? ""
        let ids = list.split(separator: "\n").filter { $0.contains(" db=7 ") }.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("id=") }.map { String($0.dropFirst(3)) }
        }
        #expect(!ids.isEmpty, "\(list)")
        for id in ids { try await plain.send("CLIENT", "KILL", "ID", id) }
        var value: RedisValue?
        for _ in 0..<20 where value == nil {
            value = try? await redis.send("GET", key)  // the first may fail on the killed connection
        }
        #expect(value == .bulk(Array("seven".utf8)))
        try await redis.send("DEL", key)
        await redis.shutdown()
        await plain.shutdown()
    }

    /// A server that takes commands and never answers: the command fails after
    /// `PipelinedRedis.replyTimeout` (5 s) instead of waiting forever, and the connection closes.
    @Test func aCommandWithoutAReplyFailsInFiveSeconds() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let redis = try RedisClient("redis://127.0.0.1:\(silent.localAddress!.port!)")
        let started = ContinuousClock.now
        // Bounded: were the timeout gone, shutting the client down after 15 s ends the wait.
        let outcome = await withTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    return "answered \(try await redis.send("PING"))"
                } catch {
                    return error is RedisError ? "failed" : "failed with \(error)"
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(15))
                return "still waiting"
            }
            let first = await group.next() ?? "none"
            await redis.shutdown()
            group.cancelAll()
            return first
        }
        let took = ContinuousClock.now - started
        #expect(outcome == "failed")
        let inTime = took >= .milliseconds(4500) && took < .seconds(15)
        #expect(inTime, "failed after \(took)")
        try await silent.close()
    }
}
