@testable import EdgeService
import Testing

/// How a socket's place in a room settles after a fill from the store (websocket §9: in order,
/// no gaps, no duplicates).
@Suite struct RoomCursorTests {
    typealias Cursor = ClientRegistry.RoomCursor

    static func frames(_ seqs: ClosedRange<Int64>) -> [(seq: Int64, frame: String)] { seqs.map { ($0, "f\($0)") } }

    @Test func framesBehindAHoleTheStoreDidNotKnowWaitForTheNextFill() {
        // At 259; 264 and 265 arrived (re-announced by another replica) before 260-263, whose
        // commit the fill's read did not see yet: it returned nothing new.
        var cursor = Cursor(lastSeq: 259, pending: [264: "f264", 265: "f265"], filling: true)
        let first = cursor.settle([])
        #expect(first.frames.isEmpty && first.again, "264 must not go out before 260-263")
        #expect(cursor.lastSeq == 259 && cursor.filling)
        // 260-263 arrive live while filling, and the next read sees all of them.
        for seq: Int64 in 260...263 { cursor.pending[seq] = "f\(seq)" }
        let second = cursor.settle(Self.frames(260...265))
        #expect(second.frames == (260...265).map { "f\($0)" })
        #expect(!second.again && cursor.lastSeq == 265 && !cursor.filling && cursor.pending.isEmpty)
    }

    @Test func holesBelowWhatTheStoreReturnedAreDeletedMessages() {
        var cursor = Cursor(lastSeq: 10, pending: [15: "f15"], filling: true)
        let settled = cursor.settle([(11, "f11"), (13, "f13")])   // 12 was deleted
        #expect(settled.frames == ["f11", "f13"])
        #expect(settled.again, "15 waits: the store's read ended at 13, and 14 may be committing")
        let next = cursor.settle([(14, "f14"), (15, "f15")])
        #expect(next.frames == ["f14", "f15"] && !next.again)
    }

    @Test func contiguousFramesGoOutAndGivingUpPassesHolesOver() {
        var cursor = Cursor(lastSeq: 5, pending: [6: "f6", 7: "f7", 9: "f9"], filling: true)
        let settled = cursor.settle([])
        #expect(settled.frames == ["f6", "f7"] && settled.again)
        let given = cursor.settle([], giveUp: true)
        #expect(given.frames == ["f9"] && !given.again && cursor.lastSeq == 9)
        // Repeats of what went out are dropped.
        var repeated = Cursor(lastSeq: 9, pending: [:], filling: true)
        #expect(repeated.settle(Self.frames(8...10)).frames == ["f10"])
    }
}
