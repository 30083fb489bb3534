@testable import EdgeService
import NIOCore
import NIOEmbedded
import Testing

/// The writes that reach the TLS handler (each of which it seals as a record of its own) when
/// `TLSRecordCoalescer` sits above it: one per flush for small pieces, in order, with every
/// writer's promise kept.
@Suite struct TLSRecordCoalescerTests {
    /// Stands where the TLS handler is: records each write it is given.
    final class WriteRecorder: ChannelOutboundHandler, @unchecked Sendable {
        typealias OutboundIn = IOData
        var writes: [String] = []

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            if case .byteBuffer(let buffer) = unwrapOutboundIn(data) { writes.append(String(buffer: buffer)) }
            context.write(data, promise: promise)
        }
    }

    private func channel() throws -> (EmbeddedChannel, WriteRecorder) {
        let recorder = WriteRecorder()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(recorder)
        try channel.pipeline.syncOperations.addHandler(TLSRecordCoalescer())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, recorder)
    }

    /// Whether the write's promise has succeeded (the embedded loop runs a callback at once when it has).
    private func succeeded(_ promise: EventLoopPromise<Void>) -> Bool {
        var done = false
        promise.futureResult.assumeIsolated().whenSuccess { done = true }
        return done
    }

    @Test func smallWritesBetweenTwoFlushesLeaveAsOne() throws {
        let (channel, recorder) = try channel()
        let promises = (0..<3).map { _ in channel.eventLoop.makePromise(of: Void.self) }
        let caller = ByteBuffer(string: "HEAD")
        channel.write(caller, promise: promises[0])
        channel.write(ByteBuffer(string: "ER"), promise: nil)
        channel.write(ByteBuffer(string: "S"), promise: promises[1])
        #expect(recorder.writes.isEmpty)
        channel.flush()
        #expect(recorder.writes == ["HEADERS"])
        #expect(succeeded(promises[0]) && succeeded(promises[1]))
        #expect(String(buffer: caller) == "HEAD", "the caller's buffer is not written into")

        channel.write(ByteBuffer(string: "next"), promise: promises[2])
        channel.flush()
        #expect(recorder.writes == ["HEADERS", "next"])
        #expect(succeeded(promises[2]))
        _ = try channel.finish()
    }

    @Test func largeBuffersGoOnAsTheyAreAndInOrder() throws {
        let (channel, recorder) = try channel()
        let large = String(repeating: "x", count: TLSRecordCoalescer.copyLimit)
        channel.write(ByteBuffer(string: "a"), promise: nil)
        channel.write(ByteBuffer(string: "b"), promise: nil)
        channel.write(ByteBuffer(string: large), promise: nil)
        channel.write(ByteBuffer(string: "c"), promise: nil)
        channel.flush()
        #expect(recorder.writes == ["ab", large, "c"])
        _ = try channel.finish()
    }

    /// A close sends on what was written before it, unflushed, as it reached the TLS handler
    /// without the coalescer (which flushes or drops it by its own rules).
    @Test func aCloseHandsOnWhatWasWritten() throws {
        let (channel, recorder) = try channel()
        channel.write(ByteBuffer(string: "last"), promise: nil)
        channel.write(ByteBuffer(string: " words"), promise: nil)
        try channel.close().wait()
        #expect(recorder.writes == ["last words"])
    }
}
