import AgentIMCore
import Testing

/// `ByteSearch` finds frame markers for push and the message counter.
struct ByteSearchTests {
    static func offset(_ needle: String, pivot: Int, in text: String) -> Int? {
        Array(needle.utf8).withUnsafeBytes { n in Array(text.utf8).withUnsafeBytes { ByteSearch.firstOffset(of: n, pivot: pivot, in: $0) } }
    }

    @Test func findsTheFirstWholeOccurrenceAroundThePivot() {
        #expect(Self.offset("server:new_message", pivot: 10, in: #"{"type":"server:new_message"}"#) == 9)
        #expect(Self.offset("ab_cd", pivot: 2, in: "ab_cd") == 0, "the whole text")
        #expect(Self.offset("ab_cd", pivot: 2, in: "x_cd ab_ce b_cd ab_cd") == 16, "pivot hits that do not match are passed over")
        #expect(Self.offset("ab_cd", pivot: 2, in: "ab_cd ab_cd") == 0, "the first of two")
        #expect(Self.offset("ab_cd", pivot: 0, in: "aab_cd") == 1, "pivot at the start")
        #expect(Self.offset("ab_cd", pivot: 4, in: "zzab_cd") == 2, "pivot at the end")
        #expect(Self.offset("ab_cd", pivot: 2, in: "ab_c") == nil, "text shorter than the needle")
        #expect(Self.offset("ab_cd", pivot: 2, in: "") == nil)
        #expect(Self.offset("ab_cd", pivot: 2, in: "xxab_c") == nil, "cut at the end")
        #expect(Self.offset("é_x", pivot: 2, in: "aé_x") == 1, "bytes, not characters")
    }
}
