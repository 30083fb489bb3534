import NIOCore
import NIOPosix

/// `Task.sleep` on the event loops. Swift's tasks run on NIO's loops (`ServiceHost`), but the
/// runtime still times a `Task.sleep` with a Dispatch timer: Dispatch's manager thread wakes
/// when it is due, wakes one of Dispatch's workers, which hands the task back to a loop: three
/// thread wake-ups per sleep where the loop's own timer needs none but its own. An idle single
/// process made 72 context switches a second, 55 of them Dispatch's threads waking for the
/// hub's periodic loops (one every 200-500 ms each) and timeouts.
///
/// Same contract as `Task.sleep(for:)`: throws `CancellationError` when the task is cancelled,
/// before or during the sleep.
public enum LoopSleep {
    public static func `for`(_ duration: Duration) async throws {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        // NIO's conversion clamps; a deadline already past fires on the loop's next turn.
        let due = loop.scheduleTask(in: TimeAmount(duration)) {}
        try await withTaskCancellationHandler {
            do {
                try await due.futureResult.get()
            } catch {
                throw CancellationError()  // cancelled (the task's handler, or its loop shutting down)
            }
        } onCancel: {
            due.cancel()
        }
    }

    /// Until `deadline` on the continuous clock (now, when it has passed).
    public static func until(_ deadline: ContinuousClock.Instant) async throws {
        try await self.for(deadline - .now)
    }
}
