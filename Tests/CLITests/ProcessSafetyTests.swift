import Foundation
import Testing
@testable import AgentIMCLI

/// §20.1 safe environment, §20.2 redaction, §4 timeout parsing.
@Suite struct ProcessSafetyTests {
    /// Secrets only this suite sets in the test process (unique names: other suites share the process).
    static let parentSecrets: Void = {
        setenv("SECRET_AGENTIM_CLI_TEST", "parent-secret-value-123456", 1)
        setenv("TOKEN_AGENTIM_CLI_TEST", "parent-token-value-654321", 1)
        setenv("AGENTIM_CLI_TEST_PLAIN", "plain-value", 1)
    }()

    @Test func filterRemovesListedKeysAndPrefixes() {
        let base = ["PATH": "/bin", "HOME": "/h", "DATABASE_URL": "pg://x", "OPENAI_API_KEY": "sk-x", "ROUTER_LLM_API_KEY": "k",
                    "SECRET_THING": "s", "GITHUB_TOKEN": "g", "MY_VAR": "ok", "AGENTIM_PASSWORD": "p"]
        let env = SafeEnvironment.build(base: base)
        #expect(env == ["PATH": "/bin", "HOME": "/h", "MY_VAR": "ok"])
    }

    @Test func passEnvWhitelistsButNeverPassableStaysBlocked() {
        let base = ["GITHUB_TOKEN": "g", "ROUTER_LLM_KEY": "r", "JWT_SECRET": "j", "DATABASE_URL": "d", "SESSION_SECRET": "s", "SENTRY_DSN": "x"]
        let env = SafeEnvironment.build(base: base, passEnv: ["GITHUB_TOKEN", "ROUTER_LLM_KEY", "JWT_SECRET", "DATABASE_URL", "SESSION_SECRET", "SENTRY_DSN"])
        #expect(env == ["GITHUB_TOKEN": "g", "ROUTER_LLM_KEY": "r"])
        #expect(SafeEnvironment.refusedPassEnv(["JWT_SECRET", "GITHUB_TOKEN"]) == ["JWT_SECRET"])
    }

    @Test func overlayWinsSoACredentialReachesItsAgent() {
        let env = SafeEnvironment.build(base: ["ANTHROPIC_API_KEY": "parent"], overlay: ["ANTHROPIC_API_KEY": "credential"])
        #expect(env["ANTHROPIC_API_KEY"] == "credential")
    }

    /// A real child of every adapter kind: the parent's secret never arrives, --pass-env lets one through.
    @Test(arguments: ["generic", "claude-code", "codex", "gemini"])
    func secretsNeverReachAChild(type: String) async throws {
        _ = Self.parentSecrets
        let keys = "SECRET_AGENTIM_CLI_TEST,TOKEN_AGENTIM_CLI_TEST,AGENTIM_CLI_TEST_PLAIN"
        let env = ["FAKE_ENV_KEYS": keys, "FAKE_GENERIC_MODE": "env", "FAKE_CLAUDE_MODE": "env", "FAKE_CODEX_MODE": "env", "FAKE_GEMINI_MODE": "env"]
        let options = Fakes.options(env, passEnv: ["TOKEN_AGENTIM_CLI_TEST"])
        let adapter: any AgentAdapter = type == "generic" ? try GenericAdapter(options: options, command: "fake-agent")
                                                          : try AdapterFactory.make(type: type, options: options)
        let outcome = await adapter.send("x", context: MessageContext(roomId: "r1", senderName: ""), onChunk: { _ in })
        await adapter.dispose()
        let text = try #require(outcome.fullContent, "\(outcome)")
        let json = String(text[try #require(text.firstIndex(of: "{"))...])
        let seen = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(seen["SECRET_AGENTIM_CLI_TEST"] is NSNull)
        #expect(seen["TOKEN_AGENTIM_CLI_TEST"] as? String == "parent-token-value-654321")
        #expect(seen["AGENTIM_CLI_TEST_PLAIN"] as? String == "plain-value")
    }

    @Test func withheldSecretValuesAreScrubbedFromChunks() async throws {
        _ = Self.parentSecrets
        // The agent prints the secret it was given by its own credential overlay... and a withheld one it cannot know
        // except by leaking it some other way: the scrubber masks both in every chunk.
        let scrubber = SecretScrubber.forAdapter(Fakes.options(["ANTHROPIC_API_KEY": "sk-ant-credential-0123456789"]))
        #expect(scrubber.scrub("a parent-secret-value-123456 b") == "a •••••• b")
        #expect(scrubber.scrub("key sk-ant-credential-0123456789") == "key ••••••")
        #expect(scrubber.scrub("short abc") == "short abc")
    }

    @Test func redactionExamples() {
        #expect(StderrRedactor.redact("Authorization: some-secret-token") == "Authorization: ••••••")
        #expect(StderrRedactor.redact("/home/john/project") == "/••••/••••/project")
        #expect(StderrRedactor.redact("api_key=mysecretvalue123") == "api_key=••••••")
        #expect(StderrRedactor.redact("Hello world") == "Hello world")
        #expect(StderrRedactor.redact("using sk-abcdefghijklmnopqrstuvwxyz now") == "using sk-•••••• now")
        #expect(StderrRedactor.redact("Bearer abcdefghijklmnopqrstuvwxyz123") == "Bearer ••••••")
    }

    @Test func timeoutParsing() {
        #expect(ProcessTimeouts.fromEnvironment([:]) == ProcessTimeouts(inactivityMs: 300_000, absoluteMs: 900_000))
        #expect(ProcessTimeouts.fromEnvironment(["AGENTIM_PROCESS_TIMEOUT_MS": "10"]).inactivityMs == 30_000)
        #expect(ProcessTimeouts.fromEnvironment(["AGENTIM_PROCESS_TIMEOUT_MS": "99999999"]).inactivityMs == 7_200_000)
        #expect(ProcessTimeouts.fromEnvironment(["AGENTIM_PROCESS_TIMEOUT_MS": "abc"]).inactivityMs == 300_000)
        #expect(ProcessTimeouts.fromEnvironment(["AGENTIM_ABSOLUTE_TIMEOUT_MS": "5"]).absoluteMs == 60_000)
        #expect(ProcessTimeouts.fromEnvironment(["AGENTIM_ABSOLUTE_TIMEOUT_MS": "99999999"]).absoluteMs == 14_400_000)
        #expect(ProcessTimeouts.fromEnvironment(["AGENTIM_ABSOLUTE_TIMEOUT_MS": "99999999"], absoluteCap: nil).absoluteMs == 99_999_999)
    }

    @Test func utf8DecoderHoldsSplitCharacters() {
        var decoder = UTF8ChunkDecoder()
        let bytes = Array("a✓🎉".utf8)
        var text = ""
        for byte in bytes { text += decoder.decode(Data([byte])) }
        #expect(text == "a✓🎉")
    }
}
