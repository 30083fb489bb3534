import AgentIMCore
import AgentIMRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RouterService
import Testing

/// `/api/routers` refusals (http-api §10) through the router service built in-process as
/// `agentim-router` builds it: validation messages and the SSRF guard need only the service's
/// HTTP behaviour and its database (moved from RoutersEndpointTests, which keeps what needs a
/// hub process: a real LLM, the edge's buckets, the production refusal at start).
@Suite struct RoutersInProcessTests {
    static let key = "sk-test-key-0123456789"

    static func body(_ name: String, url: String) -> String {
        #"{"name":"\#(name)","llmBaseUrl":"\#(url)","llmApiKey":"\#(key)","llmModel":"gpt-test"}"#
    }

    /// The router service on a fresh database, with an admin and its token.
    static func withRouterService(_ body: @Sendable (ServiceClient) async throws -> Void) async throws {
        let runtime = try await InProcessHub.runtime(role: "router")
        let service = try RouterService(runtime: runtime, config: RouterConfig(environment: Environment([:]), production: false))
        try await InProcessHub.test(service) { client in
            try await ServiceClient.insertUser(runtime, id: "u-admin", username: "admin", role: "admin")
            let token = try await InProcessHub.accessToken(runtime, userId: "u-admin", username: "admin")
            try await body(ServiceClient(client: client, token: token))
        }
    }

    @Test func validationMessages() async throws {
        try await Self.withRouterService { hub in
            let missing = try await hub.send(.post, "/api/routers", "{}")
            #expect(missing.status == 400 && missing.error == "Validation failed")
            let fields = Set((missing["fields"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue })
            #expect(fields == ["name", "llmBaseUrl", "llmApiKey", "llmModel"])

            let bad = try await hub.send(.post, "/api/routers", #"{"name":"  ","llmBaseUrl":"ftp://example.com","llmApiKey":" ","llmModel":"\t","maxChainDepth":101,"visibility":"whitelist"}"#)
            let issues = (bad["fields"]?.arrayValue ?? []).compactMap { item -> String? in
                guard let field = item["field"]?.stringValue, let message = item["message"]?.stringValue else { return nil }
                return "\(field): \(message)"
            }
            #expect(issues == ["name: validation.nameWhitespace", "llmBaseUrl: validation.httpUrl", "llmApiKey: validation.apiKeyWhitespace",
                               "llmModel: validation.modelWhitespace", "maxChainDepth: Number must be less than or equal to 100",
                               "visibilityList: validation.visibilityListRequired"])
            let notURL = try await hub.send(.post, "/api/routers", Self.body("n", url: "not a url"))
            #expect(notURL["fields"] == .array([.object(["field": .string("llmBaseUrl"), "message": .string("Invalid url")]),
                                                .object(["field": .string("llmBaseUrl"), "message": .string("validation.httpUrl")])]))
            #expect(try await hub.send(.post, "/api/routers", "[1").error == "Invalid JSON body")
            #expect(try await hub.send(.get, "/api/routers").data == .array([]), "nothing was stored")
        }
    }

    @Test func ssrfGuardRefusesInternalTargets() async throws {
        try await Self.withRouterService { hub in
            var urls = ["http://127.0.0.1:8080/v1", "http://10.1.2.3/v1", "http://169.254.169.254/latest", "http://localhost:11434/v1",
                        "http://[::1]/v1", "http://0x7f.1/v1", "http://2130706433/v1", "http://[::ffff:127.0.0.1]/v1",
                        "http://192.168.0.10/v1", "http://100.64.1.1/v1", "http://printer.local/v1", "http://metadata.internal/v1"]
            // A name that resolves (through the system resolver) to a private address.
            let machine = ProcessInfo.processInfo.hostName.lowercased()
            if !machine.isEmpty, !machine.hasSuffix(".local"), !machine.hasSuffix(".internal"), machine != "localhost",
               Self.resolvesPrivately(machine) {
                urls.append("http://\(machine):9/v1")
            }
            for url in urls {
                let reply = try await hub.send(.post, "/api/routers", Self.body("R", url: url))
                #expect(reply.status == 400, "\(url): \(reply.body)")
                #expect(reply.error == "LLM base URL must not point to internal or private networks", "\(url)")
            }
            #expect(try await hub.send(.get, "/api/routers").data == .array([]))

            let publicURL = try await hub.send(.post, "/api/routers", Self.body("Public", url: "https://api.openai.com/v1"))
            #expect(publicURL.status == 201, "\(publicURL.body)")
            let id = try #require(publicURL.data?["id"]?.stringValue)
            let moved = try await hub.send(.put, "/api/routers/\(id)", #"{"llmBaseUrl":"http://10.0.0.1/v1"}"#)
            #expect(moved.status == 400 && moved.error == "LLM base URL must not point to internal or private networks")
            #expect(try await hub.send(.get, "/api/routers/\(id)").data?["llmBaseUrl"] == .string("https://api.openai.com/v1"))
        }
    }

    static func resolvesPrivately(_ host: String) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(first) }
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(first.pointee.ai_addr, first.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 else { return false }
        let address = String(cString: buffer)
        return address.hasPrefix("127.") || address.hasPrefix("10.") || address.hasPrefix("192.168.") || address == "::1"
            || address.range(of: #"^172\.(1[6-9]|2[0-9]|3[01])\."#, options: .regularExpression) != nil
    }
}
