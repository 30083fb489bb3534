@testable import EdgeService
import Foundation
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization

/// A real loopback connection whose server end is a `/ws/client` pipeline (NIO's frame
/// encoder, a flush counter, `FrameSocketHandler`) and whose client end is a blocking socket
/// that reads the server's frames as text.
final class FrameSocketPair {
    struct QuietSession: FrameSession {
        var authTimeoutMs: Int { 60_000 }
        var isAuthenticated: Bool { true }
        func opened() async {}
        func handle(_ text: String) async {}
        func closed() async {}
        func goAway() {}
    }

    /// Counts the flushes that reach the frame encoder: each is a write to the socket.
    final class FlushCounter: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = WebSocketFrame
        private let flushes = Atomic<Int>(0)
        var count: Int { flushes.load(ordering: .relaxed) }
        func flush(context: ChannelHandlerContext) {
            flushes.add(1, ordering: .relaxed)
            context.flush()
        }
    }

    private final class Slot: Sendable {
        let outbox = Mutex<SocketOutbox?>(nil)
    }

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let flushes = FlushCounter()
    let outbox: SocketOutbox
    /// The group's only loop: the socket's too.
    let loop: any EventLoop
    private let server: any Channel
    private let client: Int32
    private var buffer: [UInt8] = []

    init() throws {
        let slot = Slot()
        let flushes = self.flushes
        server = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                let outbox = SocketOutbox(loop: channel.eventLoop)
                slot.outbox.withLock { $0 = outbox }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
                    try channel.pipeline.syncOperations.addHandler(flushes)
                    try channel.pipeline.syncOperations.addHandler(FrameSocketHandler(session: QuietSession(), outbox: outbox, maxMessageSize: 1 << 20))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        loop = server.eventLoop
        client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.localAddress!.port!).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let client = self.client
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ChannelError.connectPending }
        // A frame that never comes fails the test after 5 s instead of hanging it.
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var outbox: SocketOutbox?
        for _ in 0..<500 where outbox == nil {
            outbox = slot.outbox.withLock { $0 }
            if outbox == nil { usleep(2_000) }
        }
        guard let outbox else { throw ChannelError.connectTimeout(.seconds(1)) }
        self.outbox = outbox
    }

    deinit {
        Glibc.close(client)
        try? server.close().wait()
        try? group.syncShutdownGracefully()
    }

    struct Closed: Error {}
    struct NoFrameIn5Seconds: Error {}

    /// The next `count` text frames the server sent (unmasked, unfragmented).
    func texts(_ count: Int) throws -> [String] {
        var texts: [String] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while texts.count < count {
            while let (text, used) = Self.frame(in: buffer) {
                texts.append(text)
                buffer.removeFirst(used)
                if texts.count == count { return texts }
            }
            let n = read(client, &chunk, chunk.count)
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw NoFrameIn5Seconds() }
            guard n > 0 else { throw Closed() }
            buffer += chunk[0..<n]
        }
        return texts
    }

    /// A text frame at the start of `bytes` and its length on the wire.
    private static func frame(in bytes: [UInt8]) -> (String, Int)? {
        guard bytes.count >= 2 else { return nil }
        precondition(bytes[0] == 0x81, "an unfragmented text frame")
        var length = Int(bytes[1]), header = 2
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[2]) << 8 | Int(bytes[3])
            header = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = bytes[2..<10].reduce(0) { $0 << 8 | Int($1) }
            header = 10
        }
        guard bytes.count >= header + length else { return nil }
        return (String(decoding: bytes[header..<(header + length)], as: UTF8.self), header + length)
    }
}

extension FrameSocketPair {
    /// A registry holding this pair's server end as socket "s1", authenticated as "u1" (alice)
    /// and welcomed; the welcome frame has been read.
    func welcomedRegistry() async throws -> ClientRegistry {
        let registry = ClientRegistry(node: "edge-test")
        await registry.register("s1", outbox: outbox)
        guard await registry.authenticate("s1", userId: "u1", username: "alice", perUser: 10, total: 10) == .admitted(firstOfUser: true) else {
            throw ChannelError.inappropriateOperationForState
        }
        await registry.welcome("s1", .text("welcome"))
        guard try texts(1) == ["welcome"] else { throw ChannelError.inappropriateOperationForState }
        return registry
    }
}
