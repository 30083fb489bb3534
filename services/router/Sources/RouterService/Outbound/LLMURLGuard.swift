/// The SSRF guard applied when a router's `llmBaseUrl` is saved (data-config-security §3.8):
/// the spelling first, then what DNS says the name is. `allowPrivate` is the development
/// switch `ROUTER_ALLOW_PRIVATE_URLS` (refused in production).
struct LLMURLGuard: Sendable {
    static let refusal = "LLM base URL must not point to internal or private networks"

    let allowPrivate: Bool

    func isRefused(_ url: String) async -> Bool {
        if allowPrivate { return false }
        if URLSafety.isInternal(url) { return true }
        guard let name = URLSafety.hostNameToResolve(url) else { return false }
        return await HostResolver.check(name) != .publicOnly
    }
}
