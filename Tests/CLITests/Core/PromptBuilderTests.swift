import Testing
@testable import AgentIMCLI

@Suite struct PromptBuilderTests {
    func build(_ content: String, _ context: MessageContext) -> String {
        PromptBuilder.build(content: content, context: context, agentId: "me", agentName: "Coder", adapterType: "claude-code")
    }

    @Test func noContextLeavesContentUnchanged() {
        #expect(build("Hello", MessageContext(roomId: "r", senderName: "")) == "Hello")
    }

    @Test func senderOnly() {
        #expect(build("Hello", MessageContext(roomId: "r", senderName: "Alice"))
                == "[From: Alice]\n[Important: Reply in the same language as the user's message.]\n\nHello")
    }

    @Test func systemPromptAndBroadcastRoster() {
        let room = RoomContext(roomId: "r", roomName: "Dev", systemPrompt: "Be brief", members: [
            .init(id: "me", name: "Coder", type: "agent", agentType: "claude-code"),
            .init(id: "u1", name: "Alice", type: "user", roleDescription: "lead"),
            .init(id: "a2", name: "Reviewer", type: "agent", agentType: "codex", capabilities: ["review", "test"], status: "online"),
            .init(id: "a3", name: "Bot", type: "agent"),
        ])
        let prompt = build("Go", MessageContext(roomId: "r", senderName: "Alice", routingMode: "broadcast", roomContext: room))
        #expect(prompt == """
        [System: Be brief]

        [Room "Dev" — this message is broadcast to all agents. You are "Coder" (agent: claude-code). Room members:
          - Alice, (user), role: lead
          - Reviewer, (agent: codex), capabilities: [review, test], status: online
          - Bot, (agent)]

        [From: Alice]
        [Important: Reply in the same language as the user's message.]

        Go
        """)
    }

    @Test func directModeHasNoRoster() {
        let room = RoomContext(roomId: "r", roomName: "Dev", members: [.init(id: "u1", name: "Alice", type: "user")])
        #expect(build("Go", MessageContext(roomId: "r", senderName: "", routingMode: "direct", roomContext: room)) == "Go")
        // Broadcast with only this agent in the room: no roster either.
        let alone = RoomContext(roomId: "r", roomName: "Dev", members: [.init(id: "me", name: "Coder", type: "agent")])
        #expect(build("Go", MessageContext(roomId: "r", senderName: "", routingMode: "broadcast", roomContext: alone)) == "Go")
    }

    @Test func longPromptsAreCut() {
        let prompt = build(String(repeating: "x", count: 250_000), MessageContext(roomId: "r", senderName: ""))
        #expect(prompt.count == 200_000 + "\n\n[...truncated]".count)
        #expect(prompt.hasSuffix("\n\n[...truncated]"))
    }
}

@Suite struct AgentSpecTests {
    @Test func specsSplitAtTheFirstTwoColons() {
        #expect(AgentSpecParser.parse("claude:claude-code:/srv/app") == .init(name: "claude", type: "claude-code", workingDirectory: "/srv/app"))
        #expect(AgentSpecParser.parse("bot:generic") == .init(name: "bot", type: "generic", workingDirectory: nil))
        #expect(AgentSpecParser.parse("bot:claude-code:") == .init(name: "bot", type: "claude-code", workingDirectory: nil))
        #expect(AgentSpecParser.parse("w:claude-code:C:\\repo") == .init(name: "w", type: "claude-code", workingDirectory: "C:\\repo"))
        #expect(AgentSpecParser.parse("w:x:\\repo") == .init(name: "w", type: "x:\\repo", workingDirectory: nil))
        #expect(AgentSpecParser.parse("nocolon") == nil)
        #expect(AgentSpecParser.parse(":generic") == nil)
    }

    @Test func generatedNames() {
        let name = AgentNameGenerator.make(workDir: "/home/u/my project!", type: "claude-code", hostname: "Mac.local")
        let parts = name.split(separator: "_")
        #expect(parts.count == 4)
        #expect(parts[0] == "Mac")
        #expect(parts[1] == "myproject")
        #expect(parts[2] == "claude-code")
        #expect(parts[3].count == 4 && parts[3].allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(AgentNameGenerator.make(workDir: nil, type: "codex", hostname: "h").contains("_default_"))
        #expect(AgentNameGenerator.make(workDir: nil, type: "codex") != AgentNameGenerator.make(workDir: nil, type: "codex") ||
                AgentNameGenerator.make(workDir: nil, type: "codex") != AgentNameGenerator.make(workDir: nil, type: "codex"))
    }

    @Test func daemonNamesAreFileNameSafe() {
        #expect(DaemonStore.isValidName("my-agent_1.x"))
        #expect(!DaemonStore.isValidName("../x"))
        #expect(!DaemonStore.isValidName(".hidden"))
        #expect(!DaemonStore.isValidName("a/b"))
        #expect(!DaemonStore.isValidName(""))
    }
}
