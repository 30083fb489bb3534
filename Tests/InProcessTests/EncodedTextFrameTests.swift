@testable import EdgeService
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

/// A room's delivery is encoded once and written past NIO's frame encoder: its bytes must be
/// what that encoder would have written, and its place among a socket's other frames kept.
struct EncodedTextFrameTests {
    /// Payload lengths on both sides of each header form (7-bit, 16-bit, 64-bit length).
    static let lengths = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]

    @Test(arguments: lengths) func bytesAreNIOsEncoding(length: Int) throws {
        let text = String(repeating: "é", count: length / 2) + String(repeating: "a", count: length % 2)
        let channel = EmbeddedChannel(handler: WebSocketFrameEncoder())
        var payload = channel.allocator.buffer(capacity: length)
        payload.writeString(text)
        try channel.writeOutbound(WebSocketFrame(fin: true, opcode: .text, data: payload))
        var nio = channel.allocator.buffer(capacity: length + 10)
        while var part = try channel.readOutbound(as: ByteBuffer.self) { nio.writeBuffer(&part) }
        _ = try channel.finish()

        let encoded = EncodedTextFrame(text)
        #expect(encoded.wire == nio)
        #expect(encoded.payloadCount == text.utf8.count)
        #expect(encoded.payload == payload)
        #expect(Outgoing.frame(encoded).byteCount == text.utf8.count)
    }

    @Test func encodedFramesKeepTheirPlaceAmongTheSocketsOtherFrames() throws {
        let pair = try FrameSocketPair()
        var expected: [String] = []
        var batch = OutboxBatch()
        for (index, length) in [5, 300, 65_000, 0, 126].enumerated() {
            let framed = String(repeating: "x", count: length)
            batch.add(pair.outbox, .text("text \(index)"))
            batch.add(pair.outbox, .frame(EncodedTextFrame(framed)))
            expected += ["text \(index)", framed]
        }
        batch.send()
        pair.outbox.send(.frame(EncodedTextFrame("alone")))
        pair.outbox.send(.text("last"))
        expected += ["alone", "last"]
        #expect(try pair.texts(expected.count) == expected)
    }

    /// Frames held while the socket is full go out once, in order, when the peer reads again:
    /// a write that fills the socket and the flush that drains it both tell the handler of the
    /// change, in the middle of its writing out what it held.
    @Test func heldFramesGoOutOnceInOrderWhenAFullSocketDrains() throws {
        let pair = try FrameSocketPair()
        let frames = (0..<40).map { "\($0) " + String(repeating: "y", count: $0.isMultiple(of: 3) ? 90_000 : 30_000) }
        var batch = OutboxBatch()
        for (index, text) in frames.enumerated() { batch.add(pair.outbox, index.isMultiple(of: 2) ? .frame(EncodedTextFrame(text)) : .text(text)) }
        batch.send()
        for text in frames.prefix(3) { pair.outbox.send(.frame(EncodedTextFrame(text + "!"))) }
        let got = try pair.texts(frames.count + 3)
        #expect(got.map { $0.prefix(8) } == (frames + frames.prefix(3).map { $0 + "!" }).map { $0.prefix(8) })
        #expect(got == frames + frames.prefix(3).map { $0 + "!" })
    }
}
