import AgentIMCore
import AgentIMHTTP
import Foundation

/// A row of `routers`. `llmApiKey` holds the stored envelope; it leaves only masked.
struct RouterRecord: Sendable {
    var id: String
    var name: String
    var description: String?
    var scope: String
    var createdById: String
    var llmBaseUrl: String
    var llmApiKey: String
    var llmModel: String
    var maxChainDepth: Int
    var rateLimitWindow: Int
    var rateLimitMax: Int
    var visibility: String
    var visibilityList: [String]
    var createdAt: Date
    var updatedAt: Date

    /// http-api §10: personal routers are their creator's; global ones follow their visibility.
    func isVisible(to userId: String) -> Bool {
        if scope == "personal" { return createdById == userId }
        switch visibility {
        case "all": return true
        case "whitelist": return visibilityList.contains(userId)
        case "blacklist": return !visibilityList.contains(userId)
        default: return false
        }
    }
}

/// The `Router` object of http-api §16, with the key masked; no description is `null`.
struct RouterView: Encodable, Sendable {
    var id: String
    var name: String
    var description: Nullable<String>
    var scope: String
    var createdById: String
    var llmBaseUrl: String
    var llmApiKey: String
    var llmModel: String
    var maxChainDepth: Int
    var rateLimitWindow: Int
    var rateLimitMax: Int
    var visibility: String
    var visibilityList: [String]
    var createdAt: String
    var updatedAt: String

    init(record: RouterRecord, maskedKey: String) {
        id = record.id
        name = record.name
        description = Nullable(record.description)
        scope = record.scope
        createdById = record.createdById
        llmBaseUrl = record.llmBaseUrl
        llmApiKey = maskedKey
        llmModel = record.llmModel
        maxChainDepth = record.maxChainDepth
        rateLimitWindow = record.rateLimitWindow
        rateLimitMax = record.rateLimitMax
        visibility = record.visibility
        visibilityList = record.visibilityList
        createdAt = Timestamp.format(record.createdAt)
        updatedAt = Timestamp.format(record.updatedAt)
    }
}

/// How stored secrets are shown (http-api §10 and §14).
public enum SecretMask {
    static let dots4 = "••••"

    /// Router keys: `••••` + the last 2 characters when the key is longer than 8, else `••••`
    /// (also when it cannot be decrypted).
    public static func routerKey(_ plaintext: String?) -> String {
        guard let key = plaintext, key.utf16.count > 8 else { return dots4 }
        return dots4 + String(decoding: Array(key.utf16.suffix(2)), as: UTF16.self)
    }

    /// Service-agent `config.apiKey`: its first 4 characters + `••••••••`.
    public static func serviceAgentKey(_ plaintext: String) -> String {
        String(decoding: Array(plaintext.utf16.prefix(4)), as: UTF16.self) + dots4 + dots4
    }
}
