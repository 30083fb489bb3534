import AgentIMBus
import AgentIMCore
import Foundation

extension CommandHandler {
    /// One room's waiting commands, in stream order. Consecutive sends without attachments are
    /// stored together (`MessageStore.storeHumanMessages`: one write for the run) and then
    /// announced one by one, each after the commit that holds it; everything else goes through
    /// `handle` as before. Returns the ids of the entries that are done (to acknowledge); the
    /// others stay pending and come back through `handle`, which is idempotent.
    func handleLane(_ entries: [BusEntry]) async -> [String] {
        let decoder = JSONDecoder()
        var done: [String] = []
        var index = entries.startIndex
        while index < entries.endIndex {
            var run: [(entry: BusEntry, send: RoomsCommand.SendMessageCommand)] = []
            while index < entries.endIndex,
                  case .sendMessage(let send)? = try? decoder.decode(RoomsCommand.self, from: entries[index].payload),
                  send.attachmentIds.isEmpty, run.first.map({ $0.send.roomId == send.roomId }) ?? true {
                run.append((entries[index], send))
                index += 1
            }
            if !run.isEmpty {
                done += await sendMessages(run)
                continue
            }
            do {
                try await handle(entries[index])
                done.append(entries[index].id)
            } catch {
                service.runtime.logger.error("command \(entries[index].id) failed, left pending for retry: \(error)")
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
                }
            }
            return done
        }
        var done: [String] = []
        for (item, outcome) in zip(run, outcomes) {
            do {
                try await announce(outcome, of: item.send, route: routed)
                done.append(item.entry.id)
            } catch {
                service.runtime.logger.error("command \(item.entry.id) failed, left pending for retry: \(error)")
            }
        }
        return done
    }
}
