import AgentIMHTTP

extension Runtime {
    /// The identity middleware of a service in this process: its tokens, the `trust.proxy`
    /// setting, and whether the process sits behind an edge (every role but `server`).
    public func identityMiddleware(roleOf: RoleLookup? = nil) -> IdentityMiddleware {
        let settings = self.settings
        return IdentityMiddleware(tokens: tokens, roleOf: roleOf, trustProxy: { settings.bool("trust.proxy") },
                                  behindEdge: config.processRole != "server")
    }
}
