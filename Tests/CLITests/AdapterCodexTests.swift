import Foundation
import Testing
@testable import AgentIMCLI

/// The Codex adapter against the fake `codex app-server` (§26.3) as a real child process.
@Suite struct AdapterCodexTests {
    func make(_ mode: String, workDir: String? = nil, extra: [String: String] = [:], level: PermissionLevel = .bypass,
              handler: PermissionHandler? = nil) -> CodexAdapter {
        CodexAdapter(options: Fakes.options(extra.merging(["FAKE_CODEX_MODE": mode]) { a, _ in a }, workDir: workDir, level: level, handler: handler))
    }

    @Test func basicTurnMapping() async throws {
        let dir = Fakes.tempDirectory("codex")
        let adapter = make("basic", workDir: dir, extra: ["FAKE_ARGS_FILE": dir + "/rpc.jsonl"])
        let recorder = ChunkRecorder()
        let outcome = await adapter.send("hi", context: MessageContext(roomId: "r1", senderName: ""), onChunk: recorder.sink)
        await adapter.dispose()
        #expect(outcome.fullContent == "Hi there")
        let chunks = await recorder.chunks
        #expect(chunks.map(\.kind) == [.toolUse, .toolResult, .text, .text])
        #expect(chunks.map(\.content) == ["$ ls", "a.txt\n", "Hi ", "there"])
        #expect(chunks[0].metadata == ["toolName": "command", "toolId": "c1"])
        let threads = try Data(contentsOf: URL(fileURLWithPath: dir + "/.codex/.agentim-threads.json"))
        #expect((try JSONSerialization.jsonObject(with: threads) as? [String: String])?["r1"] == "thr_1")
        let rpc = try String(contentsOfFile: dir + "/rpc.jsonl", encoding: .utf8)
        #expect(rpc.contains(#""method": "initialized""#))
        #expect(rpc.contains(#""approvalPolicy": "never""#))
        #expect(rpc.contains("[AgentIM Room Communication]"))
        #expect(await adapter.info(roomKey: "r1").cost.inputTokens == 7)
    }

    @Test(arguments: [(PermissionDecision.allow, "accept,accept", 2), (.allowAlways, "acceptForSession,accept", 1), (.deny, "cancel", 1)])
    func approvals(decision: PermissionDecision, expected: String, asks: Int) async {
        let permissions = PermissionRecorder(decision)
        let adapter = make("approval", level: .interactive, handler: permissions.handler)
        let outcome = await adapter.send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        await adapter.dispose()
        #expect(outcome.fullContent == "decisions=\(expected)")
        let recorded = await permissions.asks
        #expect(recorded.count == asks)
        #expect(recorded.first?.toolName == "Bash")
        #expect(recorded.first?.toolInputJSON.contains("rm -rf x") == true)
    }

    @Test func fileChangeApprovalAndResult() async {
        let permissions = PermissionRecorder(.allow)
        let recorder = ChunkRecorder()
        let adapter = make("filechange", level: .interactive, handler: permissions.handler)
        let outcome = await adapter.send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: recorder.sink)
        await adapter.dispose()
        #expect(outcome.fullContent == "decision=accept")
        #expect(await permissions.asks.first?.toolName == "Write")
        #expect(await recorder.chunks.first { $0.kind == .toolResult }?.content == "add: x")
    }

    @Test func crashMidTurnEndsWithAnError() async {
        let adapter = make("crash")
        let outcome = await adapter.send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        #expect(outcome.failure == "Codex app-server exited (code=7)")
        #expect(await adapter.isRunning == false)
    }

    @Test func storedThreadIsResumedOrReplaced() async throws {
        let dir = Fakes.tempDirectory("codex")
        try FileManager.default.createDirectory(atPath: dir + "/.codex", withIntermediateDirectories: true)
        try Data(#"{"r":"thr_old"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/.codex/.agentim-threads.json"))
        let resumed = make("basic", workDir: dir)
        #expect(await resumed.send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in }).fullContent == "Hi there")
        await resumed.dispose()
        let replaced = make("basic", workDir: dir, extra: ["FAKE_CODEX_RESUME_FAIL": "1"])
        #expect(await replaced.send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in }).fullContent == "Hi there")
        await replaced.dispose()
        let threads = try Data(contentsOf: URL(fileURLWithPath: dir + "/.codex/.agentim-threads.json"))
        #expect((try JSONSerialization.jsonObject(with: threads) as? [String: String])?["r"] == "thr_1")
    }

    @Test func stopInterruptsOneRoomOnly() async throws {
        let adapter = make("slow")
        let roomA = ChunkRecorder()
        let roomB = ChunkRecorder()
        async let a = adapter.send("a", context: MessageContext(roomId: "A", senderName: ""), onChunk: roomA.sink)
        async let b = adapter.send("b", context: MessageContext(roomId: "B", senderName: ""), onChunk: roomB.sink)
        #expect(await roomA.waitFor { $0.content == "tick " })
        #expect(await roomB.waitFor { $0.content == "tick " })
        await adapter.stop(roomKey: "A")
        #expect(await a.fullContent?.hasPrefix("tick ") == true)
        let countB = await roomB.chunks.count
        #expect(await roomB.waitForMore(than: countB), "room B keeps streaming after room A's stop")
        #expect(await adapter.isRoomBusy("B"))
        await adapter.stop(roomKey: "B")
        #expect(await b.fullContent != nil)
        await adapter.dispose()
    }

    @Test func slashCommands() async {
        let adapter = make("basic")
        #expect(await adapter.handleSlashCommand("model", args: "", roomKey: "r").message == "Current model: codex-mini-latest")
        #expect(await adapter.handleSlashCommand("effort", args: "xhigh", roomKey: "r").success)
        #expect(await adapter.handleSlashCommand("effort", args: "max", roomKey: "r").success == false)
        #expect(await adapter.handleSlashCommand("network", args: "", roomKey: "r").message == "Network access: (default)")
        #expect(await adapter.handleSlashCommand("clear", args: "", roomKey: "r").message == "Thread cleared")
        #expect(await adapter.handleSlashCommand("bogus", args: "", roomKey: "r").message == "Unknown command: bogus")
        #expect(CodexAdapter.slashCommands.count == 8)
    }
}
