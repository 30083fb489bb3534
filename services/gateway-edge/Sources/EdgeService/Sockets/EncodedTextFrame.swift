import NIOCore

/// A text frame rendered once, header included, for every socket it goes to. A server's frames
/// are not masked (RFC 6455 §5.1), so one room's delivery is the same bytes on every socket:
/// written past NIO's frame encoder, each socket costs one buffer reference and one iovec
/// instead of a header buffer of its own and two. `EncodedTextFrameTests` holds it to NIO's
/// encoder, byte for byte.
struct EncodedTextFrame: Sendable {
    /// The whole frame: header, then the UTF-8 payload.
    let wire: ByteBuffer
    let headerLength: Int

    init(_ text: String) {
        let count = text.utf8.count
        headerLength = count <= 125 ? 2 : count <= 0xFFFF ? 4 : 10
        var wire = ByteBufferAllocator().buffer(capacity: headerLength + count)
        wire.writeInteger(UInt8(0x81))  // FIN, opcode 1 (text)
        switch headerLength {
        case 2: wire.writeInteger(UInt8(count))
        case 4: wire.writeInteger(UInt8(126)); wire.writeInteger(UInt16(count))
        default: wire.writeInteger(UInt8(127)); wire.writeInteger(UInt64(count))
        }
        wire.writeString(text)
        self.wire = wire
    }

    /// The payload alone, for a writer that frames it itself.
    var payload: ByteBuffer { wire.getSlice(at: wire.readerIndex + headerLength, length: payloadCount)! }
    var payloadCount: Int { wire.readableBytes - headerLength }
}
