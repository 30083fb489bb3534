import Foundation
import Testing
@testable import AgentIMCLI

/// The Claude Code adapter against the fake `claude` (§26.2) as a real child process.
@Suite struct AdapterClaudeTests {
    func make(_ mode: String, workDir: String? = nil, extra: [String: String] = [:], level: PermissionLevel = .bypass,
              handler: PermissionHandler? = nil) -> ClaudeCodeAdapter {
        ClaudeCodeAdapter(options: Fakes.options(extra.merging(["FAKE_CLAUDE_MODE": mode]) { a, _ in a }, workDir: workDir, level: level, handler: handler))
    }

    @Test func basicChunkMappingSessionAndCost() async throws {
        let dir = Fakes.tempDirectory("claude")
        let adapter = make("basic", workDir: dir)
        let recorder = ChunkRecorder()
        let outcome = await adapter.send("hi", context: MessageContext(roomId: "room-1", senderName: "Alice"), onChunk: recorder.sink)
        #expect(outcome.fullContent == "Hello")
        let chunks = await recorder.chunks
        #expect(chunks.map(\.kind) == [.thinking, .text, .toolUse])
        #expect(chunks[0].content == "hmm")
        #expect(chunks[2].metadata == ["toolName": "Bash", "toolId": "t1"])
        let tool = try #require(try JSONSerialization.jsonObject(with: Data(chunks[2].content.utf8)) as? [String: Any])
        #expect(tool["name"] as? String == "Bash" && tool["id"] as? String == "t1")
        #expect((tool["input"] as? [String: Any])?["command"] as? String == "ls")
        #expect(chunks[2].content.hasPrefix("{\n  \"name\": \"Bash\",\n  \"id\": \"t1\",\n  \"input\": {"))
        // Session persisted per room (§12.7).
        let saved = try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(".claude/.agentim-sessions.json"))
        #expect((try JSONSerialization.jsonObject(with: saved) as? [String: String])?["room-1"] == "s-1")
        let cost = await adapter.handleSlashCommand("cost", args: "", roomKey: "room-1")
        #expect(cost.message?.contains("$0.0100") == true)
        #expect(await adapter.isRunning == false)
    }

    @Test func secondRunResumesTheRoomSession() async throws {
        let dir = Fakes.tempDirectory("claude")
        let argsFile = dir + "/args.jsonl"
        let adapter = make("basic", workDir: dir, extra: ["FAKE_ARGS_FILE": argsFile])
        _ = await adapter.send("one", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        _ = await adapter.send("two", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        let runs = try String(contentsOfFile: argsFile, encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 2)
        #expect(!runs[0].contains("--resume"))
        #expect(runs[1].contains("--resume=s-1"))
    }

    @Test func staleSessionIsDroppedAndRetriedOnce() async throws {
        let dir = Fakes.tempDirectory("claude")
        let argsFile = dir + "/args.jsonl"
        try FileManager.default.createDirectory(atPath: dir + "/.claude", withIntermediateDirectories: true)
        try Data(#"{"r":"old-session"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/.claude/.agentim-sessions.json"))
        let adapter = make("basic", workDir: dir, extra: ["FAKE_ARGS_FILE": argsFile, "FAKE_CLAUDE_STALE": "1", "FAKE_CLAUDE_SESSION": "s-2"])
        let outcome = await adapter.send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        #expect(outcome.fullContent == "Hello")
        let runs = try String(contentsOfFile: argsFile, encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 2)
        #expect(runs[0].contains("--resume=old-session"))
        #expect(!runs[1].contains("--resume"))
    }

    @Test func authFailureCarriesStderrAndHint() async {
        let outcome = await make("auth").send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        let failure = outcome.failure ?? ""
        #expect(failure.contains("exited with code 1"))
        #expect(failure.contains("[stderr]: API Error: 401"))
        #expect(failure.contains("claude login"))
    }

    @Test(arguments: [PermissionDecision.allow, .allowAlways, .deny])
    func permissionGoesThroughTheHandler(decision: PermissionDecision) async throws {
        let permissions = PermissionRecorder(decision, reason: decision == .deny ? "not today" : nil)
        let adapter = make("permission", level: .interactive, handler: permissions.handler)
        let outcome = await adapter.send("hi", context: MessageContext(roomId: "room-9", senderName: ""), onChunk: { _ in })
        let asks = await permissions.asks
        #expect(asks.count == 1)
        #expect(asks.first?.toolName == "Bash")
        #expect(asks.first?.roomId == "room-9")
        #expect(asks.first?.timeoutMs == 300_000)
        #expect(asks.first?.toolInputJSON.contains("rm x") == true)
        if decision == .deny {
            #expect(outcome.fullContent == "behavior=deny message=not today input=null")
        } else {
            #expect(outcome.fullContent == #"behavior=allow message=None input={"command": "rm x"}"#)
        }
    }

    /// The bridge's expiry is a deny without a reason: Claude is told "Permission denied by user".
    @Test func expiredPermissionDenies() async {
        let permissions = PermissionRecorder(.deny, reason: nil, delay: .milliseconds(200))
        let outcome = await make("permission", level: .interactive, handler: permissions.handler)
            .send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        #expect(outcome.fullContent == "behavior=deny message=Permission denied by user input=null")
    }

    @Test func bypassLevelAllowsWithoutAsking() async {
        let permissions = PermissionRecorder(.deny)
        let adapter = make("permission", level: .interactive, handler: permissions.handler)
        await adapter.setPermissionLevel(.bypass)
        let outcome = await adapter.send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        #expect(outcome.fullContent?.hasPrefix("behavior=allow") == true)
        #expect(await permissions.asks.isEmpty)
    }

    @Test func hookCallbackBecomesChunkAndContinues() async {
        let recorder = ChunkRecorder()
        let outcome = await make("hooks").send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: recorder.sink)
        #expect(outcome.fullContent == "hook continue=True id=hook_SubagentStart")
        let first = await recorder.chunks.first
        #expect(first?.content == "[Subagent started: x]")
        #expect(first?.metadata["hookEvent"] == "SubagentStart")
    }

    @Test func mcpMessagesReachTheAgentIMServer() async {
        let outcome = await make("mcp").send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        #expect(outcome.fullContent == "send_message,request_reply,get_room_messages,list_room_members")
    }

    @Test func extrasMapToMetadataChunks() async {
        let recorder = ChunkRecorder()
        let outcome = await make("extras").send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: recorder.sink)
        #expect(outcome.fullContent == "ok")
        let chunks = await recorder.chunks
        #expect(chunks[0].content == "[Rate limit rejected: five_hour, resets at 2023-11-14T22:13:20Z]")
        #expect(chunks[0].metadata["rateLimit"] == "true")
        #expect(chunks[1].content == "" && chunks[1].metadata["promptSuggestion"] == "try this")
        #expect(chunks[2].content == "[Task started: build]" && chunks[2].metadata["taskEvent"] == "started" && chunks[2].metadata["taskId"] == "k1")
    }

    @Test func toolResultsOfUserMessagesAreShown() async {
        let recorder = ChunkRecorder()
        let outcome = await make("usertoolresult").send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: recorder.sink)
        #expect(outcome.fullContent == "done")
        let results = await recorder.chunks.filter { $0.kind == .toolResult }
        #expect(results.map(\.content) == ["a.txt"])
        #expect(results.first?.metadata["toolId"] == "t1")
    }

    /// Two rooms run in parallel; stopping one leaves the other streaming (§27).
    @Test func stopInterruptsOneRoomOnly() async throws {
        let adapter = make("slow")
        let roomA = ChunkRecorder()
        let roomB = ChunkRecorder()
        async let a = adapter.send("a", context: MessageContext(roomId: "A", senderName: ""), onChunk: roomA.sink)
        async let b = adapter.send("b", context: MessageContext(roomId: "B", senderName: ""), onChunk: roomB.sink)
        #expect(await roomA.waitFor { $0.content == "tick " })
        #expect(await roomB.waitFor { $0.content == "tick " })
        let busyA = await adapter.isRoomBusy("A")
        let busyB = await adapter.isRoomBusy("B")
        #expect(busyA && busyB)
        let busyAgain = await adapter.send("again", context: MessageContext(roomId: "A", senderName: ""), onChunk: { _ in })
        #expect(busyAgain.failure == "Agent is already processing a message")
        await adapter.stop(roomKey: "A")
        let resultA = await a
        #expect(resultA.fullContent?.hasPrefix("tick ") == true)
        #expect(await adapter.isRoomBusy("B"))
        let countB = await roomB.chunks.count
        #expect(await roomB.waitForMore(than: countB), "room B keeps streaming after room A's stop")
        await adapter.stop(roomKey: "B")
        #expect(await b.fullContent != nil)
        #expect(await adapter.isRunning == false)
    }

    @Test func slashCommands() async {
        let adapter = make("basic")
        #expect(await adapter.handleSlashCommand("model", args: "", roomKey: "r").message?.contains("(default)") == true)
        #expect(await adapter.handleSlashCommand("think", args: "enabled:10000", roomKey: "r").message == "Thinking mode: enabled:10000")
        #expect(await adapter.handleSlashCommand("effort", args: "extreme", roomKey: "r").success == false)
        #expect(await adapter.handleSlashCommand("turns", args: "3.5", roomKey: "r").success == false)
        #expect(await adapter.handleSlashCommand("budget", args: "", roomKey: "r").message?.contains("(none)") == true)
        #expect(await adapter.handleSlashCommand("nope", args: "", roomKey: "r").message == "Unknown command: nope")
        #expect(await adapter.info(roomKey: "r").slashCommands.count == 13)
        let args = adapter.arguments(room: adapter.settings("r"), level: .interactive, resume: "abc")
        #expect(args.contains("--permission-prompt-tool") && args.contains("--resume=abc") && args.contains("default"))
    }
}
