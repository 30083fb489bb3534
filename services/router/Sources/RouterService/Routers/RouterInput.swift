import AgentIMCore
import AgentIMHTTP
import Foundation

/// The body of `POST /api/routers` and `PUT /api/routers/:id` (http-api §10.2, §10.4), read
/// with the original's rules and messages. On update every field is optional and absent
/// fields keep their stored values.
struct RouterInput: Sendable {
    var name: String?
    /// `.some(nil)` when the body sets it to null.
    var description: String??
    var scope: String?
    var llmBaseUrl: String?
    var llmApiKey: String?
    var llmModel: String?
    var maxChainDepth: Int?
    var rateLimitWindow: Int?
    var rateLimitMax: Int?
    var visibility: String?
    var visibilityList: [String]?

    static let visibilities = ["all", "whitelist", "blacklist"]

    /// `z.string().url().max(500).refine(http(s)://)`.
    static let urlChecks: [FieldReader.StringCheck] = [
        { isURL($0) ? nil : "Invalid url" },
        FieldReader.maxLength(500),
        { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? nil : "validation.httpUrl" },
    ]

    /// What `new URL(s)` accepts, near enough: a scheme, and a host for the special schemes.
    static func isURL(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return false }
        let scheme = text[..<colon].lowercased()
        guard scheme.first!.isLetter, scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return false }
        guard ["http", "https", "ws", "wss", "ftp"].contains(scheme) else { return true }
        return URLSafety.parse(text) != nil
    }

    static func read(_ body: JSONValue, creating: Bool) throws -> RouterInput {
        var reader = FieldReader(body)
        var input = RouterInput()
        let optional = !creating
        input.name = reader.checkedString("name", optional: optional, [FieldReader.minLength(1), FieldReader.maxLength(100), FieldReader.notBlank("validation.nameWhitespace")])
        if reader.isNull("description") {
            input.description = .some(nil)
        } else if reader.has("description") {
            input.description = reader.checkedString("description", optional: true, [FieldReader.maxLength(1000)]).map { .some($0) }
        }
        if creating { input.scope = reader.oneOf("scope", ["global", "personal"]) ?? "personal" }
        input.llmBaseUrl = reader.checkedString("llmBaseUrl", optional: optional, urlChecks)
        input.llmApiKey = reader.checkedString("llmApiKey", optional: optional, [FieldReader.minLength(1), FieldReader.maxLength(500), FieldReader.notBlank("validation.apiKeyWhitespace")])
        input.llmModel = reader.checkedString("llmModel", optional: optional, [FieldReader.minLength(1), FieldReader.maxLength(200), FieldReader.notBlank("validation.modelWhitespace")])
        input.maxChainDepth = reader.int("maxChainDepth", min: 1, max: 100) ?? (creating ? 5 : nil)
        input.rateLimitWindow = reader.int("rateLimitWindow", min: 1, max: 3600) ?? (creating ? 60 : nil)
        input.rateLimitMax = reader.int("rateLimitMax", min: 1, max: 1000) ?? (creating ? 20 : nil)
        input.visibility = reader.oneOf("visibility", visibilities) ?? (creating ? "all" : nil)
        input.visibilityList = reader.stringArray("visibilityList", maxItems: 500, maxLength: 100) ?? (creating ? [] : nil)
        // The list rule: on create whenever the (defaulted) visibility restricts; on update only
        // when both fields arrive together (http-api §10.4).
        if let visibility = input.visibility, visibility != "all", let list = input.visibilityList, list.isEmpty,
           creating || (reader.has("visibility") && reader.has("visibilityList")) {
            reader.fail("visibilityList", "validation.visibilityListRequired")
        }
        try reader.check()
        return input
    }
}
