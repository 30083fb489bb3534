import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix

/// A child's stdio pipes on NIO's event loops (NIOPipeBootstrap), not on DispatchIO: libdispatch's
/// epoll loop on Linux crashed the process now and then as channels over pipes opened and closed
/// (signal 11 in `_dispatch_event_loop_drain`; CLITests' adapter suites, about one run in six
/// here, and once in CI; swift-subprocess left DispatchIO on Linux for the same crash). NIO
/// removes a descriptor from epoll itself before it closes it.
///
/// Each channel owns a close-on-exec duplicate of the pipe end, and the Pipe's own handle is
/// closed at once, so the channel's descriptor is the only one open on that end.
enum PipeChannel {
    /// Reads the pipe end until EOF: every read goes to `onData`, then `onEnd` once (EOF, an
    /// error, or a channel that could not be set up).
    static func read(adopting handle: FileHandle, onData: @escaping @Sendable (Data) -> Void,
                     onEnd: @escaping @Sendable () -> Void) throws {
        let descriptor = try adopt(handle)
        NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(PipeReader(onData: onData, onEnd: onEnd))
                }
            }
            .takingOwnershipOfDescriptor(input: descriptor)
            .whenFailure { _ in onEnd() }
    }

    /// A writer of the pipe end; writes go out in order.
    static func writer(adopting handle: FileHandle) throws -> PipeWriter {
        let descriptor = try adopt(handle)
        return PipeWriter(channel: NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton).takingOwnershipOfDescriptor(output: descriptor))
    }

    private static func adopt(_ handle: FileHandle) throws -> Int32 {
        let own = fcntl(handle.fileDescriptor, F_DUPFD_CLOEXEC, 0)
        guard own >= 0 else { throw ChildProcessError.launchFailed("cannot duplicate descriptor \(handle.fileDescriptor) (errno \(errno))") }
        try? handle.close()
        return own
    }
}

/// The write end of a child's stdin.
final class PipeWriter: Sendable {
    private let channel: EventLoopFuture<any Channel>

    init(channel: EventLoopFuture<any Channel>) { self.channel = channel }

    func write(_ data: Data) async throws {
        try await channel.get().writeAndFlush(ByteBuffer(data: data)).get()
    }

    /// Closes the end once the writes queued before have gone out: the child then reads EOF.
    func close() {
        channel.whenSuccess { channel in
            // Writes complete in order: once this empty one has, every earlier one has too.
            channel.writeAndFlush(ByteBuffer()).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

/// Hands a read pipe's bytes on as they come, and tells its end once.
private final class PipeReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let onData: @Sendable (Data) -> Void
    private let onEnd: @Sendable () -> Void
    private var ended = false

    init(onData: @escaping @Sendable (Data) -> Void, onEnd: @escaping @Sendable () -> Void) {
        self.onData = onData
        self.onEnd = onEnd
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if buffer.readableBytes > 0 { onData(Data(buffer: buffer)) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !ended {
            ended = true
            onEnd()
        }
        context.fireChannelInactive()
    }
}
