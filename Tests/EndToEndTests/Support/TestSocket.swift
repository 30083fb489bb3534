import AgentIMCore
import Foundation
import HummingbirdWSClient
import NIOSSL
import NIOWebSocket
import HTTPTypes
import Logging

/// A WebSocket client that stays open while the test drives it: frames to send go in
/// through `send`, frames received come out through `next`.
final class TestSocket: @unchecked Sendable {
    private let queue = FrameQueue()
    private let outgoing: AsyncStream<String>.Continuation
    private let task: Task<Void, Never>
    private let closeBox = CloseBox()

    final class CloseBox: @unchecked Sendable {
        let lock = NSLock()
        var code: Int?
        var value: Int? { lock.withLock { code } }
        func set(_ c: Int?) { lock.withLock { code = c } }
    }

    /// `headers` go on the upgrade request; `wss://` URLs accept any certificate (tests make their own).
    init(url: String, headers: [String: String] = [:]) {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 16 << 20)
        for (name, value) in headers { configuration.additionalHeaders[HTTPField.Name(name)!] = value }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        configuration.sniHostname = "localhost"  // SNI cannot carry the IP address the tests dial
        let clientConfiguration = configuration
        let clientTLS = url.hasPrefix("wss://") ? tls : nil
        let (outbox, outgoing) = AsyncStream.makeStream(of: String.self)
        self.outgoing = outgoing
        let received = queue
        let closeBox = self.closeBox
        task = Task {
            let result = try? await WebSocketClient.connect(url: url, configuration: clientConfiguration, tlsConfiguration: clientTLS,
                                                            logger: Logger(label: "test-socket")) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in outbox { try await outbound.write(.text(text)) }
                        try await outbound.close(.normalClosure, reason: nil)
                    }
                    for try await message in inbound.messages(maxSize: 16 << 20) {
                        if case .text(let text) = message, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) {
                            await received.push(value)
                        }
                    }
                    group.cancelAll()
                }
            }
            closeBox.set(result.flatMap { frame in
                [1000, 1001, 1002, 1003, 1006, 1007, 1008, 1009, 1010, 1011, 4001].first { WebSocketErrorCode(codeNumber: $0) == frame.closeCode }
            })
            await received.finish()
        }
    }

    func send(_ text: String) { outgoing.yield(text) }

    func send(_ object: [String: Any]) {
        let data = try! JSONSerialization.data(withJSONObject: object)
        send(String(decoding: data, as: UTF8.self))
    }

    /// Frames skipped by `next(type:)`, kept in order for later reads.
    private var stash: [JSONValue] = []

    /// The next frame, or nil when the socket closed or `timeout` passed.
    func next(timeout: Duration = .seconds(10)) async -> JSONValue? {
        if !stash.isEmpty { return stash.removeFirst() }
        return await queue.next(timeout: timeout)
    }

    /// The next frame of `type`, skipping others (presence, typing…).
    func next(type: String, timeout: Duration = .seconds(10)) async -> JSONValue? {
        if let index = stash.firstIndex(where: { $0["type"]?.stringValue == type }) { return stash.remove(at: index) }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let frame = await queue.next(timeout: deadline - ContinuousClock.now) else { return nil }
            if frame["type"]?.stringValue == type { return frame }
            stash.append(frame)
        }
        return nil
    }

    /// Waits for the connection to end; returns the close code the server sent.
    func closed(timeout: Duration = .seconds(10)) async -> Int? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if task.isCancelled { break }
            if await queue.next(timeout: .milliseconds(200)) == nil, closeBox.value != nil { return closeBox.value }
        }
        return closeBox.value
    }

    /// Authenticates and waits for `server:auth_result`.
    func authenticate(_ token: String) async -> JSONValue? {
        send(["type": "client:auth", "token": token])
        return await next(type: "server:auth_result")
    }

    func close() {
        outgoing.finish()
    }
}

/// Frames received and not yet read; a reader waits with a timeout without ending the stream.
actor FrameQueue {
    private var frames: [JSONValue] = []
    private var finished = false
    private var waiter: (id: UUID, continuation: CheckedContinuation<JSONValue?, Never>)?

    func push(_ frame: JSONValue) {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: frame)
        } else {
            frames.append(frame)
        }
    }

    func finish() {
        finished = true
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: nil)
        }
    }

    func next(timeout: Duration) async -> JSONValue? {
        if !frames.isEmpty { return frames.removeFirst() }
        if finished { return nil }
        let id = UUID()
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.expire(id)
        }
        let frame = await withCheckedContinuation { waiter = (id, $0) }
        timer.cancel()
        return frame
    }

    private func expire(_ id: UUID) {
        if let waiter, waiter.id == id {
            self.waiter = nil
            waiter.continuation.resume(returning: nil)
        }
    }
}
