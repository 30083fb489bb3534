import AgentIMRuntime
import EdgeService

await ServiceHost.main(role: "edge", defaultPort: 3000) { runtime in try Edge.distributed(runtime: runtime) }
