import AgentIMBus
import AgentIMCore
import AgentIMRedis
import Foundation
import Testing

/// Offered more than the rooms service stores, the edge refuses chat sends with `RATE_LIMITED`
/// once `ROOMS_BACKLOG_MAX` sends wait, instead of queueing without bound (issue 20): the sender
/// is told at once, a refused send is never stored, everything taken before is stored when the
/// rooms service catches up, and sends are taken again once the backlog has drained.
@Suite(.serialized) struct RoomsBacklogTests {
    @Test func sendsPastTheBacklogAreRefusedAndTheTakenOnesStored() async throws {
        let hub = try DistributedHub(extra: ["ROOMS_BACKLOG_MAX": "5"])
        defer { hub.stop() }
        try await hub.startServices()
        let edge = try await hub.startEdge()
        let room = try await ChatScenario.room(senderBase: edge.baseURL, senderWS: edge.wsURL, receiverBase: edge.baseURL, receiverWS: edge.wsURL)
        defer { room.close() }
        let rooms = try #require(hub.services["rooms"])
        let pid = rooms.process.processIdentifier

        // The rooms service frozen: sends wait on the bus until the edge sees more than 5 waiting.
        #expect(kill(pid, SIGSTOP) == 0)
        var frozen = true
        defer { if frozen { kill(pid, SIGCONT) } }
        // What already waits counts too: a command handled whose acknowledgement (sent with the
        // worker's next read) the freeze held back, or one a stopped process of an earlier suite
        // left pending on the shared stream. Frozen, nothing changes it but the sends below.
        let bus = RedisBus(redis: try RedisClient(try #require(TestEnvironment.redis)))
        let before = try await bus.backlog(BusStream.roomsCommands, group: BusGroup.rooms)
        var sent = 0
        var refusal: JSONValue?
        while sent < 100, refusal == nil {
            room.alice.send(["type": "client:send_message", "roomId": room.id, "content": "m\(sent)", "clientMessageId": "c\(sent)"])
            sent += 1
            // A pong behind the send proves it was handled; an error before it is the refusal.
            room.alice.send(["type": "client:ping", "ts": sent])
            #expect(await room.alice.next(type: "server:pong") != nil)
            refusal = await room.alice.next(type: "server:error", timeout: .milliseconds(1))
            try await Task.sleep(for: .milliseconds(30))
        }
        let error = try #require(refusal, "no send was refused in \(sent)")
        #expect(error["code"]?.stringValue == "RATE_LIMITED")
        #expect(error["message"]?.stringValue == "Too many messages, please slow down")
        let taken = sent - 1
        #expect(taken >= max(1, 6 - before), "refused before the backlog was full: \(taken) taken, \(before) waiting before")

        // Resumed: every send taken is stored and delivered, in order; the refused one is not.
        #expect(kill(pid, SIGCONT) == 0)
        frozen = false
        for index in 0..<taken {
            let frame = await room.bob.next(type: "server:new_message", timeout: .seconds(20))
            #expect(frame?["message"]?["content"]?.stringValue == "m\(index)")
        }
        let history = try await HTTP.get(edge.baseURL + "/api/messages/rooms/\(room.id)?limit=100", token: room.adminToken)
        let contents = history.data?["items"]?.arrayValue?.compactMap { $0["content"]?.stringValue } ?? []
        #expect(Set(contents) == Set((0..<taken).map { "m\($0)" }), "\(history.body)")

        // Drained: sends are taken again (the edge samples the backlog every 200 ms).
        var accepted = false
        for attempt in 0..<50 where !accepted {
            room.alice.send(["type": "client:send_message", "roomId": room.id, "content": "after \(attempt)"])
            room.alice.send(["type": "client:ping", "ts": 1000 + attempt])
            _ = await room.alice.next(type: "server:pong")
            if await room.alice.next(type: "server:error", timeout: .milliseconds(1)) == nil {
                accepted = true
                let frame = await room.bob.next(type: "server:new_message", timeout: .seconds(10))
                #expect(frame?["message"]?["content"]?.stringValue == "after \(attempt)")
            } else {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(accepted, "sends were still refused after the backlog drained")
    }
}
