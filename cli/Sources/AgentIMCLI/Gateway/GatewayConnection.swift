import Foundation
import Logging
import WSClient

/// The `/ws/gateway` socket (agent-cli.md §8): one connect at a time, heartbeat with a pong
/// deadline, reconnect with back-off and jitter, and the outbound queue. Nothing but auth and
/// ping goes out before the hub accepted the auth (§25 Q1); after that the queue is flushed in order.
public actor GatewayConnection {
    public struct Settings: Sendable {
        public var url: String
        public var heartbeatMs = 30_000
        public var pongTimeoutMs = 10_000
        public var backoffInitialMs = 3000
        public var backoffMaxMs = 30_000
        public init(url: String) { self.url = url }
    }

    public enum Event: Sendable {
        case opened(generation: Int)
        case frame(ServerFrame, generation: Int)
        case closed(generation: Int)
    }

    public let settings: Settings
    let log: CLILog
    private var onEvent: (@Sendable (Event) async -> Void)?

    private var queue = OutboundQueue()
    private var writer: WebSocketOutboundWriter?
    public private(set) var generation = 0
    public private(set) var authenticated = false
    private var pumping = false
    private var reconnectEnabled = true
    private var stopped = false
    private var backoff: Backoff
    private var runTask: Task<Void, Never>?
    private var wake: CheckedContinuation<Void, Never>?
    private var kill: AsyncStream<Void>.Continuation?
    private var pongPending = false

    public init(settings: Settings, log: CLILog) {
        self.settings = settings
        self.log = log
        backoff = Backoff(initialMs: settings.backoffInitialMs, maxMs: settings.backoffMaxMs)
    }

    public var isOpen: Bool { writer != nil }
    public var queuedCount: Int { queue.count }
    public var droppedCount: Int { queue.dropped }

    /// Starts connecting; events go to `handler` in the order they happen.
    public func start(_ handler: @escaping @Sendable (Event) async -> Void) {
        guard runTask == nil else { return }
        onEvent = handler
        runTask = Task { await self.loop() }
    }

    private func loop() async {
        while !stopped {
            if !reconnectEnabled {
                await withCheckedContinuation { wake = $0 }
                continue
            }
            var configuration = WebSocketClientConfiguration()
            configuration.closeTimeout = .seconds(1)
            configuration.maxFrameSize = 16 << 20
            do {
                try await WebSocketClient.connect(url: settings.url, configuration: configuration, logger: Logger(label: "agentim.ws", factory: { _ in SwiftLogNoOpLogHandler() })) { inbound, outbound, _ in
                    try await self.serve(inbound, outbound)
                }
            } catch {
                if backoff.shouldLog { log.warn("Gateway connection failed: \(error)") }
            }
            if socketGone(), let onEvent { await onEvent(.closed(generation: generation)) }
            if stopped { break }
            if !reconnectEnabled { continue }
            let delay = backoff.nextDelayMs()
            if backoff.shouldLog { log.info("Reconnecting in \(delay) ms (attempt \(backoff.attempts))") }
            await sleepOrWake(milliseconds: delay)
        }
    }

    private func sleepOrWake(milliseconds: Int) async {
        let timer = Task { try? await Task.sleep(for: .milliseconds(milliseconds)); self.wakeUp() }
        await withCheckedContinuation { wake = $0 }
        timer.cancel()
    }

    private func wakeUp() {
        wake?.resume()
        wake = nil
    }

    private func opened(_ outbound: WebSocketOutboundWriter) -> (Int, AsyncStream<Void>) {
        generation += 1
        writer = outbound
        authenticated = false
        pongPending = false
        backoff.reset()
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        kill = continuation
        return (generation, stream)
    }

    /// Forgets the socket; true when one was open.
    private func socketGone() -> Bool {
        let wasOpen = writer != nil
        writer = nil
        authenticated = false
        kill?.finish()
        kill = nil
        return wasOpen
    }

    private nonisolated func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter) async throws {
        let (gen, killed) = await opened(outbound)
        await onEventHandler()?(.opened(generation: gen))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: 16 << 20) {
                        guard case .text(let text) = message else { continue }
                        await self.received(text, generation: gen)
                    }
                } catch {}
            }
            group.addTask { await self.heartbeat(generation: gen) }
            group.addTask { for await _ in killed { break } }
            _ = await group.next()
            group.cancelAll()
        }
    }

    private func onEventHandler() -> (@Sendable (Event) async -> Void)? { onEvent }

    private func received(_ text: String, generation gen: Int) async {
        guard let frame = ServerFrame.decode(text) else {
            log.warn("Dropped an invalid frame from the hub")
            return
        }
        if case .pong = frame { pongPending = false; return }
        await onEvent?(.frame(frame, generation: gen))
    }

    private func heartbeat(generation gen: Int) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(settings.heartbeatMs)) } catch { return }
            guard gen == generation, let writer else { return }
            pongPending = true
            do {
                try await writer.writeTextMessage(GatewayFrame.ping(ts: Int64(Date().timeIntervalSince1970 * 1000)).text)
            } catch {
                return  // a failing ping: drop the socket, normal back-off
            }
            do { try await Task.sleep(for: .milliseconds(settings.pongTimeoutMs)) } catch { return }
            if gen == generation, pongPending {
                log.warn("No pong within \(settings.pongTimeoutMs) ms; reconnecting")
                backoff.armFastPath()
                return
            }
        }
    }

    // MARK: sending

    /// Sends on an open socket: auth and ping at once, anything else only once authenticated,
    /// in order behind the queue. Otherwise the frame waits in the queue (§8.6 rules).
    public func send(_ frame: OutboundFrame) async {
        if let writer, frame.type == "gateway:auth" || frame.type == "gateway:ping" {
            do { try await writer.writeTextMessage(frame.text) } catch { if frame.type == "gateway:auth" { queue.force(frame) } }
            return
        }
        if writer != nil, authenticated {
            queue.force(frame)
            await pump()
            return
        }
        enqueue(frame, attempt: 0)
    }

    private func enqueue(_ frame: OutboundFrame, attempt: Int) {
        switch queue.append(frame) {
        case .queued:
            if queue.count == queue.warnAt { log.warn("Outbound queue holds \(queue.count) frames") }
        case .queuedEvicting(let evicted):
            noteDrop(evicted.type)
        case .droppedNew:
            noteDrop(frame.type)
        case .retryLater:
            guard attempt < 5 else { noteDrop(frame.type); return }
            let delay = min(1000 << attempt, 16_000)
            Task {
                try? await Task.sleep(for: .milliseconds(delay))
                await self.retry(frame, attempt: attempt + 1)
            }
        }
    }

    private func retry(_ frame: OutboundFrame, attempt: Int) async {
        if writer != nil, authenticated { queue.force(frame); await pump() } else { enqueue(frame, attempt: attempt) }
    }

    private func noteDrop(_ type: String) {
        if queue.dropped % 10 == 0 { log.warn("Outbound queue full: \(queue.dropped) frames dropped so far (last \(type))") }
    }

    /// Hub accepted the auth: send `prefix` (registrations) first, then everything queued.
    public func authenticated(prefix: [OutboundFrame], generation gen: Int) async {
        guard gen == generation, writer != nil else { return }
        authenticated = true
        queue.putBack(prefix)
        await pump()
    }

    private func pump() async {
        guard !pumping else { return }
        pumping = true
        defer { pumping = false }
        while authenticated, let writer, !queue.isEmpty {
            let batch = queue.takeAll()
            var index = batch.startIndex
            while index < batch.endIndex {
                do {
                    try await writer.writeTextMessage(batch[index].text)
                } catch {
                    queue.putBack(batch[index...])
                    kill?.yield()
                    return
                }
                index += 1
                if self.writer == nil || !authenticated {
                    queue.putBack(batch[index...])
                    return
                }
            }
        }
    }

    // MARK: control

    /// Recovery mode and shutdown: close the socket, no reconnect until `resume()`.
    public func suspend() {
        reconnectEnabled = false
        kill?.yield()
    }

    /// Leaves recovery mode: reset the back-off and connect now.
    public func resume() {
        reconnectEnabled = true
        backoff.reset()
        wakeUp()
    }

    /// Closes for good.
    public func stop() async {
        stopped = true
        reconnectEnabled = false
        kill?.yield()
        wakeUp()
        let task = runTask
        runTask = nil
        await task?.value
    }

    /// Closes the current socket and lets the normal reconnect happen (tests, pong timeouts).
    public func dropSocket() { kill?.yield() }
}
