import Foundation
import Testing
@testable import AgentIMCLI

/// The generic adapter against the fake command (§26.5) as a real child process.
@Suite struct AdapterGenericTests {
    func adapter(_ mode: String, promptVia: CustomAdapterDefinition.PromptVia = .stdin, extra: [String: String] = [:],
                 passEnv: [String] = [], timeouts: ProcessTimeouts? = nil) throws -> GenericAdapter {
        try GenericAdapter(options: Fakes.options(extra.merging(["FAKE_GENERIC_MODE": mode]) { a, _ in a }, passEnv: passEnv, timeouts: timeouts),
                           command: "fake-agent", promptVia: promptVia)
    }

    @Test func stdinPromptBecomesReply() async throws {
        let recorder = ChunkRecorder()
        let prompt = "[From: Alice]\n[Important: Reply in the same language as the user's message.]\n\nHello"
        let outcome = try await adapter("echo").send(prompt, context: MessageContext(roomId: "r1", senderName: "Alice"), onChunk: recorder.sink)
        #expect(outcome.fullContent == "echo: " + prompt)
        #expect(await recorder.texts.joined() == "echo: " + prompt)
    }

    @Test func promptAsLastArgument() async throws {
        let outcome = try await adapter("arg", promptVia: .arg).send("hi there", context: MessageContext(roomId: "r1", senderName: ""), onChunk: { _ in })
        #expect(outcome.fullContent == "arg: hi there")
    }

    @Test func largePromptOnStdinDoesNotBlock() async throws {
        let prompt = String(repeating: "abcdefgh", count: 40_000)   // 320 KB > a pipe buffer
        let outcome = try await adapter("echo").send(prompt, context: MessageContext(roomId: "r1", senderName: ""), onChunk: { _ in })
        #expect(outcome.fullContent?.count == prompt.count + 6)
    }

    @Test func stderrIsRedactedAndReplyCompletes() async throws {
        let recorder = ChunkRecorder()
        let outcome = try await adapter("stderr").send("x", context: MessageContext(roomId: "r1", senderName: ""), onChunk: recorder.sink)
        #expect(outcome.fullContent == "done")
        let errors = await recorder.chunks.filter { $0.kind == .error }.map(\.content)
        #expect(errors == ["token=••••••"])
    }

    @Test func nonZeroExit() async throws {
        let outcome = try await adapter("exit3").send("x", context: MessageContext(roomId: "r1", senderName: ""), onChunk: { _ in })
        #expect(outcome.failure == "Process exited with code 3")
    }

    @Test func inactivityTimeout() async throws {
        let start = ContinuousClock.now
        let outcome = try await adapter("sleep", timeouts: ProcessTimeouts(inactivityMs: 300, absoluteMs: 60_000))
            .send("x", context: MessageContext(roomId: "r1", senderName: ""), onChunk: { _ in })
        #expect(outcome.failure == "Process timed out")
        // Without the timeout the child would sleep 30 s and exit 0; key derivation in parallel
        // credential tests can hold both cooperative threads for seconds, so no tighter bound.
        #expect(ContinuousClock.now - start < .seconds(29))
    }

    @Test func absoluteTimeout() async throws {
        let outcome = try await adapter("sleep", timeouts: ProcessTimeouts(inactivityMs: 60_000, absoluteMs: 400))
            .send("x", context: MessageContext(roomId: "r1", senderName: ""), onChunk: { _ in })
        #expect(outcome.failure?.hasPrefix("Process exceeded absolute timeout (") == true)
    }

    @Test func stopKillsAChildThatIgnoresSigterm() async throws {
        let generic = try adapter("ignoreterm")
        let recorder = ChunkRecorder()
        async let outcome = generic.send("x", context: MessageContext(roomId: "r1", senderName: ""), onChunk: recorder.sink)
        #expect(await recorder.waitFor { $0.content == "stubborn" })
        #expect(await generic.isRunning)
        let start = ContinuousClock.now
        await generic.stop()
        let result = await outcome
        #expect(result.failure == "Process killed by signal")
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .seconds(4.5) && elapsed < .seconds(55))   // the child would sleep 60 s
        #expect(await generic.isRunning == false)
    }

    @Test func responseTooLarge() async throws {
        let outcome = try await adapter("big").send("x", context: MessageContext(roomId: "r1", senderName: ""), onChunk: { _ in })
        #expect(outcome.failure == "Response too large")
    }

    @Test func multibyteCharactersSplitAcrossReads() async throws {
        let outcome = try await adapter("unicode").send("x", context: MessageContext(roomId: "r1", senderName: ""), onChunk: { _ in })
        #expect(outcome.fullContent == "héllo wörld ✓ 🎉")
    }

    @Test func commandNotOnPath() async throws {
        let generic = try GenericAdapter(options: Fakes.options(), command: "no-such-agent-command-xyz")
        let outcome = await generic.send("x", context: MessageContext(roomId: "r1", senderName: ""), onChunk: { _ in })
        #expect(outcome.failure?.contains("no-such-agent-command-xyz") == true)
        #expect(outcome.failure?.contains("not found") == true)
    }

    @Test func busyAdapterRefusesSecondMessage() async throws {
        let generic = try adapter("sleep", timeouts: ProcessTimeouts(inactivityMs: 60_000, absoluteMs: 60_000))
        let recorder = ChunkRecorder()
        async let first = generic.send("x", context: MessageContext(roomId: "r1", senderName: ""), onChunk: recorder.sink)
        #expect(await recorder.waitFor { $0.content == "started" })
        let second = await generic.send("y", context: MessageContext(roomId: "r2", senderName: ""), onChunk: { _ in })
        #expect(second.failure == "Agent is already processing a message")
        await generic.stop()
        #expect(await first.failure == "Process killed by signal")
    }
}
