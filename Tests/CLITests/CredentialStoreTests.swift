import Foundation
import Testing
@testable import AgentIMCLI

/// §16 credential store on disk, §16.4 environment, §16.3 selection.
@Suite struct CredentialStoreTests {
    func store(_ type: String = "claude-code") throws -> (CredentialStore, URL) {
        let root = URL(fileURLWithPath: Fakes.tempDirectory("creds")).appendingPathComponent(".agentim")
        return (try CredentialStore(agentType: type, root: root, box: SecretBox(material: "host:user:/home/test", machineId: "m1")), root)
    }

    @Test func fileModeAndEncryptionOnDisk() throws {
        let (store, root) = try store()
        try store.add(name: "work-api", mode: .api, apiKey: "sk-ant-supersecret-0123456789", baseUrl: "https://api.example.com")
        let attributes = try FileManager.default.attributesOfItem(atPath: store.fileURL.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let dirAttributes = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("agents").path)
        #expect((dirAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let text = try String(contentsOf: store.fileURL, encoding: .utf8)
        #expect(!text.contains("supersecret"))
        #expect(text.contains("\"version\" : 2"))
        #expect(text.contains("https://api.example.com"))
        #expect(store.list().first?.apiKey == "sk-ant-supersecret-0123456789")
        // Another machine's key cannot read it: the entry is skipped, not an error.
        let other = try CredentialStore(agentType: "claude-code", root: root, box: SecretBox(material: "other:user:/home/x", machineId: nil))
        #expect(other.list().isEmpty)
    }

    @Test func defaultRulesFindAndResolve() throws {
        let (store, _) = try store()
        let first = try store.add(name: "Work", mode: .api, apiKey: "k1")
        #expect(first.isDefault)
        let second = try store.add(name: "home", mode: .api, apiKey: "k2", isDefault: true)
        #expect(store.list().filter(\.isDefault).map(\.id) == [second.id])
        #expect(store.find("work")?.id == first.id)
        #expect(store.find(String(second.id.prefix(6)))?.id == second.id)
        #expect(store.find("nobody") == nil)
        #expect(store.resolve(id: nil)?.id == second.id)
        #expect(store.resolve(id: "unknown") == nil)
        #expect(try store.remove(id: second.id))
        #expect(store.list().first?.isDefault == true)
        #expect(try store.remove(id: "missing") == false)
        #expect(try store.update(id: first.id, name: "Renamed", baseUrl: "https://x"))
        #expect(store.list().first?.name == "Renamed")
        #expect(store.safeViews().first?.hasApiKey == true)
    }

    @Test func legacyFileIsMigrated() throws {
        let (store, _) = try store("codex")
        let box = SecretBox(material: "host:user:/home/test", machineId: "m1")
        try FileManager.default.createDirectory(at: store.fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(#"{"mode":"api","apiKey":"\#(box.encrypt("old-key"))","model":"o4"}"#.utf8).write(to: store.fileURL)
        let list = store.list()
        #expect(list.count == 1)
        #expect(list.first?.name == "default" && list.first?.isDefault == true && list.first?.apiKey == "old-key")
        #expect(try String(contentsOf: store.fileURL, encoding: .utf8).contains("\"version\" : 2"))
    }

    @Test func hostileAgentTypeRefused() {
        #expect(throws: (any Error).self) { _ = try CredentialStore(agentType: "../config", root: URL(fileURLWithPath: "/tmp"), box: SecretBox(material: "a", machineId: nil)) }
    }

    @Test func environmentPerType() throws {
        let (store, root) = try store()
        let api = try store.add(name: "a", mode: .api, apiKey: "key-1", baseUrl: "https://b", model: "m")
        #expect(try CredentialEnvironment.environment(agentType: "claude-code", credential: api, root: root)
                == ["ANTHROPIC_API_KEY": "key-1", "ANTHROPIC_BASE_URL": "https://b", "ANTHROPIC_MODEL": "m"])
        #expect(try CredentialEnvironment.environment(agentType: "codex", credential: api, root: root)
                == ["OPENAI_API_KEY": "key-1", "CODEX_API_KEY": "key-1", "OPENAI_BASE_URL": "https://b", "CODEX_MODEL": "m"])
        #expect(try CredentialEnvironment.environment(agentType: "other", credential: api, root: root) == [:])
        let sub = try store.add(name: "s", mode: .subscription, oauthData: #"{"token":"t"}"#)
        let env = try CredentialEnvironment.environment(agentType: "gemini", credential: sub, root: root)
        #expect(env["GOOGLE_GENAI_USE_GCA"] == "true")
        let home = try #require(env["GEMINI_CLI_HOME"])
        #expect(try String(contentsOfFile: home + "/.gemini/oauth_creds.json", encoding: .utf8) == #"{"token":"t"}"#)
        #expect(CredentialEnvironment.captureAuthData(agentType: "gemini", home: URL(fileURLWithPath: home)) == #"{"token":"t"}"#)
        var empty = sub
        empty.oauthData = nil
        #expect { try CredentialEnvironment.environment(agentType: "claude-code", credential: empty, root: root) } throws: { "\($0)".contains("OAuth data") }
    }

    final class ScriptedPrompter: CredentialPrompter, @unchecked Sendable {
        var answers: [String]
        var said: [String] = []
        init(_ answers: [String]) { self.answers = answers }
        func say(_ text: String) { said.append(text) }
        func ask(_ question: String) -> String? { answers.isEmpty ? nil : answers.removeFirst() }
        func askSecret(_ question: String) -> String? { ask(question) }
    }

    @Test func interactiveManagerAddsRenamesAndMasks() throws {
        let (store, root) = try store()
        // Add an API key, add a second, set default, exit.
        let prompter = ScriptedPrompter(["1", "1", "sk-ant-0123456789abcd", "", "", "first",
                                         "1", "1", "short", "", "", "second",
                                         "4", "2", "5"])
        try CredentialManager(store: store, prompter: prompter, root: root, login: { _ in "{}" }).run()
        let list = store.list()
        #expect(list.map(\.name) == ["first", "second"])
        #expect(list.first { $0.isDefault }?.name == "second")
        #expect(prompter.said.contains { $0.contains("sk-••••abcd") })
        #expect(prompter.said.contains { $0.contains("second (api) ••••") })
    }

    @Test func selectionRules() throws {
        let (store, root) = try store()
        let manager = CredentialManager(store: store, prompter: ScriptedPrompter(["2", "sub"]), root: root, login: { _ in #"{"oauth":1}"# })
        let added = try manager.select(query: nil)       // none → interactive add (subscription login)
        #expect(added.mode == .subscription && added.oauthData == #"{"oauth":1}"#)
        #expect(try manager.select(query: nil).id == added.id)
        #expect { try manager.select(query: "missing") } throws: { "\($0)".contains("agentim claude token") }
    }
}
