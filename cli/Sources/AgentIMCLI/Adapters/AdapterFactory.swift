import Foundation

public enum AdapterFactoryError: Error, CustomStringConvertible, Equatable {
    case unknownType(String, adaptersFile: String)
    case invalidCommand(String)

    public var description: String {
        switch self {
        case .unknownType(let type, let file):
            return "Unknown adapter type: \(type). Built-in types: claude-code, codex, gemini, generic; custom types are defined in \(file)"
        case .invalidCommand(let text): return text
        }
    }
}

/// Creates the adapter for an agent type (§10.2 step 2, §15.4).
public enum AdapterFactory {
    public static let builtInTypes = ["claude-code", "codex", "gemini", "generic"]

    /// `generic` from a gateway spec runs `echo` with no arguments (§15.3, a smoke test).
    public static func make(type: String, options: AdapterOptions) throws -> any AgentAdapter {
        try make(type: type, options: options, adaptersFile: CustomAdapters.defaultFile())
    }

    public static func make(type: String, options: AdapterOptions, adaptersFile: URL) throws -> any AgentAdapter {
        switch type {
        case "claude-code": return ClaudeCodeAdapter(options: options)
        case "codex": return CodexAdapter(options: options)
        case "gemini": return GeminiAdapter(options: options)
        case "generic": return try GenericAdapter(options: options, command: "echo")
        default:
            let custom = CustomAdapters.load(from: adaptersFile)
            guard let definition = custom.adapters[type] else {
                throw AdapterFactoryError.unknownType(type, adaptersFile: adaptersFile.path)
            }
            return try GenericAdapter(options: options, definition: definition)
        }
    }

    /// Custom adapter definitions for the `adapters` command (sorted by name).
    public static func customAdapters(adaptersFile: URL = CustomAdapters.defaultFile()) -> [CustomAdapterDefinition] {
        CustomAdapters.load(from: adaptersFile).adapters.values.sorted { $0.name < $1.name }
    }

    /// Whether a type can be created (built-in or a valid custom entry).
    public static func isKnownType(_ type: String, adaptersFile: URL = CustomAdapters.defaultFile()) -> Bool {
        builtInTypes.contains(type) || CustomAdapters.load(from: adaptersFile).adapters[type] != nil
    }
}
