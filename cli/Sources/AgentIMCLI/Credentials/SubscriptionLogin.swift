import Foundation

/// Interactive subscription login (§16.6): the agent's own login command, stdio inherited, with
/// HOME pointed at a fresh temporary directory; the auth file it leaves is the credential's data.
public enum SubscriptionLogin {
    static func command(agentType: String) -> [String]? {
        switch agentType {
        case "claude-code": return ["claude", "setup-token"]
        case "codex": return ["codex", "login"]
        case "gemini": return ["gemini", "-p", "respond with OK"]
        default: return nil
        }
    }

    /// Blocking: meant for the terminal command, never for the gateway's event loops.
    public static func run(agentType: String) throws -> String {
        guard let argv = command(agentType: agentType) else { throw CLIError("Subscription login is not available for \(agentType)") }
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-login-\(agentType)-\(NanoID.make(length: 6))")
        try AgentIMPaths.makePrivateDirectory(temp)
        defer { try? FileManager.default.removeItem(at: temp) }
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = temp.path
        if agentType == "gemini" {
            env["GEMINI_CLI_HOME"] = temp.path
            env["GEMINI_FORCE_FILE_STORAGE"] = "true"
            let settings = temp.appendingPathComponent(".gemini/settings.json")
            try AgentIMPaths.makePrivateDirectory(settings.deletingLastPathComponent())
            try AgentIMPaths.writePrivate(Data(#"{"security":{"auth":{"selectedType":"oauth-personal"}}}"#.utf8), to: settings)
        }
        guard let executable = ExecutableLocator.resolve(argv[0], environment: env) else {
            throw ChildProcessError.notFound(argv[0])
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        process.environment = env
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIError("Login process exited with code \(process.terminationStatus)") }
        guard let data = CredentialEnvironment.captureAuthData(agentType: agentType, home: temp) else {
            throw CLIError("Login finished but no credentials were found in \(CredentialEnvironment.authFileRelativePath(agentType: agentType) ?? "the login home")")
        }
        return data
    }
}
