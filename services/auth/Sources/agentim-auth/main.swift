import AgentIMRuntime
import AuthService

await ServiceHost.main(role: "auth", defaultPort: 3001) { runtime in try AuthService(runtime: runtime) }
