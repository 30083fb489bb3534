import AgentIMCore
import Foundation
import NIOCore

/// The `/ws/client` sockets this edge holds: who they are and which rooms they joined.
/// Deliveries from the bus are fanned out here (websocket §9). Messages carry their room
/// sequence; each socket gets them in sequence order with no duplicate, and a gap (an
/// announcement still in flight, or lost with a crashed process) is reported so the hub
/// can fill it from the store.
actor ClientRegistry {
    /// Where one socket stands in one room.
    struct RoomCursor {
        var lastSeq: Int64
        /// Frames received ahead of `lastSeq + 1`, or while catching up.
        var pending: [Int64: String] = [:]
        /// True while a catch-up or gap fill is running (no second one starts).
        var filling: Bool
        /// True during a join's catch-up: every live frame waits in `pending`, since the store's
        /// answer comes before them. A gap fill holds nothing back: the missing frame usually
        /// comes on the bus first (announced by another rooms replica), and then the frames
        /// behind it go out at once, without waiting for the store.
        var holding = false
    }

    struct Socket {
        var outbox: SocketOutbox
        var userId: String?
        var username: String?
        var rooms: [String: RoomCursor] = [:]
        /// Frames for the user (presence, revocation…) that came between binding the socket
        /// to a user and its `server:auth_result`; they follow the result (`welcome`).
        var held: [Outgoing]?

        /// Out now, or after the welcome while one is awaited.
        mutating func post(_ item: Outgoing) {
            if held != nil { held!.append(item) } else { outbox.send(item) }
        }

        /// The same, into a batch of frames for many sockets.
        mutating func post(_ item: Outgoing, into batch: inout OutboxBatch) {
            if held != nil { held!.append(item) } else { batch.add(outbox, item) }
        }
    }

    /// A socket's room whose sequence has a hole to fill from the store.
    struct Gap: Sendable, Hashable {
        var socket: String
        var room: String
        var afterSeq: Int64
    }

    let node: String
    private var sockets: [String: Socket] = [:]
    private var byUser: [String: Set<String>] = [:]
    private var byRoom: [String: Set<String>] = [:]

    init(node: String) { self.node = node }

    /// Sockets bound to a user (the global cap counts these).
    private var authenticatedCount = 0

    func register(_ id: String, outbox: SocketOutbox) {
        sockets[id] = Socket(outbox: outbox)
    }

    func connections(of userId: String) -> Int { byUser[userId]?.count ?? 0 }

    enum Admission: Equatable {
        /// Bound; `firstOfUser` when it is the user's first live socket here.
        case admitted(firstOfUser: Bool)
        case tooManyForUser
        case atCapacity
    }

    /// Binds the socket to a user within the connection caps (websocket §2.3 step 6), which
    /// apply only when the socket is new or switches user; the global cap only to new ones.
    /// A socket switching to another user loses its room subscriptions.
    func authenticate(_ id: String, userId: String, username: String, perUser: Int, total: Int) -> Admission {
        guard var socket = sockets[id] else { return .atCapacity }
        if socket.userId != userId {
            if (byUser[userId]?.count ?? 0) >= perUser { return .tooManyForUser }
            if socket.userId == nil, authenticatedCount >= total { return .atCapacity }
        }
        if let previous = socket.userId, previous != userId {
            byUser[previous]?.remove(id)
            if byUser[previous]?.isEmpty == true { byUser[previous] = nil }
            for room in socket.rooms.keys {
                byRoom[room]?.remove(id)
                if byRoom[room]?.isEmpty == true { byRoom[room] = nil }
            }
            socket.rooms = [:]
        }
        if socket.userId == nil { authenticatedCount += 1 }
        // A new binding holds the user's frames until its auth result is out; a re-auth as the
        // same user changes nothing a client could notice.
        if socket.userId != userId { socket.held = socket.held ?? [] }
        socket.userId = userId
        socket.username = username
        sockets[id] = socket
        let first = (byUser[userId]?.isEmpty ?? true)
        byUser[userId, default: []].insert(id)
        return .admitted(firstOfUser: first)
    }

    /// Sends the successful `server:auth_result`, then what was held for the socket meanwhile:
    /// a client hears it is authenticated before anything addressed to its user (websocket §2.3
    /// step 7: the result, then presence).
    func welcome(_ id: String, _ result: Outgoing) {
        guard var socket = sockets[id] else { return }
        socket.outbox.send(result)
        for item in socket.held ?? [] { socket.outbox.send(item) }
        socket.held = nil
        sockets[id] = socket
    }

    /// Gauges of `/api/metrics`: authenticated client sockets, users online, rooms with a socket.
    var stats: (clients: Int, users: Int, rooms: Int) { (authenticatedCount, byUser.count, byRoom.count) }

    /// Subscribes the socket to the room from `lastSeq` on, holding live frames until the
    /// catch-up (`finishFill`) has delivered what came after `lastSeq`. Joining twice keeps
    /// the existing cursor.
    func join(_ id: String, room: String, lastSeq: Int64) -> Bool {
        guard sockets[id] != nil else { return false }
        if sockets[id]?.rooms[room] != nil { return false }
        sockets[id]?.rooms[room] = RoomCursor(lastSeq: lastSeq, filling: true, holding: true)
        byRoom[room, default: []].insert(id)
        return true
    }

    func leave(_ id: String, room: String) {
        sockets[id]?.rooms[room] = nil
        byRoom[room]?.remove(id)
        if byRoom[room]?.isEmpty == true { byRoom[room] = nil }
    }

    func isJoined(_ id: String, room: String) -> Bool { sockets[id]?.rooms[room] != nil }

    func joinedRooms(_ id: String) -> [String] { Array(sockets[id]?.rooms.keys ?? [:].keys) }

    /// Sends to the user's sockets here that joined `room`.
    func send(toUser userId: String, joined room: String, _ frame: String) {
        for id in byUser[userId] ?? [] where sockets[id]?.rooms[room] != nil { sockets[id]?.outbox.send(.text(frame)) }
    }

    /// Drops every socket of `userId` from `room` (removed from the room, or the room deleted).
    func evict(userId: String, room: String) {
        for id in byUser[userId] ?? [] { leave(id, room: room) }
    }

    /// Forgets the socket; returns its user, joined rooms and whether it was the user's last.
    func remove(_ id: String) -> (userId: String?, username: String?, rooms: Set<String>, wasLast: Bool) {
        guard let socket = sockets.removeValue(forKey: id) else { return (nil, nil, [], false) }
        for room in socket.rooms.keys {
            byRoom[room]?.remove(id)
            if byRoom[room]?.isEmpty == true { byRoom[room] = nil }
        }
        var wasLast = false
        if let userId = socket.userId {
            authenticatedCount -= 1
            byUser[userId]?.remove(id)
            if byUser[userId]?.isEmpty == true {
                byUser[userId] = nil
                wasLast = true
            }
        }
        return (socket.userId, socket.username, Set(socket.rooms.keys), wasLast)
    }

    func send(_ id: String, _ item: Outgoing) {
        sockets[id]?.outbox.send(item)
    }

    /// Hands deliveries, in order, to the sockets of their audiences that live on this edge,
    /// each socket flushed once for all of them. Returns the gaps found, for the hub to fill
    /// from the store.
    func deliver(_ deliveries: [Delivery]) -> [Gap] {
        var gaps: [Gap] = []
        var batch = OutboxBatch()
        for delivery in deliveries { deliver(delivery, into: &batch, gaps: &gaps) }
        batch.send()
        return gaps
    }

    /// Every frame goes through `batch`, so a socket's frames keep the deliveries' order.
    private func deliver(_ delivery: Delivery, into batch: inout OutboxBatch, gaps: inout [Gap]) {
        switch delivery.audience {
        case .room(let room, let except):
            // Rendered once for the room: every socket is handed the same bytes.
            let bytes = EncodedTextFrame(delivery.frame)
            for id in byRoom[room] ?? [] where !(except?.node == node && except?.socket == id) {
                if let seq = delivery.seq {
                    if let gap = sequenced(id, room: room, seq: seq, frame: delivery.frame, bytes: bytes, into: &batch) { gaps.append(gap) }
                } else if let outbox = sockets[id]?.outbox {
                    batch.add(outbox, .frame(bytes))
                }
            }
        case .user(let userId):
            let bytes = EncodedTextFrame(delivery.frame)
            for id in byUser[userId] ?? [] { sockets[id]?.post(.frame(bytes), into: &batch) }
        case .socket(let address):
            // Replies to one socket (errors) are not sequenced. A retry's acknowledgement carries
            // its message's seq: a socket joined to that room gets it in sequence (so not twice,
            // when the room's announcement reached it first); any other socket gets it as is.
            guard address.node == node else { return }
            if let seq = delivery.seq, let room = Self.room(of: delivery.frame), sockets[address.socket]?.rooms[room] != nil {
                if let gap = sequenced(address.socket, room: room, seq: seq, frame: delivery.frame, into: &batch) { gaps.append(gap) }
            } else if let outbox = sockets[address.socket]?.outbox {
                batch.add(outbox, .text(delivery.frame))
            }
        case .all:
            // Presence goes to every socket: one rendering, one hop per event loop.
            let bytes = EncodedTextFrame(delivery.frame)
            // Mutated only for a held socket: a write to `sockets` while iterating it copies it.
            for (id, socket) in sockets where socket.userId != nil {
                if socket.held == nil { batch.add(socket.outbox, .frame(bytes)) } else { sockets[id]?.held?.append(.frame(bytes)) }
            }
        case .agent, .gateway, .workspaceRequest:
            break  // gateway sockets: GatewayRegistry; workspace answers: GatewaySockets.workspaceRequests
        }
    }

    /// Delivers frames of `room` to one socket in sequence order: repeats are dropped,
    /// frames ahead of a hole wait. Returns the gap when one opens and no fill is running.
    private func sequenced(_ id: String, room: String, seq: Int64, frame: String, bytes: EncodedTextFrame? = nil,
                           into batch: inout OutboxBatch) -> Gap? {
        // The usual case, the next frame with nothing waiting: straight out, the cursor changed in
        // place (no copy of it, no dictionary touched).
        if let cursor = sockets[id]?.rooms[room], seq == cursor.lastSeq + 1, !cursor.holding, cursor.pending.isEmpty {
            sockets[id]!.rooms[room]!.lastSeq = seq
            batch.add(sockets[id]!.outbox, bytes.map { .frame($0) } ?? .text(frame))
            return nil
        }
        guard var cursor = sockets[id]?.rooms[room], seq > cursor.lastSeq else { return nil }
        cursor.pending[seq] = frame
        if !cursor.holding {
            while let next = cursor.pending.removeValue(forKey: cursor.lastSeq + 1) {
                if let outbox = sockets[id]?.outbox { batch.add(outbox, .text(next)) }
                cursor.lastSeq += 1
            }
        }
        var gap: Gap?
        if !cursor.filling && !cursor.pending.isEmpty {
            cursor.filling = true
            gap = Gap(socket: id, room: room, afterSeq: cursor.lastSeq)
        }
        sockets[id]?.rooms[room] = cursor
        return gap
    }

    private struct MessageFrame: Decodable {
        struct Message: Decodable { let roomId: String }
        let message: Message
    }

    /// The room of a `server:new_message` frame.
    static func room(of frame: String) -> String? {
        try? JSONDecoder().decode(MessageFrame.self, from: Data(frame.utf8)).message.roomId
    }

    /// Where the socket stands, for a gap fill's read that starts now; nil when the fill ends:
    /// the socket left the room, the bus closed every hole meanwhile, or the socket joined the
    /// room again and its catch-up (which fills holes itself) is running.
    func gapToFill(_ id: String, room: String) -> Int64? {
        guard let cursor = sockets[id]?.rooms[room], !cursor.holding else { return nil }
        if cursor.pending.isEmpty {
            sockets[id]?.rooms[room]?.filling = false
            return nil
        }
        return cursor.lastSeq
    }

    /// Ends a catch-up or gap fill: `messages` are what the store holds after the cursor, and
    /// go out with the frames that waited, in order (`RoomCursor.settle`). Returns a gap when
    /// frames still wait behind a hole the store did not know of yet: the caller fills again.
    /// `giveUp` (the store did not answer) passes every hole over; `latestSeq` (a catch-up too
    /// long to replay, the client told to reload) moves the cursor there.
    @discardableResult
    func finishFill(_ id: String, room: String, messages: [(seq: Int64, frame: String)], latestSeq: Int64? = nil,
                    giveUp: Bool = false) -> Gap? {
        guard var cursor = sockets[id]?.rooms[room] else { return nil }
        let (frames, again) = cursor.settle(messages, giveUp: giveUp || latestSeq != nil)
        for frame in frames { sockets[id]?.outbox.send(.text(frame)) }
        if let latestSeq, latestSeq > cursor.lastSeq { cursor.lastSeq = latestSeq }
        sockets[id]?.rooms[room] = cursor
        return again ? Gap(socket: id, room: room, afterSeq: cursor.lastSeq) : nil
    }

    /// Closes every socket of `userId` with 1008 after `SESSION_REVOKED` (websocket §15.4).
    func revoke(userId: String) {
        for id in byUser[userId] ?? [] {
            sockets[id]?.post(.text(ServerFrame.error(code: "SESSION_REVOKED", message: "Session revoked")))
            sockets[id]?.post(.close(code: 1008, reason: "Session revoked"))
        }
    }
}

extension ClientRegistry.RoomCursor {
    /// After a fill: the store's messages newer than `lastSeq` join the frames that waited, and
    /// what can go out goes, in order; returns those frames and whether some still wait.
    ///
    /// A hole below the newest message the store returned is a deleted message and is passed
    /// over: a room's sequence is taken under its row lock, so a message is committed before any
    /// later one. A hole above it is not known to the store yet: its read began before those
    /// messages were committed, while later frames of the room had already arrived (announced
    /// by another rooms replica first, or re-announced for a retry). Passing it over lost those
    /// messages for the socket (seen after a PostgreSQL restart in the chaos suite), so the frames
    /// after it wait for another fill. `giveUp` passes every hole over.
    mutating func settle(_ fill: [(seq: Int64, frame: String)], giveUp: Bool = false) -> (frames: [String], again: Bool) {
        let known = fill.map(\.seq).max() ?? lastSeq
        for message in fill where message.seq > lastSeq { pending[message.seq] = message.frame }
        var frames: [String] = []
        for seq in pending.keys.sorted() where seq > lastSeq {
            guard giveUp || seq <= known || seq == lastSeq + 1, let frame = pending[seq] else { break }
            frames.append(frame)
            lastSeq = seq
        }
        pending = pending.filter { $0.key > lastSeq }
        filling = !pending.isEmpty
        holding = false
        return (frames, filling)
    }
}
