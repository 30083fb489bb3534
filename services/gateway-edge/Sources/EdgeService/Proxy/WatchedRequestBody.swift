import Hummingbird
import NIOCore
import Synchronization

/// A request body streamed to an upstream that says when it has been read to its end.
///
/// An upstream may answer before it has read the whole body (a 400 or 401 for an upload).
/// AsyncHTTPClient then goes on pulling the body while the server, once the handler returns,
/// reads the same connection for the next request: two readers of one iterator, which
/// swift-nio traps on (found by Tests/fuzz). The proxy waits for `finished` before it returns.
struct WatchedRequestBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let base: RequestBody
    private let ended: AsyncStream<Void>.Continuation
    private let endings: AsyncStream<Void>
    /// Whether anyone began reading: a body nobody reads (an empty one AsyncHTTPClient never
    /// asks for) has no second reader to wait for.
    private let reading = Reading()

    final class Reading: Sendable {
        let started = Mutex(false)
    }

    init(_ base: RequestBody) {
        self.base = base
        (endings, ended) = AsyncStream<Void>.makeStream()
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let ended: AsyncStream<Void>.Continuation

        mutating func next() async throws -> ByteBuffer? {
            do {
                guard let chunk = try await base.next() else {
                    ended.finish()
                    return nil
                }
                return chunk
            } catch {
                ended.finish()
                throw error
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        reading.started.withLock { $0 = true }
        return AsyncIterator(base: base.makeAsyncIterator(), ended: ended)
    }

    /// Returns once the body was read to its end (or failed), or after `limit`.
    func finished(within limit: Duration) async {
        guard reading.started.withLock({ $0 }) else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in endings {} }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }
}
