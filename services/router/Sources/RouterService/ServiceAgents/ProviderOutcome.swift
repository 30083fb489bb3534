import AgentIMCore
import Foundation

/// What a provider made of one prompt.
enum ProviderOutcome: Sendable {
    /// An answer for the room as it is.
    case text(String)
    /// A file for the room, stored through the uploads service and attached to the reply.
    case media(ProviderMedia)
    /// A task the provider works on; `poll` asks how it stands.
    case pending(PendingTask)
}

/// Generated media, as bytes the provider sent or a URL to fetch them from.
struct ProviderMedia: Sendable {
    enum Source: Sendable {
        case bytes(Data)
        case url(String)
    }

    /// Which downloaded `Content-Type`s pass for this kind (plus generic binary).
    enum Kind: String, Sendable {
        case image, audio, video, model = "model"
    }

    var source: Source
    var kind: Kind
    var mimeType: String
    var filename: String
    var caption: String?
}

/// An accepted long-running task: polled every `interval` until done, failed or `maxWait`.
struct PendingTask: Sendable {
    var taskId: String
    var interval: Duration
    var maxWait: Duration
    /// Posted to the room while the task runs.
    var statusMessage: String
}

/// A failed call, with the text the room is shown.
struct ProviderFailure: Error, Sendable, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}

/// One provider's API (`ServiceAgentProviders`): the call, the status poll of slow ones, and
/// the cheap real request `POST /api/service-agents/:id/validate` makes.
protocol ProviderBackend: Sendable {
    func invoke(prompt: String, senderName: String) async throws(ProviderFailure) -> ProviderOutcome
    func poll(taskId: String) async throws(ProviderFailure) -> ProviderOutcome
    func validate() async -> ServiceAgentsController.Validation
}

extension ProviderBackend {
    func poll(taskId: String) async throws(ProviderFailure) -> ProviderOutcome {
        throw ProviderFailure("Provider does not support polling")
    }
}

/// A config read with the provider's defaults filled in (the stored config may omit them).
struct ProviderSettings: Sendable {
    let values: [String: JSONValue]

    init(_ provider: ServiceAgentProvider, config: [String: JSONValue]) {
        var values = config
        for field in provider.fields where values[field.name] == nil {
            if let value = field.defaultValue { values[field.name] = value }
        }
        self.values = values
    }

    func string(_ name: String) -> String { values[name]?.stringValue ?? "" }
    func optionalString(_ name: String) -> String? { values[name]?.stringValue }
    func number(_ name: String) -> Double { values[name]?.numberValue ?? 0 }
    subscript(_ name: String) -> JSONValue { values[name] ?? .null }

    /// The base URL without a trailing slash, so `{base}/path` joins cleanly.
    var baseURL: String {
        var base = string("baseUrl")
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }
}

/// Shared texts.
enum ProviderText {
    /// The start of an error body, for the room.
    static func detail(_ body: Data) -> String {
        let text = String(decoding: body.prefix(500), as: UTF8.self)
        return text.isEmpty ? "unknown error" : text
    }

    static func millis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// The first `count` characters (the original's `slice(0, 200)` of a caption).
    static func prefix(_ text: String, _ count: Int) -> String { String(text.prefix(count)) }
}
