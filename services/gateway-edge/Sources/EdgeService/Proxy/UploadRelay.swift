import Hummingbird
import NIOCore
import Synchronization

/// An upload's body on its way to AsyncHTTPClient, read from the client by one task only (the
/// pump) and handed over one chunk at a time, so back-pressure reaches the client socket.
///
/// AsyncHTTPClient is not given the request body itself. When an upstream answers with a status
/// of 300 or more before the body is all sent (a 401 or 400 for an upload), AsyncHTTPClient
/// pauses its body producer and, once the answer has ended, never resumes nor fails it. A
/// producer holding one more chunk stays parked forever, so the body was never read to its end
/// (the distributed fuzz runs' 20 s upload hangs); one waiting in `next()` would read the
/// client connection while the server reads the next request from it (two readers of one
/// iterator, which swift-nio traps on). Here the proxy `hold`s the relay when such an answer
/// arrives (no chunk goes to AsyncHTTPClient any more), `close`s it once the answer is read
/// (AsyncHTTPClient's waiting `next()` ends), and the pump discards the rest of the body.
final class UploadRelay: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    private enum State {
        case idle
        /// The pump waits for AsyncHTTPClient to take a chunk.
        case offered(ByteBuffer, CheckedContinuation<Bool, Never>)
        /// AsyncHTTPClient waits for a chunk.
        case wanted(CheckedContinuation<ByteBuffer?, any Error>)
        /// The client's body ended (nil) or failed.
        case ended((any Error)?)
    }

    private struct Shared {
        var state = State.idle
        /// An early answer: nothing more goes upstream.
        var held = false
        /// The answer is read: AsyncHTTPClient gets the end.
        var closed = false
        /// The pump read the client's body to its end (or its failure).
        var pumped = false
    }

    private let shared = Mutex(Shared())

    /// Whether the client's body was read to its end.
    var pumped: Bool { shared.withLock { $0.pumped } }

    /// Reads the client's body to its end: chunks go to AsyncHTTPClient until the relay is held
    /// or closed, then they are discarded. The only reader of `body`.
    func pump(_ body: RequestBody) async {
        do {
            // Once held or closed, `send` refuses at once: the rest of the body is read and dropped.
            for try await chunk in body { _ = await send(chunk) }
            end(nil)
        } catch {
            end(error)
        }
    }

    /// Hands `chunk` over once AsyncHTTPClient asks for it; false when it is not wanted any more.
    private func send(_ chunk: ByteBuffer) async -> Bool {
        await withCheckedContinuation { (pump: CheckedContinuation<Bool, Never>) in
            enum Step { case wait, refuse, give(CheckedContinuation<ByteBuffer?, any Error>) }
            let step: Step = shared.withLock { shared in
                if shared.held || shared.closed { return .refuse }
                switch shared.state {
                case .idle:
                    shared.state = .offered(chunk, pump)
                    return .wait
                case .wanted(let taker):
                    shared.state = .idle
                    return .give(taker)
                case .offered, .ended:
                    preconditionFailure("one pump, which ends last")
                }
            }
            switch step {
            case .wait: break
            case .refuse: pump.resume(returning: false)
            case .give(let taker):
                taker.resume(returning: chunk)
                pump.resume(returning: true)
            }
        }
    }

    private func end(_ error: (any Error)?) {
        let taker: CheckedContinuation<ByteBuffer?, any Error>? = shared.withLock { shared in
            shared.pumped = true
            if case .wanted(let taker) = shared.state {
                // Held: AsyncHTTPClient's wait is ended by `close` once the answer is read.
                if shared.held { return nil }
                shared.state = .ended(error)
                return taker
            }
            shared.state = .ended(error)
            return nil
        }
        guard let taker else { return }
        if let error { taker.resume(throwing: error) } else { taker.resume(returning: nil) }
    }

    /// An early answer arrived: AsyncHTTPClient gets no more chunks (its waiting `next()` stays
    /// waiting: ending the body now would fail the answer as a length mismatch).
    func hold() {
        let pump: CheckedContinuation<Bool, Never>? = shared.withLock { shared in
            shared.held = true
            guard case .offered(_, let pump) = shared.state else { return nil }
            shared.state = .idle
            return pump
        }
        pump?.resume(returning: false)
    }

    /// The answer is read (or the exchange failed): AsyncHTTPClient's body ends, the pump discards.
    func close() {
        let (pump, taker): (CheckedContinuation<Bool, Never>?, CheckedContinuation<ByteBuffer?, any Error>?) = shared.withLock { shared in
            shared.closed = true
            switch shared.state {
            case .offered(_, let pump):
                shared.state = .idle
                return (pump, nil)
            case .wanted(let taker):
                shared.state = .idle
                return (nil, taker)
            case .idle, .ended:
                return (nil, nil)
            }
        }
        pump?.resume(returning: false)
        taker?.resume(returning: nil)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let relay: UploadRelay
        mutating func next() async throws -> ByteBuffer? { try await relay.take() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(relay: self) }

    /// AsyncHTTPClient's next chunk, nil at the end of the body or once closed.
    private func take() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { (taker: CheckedContinuation<ByteBuffer?, any Error>) in
            enum Step { case wait, give(ByteBuffer, CheckedContinuation<Bool, Never>), end((any Error)?) }
            let step: Step = shared.withLock { shared in
                if shared.closed { return .end(nil) }
                switch shared.state {
                case .idle:
                    shared.state = .wanted(taker)
                    return .wait
                case .offered(let chunk, let pump):
                    shared.state = .idle
                    return .give(chunk, pump)
                case .ended(let error):
                    if shared.held { shared.state = .wanted(taker); return .wait }
                    return .end(error)
                case .wanted:
                    preconditionFailure("one reader")
                }
            }
            switch step {
            case .wait: break
            case .give(let chunk, let pump):
                taker.resume(returning: chunk)
                pump.resume(returning: true)
            case .end(let error?): taker.resume(throwing: error)
            case .end(nil): taker.resume(returning: nil)
            }
        }
    }
}
