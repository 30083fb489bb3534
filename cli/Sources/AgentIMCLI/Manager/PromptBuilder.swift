/// The prompt an agent receives (agent-cli.md §10.5; the strings are pinned by tests).
public enum PromptBuilder {
    public static let maxLength = 200_000

    public static func build(content: String, context: MessageContext, agentId: String, agentName: String, adapterType: String) -> String {
        var parts: [String] = []
        if let system = context.roomContext?.systemPrompt, !system.isEmpty {
            parts.append("[System: \(system)]")
        }
        if context.routingMode == "broadcast", let room = context.roomContext {
            let others = room.members.filter { $0.id != agentId }
            if !others.isEmpty {
                let lines = others.map { member -> String in
                    var fields = [member.name]
                    if member.type == "user" {
                        fields.append("(user)")
                    } else if member.type == "agent" {
                        fields.append(member.agentType.map { "(agent: \($0))" } ?? "(agent)")
                        if let caps = member.capabilities, !caps.isEmpty { fields.append("capabilities: [\(caps.joined(separator: ", "))]") }
                    }
                    if let role = member.roleDescription, !role.isEmpty { fields.append("role: \(role)") }
                    if let status = member.status, !status.isEmpty { fields.append("status: \(status)") }
                    return "  - " + fields.joined(separator: ", ")
                }
                parts.append("[Room \"\(room.roomName)\" — this message is broadcast to all agents. You are \"\(agentName)\" (agent: \(adapterType)). Room members:\n"
                             + lines.joined(separator: "\n") + "]")
            }
        }
        if !context.senderName.isEmpty {
            parts.append("[From: \(context.senderName)]\n[Important: Reply in the same language as the user's message.]")
        }
        parts.append(content)
        let prompt = parts.joined(separator: "\n\n")
        // Lengths count UTF-16 code units, as the original's string length does.
        if prompt.utf16.count > maxLength {
            return String(decoding: Array(prompt.utf16.prefix(maxLength)), as: UTF16.self) + "\n\n[...truncated]"
        }
        return prompt
    }
}
