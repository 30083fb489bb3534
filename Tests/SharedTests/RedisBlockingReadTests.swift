@testable import AgentIMBus
import AgentIMCore
@testable import AgentIMRedis
import Foundation
import NIOCore
import NIOPosix
import Testing

/// Blocking reads (`XREAD … BLOCK`) each hold a connection of their own while Redis keeps them
/// waiting, and give it back for the next read.
struct RedisBlockingReadTests {
    static func xread(_ stream: String, blockMilliseconds: Int) -> [[UInt8]] {
        ["XREAD", "COUNT", "10", "BLOCK", String(blockMilliseconds), "STREAMS", stream, "$"].map { Array($0.utf8) }
    }

    /// Three reads wait at once while ordinary commands go on answering; one XADD ends all three.
    @Test func waitingReadsHoldUpNeitherEachOtherNorOrdinaryCommands() async throws {
        // Database 5: blocked readers of other tests on the same server are not counted.
        let redis = try RedisClient(try RedisClientTests.testURL() + "/5")
        let stream = "agentim:test:block:\(UUID().uuidString)"
        let replies = try await withThrowingTaskGroup(of: RedisValue.self) { group in
            for _ in 0..<3 {
                group.addTask { try await redis.sendBytes(Self.xread(stream, blockMilliseconds: 10_000), readTimeoutSeconds: 15) }
            }
            // Each read blocks on its own connection: Redis counts three blocked clients.
            var blocked = 0
            for _ in 0..<200 where blocked < 3 {
                let info = try await redis.send("CLIENT", "LIST").string ?? ""
                blocked = info.split(separator: "\n").filter { $0.contains(" db=5 ") && $0.contains("cmd=xread") && $0.contains("flags=b") }.count
                if blocked < 3 { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(blocked == 3)
            let started = ContinuousClock.now
            try await redis.send("SET", stream + ":plain", "ok")
            #expect(try await redis.send("GET", stream + ":plain") == .bulk(Array("ok".utf8)))
            #expect(ContinuousClock.now - started < .seconds(1), "ordinary commands waited behind the reads")
            try await redis.send("XADD", stream, "*", "d", "hello")
            var replies: [RedisValue] = []
            for try await reply in group { replies.append(reply) }
            return replies
        }
        #expect(replies.count == 3)
        for reply in replies {
            let payloads = RedisBus.entries(fromStreams: reply).map { String(decoding: $0.payload, as: UTF8.self) }
            #expect(payloads == ["hello"], "\(reply)")
        }
        try await redis.send("DEL", stream, stream + ":plain")
        await redis.shutdown()
    }

    /// Reads one after another reuse one connection rather than opening one each.
    @Test func readsOneAfterAnotherReuseTheirConnection() async throws {
        let url = try RedisClientTests.testURL()
        let redis = try RedisClient(url + "/6")
        let plain = try RedisClient(url)
        let stream = "agentim:test:reuse:\(UUID().uuidString)"
        for _ in 0..<10 {
            #expect(try await redis.sendBytes(Self.xread(stream, blockMilliseconds: 1), readTimeoutSeconds: 5) == .null)
        }
        let list = try await plain.send("CLIENT", "LIST").string ?? ""
        let mine = list.split(separator: "\n").filter { $0.contains(" db=6 ") }
        // One pipelined connection (none used here, so maybe not even that) and one for the reads.
        #expect(mine.count == 1, "\(mine)")
        await redis.shutdown()
        await plain.shutdown()
    }

    /// A server that never answers: the read fails once its own timeout has passed, not the
    /// ordinary commands' five seconds, and not never.
    @Test func aReadWithoutAReplyFailsAfterItsTimeout() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let redis = try RedisClient("redis://127.0.0.1:\(silent.localAddress!.port!)")
        let started = ContinuousClock.now
        await #expect(throws: RedisError.self) {
            try await redis.sendBytes(Self.xread("s", blockMilliseconds: 100), readTimeoutSeconds: 1)
        }
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(900) && took < .seconds(4), "failed after \(took)")
        await redis.shutdown()
        try await silent.close()
    }

    /// Polls until `count` clients of database `db` are blocked in `command`.
    static func waitUntilBlocked(_ redis: RedisClient, db: Int, command: String, count: Int = 1) async throws -> Int {
        var blocked = 0
        for _ in 0..<300 where blocked < count {
            let info = try await redis.send("CLIENT", "LIST").string ?? ""
            blocked = info.split(separator: "\n").filter { $0.contains(" db=\(db) ") && $0.contains("cmd=\(command)") && $0.contains("flags=b") }.count
            if blocked < count { try await Task.sleep(for: .milliseconds(10)) }
        }
        return blocked
    }

    /// A graceful shutdown cancels the followers' and workers' reads: each ends at once with the
    /// answer of a block that ran out (not after its 10 s), and its connection serves the next
    /// read. Both kinds: XREAD (followers) and XACK + XREADGROUP (command workers).
    @Test func aCancelledReadEndsAtOnceAndItsConnectionGoesOn() async throws {
        let url = try RedisClientTests.testURL()
        let redis = try RedisClient(url + "/8")
        let observer = try RedisClient(url + "/8")
        let stream = "agentim:test:cancel:\(UUID().uuidString)"
        let bus = RedisBus(redis: redis)
        try await bus.createGroup(stream, group: "g")
        let reads: [(command: String, read: @Sendable () async throws -> [BusEntry])] = [
            ("xread", { try await bus.read(stream, after: "$", count: 10, block: .seconds(10)) }),
            ("xreadgroup", { try await bus.readGroup(stream, group: "g", consumer: "c", count: 10, block: .seconds(10), acknowledging: []) }),
        ]
        for (command, read) in reads {
            let started = ContinuousClock.now
            let reading = Task { try await read() }
            #expect(try await Self.waitUntilBlocked(observer, db: 8, command: command) == 1, "\(command) never blocked")
            reading.cancel()
            let entries = try await reading.value
            let took = ContinuousClock.now - started
            #expect(entries.isEmpty)
            #expect(took < .seconds(5), "a cancelled \(command) ended \(took) after it started, not at once")
        }
        // The connection is whole: the next group read gets what comes, and nothing was left pending.
        _ = try await bus.append(stream, Data("after".utf8), maxLength: 1000)
        let next = try await bus.readGroup(stream, group: "g", consumer: "c", count: 10, block: .seconds(5), acknowledging: [])
        #expect(next.map { String(decoding: $0.payload, as: UTF8.self) } == ["after"])
        let pending = try await observer.send("XPENDING", stream, "g")
        #expect(pending.array?.first == .integer(1), "\(pending)")
        try await observer.send("DEL", stream)
        await redis.shutdown()
        await observer.shutdown()
    }

    /// A read whose task is already cancelled does not block at all.
    @Test func aReadOfACancelledTaskDoesNotBlock() async throws {
        let redis = try RedisClient(try RedisClientTests.testURL() + "/8")
        let started = ContinuousClock.now
        let reading = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await redis.sendBytes(Self.xread("agentim:test:never:\(UUID().uuidString)", blockMilliseconds: 10_000), readTimeoutSeconds: 15)
        }
        await #expect(throws: CancellationError.self) { try await reading.value }
        #expect(ContinuousClock.now - started < .seconds(5))
        await redis.shutdown()
    }
}
