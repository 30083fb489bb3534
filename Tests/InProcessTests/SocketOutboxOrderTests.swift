@testable import EdgeService
import Foundation
import Testing

/// A caller's frames reach its socket in the order it sent them, also when the caller moves
/// onto the socket's event loop between two sends. An actor does that when Swift's tasks run
/// on the event loops (`ServiceHost.runTasksOnEventLoops`): the registry sent a socket its
/// `server:auth_result` from one thread and, on the socket's loop, wrote another user's
/// presence inline ahead of it (seen in bench/fanout.py, distributed topology).
struct SocketOutboxOrderTests {
    @Test func framesKeepTheCallersOrderAcrossThreads() throws {
        let pair = try FrameSocketPair()
        let socketOutbox = pair.outbox, loop = pair.loop

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

        let texts = try pair.texts(40)
        let expected = (0..<20).flatMap { ["first \($0)", "second \($0)"] }
        #expect(texts == expected)
    }
}
