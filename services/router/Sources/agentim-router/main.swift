import AgentIMRuntime
import RouterService

await ServiceHost.main(role: "router", defaultPort: 3003) { runtime in try RouterService(runtime: runtime) }
