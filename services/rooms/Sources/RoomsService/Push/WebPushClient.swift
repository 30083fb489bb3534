import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import Synchronization

/// POSTs encrypted pushes to push services (RFC 8030) with VAPID (RFC 8292). Redirects are
/// refused (a push service never redirects; following one could lead anywhere); one deadline
/// covers the whole exchange, so a push service that hangs costs one slot, never the chat.
final class WebPushClient: Sendable {
    enum Outcome: Equatable {
        case delivered
        /// 404/410: the subscription is gone for good.
        case gone
        /// 429/5xx or no answer: worth another attempt, after `retryAfterMs` when the service said so.
        case retry(retryAfterMs: Int?)
        /// Any other answer: this push is refused and retrying will not change it.
        case refused(Int)
    }

    let client: HTTPClient
    /// VAPID tokens per (key, audience), reused until an hour before they expire.
    private let tokens = Mutex<[String: (token: String, expires: Date)]>([:])

    init() {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5))
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func shutdown() async { try? await client.shutdown() }

    /// Sends `payload` to one subscription.
    func send(_ payload: [UInt8], to subscription: PushSubscriptionStore.Subscription, keys: VAPIDKeys, subject: String,
              ttlSeconds: Int, urgency: String, topic: String?) async -> Outcome {
        guard let url = URL(string: subscription.endpoint), let scheme = url.scheme, let host = url.host,
              let p256dh = Base64URL.decode(subscription.p256dh), let auth = Base64URL.decode(subscription.auth),
              let body = try? WebPushCrypto.encrypt(payload, p256dh: p256dh, auth: auth) else { return .refused(0) }
        let audience = "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        guard let jwt = try? token(audience: audience, subject: subject, keys: keys) else { return .refused(0) }
        var request = HTTPClientRequest(url: subscription.endpoint)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "vapid t=\(jwt), k=\(keys.publicKey)")
        request.headers.add(name: "Content-Encoding", value: "aes128gcm")
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.headers.add(name: "TTL", value: String(ttlSeconds))
        request.headers.add(name: "Urgency", value: urgency)
        if let topic { request.headers.add(name: "Topic", value: topic) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 << 10)
            let status = Int(response.status.code)
            switch status {
            case 200..<300: return .delivered
            case 404, 410: return .gone
            case 429, 500..<600: return .retry(retryAfterMs: response.headers.first(name: "Retry-After").flatMap(Self.retryAfterMs))
            default: return .refused(status)
            }
        } catch {
            return .retry(retryAfterMs: nil)
        }
    }

    /// `Retry-After` in seconds (the HTTP-date form is rare from push services and ignored), at most 30 s.
    static func retryAfterMs(_ value: String) -> Int? {
        Int(value.trimmingCharacters(in: .whitespaces)).map { min(max($0, 0), 30) * 1000 }
    }

    private func token(audience: String, subject: String, keys: VAPIDKeys) throws -> String {
        let cacheKey = keys.publicKey + " " + subject + " " + audience
        let now = Date()
        if let cached = tokens.withLock({ $0[cacheKey] }), cached.expires.timeIntervalSince(now) > 3600 { return cached.token }
        let lifetime: TimeInterval = 12 * 3600
        let token = try WebPushCrypto.vapidToken(audience: audience, subject: subject, key: keys.signingKey, now: now, lifetime: lifetime)
        tokens.withLock { cache in
            if cache.count > 1000 { cache.removeAll() }
            cache[cacheKey] = (token, now.addingTimeInterval(lifetime))
        }
        return token
    }
}
