import Testing
@testable import AgentIMCLI

/// The completion's `chunks` stay within the hub's 1,000-item JSON guard (websocket §3.3),
/// or the hub drops the whole reply.
@Suite struct StoredChunksTests {
    @Test func textRunsMergeAndTheReplyReadsTheSame() {
        var chunks = [WireChunk(type: "thinking", content: "hm"), WireChunk(type: "thinking", content: "m")]
        chunks += (1...3000).map { WireChunk(type: "text", content: "line \($0)\n") }
        chunks.append(WireChunk(type: "tool_use", content: "ls", metadata: ["toolName": .string("Bash")]))
        chunks += [WireChunk(type: "text", content: "a"), WireChunk(type: "text", content: "b")]
        let stored = StoredChunks.storable(chunks)
        #expect(stored.map(\.type) == ["thinking", "text", "tool_use", "text"])
        #expect(stored[0].content == "hmm")
        #expect(stored[1].content == (1...3000).map { "line \($0)\n" }.joined())
        #expect(stored[2].metadata?["toolName"] == .string("Bash"))
        #expect(stored[3].content == "ab")
    }

    @Test func aLongListKeepsItsBeginningAndItsLastChunk() {
        var chunks: [WireChunk] = []
        for i in 1...1500 {
            chunks.append(WireChunk(type: "tool_use", content: "step \(i)", metadata: ["toolId": .string("t\(i)")]))
            chunks.append(WireChunk(type: "text", content: "x"))
        }
        chunks.append(WireChunk(type: "error", content: "boom"))
        let stored = StoredChunks.storable(chunks)
        #expect(stored.count == StoredChunks.maxCount)
        #expect(stored.first?.content == "step 1")
        #expect(stored.last == WireChunk(type: "error", content: "boom"))
    }

    @Test func mergedChunksStayUnderTheirBound() {
        let big = String(repeating: "y", count: 60_000)
        let stored = StoredChunks.storable((1...5).map { _ in WireChunk(type: "text", content: big) })
        #expect(stored.count == 5, "two of them would pass 100,000 characters")
        #expect(stored.allSatisfy { $0.content.utf16.count <= StoredChunks.maxMergedLength })
        #expect(StoredChunks.storable([]).isEmpty)
    }
}
