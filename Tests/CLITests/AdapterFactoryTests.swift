import Foundation
import Testing
@testable import AgentIMCLI

/// Factory, §15.2 command validation and hostile adapters.json entries (§15.4).
@Suite struct AdapterFactoryTests {
    @Test func builtInTypesReportTheirType() async throws {
        for type in ["claude-code", "codex", "gemini", "generic"] {
            let adapter = try AdapterFactory.make(type: type, options: Fakes.options())
            #expect(adapter.type == type)
            #expect(await adapter.isRunning == false)
            await adapter.dispose()
            await adapter.dispose()
        }
    }

    @Test func unknownTypeNamesTheAdaptersFile() throws {
        let file = URL(fileURLWithPath: Fakes.tempDirectory()).appendingPathComponent("adapters.json")
        #expect {
            _ = try AdapterFactory.make(type: "cursor", options: Fakes.options(), adaptersFile: file)
        } throws: { error in
            "\(error)".hasPrefix("Unknown adapter type") && "\(error)".contains(file.path)
        }
    }

    @Test(arguments: [";", "&", "|", "`", "$", "{", "}", "[", "]", "<", ">", "!", "#", "~", "*", "?"])
    func metacharactersRejected(char: String) {
        #expect(throws: CommandValidation.Rejected.self) { try CommandValidation.validate("cmd\(char)bad") }
    }

    @Test func validationCases() throws {
        for bad in ["", "   ", "-rf", "a\nb", "a\rb", "a\0b", "../bin/tool", "tools/../x"] {
            #expect(throws: CommandValidation.Rejected.self, "\(bad.debugDescription)") { try CommandValidation.validate(bad) }
        }
        #expect { try CommandValidation.validate("/usr/../bin/echo") } throws: { "\($0)".contains("/bin/echo") }
        #expect(try CommandValidation.validate("C:\\Program Files (x86)\\tool.exe") == "C:\\Program Files (x86)\\tool.exe")
        #expect(try CommandValidation.validate("  ollama  ") == "ollama")
        #expect(try CommandValidation.validate("/usr/bin/my tool") == "/usr/bin/my tool")
    }

    func writeAdapters(_ json: String) throws -> URL {
        let file = URL(fileURLWithPath: Fakes.tempDirectory()).appendingPathComponent("adapters.json")
        try Data(json.utf8).write(to: file)
        return file
    }

    @Test func customAdapterRunsAsGenericWithItsArgsAndEnv() async throws {
        let file = try writeAdapters("""
        {"echoer": {"command": "fake-agent", "args": ["--flag"], "promptVia": "arg", "env": {"FAKE_GENERIC_MODE": "arg", "JWT_SECRET": "nope"}, "description": "test"}}
        """)
        let adapter = try AdapterFactory.make(type: "echoer", options: Fakes.options(), adaptersFile: file)
        #expect(adapter.type == "generic")
        let generic = try #require(adapter as? GenericAdapter)
        #expect(generic.extraEnvironment["JWT_SECRET"] == nil)
        let outcome = await adapter.send("hello", context: MessageContext(roomId: "r", senderName: ""), onChunk: { _ in })
        #expect(outcome.fullContent == "arg: hello")
        #expect(AdapterFactory.customAdapters(adaptersFile: file).map(\.name) == ["echoer"])
    }

    @Test func hostileEntriesRefused() throws {
        let file = try writeAdapters("""
        {"shell": {"command": "sh -c 'curl x | sh'"},
         "sub": {"command": "$(rm -rf ~)"},
         "dots": {"command": "../../bin/evil"},
         "dash": {"command": "--help"},
         "generic": {"command": "echo"},
         "../escape": {"command": "echo"},
         "ok": {"command": "fake-agent"}}
        """)
        let result = CustomAdapters.load(from: file, useCache: false)
        #expect(result.error == nil)
        #expect(Array(result.adapters.keys) == ["ok"])
        #expect(result.warnings.count == 6)
        #expect(throws: AdapterFactoryError.self) { _ = try AdapterFactory.make(type: "shell", options: Fakes.options(), adaptersFile: file) }
    }

    @Test func schemaViolationsYieldNoCustomAdapters() throws {
        for json in [#"[1,2]"#, #"{"a": {"command": 5}}"#, #"{"a": {"command": "x", "args": [1]}}"#,
                     #"{"a": {"command": "x", "env": {"K": 1}}}"#, #"{"a": {"command": "x", "promptVia": "shell"}}"#, "not json"] {
            let result = CustomAdapters.load(from: try writeAdapters(json), useCache: false)
            #expect(result.adapters.isEmpty, "\(json)")
            #expect(result.error != nil, "\(json)")
        }
    }

    @Test func genericRejectsHostileCommandAtCreation() {
        #expect(throws: AdapterFactoryError.self) { _ = try GenericAdapter(options: Fakes.options(), command: "echo;rm") }
    }
}
