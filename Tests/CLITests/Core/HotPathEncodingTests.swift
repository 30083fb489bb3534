import Foundation
import Testing
@testable import AgentIMCLI

/// The relay's hot path skips JSONEncoder and Foundation string trimming: its output must stay
/// what the encoder and the old line splitting produced.
@Suite struct HotPathEncodingTests {
    /// The frame as JSONEncoder wrote it before the hand-written builder.
    private struct EncodedChunk: Encodable {
        let type = "gateway:message_chunk"; let roomId: String; let agentId: String; let messageId: String; let chunk: WireChunk; let targetAgentName: String?
    }

    private static var awkward: String {
        var text = ""
        for scalar in 0..<0x80 { text.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        return text + "é€😀\u{2028}\u{2029}\u{FEFF}/ \"quoted\" back\\slash"
    }

    @Test(arguments: [
        WireChunk(type: "text", content: HotPathEncodingTests.awkward),
        WireChunk(type: "tool_use", content: "{\"a\":1}", metadata: ["toolName": .string("Bash"), "count": .number(3), "flag": .bool(true)]),
        WireChunk(type: "text", content: ""),
    ])
    func chunkFrameIsTheEncodersJSON(chunk: WireChunk) throws {
        for target in [nil, "other \"agent\""] {
            let fast = GatewayFrame.chunk(roomId: "room/1", agentId: "a\n1", messageId: "m\u{1}", chunk: chunk, targetAgentName: target)
            let slow = JSON.text(EncodedChunk(roomId: "room/1", agentId: "a\n1", messageId: "m\u{1}", chunk: chunk, targetAgentName: target))
            #expect(fast.type == "gateway:message_chunk")
            #expect(JSON.parse(fast.text) == JSON.parse(slow))
            #expect(JSON.parse(fast.text) != nil)
            // Same escapes as the encoder: the texts differ only in key order.
            #expect(fast.text.utf8.count == slow.utf8.count)
        }
    }

    @Test func linesSplitAcrossReadsWithCarriageReturnsTrimmed() throws {
        var splitter = LineSplitter(maxLineBytes: 64)
        #expect(try splitter.feed(Data("\r{\"a\":1}\r\n{\"b\"".utf8)) == ["{\"a\":1}"])
        #expect(try splitter.feed(Data(":2}\r\r\n\n".utf8) + [0xE2]) == ["{\"b\":2}", ""])
        // A multi-byte character split between reads stays whole.
        #expect(try splitter.feed(Data([0x82, 0xAC, 0x0A])) == ["€"])
        #expect(try splitter.feed(Data("tail".utf8)).isEmpty)
        #expect(splitter.finish() == "tail")
        #expect(splitter.finish() == nil)
    }

    @Test func aLineLongerThanTheLimitFails() throws {
        var splitter = LineSplitter(maxLineBytes: 8)
        #expect(try splitter.feed(Data("12345678\n1234".utf8)) == ["12345678"])
        #expect(throws: LineSplitter.Failure.self) { try splitter.feed(Data("56789".utf8)) }
    }
}
