import AgentIMCore
import AgentIMRuntime
import ArgumentParser
import Logging
import SingleProcessHub

/// `agentim-server [serve]`, `agentim-server migrate`, `agentim-server reencrypt`, `agentim-server vapid-keys`.
@main
struct AgentIMServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentim-server",
        abstract: "The AgentIM hub in one process.",
        subcommands: [Serve.self, Migrate.self, Reencrypt.self, VapidKeys.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the hub (the default).")

    func run() async {
        await ServiceHost.main(role: "server", defaultPort: 3000) { runtime in try SingleProcessHub(runtime: runtime) }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the database schema and exit.")

    func run() async {
        let config = ServiceHost.loadConfig(role: "server", defaultPort: 3000)
        do {
            print(try await HubMaintenance.migrate(config: config, logger: Logger(label: "agentim.server")))
        } catch {
            ServiceHost.fail(error)
        }
    }
}

struct Reencrypt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Re-encrypt stored secrets from ENCRYPTION_KEY_PREVIOUS to ENCRYPTION_KEY.")

    func run() async {
        let config = ServiceHost.loadConfig(role: "server", defaultPort: 3000)
        do {
            print(try await HubMaintenance.reencrypt(config: config, environment: .process, logger: Logger(label: "agentim.server")))
        } catch {
            ServiceHost.fail(error)
        }
    }
}
