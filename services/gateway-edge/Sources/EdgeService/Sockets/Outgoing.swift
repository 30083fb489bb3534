import NIOCore
import NIOWebSocket
import WSCore

/// Something to put on one socket: a text frame, or a close.
enum Outgoing: Sendable {
    case text(String)
    /// A text frame already encoded: a room's delivery is rendered once and the same buffer
    /// (copy-on-write, never mutated) goes to every socket, with no per-socket copy.
    case frame(EncodedTextFrame)
    case close(code: Int, reason: String)

    /// A session's writer: sends what the session queued, in order, until a close.
    static func write(_ outbox: AsyncStream<Outgoing>, to outbound: WebSocketOutboundWriter) async {
        for await item in outbox {
            switch item {
            case .text(let text):
                try? await outbound.write(.text(text))
            case .frame(let frame):
                try? await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: frame.payload)))
            case .close(let code, let reason):
                try? await outbound.close(.init(codeNumber: code), reason: reason)
                return
            }
        }
    }
}

extension Outgoing {
    /// Frames a client socket may have waiting to be written. A socket that stops reading while
    /// its rooms are busy would otherwise hold every frame sent since in the edge's memory.
    static let clientBacklog = 512
    /// The same in bytes: 512 frames of large messages (a client frame may be 64 KiB, an agent's
    /// reply more) would be 32 MiB and up per socket; 4 MiB is still dozens of them behind what
    /// the kernel already buffers.
    static let clientBacklogBytes = 4 << 20
    /// The close a socket gets when its backlog overflowed; it reconnects and catches up by seq.
    static let tooSlow = Outgoing.close(code: 1013, reason: "Client too slow")
}

extension Outgoing {
    /// The payload bytes this frame holds (a close: none worth counting).
    var byteCount: Int {
        switch self {
        case .text(let text): text.utf8.count
        case .frame(let frame): frame.payloadCount
        case .close: 0
        }
    }
}

extension AsyncStream.Continuation where Element == Outgoing {
    /// Queues a frame for a client socket whose stream buffers the newest `clientBacklog`
    /// frames. When that overflows (the peer does not read), the socket is closed with 1013
    /// after what is still queued, and takes nothing more: its memory stays bounded.
    func send(_ item: Outgoing) {
        if case .dropped = yield(item) {
            yield(Outgoing.tooSlow)
            finish()
        }
    }
}

extension WebSocketMessage {
    /// The frame's text. Binary frames are not part of the protocol; like the original,
    /// their bytes are read as text and then judged as any frame.
    var text: String {
        switch self {
        case .text(let text): text
        case .binary(let buffer): String(buffer: buffer)
        }
    }
}
