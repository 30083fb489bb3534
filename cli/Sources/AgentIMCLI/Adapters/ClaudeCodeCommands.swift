import Foundation

/// Slash commands of the Claude adapter (§12.8), per room.
extension ClaudeCodeAdapter {
    public func handleSlashCommand(_ command: String, args rawArgs: String, roomKey: String?) async -> CommandResult {
        let room = roomKey ?? "__global__"
        let args = rawArgs.trimmingCharacters(in: .whitespaces)
        let current = settings(room)
        switch command {
        case "clear":
            sessions.set(room, nil)
            return CommandResult(success: true, message: "Session cleared")
        case "compact":
            sessions.set(room, nil)
            return CommandResult(success: true, message: "Session compacted (reset)")
        case "model":
            if args.isEmpty { return CommandResult(success: true, message: "Current model: \(model(for: current) ?? "(default)")") }
            updateSettings(room) { $0.model = args }
            return CommandResult(success: true, message: "Model set to \(args)")
        case "think":
            if args.isEmpty {
                let mode = current.thinking.map { $0 == "enabled" && current.thinkingBudget != nil ? "enabled:\(current.thinkingBudget!)" : $0 } ?? "(default)"
                return CommandResult(success: true, message: "Thinking mode: \(mode)")
            }
            let lowered = args.lowercased()
            if lowered == "adaptive" {
                updateSettings(room) { $0.thinking = "adaptive"; $0.thinkingBudget = nil }
                return CommandResult(success: true, message: "Thinking mode: adaptive")
            }
            if lowered == "disabled" || lowered == "off" {
                updateSettings(room) { $0.thinking = "disabled"; $0.thinkingBudget = nil }
                return CommandResult(success: true, message: "Thinking mode: disabled")
            }
            let parts = lowered.split(separator: ":", maxSplits: 1).map(String.init)
            if parts.first == "enabled" || parts.first == "on" {
                var budget: Int?
                if parts.count == 2 {
                    guard let value = Int(parts[1]), value > 0 else { return CommandResult(success: false, message: "Invalid thinking budget: \(parts[1])") }
                    budget = value
                }
                updateSettings(room) { $0.thinking = "enabled"; $0.thinkingBudget = budget }
                return CommandResult(success: true, message: "Thinking mode: \(budget.map { "enabled:\($0)" } ?? "enabled")")
            }
            return CommandResult(success: false, message: "Invalid thinking mode: \(args). Use adaptive, enabled[:budget] or disabled")
        case "effort":
            if args.isEmpty { return CommandResult(success: true, message: "Effort level: \(current.effort ?? "(default)")") }
            let level = args.lowercased()
            guard ["low", "medium", "high"].contains(level) else { return CommandResult(success: false, message: "Invalid effort level: \(args). Use low, medium or high") }
            updateSettings(room) { $0.effort = level }
            return CommandResult(success: true, message: "Effort level: \(level)")
        case "cost":
            let cost = state.current.cost
            return CommandResult(success: true, message: [
                "Total cost: $\(String(format: "%.4f", cost.costUSD))",
                "Input tokens: \(cost.inputTokens)",
                "Output tokens: \(cost.outputTokens)",
                "Cache read tokens: \(cost.cacheReadTokens)",
            ].joined(separator: "\n"))
        case "context":
            let usage = state.current.lastModelUsage
            guard !usage.isEmpty else { return CommandResult(success: true, message: "No usage data yet. Send a message first.") }
            var lines = ["Model: \(model(for: current) ?? usage[0].model)"]
            for u in usage {
                lines.append("\(u.model): \(u.inputTokens) input, \(u.outputTokens) output, \(u.cacheReadInputTokens) cache read tokens; context window \(u.contextWindow), max output \(u.maxOutputTokens); $\(String(format: "%.4f", u.costUSD))")
            }
            return CommandResult(success: true, message: lines.joined(separator: "\n"))
        case "plan":
            let on = parseToggle(args, current: current.planMode)
            updateSettings(room) { $0.planMode = on }
            return CommandResult(success: true, message: "Plan mode: \(on ? "on" : "off")")
        case "sandbox":
            let on = parseToggle(args, current: current.sandbox)
            updateSettings(room) { $0.sandbox = on }
            return CommandResult(success: true, message: "Sandbox: \(on ? "on" : "off")")
        case "checkpoint":
            let on = parseToggle(args, current: current.checkpoint)
            updateSettings(room) { $0.checkpoint = on }
            return CommandResult(success: true, message: "File checkpointing: \(on ? "on" : "off")")
        case "budget":
            if args.isEmpty { return CommandResult(success: true, message: "Max budget: \(current.maxBudgetUsd.map { "$\($0)" } ?? "(none)")") }
            guard let value = Double(args), value > 0, value.isFinite else { return CommandResult(success: false, message: "Budget must be a positive number") }
            updateSettings(room) { $0.maxBudgetUsd = value }
            return CommandResult(success: true, message: "Max budget: $\(value)")
        case "turns":
            if args.isEmpty { return CommandResult(success: true, message: "Max turns: \(current.maxTurns.map(String.init) ?? "(none)")") }
            guard let value = Int(args), value > 0 else { return CommandResult(success: false, message: "Turns must be a positive integer") }
            updateSettings(room) { $0.maxTurns = value }
            return CommandResult(success: true, message: "Max turns: \(value)")
        case "rewind":
            guard !args.isEmpty else { return CommandResult(success: false, message: "Usage: /rewind <messageId>") }
            guard current.checkpoint else { return CommandResult(success: false, message: "File checkpointing is off. Enable it with /checkpoint on") }
            guard let run = state.current.running[room] else { return CommandResult(success: false, message: "No active query to rewind") }
            let ok = await run.rewindFiles(to: args)
            return CommandResult(success: ok, message: ok ? "Files rewound to \(args)" : "Rewind failed")
        default:
            return CommandResult(success: false, message: "Unknown command: \(command)")
        }
    }
}
