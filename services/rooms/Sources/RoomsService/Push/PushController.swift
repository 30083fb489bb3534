import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// `/api/push` (http-api §15): the VAPID public key, and the caller's browser subscriptions.
struct PushController {
    let service: RoomsService
    let store: PushSubscriptionStore

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("vapid-key", use: vapidKey)
        group.post("subscribe", use: subscribe)
        group.post("unsubscribe", use: unsubscribe)
    }

    struct PublicKey: Encodable, Sendable { let publicKey: String }

    func vapidKey(_ request: Request, context: HubRequestContext) async throws -> Response {
        guard let keys = PushSettings(service.runtime).keys else { throw APIError(404, "Web Push is not configured") }
        return ok(PublicKey(publicKey: keys.publicKey))
    }

    func subscribe(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        guard PushSettings(service.runtime).keys != nil else { throw APIError(404, "Web Push is not configured") }
        let body = try await request.jsonBody(limit: 16 << 10)
        guard let endpoint = body["endpoint"]?.stringValue,
              PushEndpoint.isAcceptable(endpoint, production: service.runtime.config.isProduction),
              let p256dh = body["keys"]?["p256dh"]?.stringValue, let auth = body["keys"]?["auth"]?.stringValue,
              PushEndpoint.isSubscriptionKey(p256dh), Base64URL.decode(auth)?.count == 16 else {
            throw APIError(400, "Invalid subscription data")
        }
        try await store.upsert(userId: caller.id, endpoint: endpoint, p256dh: p256dh, auth: auth)
        return okEmpty()
    }

    func unsubscribe(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        let body = try await request.jsonBody(limit: 16 << 10)
        guard let endpoint = body["endpoint"]?.stringValue, !endpoint.isEmpty else { throw APIError(400, "Missing endpoint") }
        try await store.delete(userId: caller.id, endpoint: endpoint)
        return okEmpty()
    }
}

/// What a subscription must look like before the hub will ever POST to it.
enum PushEndpoint {
    /// An absolute https URL with a host and no credentials, at most 2,048 characters. Plain
    /// http only to a loopback host and only outside production (a push service run locally
    /// for development and tests); a production hub never posts in the clear.
    static func isAcceptable(_ text: String, production: Bool) -> Bool {
        guard text.utf8.count <= 2048, let url = URLComponents(string: text), let host = url.host, !host.isEmpty,
              url.user == nil, url.password == nil, url.fragment == nil else { return false }
        switch url.scheme?.lowercased() {
        case "https": return true
        case "http": return !production && isLoopback(host)
        default: return false
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        return host == "localhost" || host == "[::1]" || host == "::1" || host.hasPrefix("127.")
            && host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { UInt8($0) != nil }
    }

    /// The browser's ECDH public key: a valid uncompressed P-256 point (65 bytes).
    static func isSubscriptionKey(_ text: String) -> Bool {
        guard let bytes = Base64URL.decode(text), bytes.count == 65, bytes.first == 4 else { return false }
        return WebPushCrypto.isValidPoint(bytes)
    }
}
