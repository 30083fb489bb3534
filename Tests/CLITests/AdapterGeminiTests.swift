import Foundation
import Testing
@testable import AgentIMCLI

/// The Gemini adapter against the fake headless `gemini` (§26.4) as a real child process.
@Suite struct AdapterGeminiTests {
    func make(_ mode: String, workDir: String? = nil, extra: [String: String] = [:], level: PermissionLevel = .bypass) -> GeminiAdapter {
        GeminiAdapter(options: Fakes.options(extra.merging(["FAKE_GEMINI_MODE": mode]) { a, _ in a }, workDir: workDir, level: level))
    }

    @Test func basicMapping() async throws {
        let dir = Fakes.tempDirectory("gemini")
        let adapter = make("basic", workDir: dir, extra: ["FAKE_ARGS_FILE": dir + "/args.jsonl"])
        let recorder = ChunkRecorder()
        let outcome = await adapter.send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: recorder.sink)
        #expect(outcome.fullContent == "Hello")
        let chunks = await recorder.chunks
        #expect(chunks.map(\.kind) == [.text, .text, .toolUse, .toolResult, .toolUse, .toolResult])
        #expect(chunks[0].content == "Hel" && chunks[1].content == "lo")
        #expect(chunks[2].metadata == ["toolName": "read_file", "toolId": "r1"])
        #expect(chunks[3].content == "data")
        #expect(chunks[5].content == "Error: boom")
        // The next message resumes the stored session.
        _ = await adapter.send("again", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        let runs = try String(contentsOfFile: dir + "/args.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(runs[0].contains(#""--approval-mode", "yolo""#))
        #expect(!runs[0].contains(#""-r""#))
        #expect(runs[1].contains(#""-r", "g-1""#))
    }

    @Test func interactiveRunsWithDefaultApprovalMode() async throws {
        let dir = Fakes.tempDirectory("gemini")
        _ = await make("basic", workDir: dir, extra: ["FAKE_ARGS_FILE": dir + "/args.jsonl"], level: .interactive)
            .send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        #expect(try String(contentsOfFile: dir + "/args.jsonl", encoding: .utf8).contains(#""--approval-mode", "default""#))
    }

    @Test func errorLineIsNonFatal() async {
        let recorder = ChunkRecorder()
        let outcome = await make("warn").send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: recorder.sink)
        #expect(outcome.fullContent == "Hello")
        #expect(await recorder.chunks.first == AgentChunk(.error, "warn"))
    }

    @Test func exitCodes() async {
        let one = await make("exit1").send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        #expect(one.failure?.hasPrefix("Gemini CLI failed (exit code 1)") == true)
        #expect(one.failure?.contains("[stderr]: API error: quota") == true)
        let turns = await make("exit53").send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        #expect(turns.failure?.contains("turns") == true)
    }

    @Test func largePromptGoesOnStdin() async {
        let prompt = String(repeating: "p", count: 150_000)
        let outcome = await make("echo").send(prompt, context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        #expect(outcome.fullContent == prompt)
    }

    @Test func staleSessionRetriedWithoutResume() async throws {
        let dir = Fakes.tempDirectory("gemini")
        try FileManager.default.createDirectory(atPath: dir + "/.gemini", withIntermediateDirectories: true)
        try Data(#"{"r":"old"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/.gemini/.agentim-sessions.json"))
        let outcome = await make("basic", workDir: dir, extra: ["FAKE_GEMINI_STALE": "1"])
            .send("hi", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        #expect(outcome.fullContent == "Hello")
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
        await adapter.stop(roomKey: "B")
        #expect(await b.fullContent != nil)
    }

    @Test func slashCommands() async {
        let adapter = make("basic")
        #expect(GeminiAdapter.slashCommands.count == 6)
        #expect(await adapter.handleSlashCommand("compact", args: "", roomKey: "r").message == "No active session to compact")
        #expect(await adapter.handleSlashCommand("think", args: "high", roomKey: "r").success)
        #expect(await adapter.handleSlashCommand("plan", args: "on", roomKey: "r").message == "Plan mode: on")
    }
}
