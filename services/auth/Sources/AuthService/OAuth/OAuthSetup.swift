import AgentIMCore
import AgentIMDatabase
import AgentIMRuntime
import Logging
import ServiceLifecycle

/// The OAuth pieces of one auth process: provider endpoints (checked at start), the state
/// store (Redis when the process has it, else memory with its sweep), the provider client
/// and `oauth_accounts`.
struct OAuthSetup: Sendable {
    let endpoints: OAuthEndpoints
    let states: any OAuthStateStore
    let memoryStates: MemoryOAuthStateStore?
    let client: OAuthProviderClient
    let accounts: OAuthAccountStore

    init(runtime: Runtime, database: Database, environment: Environment = .process) throws {
        endpoints = try OAuthEndpoints(environment: environment)
        if let redis = runtime.redis {
            states = RedisOAuthStateStore(redis: redis)
            memoryStates = nil
        } else {
            let memory = MemoryOAuthStateStore()
            states = memory
            memoryStates = memory
        }
        client = OAuthProviderClient(endpoints: endpoints)
        accounts = OAuthAccountStore(database: database, secrets: runtime.secrets)
    }

    /// Drops expired in-memory states every 2 minutes (nothing to do with Redis, whose keys expire).
    func sweeper(logger: Logger) -> (any Service)? {
        guard let memoryStates else { return nil }
        return StateSweeper(store: memoryStates, logger: logger)
    }

    struct StateSweeper: Service {
        let store: MemoryOAuthStateStore
        let logger: Logger
        func run() async throws {
            await PeriodicJob.run(firstRun: OAuthStates.sweepInterval, interval: OAuthStates.sweepInterval, logger: logger,
                                  name: "OAuth state sweep") { store.sweep() }
        }
    }
}
