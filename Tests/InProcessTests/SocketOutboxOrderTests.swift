@testable import EdgeService
import Foundation
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization
import Testing

/// A caller's frames reach its socket in the order it sent them, also when the caller moves
/// onto the socket's event loop between two sends. An actor does that when Swift's tasks run
/// on the event loops (`ServiceHost.runTasksOnEventLoops`): the registry sent a socket its
/// `server:auth_result` from one thread and, on the socket's loop, wrote another user's
/// presence inline ahead of it (seen in bench/fanout.py, distributed topology).
struct SocketOutboxOrderTests {
    struct QuietSession: FrameSession {
        var authTimeoutMs: Int { 60_000 }
        var isAuthenticated: Bool { true }
        func opened() async {}
        func handle(_ text: String) async {}
        func closed() async {}
        func goAway() {}
    }

    final class Slot: Sendable {
        let outbox = Mutex<SocketOutbox?>(nil)
    }

    @Test func framesKeepTheCallersOrderAcrossThreads() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let slot = Slot()
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                let outbox = SocketOutbox(loop: channel.eventLoop)
                slot.outbox.withLock { $0 = outbox }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(WebSocketFrameEncoder())
                    try channel.pipeline.syncOperations.addHandler(FrameSocketHandler(session: QuietSession(), outbox: outbox, maxMessageSize: 1 << 20))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }

        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(client) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.localAddress!.port!).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        var outbox: SocketOutbox?
        for _ in 0..<500 where outbox == nil {
            outbox = slot.outbox.withLock { $0 }
            if outbox == nil { usleep(2_000) }
        }
        let socketOutbox = try #require(outbox)
        let loop = server.eventLoop  // the group's only loop: the socket's too

        for round in 0..<20 {
            // The loop is busy with a task of the caller's while, off the loop, the caller sends
            // its first frame; then the caller, now on the loop, sends the second.
            let running = DispatchSemaphore(value: 0), firstSent = DispatchSemaphore(value: 0)
            loop.execute {
                running.signal()
                firstSent.wait()
                if round.isMultiple(of: 2) {
                    socketOutbox.send(.text("second \(round)"))
                } else {
                    var batch = OutboxBatch()  // a room's delivery or a broadcast takes this way
                    batch.add(socketOutbox, .text("second \(round)"))
                    batch.send()
                }
            }
            running.wait()
            socketOutbox.send(.text("first \(round)"))
            firstSent.signal()
        }

        var texts: [String] = []
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while texts.count < 40 {
            let n = read(client, &chunk, chunk.count)
            try #require(n > 0, "the socket closed after \(texts.count) frames")
            buffer += chunk[0..<n]
            // Unmasked server text frames, each shorter than 126 bytes: 0x81, length, payload.
            while buffer.count >= 2, buffer.count >= 2 + Int(buffer[1]) {
                let length = Int(buffer[1])
                #expect(buffer[0] == 0x81)
                texts.append(String(decoding: buffer[2..<(2 + length)], as: UTF8.self))
                buffer.removeFirst(2 + length)
            }
        }
        let expected = (0..<20).flatMap { ["first \($0)", "second \($0)"] }
        #expect(texts == expected)
    }
}
