import AgentIMCLI

// Placeholder until the command layer lands (issue 16).
print("agentim")
