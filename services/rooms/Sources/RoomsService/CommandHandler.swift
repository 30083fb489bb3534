import AgentIMBus
import AgentIMCore
import Foundation

/// Executes commands the edges put on the bus. At-least-once delivery: the message id is
/// the command's id, so a redelivered command stores nothing twice and re-announces the
/// stored message. The `server:new_message` event leaves only after the commit.
struct CommandHandler: Sendable {
    let service: RoomsService

    func handle(_ entry: BusEntry) async throws {
        try await handle(entry, decoded: Self.decode(entry))
    }

    /// `decoded` is the entry's command as the worker already decoded it (nil: unreadable).
    func handle(_ entry: BusEntry, decoded: RoomsCommand?) async throws {
        guard let command = decoded else {
            service.runtime.logger.warning("dropping unreadable command \(entry.id)")
            return
        }
        switch command {
        case .sendMessage(let send):
            try await sendMessage(send)
        case .agent(let command):
            try await AgentCommandHandler(service: service).handle(command)
        case .routeDecided(let decision):
            try await AgentRouting(service: service).routeDecided(decision)
        case .serviceAgentReplied(let reply):
            try await serviceAgentReplied(reply)
        case .serviceAgentFailed(let failure):
            try await service.runtime.deliver(Delivery(audience: .room(failure.roomId), frame: AgentEvents.systemNotice(
                roomId: failure.roomId, content: "@\(failure.serviceAgentName): \(failure.error)")))
        }
    }

    func sendMessage(_ send: RoomsCommand.SendMessageCommand) async throws {
        let content = Sanitizer.content(send.content)
        let outcome: MessageStore.SendOutcome
        do {
            outcome = try await service.messages.storeHumanMessage(.init(
                id: send.commandId, roomId: send.roomId, userId: send.userId, username: send.username,
                content: content, mentions: Mentions.parse(content), replyToId: send.replyToId,
                clientMessageId: send.clientMessageId, attachmentIds: send.attachmentIds))
        } catch {
            service.runtime.logger.error("send_message \(send.commandId) failed: \(error)")
            try await replyError(send.origin, code: "INTERNAL_ERROR", message: "Failed to send message")
            return
        }
        try await announce(outcome, of: send)
    }

    /// After the commit: the room hears of a new message (a retry's sender gets it again as its
    /// acknowledgement), agents are routed (unless the store found nothing to route to),
    /// refusals go back to the sending socket.
    func announce(_ outcome: MessageStore.SendOutcome, of send: RoomsCommand.SendMessageCommand, route: Bool = true) async throws {
        switch outcome {
        case .roomNotFound:
            try await replyError(send.origin, code: "ROOM_NOT_FOUND", message: "Room not found")
        case .notAMember:
            try await replyError(send.origin, code: "NOT_A_MEMBER", message: "Not a member of this room")
        case .stored(var message):
            message.clientMessageId = send.clientMessageId
            try await service.runtime.deliver(Delivery(audience: .room(message.roomId), frame: ServerFrame.newMessage(message), seq: message.seq))
            if route { try await AgentRouting(service: service).routeHuman(message, senderId: send.userId, origin: send.origin) }
        case .duplicate(var message):
            message = (try? await service.messages.decorated([message], reactions: false).first) ?? message
            message.clientMessageId = send.clientMessageId
            // A retry: the room already has it (edges drop repeats by sequence), once more in
            // case the first announcement was lost with a crashed process; the retrying socket
            // gets it directly, as the acknowledgement it asked for.
            try await service.runtime.deliver(Delivery(audience: .room(message.roomId), frame: ServerFrame.newMessage(message), seq: message.seq))
            try await service.runtime.deliver(Delivery(audience: .socket(send.origin), frame: ServerFrame.newMessage(message), seq: message.seq))
            // Routing may not have run before a crash; each (message, agent) is sent once regardless.
            if route { try await AgentRouting(service: service).routeHuman(message, senderId: send.userId, origin: send.origin) }
        }
    }

    /// A service agent's answer: stored under the call's id, announced as a new message (websocket §11.7).
    func serviceAgentReplied(_ reply: ServiceAgentReply) async throws {
        let outcome = try await service.messages.storeAgentReply(
            id: reply.requestId, roomId: reply.roomId, agentId: reply.serviceAgentId, agentName: reply.serviceAgentName,
            content: reply.content, chunks: nil)
        let media = reply.attachmentIds ?? []
        guard case .stored(var message) = outcome else {
            // A redelivered reply: its media may not have been linked before a crash.
            switch outcome {
            case .overwritten(let message), .unchanged(let message): _ = try await service.messages.linkGeneratedMedia(media, to: message.id)
            case .roomGone: service.runtime.logger.info("service agent reply \(reply.requestId) dropped: room \(reply.roomId) is gone")
            case .stored: break
            }
            return
        }
        let linked = try await service.messages.linkGeneratedMedia(media, to: message.id)
        if !linked.isEmpty { message.attachments = linked }
        try await service.runtime.deliver(Delivery(audience: .room(message.roomId), frame: ServerFrame.newMessage(message), seq: message.seq))
    }

    func replyError(_ socket: SocketAddress, code: String, message: String) async throws {
        try await service.runtime.deliver(Delivery(audience: .socket(socket), frame: ServerFrame.error(code: code, message: message)))
    }
}
