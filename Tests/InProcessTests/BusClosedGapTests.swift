import AgentIMCore
@testable import EdgeService
import Testing

/// A hole in a room's live sequence (two rooms replicas announce one room's messages, and the
/// later one reached the bus first) is usually closed by the bus a moment later. The frames
/// behind it go out as soon as the missing one arrives, and the gap fill then ends without
/// asking the store. Holding them for the fill's read had cost 200 ms or more per hole, and a
/// store read per socket and hole, at two rooms replicas under load (bench/fanout.py overload).
struct BusClosedGapTests {
    static func message(_ seq: Int64) -> Delivery {
        Delivery(audience: .room("r1"), frame: #"{"type":"server:new_message","message":{"roomId":"r1","seq":\#(seq)}}"#, seq: seq)
    }

    @Test func framesBehindAHoleGoOutWhenTheBusClosesIt() async throws {
        let pair = try FrameSocketPair()
        let registry = try await pair.welcomedRegistry()
        #expect(await registry.join("s1", room: "r1", lastSeq: 0))
        await registry.finishFill("s1", room: "r1", messages: [])

        #expect(await registry.deliver([Self.message(1)]).isEmpty)
        #expect(try pair.texts(1) == [Self.message(1).frame])
        // 3 before 2: a gap opens and 3 waits.
        let gaps = await registry.deliver([Self.message(3)])
        #expect(gaps == [ClientRegistry.Gap(socket: "s1", room: "r1", afterSeq: 1)])
        // 2 arrives on the bus: 2 and 3 go out now, not after a fill; 4 follows straight on.
        #expect(await registry.deliver([Self.message(2)]).isEmpty)
        #expect(await registry.deliver([Self.message(4)]).isEmpty)
        #expect(try pair.texts(3) == [2, 3, 4].map { Self.message($0).frame })
        // The fill wakes to nothing to read, and the next hole starts a fill of its own.
        #expect(await registry.gapToFill("s1", room: "r1") == nil)
        #expect(await registry.deliver([Self.message(6)]) == [ClientRegistry.Gap(socket: "s1", room: "r1", afterSeq: 4)])
        #expect(await registry.gapToFill("s1", room: "r1") == 4, "6 still waits behind 5: the store is read after 4")
    }

    @Test func aJoinsCatchUpStillHoldsLiveFrames() async throws {
        let pair = try FrameSocketPair()
        let registry = try await pair.welcomedRegistry()
        #expect(await registry.join("s1", room: "r1", lastSeq: 0))
        // 1 arrives live while the catch-up reads the store: it waits for the store's answer.
        #expect(await registry.deliver([Self.message(1)]).isEmpty)
        await registry.finishFill("s1", room: "r1", messages: [(1, Self.message(1).frame)])
        #expect(await registry.deliver([Self.message(2)]).isEmpty)
        #expect(try pair.texts(2) == [1, 2].map { Self.message($0).frame }, "1 once, then 2")
    }

    @Test func aFillFromBeforeTheSocketLeftEndsWhenItJoinsAgain() async throws {
        let pair = try FrameSocketPair()
        let registry = try await pair.welcomedRegistry()
        #expect(await registry.join("s1", room: "r1", lastSeq: 0))
        await registry.finishFill("s1", room: "r1", messages: [])
        #expect(await registry.deliver([Self.message(2)]).count == 1, "a hole at 1")
        await registry.leave("s1", room: "r1")
        #expect(await registry.join("s1", room: "r1", lastSeq: 5))
        #expect(await registry.deliver([Self.message(7)]).isEmpty, "held for the catch-up")
        // The old fill wakes: the new catch-up owns the room's holes, so it reads nothing.
        #expect(await registry.gapToFill("s1", room: "r1") == nil)
        await registry.finishFill("s1", room: "r1", messages: [(6, Self.message(6).frame)])
        #expect(try pair.texts(2) == [6, 7].map { Self.message($0).frame })
    }
}
