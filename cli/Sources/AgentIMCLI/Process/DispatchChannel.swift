import Dispatch
import Foundation

/// A DispatchIO stream over its own duplicate of a descriptor. libdispatch must own the
/// descriptor it watches until the channel's cleanup handler has run: a FileHandle (a Pipe's,
/// say) that closes the original when it is released would pull it out from under the event
/// loop, which crashes the process (seen: `_dispatch_event_loop_drain`, bad pointer). The
/// duplicate is closed by the cleanup handler alone, so the original's owner stays free.
/// Only `agentim mcp` reads its stdin this way now, one channel for the process's life; child
/// processes' pipes run on NIO (`PipeChannel`), where channels over pipes come and go.
enum DispatchChannel {
    static func stream(_ descriptor: Int32, queue: DispatchQueue) throws -> DispatchIO {
        // Close-on-exec: nothing spawned later inherits the duplicate (and keeps the pipe open).
        let own = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard own >= 0 else { throw ChildProcessError.launchFailed("cannot duplicate descriptor \(descriptor) (errno \(errno))") }
        return DispatchIO(type: .stream, fileDescriptor: own, queue: queue) { _ in close(own) }
    }
}
