import AgentIMBus
import AgentIMCore
import AgentIMRedis
import Foundation
import Testing

/// A finished agent reply handled twice (issue 22: a rooms replica frozen by SIGSTOP resumes
/// and finishes the completion its peer already claimed and announced) is stored once and
/// shown once; a retry with other content is still shown as the update it is.
@Suite(.serialized)
struct AgentReplyRedeliveryTests {
    @Test func sameCompletionTwiceIsShownOnceSingleProcess() async throws {
        let (hub, process) = try await Fixture.singleProcess()
        defer { process.stop() }
        try await Self.check(hub)
    }

    /// Through Redis and a separate rooms process (the topology where the freeze happened).
    @Test func sameCompletionTwiceIsShownOnceDistributed() async throws {
        let topology = try DistributedHub()
        defer { topology.stop() }
        try await topology.startServices()
        let edge = try await topology.startEdge()
        try await Self.check(try await Fixture(base: edge.baseURL, ws: edge.wsURL))
    }

    /// A service agent's reply to a room deleted while it answered is dropped and acknowledged:
    /// its insert failed the room's foreign key on every retry, for ever (seen in CI when a
    /// rooms process took over replies the router tests had left on the shared stream).
    @Test func aReplyToARoomThatIsGoneIsDroppedNotRetried() async throws {
        let topology = try DistributedHub(extra: ["LOG_LEVEL": "info"])
        defer { topology.stop() }
        try await topology.startServices()
        let bus = RedisBus(redis: try RedisClient(try #require(TestEnvironment.redis)))
        let tag = UInt32.random(in: 0...UInt32.max)
        let entry = try await bus.publish(BusStream.roomsCommands, RoomsCommand.serviceAgentReplied(ServiceAgentReply(
            requestId: "gone-\(tag)", roomId: "room-gone-\(tag)", serviceAgentId: "sa-gone", serviceAgentName: "Gone", content: "too late")))
        let rooms = try #require(topology.services["rooms"])
        await Wait.until(.seconds(15)) { rooms.log.contains("room room-gone-\(tag) is gone") }
        #expect(rooms.log.contains("service agent reply gone-\(tag) dropped: room room-gone-\(tag) is gone"), "\(rooms.log.suffix(2000))")
        #expect(!rooms.log.contains("command \(entry) failed"), "\(rooms.log.suffix(2000))")
    }

    static func check(_ hub: Fixture) async throws {
        let s = try await AgentGatewayTests.setup(hub, agents: [("agent-twice", "twice")])
        defer { s.gateway.close(); s.client.close() }

        s.gateway.complete(agent: "agent-twice", room: s.room, message: "r-twice", text: "the answer")
        let first = try #require(await s.client.next(type: "server:message_complete"))
        #expect(first["message"]?["content"]?.stringValue == "the answer")

        // The same completion again, as a second consumer of the same bus entry would handle it.
        s.gateway.complete(agent: "agent-twice", room: s.room, message: "r-twice", text: "the answer")
        let again = await s.client.next(type: "server:message_complete", timeout: .seconds(2))
        #expect(again == nil, "the same reply was shown twice: \(String(describing: again))")

        // A retry with other content overwrites and is shown.
        s.gateway.complete(agent: "agent-twice", room: s.room, message: "r-twice", text: "the corrected answer")
        let update = try #require(await s.client.next(type: "server:message_complete"))
        #expect(update["message"]?["content"]?.stringValue == "the corrected answer")

        let history = try await hub.get("/api/messages/rooms/\(s.room)", s.amy.token)
        let replies = history.data?["items"]?.arrayValue?.filter { $0["id"]?.stringValue == "r-twice" } ?? []
        #expect(replies.count == 1)
        #expect(replies.first?["content"]?.stringValue == "the corrected answer")
    }
}
