import AgentIMCore
import AgentIMHTTP
import Foundation

/// One field of a provider's configuration and its rule.
struct ConfigField: Sendable {
    enum Rule: Sendable {
        case string(min: Int? = nil, max: Int? = nil, url: Bool = false)
        case number(integer: Bool, min: Double? = nil, max: Double? = nil)
        case oneOf([String])
    }

    var name: String
    var rule: Rule
    var defaultValue: JSONValue? = nil
    var optional = false
    /// Whether `configSchema` lists it. The base URLs of providers whose schema (http-api
    /// §14) has none are accepted and checked, but not advertised.
    var advertised = true

    var required: Bool { defaultValue == nil && !optional }

    /// The simplified JSON-Schema-like description of http-api §14.1.
    var schema: JSONValue {
        var object: [String: JSONValue] = [:]
        switch rule {
        case .string(let min, let max, let url):
            object["type"] = .string("string")
            if let min { object["minLength"] = .number(Double(min)) }
            if let max { object["maxLength"] = .number(Double(max)) }
            if url { object["format"] = .string("url") }
        case .number(let integer, let min, let max):
            object["type"] = .string(integer ? "integer" : "number")
            if let min { object["minimum"] = .number(min) }
            if let max { object["maximum"] = .number(max) }
        case .oneOf(let values):
            object["type"] = .string("string")
            object["enum"] = .array(values.map(JSONValue.string))
        }
        if let defaultValue { object["default"] = defaultValue }
        return .object(object)
    }

    /// The validator's message for `value`, or nil when it passes.
    func problems(_ value: JSONValue?) -> [String] {
        guard let value else { return required ? ["Required"] : [] }
        switch rule {
        case .string(let min, let max, let url):
            guard case .string(let text) = value else { return ["Expected string, received \(FieldReader.kind(of: value))"] }
            var problems: [String] = []
            if let min, text.jsLength < min { problems.append("String must contain at least \(min) character(s)") }
            if let max, text.jsLength > max { problems.append("String must contain at most \(max) character(s)") }
            if url, !RouterInput.isURL(text) { problems.append("Invalid url") }
            return problems
        case .number(let integer, let min, let max):
            guard case .number(let number) = value else { return ["Expected number, received \(FieldReader.kind(of: value))"] }
            var problems: [String] = []
            if integer, number.rounded() != number { problems.append("Expected integer, received float") }
            if let min, number < min { problems.append("Number must be greater than or equal to \(Self.text(min))") }
            if let max, number > max { problems.append("Number must be less than or equal to \(Self.text(max))") }
            return problems
        case .oneOf(let values):
            let expected = values.map { "'\($0)'" }.joined(separator: " | ")
            guard case .string(let text) = value else { return ["Expected \(expected), received \(FieldReader.kind(of: value))"] }
            return values.contains(text) ? [] : ["Invalid enum value. Expected \(expected), received '\(text)'"]
        }
    }

    static func text(_ number: Double) -> String {
        number.rounded() == number ? String(Int(number)) : String(number)
    }
}

/// A built-in provider: what the admin UI shows and what its configuration must hold.
struct ServiceAgentProvider: Sendable {
    var type: String
    var displayName: String
    var category: String
    var description: String
    var fields: [ConfigField]

    var configSchema: JSONValue {
        .object([
            "type": .string("object"),
            "properties": .object(Dictionary(uniqueKeysWithValues: fields.filter(\.advertised).map { ($0.name, $0.schema) })),
            "required": .array(fields.filter { $0.required && $0.advertised }.map { .string($0.name) }),
        ])
    }

    /// `{field: "config.<name>", message}` issues of `config` against this provider.
    func issues(_ config: [String: JSONValue]) -> [APIError.FieldIssue] {
        fields.flatMap { field in field.problems(config[field.name]).map { .init(field: "config.\(field.name)", message: $0) } }
    }
}

/// The seven built-in providers of http-api §14, in the original's order (`custom` has none).
enum ServiceAgentProviders {
    static let types = ["openai-chat", "perplexity", "openai-image", "elevenlabs", "runway", "stability-audio", "meshy", "custom"]
    static let categories = ["chat", "search", "image", "audio", "video", "music", "3d"]
    static let statuses = ["active", "inactive", "error"]

    static let apiKey = ConfigField(name: "apiKey", rule: .string(min: 1))

    /// A provider's API root, its public endpoint unless the config names another (a proxy,
    /// a local test server).
    static func hiddenBaseURL(_ url: String) -> ConfigField {
        ConfigField(name: "baseUrl", rule: .string(url: true), defaultValue: .string(url), advertised: false)
    }

    static let all: [ServiceAgentProvider] = [
        ServiceAgentProvider(type: "openai-chat", displayName: "OpenAI Chat", category: "chat",
                             description: "OpenAI-compatible chat completions API", fields: [
            ConfigField(name: "baseUrl", rule: .string(url: true)),
            apiKey,
            ConfigField(name: "model", rule: .string(min: 1)),
            ConfigField(name: "systemPrompt", rule: .string(max: 10_000), optional: true),
            ConfigField(name: "maxTokens", rule: .number(integer: true, min: 1, max: 100_000), defaultValue: .number(4096)),
        ]),
        ServiceAgentProvider(type: "perplexity", displayName: "Perplexity Search", category: "search",
                             description: "AI-powered search with citations via Perplexity API", fields: [
            hiddenBaseURL("https://api.perplexity.ai"),
            apiKey,
            ConfigField(name: "model", rule: .string(min: 1), defaultValue: .string("sonar")),
            ConfigField(name: "systemPrompt", rule: .string(max: 10_000), optional: true),
            ConfigField(name: "maxTokens", rule: .number(integer: true, min: 1, max: 100_000), defaultValue: .number(4096)),
        ]),
        ServiceAgentProvider(type: "openai-image", displayName: "OpenAI Image Generation", category: "image",
                             description: "Generate images via OpenAI Images API (GPT Image, DALL-E)", fields: [
            ConfigField(name: "baseUrl", rule: .string(url: true), defaultValue: .string("https://api.openai.com/v1")),
            apiKey,
            ConfigField(name: "model", rule: .string(min: 1), defaultValue: .string("gpt-image-1")),
            ConfigField(name: "size", rule: .oneOf(["1024x1024", "1536x1024", "1024x1536", "auto"]), defaultValue: .string("auto")),
            ConfigField(name: "quality", rule: .oneOf(["low", "medium", "high", "auto"]), defaultValue: .string("auto")),
        ]),
        ServiceAgentProvider(type: "elevenlabs", displayName: "ElevenLabs Text-to-Speech", category: "audio",
                             description: "Convert text to natural-sounding speech via ElevenLabs", fields: [
            hiddenBaseURL("https://api.elevenlabs.io/v1"),
            apiKey,
            ConfigField(name: "voiceId", rule: .string(min: 1), defaultValue: .string("21m00Tcm4TlvDq8ikWAM")),
            ConfigField(name: "modelId", rule: .string(min: 1), defaultValue: .string("eleven_multilingual_v2")),
            ConfigField(name: "stability", rule: .number(integer: false, min: 0, max: 1), defaultValue: .number(0.5)),
            ConfigField(name: "similarityBoost", rule: .number(integer: false, min: 0, max: 1), defaultValue: .number(0.75)),
            ConfigField(name: "outputFormat", rule: .oneOf(["mp3_44100_128", "mp3_22050_32", "pcm_16000", "pcm_24000"]),
                        defaultValue: .string("mp3_44100_128")),
        ]),
        ServiceAgentProvider(type: "runway", displayName: "Runway Video Generation", category: "video",
                             description: "Generate videos from text prompts via Runway API", fields: [
            hiddenBaseURL("https://api.dev.runwayml.com/v1"),
            apiKey,
            ConfigField(name: "model", rule: .string(min: 1), defaultValue: .string("gen4_turbo")),
            ConfigField(name: "duration", rule: .oneOf(["5", "10"]), defaultValue: .string("5")),
            ConfigField(name: "ratio", rule: .oneOf(["16:9", "9:16", "1:1"]), defaultValue: .string("16:9")),
        ]),
        ServiceAgentProvider(type: "stability-audio", displayName: "Stability Audio", category: "music",
                             description: "Generate music and audio from text prompts via Stability AI", fields: [
            hiddenBaseURL("https://api.stability.ai/v2beta"),
            apiKey,
            ConfigField(name: "durationSeconds", rule: .number(integer: false, min: 1, max: 300), defaultValue: .number(30)),
            ConfigField(name: "outputFormat", rule: .oneOf(["mp3", "wav"]), defaultValue: .string("mp3")),
        ]),
        ServiceAgentProvider(type: "meshy", displayName: "Meshy 3D Generation", category: "3d",
                             description: "Generate 3D models from text prompts via Meshy API", fields: [
            hiddenBaseURL("https://api.meshy.ai/openapi/v2"),
            apiKey,
            ConfigField(name: "artStyle", rule: .oneOf(["realistic", "cartoon", "low-poly", "sculpture", "pbr"]), defaultValue: .string("realistic")),
            ConfigField(name: "topology", rule: .oneOf(["quad", "triangle"]), defaultValue: .string("quad")),
            ConfigField(name: "targetPolycount", rule: .number(integer: true, min: 100, max: 200_000), defaultValue: .number(30_000)),
        ]),
    ]

    static func provider(_ type: String) -> ServiceAgentProvider? { all.first { $0.type == type } }
}
