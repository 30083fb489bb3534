// The wire types (JSONValue, client and gateway frames) live in AgentIMWire, which the
// `agentim` CLI shares; every service sees them through AgentIMCore.
@_exported import AgentIMWire
