import AgentIMCLI
import ArgumentParser
import Foundation

// The `agentim` command line (agent-cli.md §3): parsing only; the work is in AgentIMCLI.

@main
struct AgentIM: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentim",
        abstract: "Connect AI coding agents on this machine to an AgentIM hub.",
        version: AgentIMVersion.current,
        subcommands: [Login.self, Logout.self, Status.self, Claude.self, Codex.self, Gemini.self, Gateway.self, Daemon.self,
                      List.self, Stop.self, Remove.self, Adapters.self])

    func run() async throws {
        _ = CLICommands().status()
        print("")
        print(AgentIM.helpMessage())
    }
}

func finish(_ code: Int32) throws {
    if code != 0 { throw ExitCode(code) }
}

struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Log in to a hub (password from AGENTIM_PASSWORD or a masked prompt).")
    @Option(name: .shortAndLong, help: "Hub URL, e.g. https://hub.example.com") var server: String?
    @Option(name: .shortAndLong, help: "User name") var username: String?
    func run() async throws { try finish(await CLICommands().login(server: server, username: username)) }
}

struct Logout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Forget the stored login.")
    func run() async throws { try finish(CLICommands().logout()) }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the stored login.")
    func run() async throws { try finish(CLICommands().status()) }
}

struct AgentFlags: ParsableArguments {
    @Argument(help: "Working directory (default: the current directory); `token` manages credentials") var path: String?
    @Option(name: .shortAndLong, help: "Agent name") var name: String?
    @Option(name: .shortAndLong, help: "Credential name or id") var credential: String?
    @Flag(name: .shortAndLong, help: "Bypass permission prompts (the agent may use any tool)") var yes = false
    @Flag(help: "Run in this terminal instead of as a daemon") var foreground = false
    @Option(name: .customLong("pass-env"), help: "Comma-separated environment variables the agent may see") var passEnv: String?
    @Flag(name: .customLong("no-security-warning"), help: "Do not print the security banner") var noSecurityWarning = false

    func run(_ command: String) async throws {
        if path == "token" {
            try finish(CLICommands().token(command: command))
            return
        }
        var options = CLICommands.AgentOptions(command: command)
        options.path = path; options.name = name; options.credential = credential; options.yes = yes
        options.foreground = foreground; options.passEnv = passEnv; options.noSecurityWarning = noSecurityWarning
        try finish(await CLICommands().agent(options))
    }
}

struct Claude: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start a Claude Code agent.")
    @OptionGroup var flags: AgentFlags
    func run() async throws { try await flags.run("claude") }
}

struct Codex: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start a Codex agent.")
    @OptionGroup var flags: AgentFlags
    func run() async throws { try await flags.run("codex") }
}

struct Gemini: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start a Gemini CLI agent.")
    @OptionGroup var flags: AgentFlags
    func run() async throws { try await flags.run("gemini") }
}

struct GatewayFlags: ParsableArguments {
    @Option(name: [.customShort("a"), .customLong("agent")], parsing: .upToNextOption, help: "Agent spec name:type[:workdir] (repeatable)") var agent: [String] = []
    @Flag(name: .shortAndLong, help: "Bypass permission prompts") var yes = false
    @Flag(name: .customLong("no-security-warning"), help: "Do not print the security banner") var noSecurityWarning = false
}

struct Gateway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a gateway hosting several agents.")
    @OptionGroup var flags: GatewayFlags
    @Flag(name: [.customShort("d"), .customLong("detach")], help: "Run as a background daemon") var detach = false
    func run() async throws {
        try finish(await CLICommands().gateway(specs: flags.agent, yes: flags.yes, detach: detach, noSecurityWarning: flags.noSecurityWarning))
    }
}

struct Daemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Same as `gateway` in the foreground.", shouldDisplay: false)
    @OptionGroup var flags: GatewayFlags
    func run() async throws {
        try finish(await CLICommands().gateway(specs: flags.agent, yes: flags.yes, detach: false, noSecurityWarning: flags.noSecurityWarning))
    }
}

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List daemons.", aliases: ["ls"])
    func run() async throws { try finish(CLICommands().list()) }
}

struct Stop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop a daemon.")
    @Argument var name: String
    func run() async throws { try finish(CLICommands().stop(name: name)) }
}

struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Stop a daemon and delete its record (the log stays).")
    @Argument var name: String
    func run() async throws { try finish(CLICommands().remove(name: name)) }
}

struct Adapters: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List custom adapters from ~/.agentim/adapters.json.")
    func run() async throws { try finish(CLICommands().adapters()) }
}

