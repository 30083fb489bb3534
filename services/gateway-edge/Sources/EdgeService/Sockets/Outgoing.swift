import NIOCore
import WSCore

/// Something to put on one socket: a text frame, or a close.
enum Outgoing: Sendable {
    case text(String)
    case close(code: Int, reason: String)

    /// A session's writer: sends what the session queued, in order, until a close.
    static func write(_ outbox: AsyncStream<Outgoing>, to outbound: WebSocketOutboundWriter) async {
        for await item in outbox {
            switch item {
            case .text(let text):
                try? await outbound.write(.text(text))
            case .close(let code, let reason):
                try? await outbound.close(.init(codeNumber: code), reason: reason)
                return
            }
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
