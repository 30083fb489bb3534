import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import Hummingbird

/// LLM routing of broadcast-mode messages and router configurations. This part of the hub
/// takes its place in the topology (process, health, proxying through the edge); its
/// routes and bus consumers arrive with the agents-and-routing work.
public struct RouterService: Sendable {
    let runtime: Runtime

    public init(runtime: Runtime) throws {
        guard runtime.database != nil else { throw ConfigError("the router service needs DATABASE_URL") }
        self.runtime = runtime
    }

    /// Mounts `/api/routers/*` and `/api/service-agents/*`; none are defined yet, so those
    /// paths answer the JSON 404 of unknown routes.
    public func addRoutes(to router: Router<HubRequestContext>) {}
}
