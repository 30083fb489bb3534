import AgentIMRuntime
import RoomsService

await ServiceHost.main(role: "rooms", defaultPort: 3002) { runtime in try RoomsService(runtime: runtime) }
