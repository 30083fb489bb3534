import AgentIMBus
import AgentIMCore
import AgentIMRuntime
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Web Push for people who are away. It follows the events stream as the consumer group
/// `push`, so each stored message (`server:new_message`, or `server:message_complete` for an
/// agent's finished reply; streaming chunks are other frames) is looked at by exactly one rooms replica. For
/// every human member of the room other than the sender, whose notification preference lets
/// it through (`all`; `mentions` only when named) and who has no open client socket on any
/// edge, the message joins that person's burst for the room (`PushBursts`); a due burst
/// becomes one notification on each of their subscriptions. Nothing here is on the path of
/// chat delivery: edges read the same stream on their own, and sends run in tasks of their own.
struct PushSender: Service, CustomStringConvertible {
    let service: RoomsService
    let store: PushSubscriptionStore
    let bursts: any PushBursts
    let presence: PresenceBoard
    let tuning: PushTuning
    var runtime: Runtime { service.runtime }
    var logger: Logger { service.runtime.logger }

    init(service: RoomsService, tuning: PushTuning = PushTuning()) {
        self.service = service
        store = service.pushSubscriptions
        let runtime = service.runtime
        bursts = runtime.redis.map { RedisPushBursts(redis: $0) } ?? MemoryPushBursts()
        presence = PresenceBoard.of(runtime)
        self.tuning = tuning
    }

    var description: String { "PushSender" }

    func run() async throws {
        let consumer = CommandWorker(bus: runtime.bus, stream: BusStream.events, group: BusGroup.push, consumer: runtime.nodeId,
                                     retryAfter: .milliseconds(runtime.config.busReclaimIdleMs), logger: logger) { entry in
            try await take(entry)
        }.reportingFailures(to: runtime.errors.commandFailed)
        // Made here, not in init: an HTTP client must be shut down, and only a running sender does that.
        let client = WebPushClient()
        if await untilConfigured() {
            await withDiscardingTaskGroup { group in
                group.addTask { try? await consumer.run() }
                group.addTask { await flushLoop(client) }
            }
        }
        await client.shutdown()
    }

    /// Waits until VAPID keys are set (true), or the process stops (false). Until then the events
    /// stream is not followed at all: every event would be read, handed over and acknowledged
    /// only to be dropped. Following begins at the group's start, so the messages of the moments
    /// before are still looked at (and dropped when stale). Nor are bursts looked for: none is
    /// gathered without keys, and looking cost an idle hub four wake-ups a second.
    func untilConfigured() async -> Bool {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if PushSettings(runtime).keys != nil { return true }
            try? await cancelWhenGracefulShutdown { try await LoopSleep.for(.seconds(1)) }
        }
        return false
    }

    // MARK: messages in

    struct NewMessageFrame: Decodable { let type: String; let message: ChatMessage }

    /// One entry of the events stream: a new message becomes burst entries for its recipients.
    func take(_ entry: BusEntry) async throws {
        // Without VAPID keys there is nothing to send: no message is decoded (every stored
        // message passes here; decoding each cost 2% of the hub's time at 5,000 msg/s).
        let settings = runtime.settings
        guard !settings.string("push.vapidPublicKey").isEmpty, !settings.string("push.vapidPrivateKey").isEmpty else { return }
        // Most entries are other frames (chunks, typing, presence): skip them before decoding.
        // A stored message is `server:new_message`, or `server:message_complete` for an agent's
        // finished reply (one with a sequence: newly stored, not an overwrite).
        guard entry.payload.contains("server:new_message") || entry.payload.contains("server:message_complete"),
              let delivery = Delivery.decode(entry.payload),
              case .room = delivery.audience,
              let frame = try? JSONDecoder().decode(NewMessageFrame.self, from: Data(delivery.frame.utf8)),
              frame.type == "server:new_message" || (frame.type == "server:message_complete" && delivery.seq != nil) else { return }
        let message = frame.message
        guard message.senderType == "user" || message.senderType == "agent" else { return }
        if let created = Timestamp.parse(message.createdAt), Date().timeIntervalSince(created) * 1000 > Double(tuning.staleAfterMs) { return }
        guard PushSettings(runtime).keys != nil else { return }
        guard try await bursts.firstSighting(message.id) else { return }
        guard let audience = try await store.audience(roomId: message.roomId) else { return }
        let mentioned = Set(message.mentions)
        let wanted = audience.members.filter { member in
            member.userId != message.senderId && (member.pref == "all" || (member.pref == "mentions" && mentioned.contains(member.username)))
        }
        guard !wanted.isEmpty else { return }
        let subscribed = try await store.subscribed(among: wanted.map(\.userId))
        let candidates = wanted.filter { subscribed.contains($0.userId) }
        guard !candidates.isEmpty else { return }
        let online = try await presence.online(among: candidates.map(\.userId))
        let now = PushClock.nowMs()
        for member in candidates where !online.contains(member.userId) {
            let item = PushItem(roomId: message.roomId, roomName: audience.roomName, senderName: message.senderName,
                                preview: Self.preview(message), messageId: message.id, mention: mentioned.contains(member.username))
            try await bursts.add(userId: member.userId, item: item, nowMs: now, quietMs: tuning.quietMs, maxDelayMs: tuning.maxDelayMs)
        }
    }

    /// The first ~120 characters of the text, whitespace folded; a message without text says what it carries.
    static func preview(_ message: ChatMessage) -> String {
        let text = message.content.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        if text.isEmpty { return (message.attachments?.isEmpty == false) ? "Sent an attachment" : "New message" }
        return text.count <= 120 ? text : String(text.prefix(119)) + "…"
    }

    // MARK: notifications out

    /// Takes due bursts and sends them, each in its own task, at most `maxInFlight` at a time.
    func flushLoop(_ client: WebPushClient) async {
        let inFlight = InFlight()
        let maxInFlight = 256
        let tick = Duration.milliseconds(max(20, min(250, tuning.quietMs / 4)))
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                try? await cancelWhenGracefulShutdown { try await LoopSleep.for(tick) }
                let room = maxInFlight - inFlight.count
                guard room > 0 else { continue }
                let due: [DueBurst]
                do {
                    due = try await bursts.takeDue(nowMs: PushClock.nowMs(), limit: min(room, 200))
                } catch {
                    logger.warning("push bursts not read: \(error)")
                    continue
                }
                guard !due.isEmpty else { continue }
                // Someone who came back while the burst gathered has seen it.
                let online = (try? await presence.online(among: Array(Set(due.map(\.userId))))) ?? []
                let subscriptions = Dictionary(grouping: (try? await store.subscriptions(of: due.map(\.userId))) ?? [], by: \.userId)
                guard let keys = PushSettings(runtime).keys else { continue }
                let subject = PushSettings(runtime).subject
                for burst in due where !online.contains(burst.userId) {
                    let payload = Self.payload(burst)
                    for subscription in subscriptions[burst.userId] ?? [] {
                        inFlight.add(1)
                        group.addTask {
                            await deliver(payload, to: subscription, client: client, keys: keys, subject: subject,
                                          mention: burst.item.mention, roomId: burst.item.roomId)
                            inFlight.add(-1)
                        }
                    }
                }
            }
        }
    }

    /// What the service worker shows (web/src/sw/sw.ts reads title, body, url, tag).
    struct Payload: Encodable {
        let title: String
        let body: String
        let url: String
        let tag: String
        let roomId: String
        let roomName: String
        let senderName: String
        let preview: String
        let messageId: String
        let count: Int
    }

    static func payload(_ burst: DueBurst) -> [UInt8] {
        let item = burst.item
        let title = burst.count == 1 ? "\(item.senderName) in \(item.roomName)" : "\(burst.count) new messages in \(item.roomName)"
        let body = burst.count == 1 ? item.preview : "\(item.senderName): \(item.preview)"
        let payload = Payload(title: title, body: body, url: "/room/\(item.roomId)", tag: "room-\(item.roomId)",
                              roomId: item.roomId, roomName: item.roomName, senderName: item.senderName,
                              preview: item.preview, messageId: item.messageId, count: burst.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return [UInt8]((try? encoder.encode(payload)) ?? Data())
    }

    /// One push with bounded retries; a gone subscription is forgotten.
    func deliver(_ payload: [UInt8], to subscription: PushSubscriptionStore.Subscription, client: WebPushClient,
                 keys: VAPIDKeys, subject: String, mention: Bool, roomId: String) async {
        let topic = roomId.count <= 32 && roomId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) ? roomId : nil
        var delayMs = tuning.backoffMs
        for attempt in 1...tuning.attempts {
            let outcome = await client.send(payload, to: subscription, keys: keys, subject: subject, ttlSeconds: 3600,
                                            urgency: mention ? "high" : "normal", topic: topic)
            switch outcome {
            case .delivered:
                PushMetrics.sent.increment()
                return
            case .gone:
                PushMetrics.gone.increment()
                do { try await store.remove(id: subscription.id, endpoint: subscription.endpoint) } catch {
                    logger.warning("expired push subscription \(subscription.id) not removed: \(error)")
                }
                return
            case .refused(let status):
                PushMetrics.failed.increment()
                logger.warning("push service refused a push for subscription \(subscription.id) (status \(status))")
                return
            case .retry(let retryAfterMs):
                guard attempt < tuning.attempts else { break }
                let wait = max(retryAfterMs ?? 0, delayMs + Int.random(in: 0...(delayMs / 4 + 1)))
                try? await LoopSleep.for(.milliseconds(wait))
                delayMs *= 2
            }
        }
        PushMetrics.failed.increment()
        logger.warning("push for subscription \(subscription.id) failed after \(tuning.attempts) attempts")
    }
}

/// Sends in flight, shared by the flush loop and the tasks it starts.
final class InFlight: Sendable {
    private let value = Mutex(0)
    var count: Int { value.withLock { $0 } }
    func add(_ delta: Int) { value.withLock { $0 += delta } }
}

extension Data {
    /// Whether the bytes hold `needle`, found by `ByteSearch` around the needle's `_`: push looks
    /// at every entry of the events stream (each relayed chunk) this way, and Data.range(of:)
    /// compared byte by byte.
    fileprivate func contains(_ needle: StaticString) -> Bool {
        let pattern = UnsafeRawBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        let pivot = pattern.firstIndex(of: 0x5F) ?? 0
        return withUnsafeBytes { ByteSearch.firstOffset(of: pattern, pivot: pivot, in: $0) != nil }
    }
}
