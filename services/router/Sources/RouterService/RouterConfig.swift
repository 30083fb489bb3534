import AgentIMCore

/// The router service's own environment (data-config-security §2.2), read once at start.
public struct RouterConfig: Sendable {
    /// `ROUTER_LLM_MAX_AGENTS`: candidates sent to the LLM at most (parseInt or 20, min 1).
    public var maxAgents: Int
    /// `ROUTER_ALLOW_PRIVATE_URLS=true` lets routers point at loopback and private networks
    /// (a local LLM in development and tests). Refused in production: it turns the SSRF
    /// guard off for every user who can create a router.
    public var allowPrivateURLs: Bool
    /// How long the circuit breaker stays open (`ROUTER_BREAKER_OPEN_MS`, default 60 s);
    /// shortened only by tests.
    public var breakerOpenMs: Int
    /// Service agents' status polling (`SERVICE_AGENT_POLL_INTERVAL_MS`, `SERVICE_AGENT_MAX_WAIT_MS`):
    /// unset, each provider's own interval and total bound; shortened only by tests.
    public var serviceAgentPollMs: Int?
    public var serviceAgentMaxWaitMs: Int?

    public init(environment env: Environment, production: Bool) throws {
        let parsedMax = env.int("ROUTER_LLM_MAX_AGENTS", default: 20)
        maxAgents = parsedMax == 0 ? 20 : max(parsedMax, 1)
        allowPrivateURLs = env.bool("ROUTER_ALLOW_PRIVATE_URLS", default: false)
        breakerOpenMs = env.int("ROUTER_BREAKER_OPEN_MS", default: 60_000, clamp: 100...3_600_000)
        let pollMs = env.int("SERVICE_AGENT_POLL_INTERVAL_MS", default: 0, clamp: 0...600_000)
        serviceAgentPollMs = pollMs > 0 ? max(pollMs, 50) : nil
        let waitMs = env.int("SERVICE_AGENT_MAX_WAIT_MS", default: 0, clamp: 0...3_600_000)
        serviceAgentMaxWaitMs = waitMs > 0 ? max(waitMs, 100) : nil
        if production && allowPrivateURLs {
            throw ConfigError("ROUTER_ALLOW_PRIVATE_URLS=true is for development only; it is refused when NODE_ENV=production (it disables the SSRF guard on router URLs)")
        }
    }
}
