import AgentIMBus
import AgentIMCore
import Foundation

extension CommandHandler {
    /// A command as the worker reads it, decoded once: its room (the lane key) and its handling
    /// both use this value.
    @Sendable static func decode(_ entry: BusEntry) -> RoomsCommand? {
        RoomsCommand.fromBusPayload(entry.payload)
    }

    /// Commands for one room run in order; rooms run side by side.
    @Sendable static func room(of command: RoomsCommand?) -> String {
        switch command {
        case .sendMessage(let send): send.roomId
        case .routeDecided(let decision): decision.roomId
        case .serviceAgentReplied(let reply): reply.roomId
        case .serviceAgentFailed(let failure): failure.roomId
        case .agent(let command): command.roomId ?? ""
        case nil: ""
        }
    }

    /// One room's waiting commands, in stream order, each already decoded. Consecutive sends
    /// without attachments are stored together (`MessageStore.storeHumanMessages`: the run
    /// joins the other rooms' waiting runs in one group commit, `SendGroupCommit`) and then
    /// announced, each after the commit that holds it; everything else goes through `handle` as
    /// before. Returns the ids of the entries that are done (to acknowledge); the others stay
    /// pending and come back through `handle`, which is idempotent.
    func handleLane(_ items: [(entry: BusEntry, command: RoomsCommand?)]) async -> [String] {
        var done: [String] = []
        var index = items.startIndex
        while index < items.endIndex {
            var run: [(entry: BusEntry, send: RoomsCommand.SendMessageCommand)] = []
            while index < items.endIndex, case .sendMessage(let send)? = items[index].command,
                  send.attachmentIds.isEmpty, run.first.map({ $0.send.roomId == send.roomId }) ?? true {
                run.append((items[index].entry, send))
                index += 1
            }
            if !run.isEmpty {
                done += await sendMessages(run)
                continue
            }
            do {
                try await handle(items[index].entry, decoded: items[index].command)
                done.append(items[index].entry.id)
            } catch {
                service.runtime.logger.error("command \(items[index].entry.id) failed, left pending for retry: \(error)")
                service.runtime.errors.commandFailed(stream: BusStream.roomsCommands, entryId: items[index].entry.id, error: error)
            }
            index += 1
        }
        return done
    }

    private func sendMessages(_ run: [(entry: BusEntry, send: RoomsCommand.SendMessageCommand)]) async -> [String] {
        let roomId = run[0].send.roomId
        let outcomes: [MessageStore.SendOutcome]
        let routed: Bool
        do {
            (outcomes, routed) = try await service.messages.storeHumanMessages(roomId: roomId, run.map { item in
                let send = item.send
                let content = Sanitizer.content(send.content)
                return MessageStore.HumanMessage(
                    id: send.commandId, roomId: send.roomId, userId: send.userId, username: send.username,
                    content: content, mentions: Mentions.parse(content), replyToId: send.replyToId,
                    clientMessageId: send.clientMessageId, attachmentIds: [])
            })
        } catch {
            // A race on a unique index (a retry stored meanwhile) or a failing database: one at a
            // time, through the path that answers each case.
            service.runtime.logger.warning("storing \(run.count) messages of room \(roomId) together failed, one at a time: \(error)")
            var done: [String] = []
            for item in run {
                do {
                    try await sendMessage(item.send)
                    done.append(item.entry.id)
                } catch {
                    service.runtime.logger.error("command \(item.entry.id) failed, left pending for retry: \(error)")
                    service.runtime.errors.commandFailed(stream: BusStream.roomsCommands, entryId: item.entry.id, error: error)
                }
            }
            return done
        }
        // New messages are announced together (one bus round trip); anything else (a repeat, a
        // refusal) in its place, after the new ones before it.
        var done: [String] = []
        var fresh: [(entry: BusEntry, send: RoomsCommand.SendMessageCommand, message: ChatMessage)] = []
        for (item, outcome) in zip(run, outcomes) {
            if case .stored(var message) = outcome {
                message.clientMessageId = item.send.clientMessageId
                fresh.append((item.entry, item.send, message))
                continue
            }
            done += await announce(fresh, route: routed)
            fresh = []
            do {
                try await announce(outcome, of: item.send, route: routed)
                done.append(item.entry.id)
            } catch {
                service.runtime.logger.error("command \(item.entry.id) failed, left pending for retry: \(error)")
                service.runtime.errors.commandFailed(stream: BusStream.roomsCommands, entryId: item.entry.id, error: error)
            }
        }
        done += await announce(fresh, route: routed)
        return done
    }

    /// Announces newly stored messages in order with one bus append for all, then routes each
    /// to agents. Returns the ids done; if the append fails none is, and the retry announces them.
    private func announce(_ fresh: [(entry: BusEntry, send: RoomsCommand.SendMessageCommand, message: ChatMessage)], route: Bool) async -> [String] {
        guard !fresh.isEmpty else { return [] }
        do {
            try await service.runtime.deliver(contentsOf: fresh.map {
                Delivery(audience: .room($0.message.roomId), frame: ServerFrame.newMessage($0.message), seq: $0.message.seq)
            })
        } catch {
            service.runtime.logger.error("announcing \(fresh.count) messages failed, left pending for retry: \(error)")
            return []
        }
        var done: [String] = []
        for item in fresh {
            do {
                if route { try await AgentRouting(service: service).routeHuman(item.message, senderId: item.send.userId, origin: item.send.origin) }
                done.append(item.entry.id)
            } catch {
                service.runtime.logger.error("command \(item.entry.id) failed, left pending for retry: \(error)")
                service.runtime.errors.commandFailed(stream: BusStream.roomsCommands, entryId: item.entry.id, error: error)
            }
        }
        return done
    }
}
