import Foundation
import Testing
@testable import AgentIMCLI

/// Hub credential frames and hub-spawn resolution (§16.2, §16.3) against a private ~/.agentim.
@Suite struct CredentialRequestsTests {
    @Test func listAddManageAndSpawn() async throws {
        let home = Fakes.tempDirectory("credreq")
        let requests = CredentialRequests(paths: AgentIMPaths(environment: ["HOME": home]))
        #expect { try requests.spawnEnvironment(agentType: "codex", credentialId: nil) } throws: { "\($0)".contains("aim codex token") }

        let added = await requests.answer(.addCredential(AddCredential(requestId: "q1", agentType: "codex", name: "work", mode: "api", apiKey: "sk-codex-0123456789", baseUrl: nil, model: nil)))
        #expect(added?.text.contains(#""success":true"#) == true)
        let bad = await requests.answer(.addCredential(AddCredential(requestId: "q2", agentType: "codex", name: "x", mode: "api", apiKey: "k", baseUrl: "file:///etc", model: nil)))
        #expect(bad?.text.contains(#""success":false"#) == true)

        let list = try #require(await requests.answer(.listCredentials(requestId: "q3", agentType: "codex")))
        #expect(list.text.contains(#""hasApiKey":true"#) && !list.text.contains("sk-codex"))

        let env = try requests.spawnEnvironment(agentType: "codex", credentialId: nil)
        #expect(env["OPENAI_API_KEY"] == "sk-codex-0123456789")

        _ = await requests.answer(.addCredential(AddCredential(requestId: "q4", agentType: "codex", name: "second", mode: "api", apiKey: "k2", baseUrl: nil, model: nil)))
        let id = try #require(CredentialStore(agentType: "codex", paths: AgentIMPaths(environment: ["HOME": home])).find("work")?.id)
        let deleted = await requests.answer(.manageCredential(ManageCredential(requestId: "q5", agentType: "codex", credentialId: id, action: "delete", name: nil)))
        #expect(deleted?.text.contains(#""success":true"#) == true)
        let missing = await requests.answer(.manageCredential(ManageCredential(requestId: "q6", agentType: "codex", credentialId: "nope", action: "set_default", name: nil)))
        #expect(missing?.text.contains("Credential not found") == true)
        #expect(try requests.spawnEnvironment(agentType: "codex", credentialId: nil)["OPENAI_API_KEY"] == "k2")
        #expect { try requests.spawnEnvironment(agentType: "codex", credentialId: "unknown-id") } throws: { "\($0)" == "CREDENTIAL_SELECTION_REQUIRED" }
    }
}
