import Foundation
import Synchronization
@testable import AgentIMCLI

/// A controllable adapter (§26.1): each `send` waits until the test finishes it.
final class StubAdapter: AgentAdapter, @unchecked Sendable {
    let type: String
    let options: AdapterOptions
    let supportsParallelRooms: Bool
    let supportsRewind: Bool

    struct State {
        var prompts: [String] = []
        var waiting: [String: [CheckedContinuation<ReplyOutcome, Never>]] = [:]
        var stops: [String?] = []
        var level: PermissionLevel = .interactive
        var disposed = 0
    }
    let state = Mutex(State())

    init(type: String = "claude-code", options: AdapterOptions, parallel: Bool = true, rewind: Bool = true) {
        self.type = type
        self.options = options
        supportsParallelRooms = parallel
        supportsRewind = rewind
    }

    var prompts: [String] { state.withLock { $0.prompts } }
    var stops: [String?] { state.withLock { $0.stops } }

    func send(_ prompt: String, context: MessageContext, onChunk: @escaping @Sendable (AgentChunk) async -> Void) async -> ReplyOutcome {
        state.withLock { $0.prompts.append(prompt) }
        await onChunk(AgentChunk(.text, "chunk for \(context.roomKey)"))
        return await withCheckedContinuation { continuation in
            state.withLock { $0.waiting[context.roomKey, default: []].append(continuation) }
        }
    }

    /// Ends the oldest running send of a room; false when none is waiting yet.
    @discardableResult
    func finish(room: String, _ outcome: ReplyOutcome = .complete(fullContent: "done")) -> Bool {
        let continuation = state.withLock { s -> CheckedContinuation<ReplyOutcome, Never>? in
            guard var list = s.waiting[room], !list.isEmpty else { return nil }
            let first = list.removeFirst()
            s.waiting[room] = list
            return first
        }
        continuation?.resume(returning: outcome)
        return continuation != nil
    }

    func waitingCount(room: String) -> Int { state.withLock { $0.waiting[room]?.count ?? 0 } }

    func stop() async { state.withLock { $0.stops.append(nil) } }
    func stop(roomKey: String) async { state.withLock { $0.stops.append(roomKey) } }
    func dispose() async { state.withLock { $0.disposed += 1 } }
    func isRoomBusy(_ roomKey: String) async -> Bool { waitingCount(room: roomKey) > 0 }
    var isRunning: Bool { get async { state.withLock { !$0.waiting.values.allSatisfy(\.isEmpty) } } }
    func info(roomKey: String?) async -> AdapterInfo { var i = AdapterInfo(); i.model = "stub-model"; return i }
    func waitForModels(milliseconds: Int) async {}
    func handleSlashCommand(_ command: String, args: String, roomKey: String?) async -> CommandResult {
        command == "model" ? CommandResult(success: true, message: "Model set to \(args)") : .unsupported
    }
    func rewind(messageId: String, roomKey: String?) async -> CommandResult { CommandResult(success: true) }
    func setPermissionLevel(_ level: PermissionLevel) async { state.withLock { $0.level = level } }
    func permissionLevel() async -> PermissionLevel { state.withLock { $0.level } }

    /// Asks the manager for a permission like a real adapter would.
    func ask(tool: String, room: String?) async -> (decision: PermissionDecision, reason: String?)? {
        guard let handler = options.permissionHandler else { return nil }
        return await handler(PermissionAsk(requestId: NanoID.make(), toolName: tool, toolInputJSON: #"{"command":"ls"}"#, timeoutMs: 300_000, roomId: room))
    }
}

/// Collects the frames the manager sends.
final class FrameSink: Sendable {
    let frames = Mutex<[OutboundFrame]>([])
    func send(_ frame: OutboundFrame) { frames.withLock { $0.append(frame) } }
    var all: [OutboundFrame] { frames.withLock { $0 } }
    var objects: [JSON] { all.compactMap { JSON.parse($0.text) } }
    func of(_ type: String) -> [JSON] { objects.filter { $0["type"]?.stringValue == type } }

    /// Polls until `predicate` holds (at most 2 s).
    func waitFor(_ predicate: @escaping ([JSON]) -> Bool) async -> Bool {
        for _ in 0..<200 {
            if predicate(objects) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return predicate(objects)
    }
}

enum Fixture {
    static func manager(level: PermissionLevel = .interactive, parallel: Bool = true, settings: AgentManager.Settings = .init())
        -> (AgentManager, FrameSink, MadeAdapters) {
        let sink = FrameSink()
        let made = MadeAdapters()
        let manager = AgentManager(sessionLevel: level, settings: settings, log: CLILog(minimum: .error), send: { sink.send($0) }, makeAdapter: { type, options in
            let adapter = StubAdapter(type: type == "generic" ? "generic" : "claude-code", options: options, parallel: parallel && type != "generic", rewind: type != "generic")
            made.add(adapter)
            return adapter
        })
        return (manager, sink, made)
    }

    static func message(_ agentId: String, room: String, id: String = NanoID.make(), content: String = "hi", sender: String = "Alice") -> ServerFrame {
        .sendToAgent(SendToAgent(agentId: agentId, roomId: room, messageId: id, content: content, senderName: sender, conversationId: "c1"))
    }
}

/// The adapters a manager created, in order.
final class MadeAdapters: Sendable {
    private let list = Mutex<[StubAdapter]>([])
    func add(_ adapter: StubAdapter) { list.withLock { $0.append(adapter) } }
    subscript(index: Int) -> StubAdapter { list.withLock { $0[index] } }
}
