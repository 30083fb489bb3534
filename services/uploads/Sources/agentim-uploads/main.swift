import AgentIMRuntime
import UploadsService

await ServiceHost.main(role: "uploads", defaultPort: 3004) { runtime in try UploadsService(runtime: runtime) }
