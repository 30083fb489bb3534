import Foundation

/// Workspace requests this edge sent to gateways (websocket §16.4): who asked, from which
/// room; answers arriving after 30 s, or for ids not asked here, are dropped.
actor WorkspaceRequests {
    struct Asker {
        var userId: String
        var roomId: String
        var expires: ContinuousClock.Instant
    }

    static let lifetime = Duration.seconds(30)
    static let capacity = 10_000
    private var pending: [String: Asker] = [:]
    private var order: [String] = []

    func remember(_ requestId: String, userId: String, roomId: String) {
        let now = ContinuousClock.now
        order.removeAll { pending[$0] == nil || pending[$0]!.expires < now }
        if order.count >= Self.capacity, let oldest = order.first {
            pending[oldest] = nil
            order.removeFirst()
        }
        pending[requestId] = Asker(userId: userId, roomId: roomId, expires: now + Self.lifetime)
        order.append(requestId)
    }

    func take(_ requestId: String) -> Asker? {
        guard let asker = pending.removeValue(forKey: requestId), asker.expires >= .now else { return nil }
        return asker
    }
}
