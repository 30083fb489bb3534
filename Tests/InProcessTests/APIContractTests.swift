import AgentIMCore
import AgentIMHTTP
import AgentIMRuntime
import EdgeService
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SingleProcessHub
import Testing

/// The OpenAPI document (`OpenAPIDocument`, served at /api/docs/openapi.json) against the routes
/// the hub really mounts, in both directions: every route the single-process hub registers (all
/// four services' public routes and the edge's own, as `agentim-server` builds them; the
/// distributed processes mount the same `addRoutes`) is documented, and every documented
/// operation is routed: it never answers the JSON 404 `Not found` of an unknown path.
@Suite(.serialized) struct APIContractTests {
    /// Method and path of each operation, path parameters written `{}` so that a route's `{id}`,
    /// a document's `{provider}` and a wildcard tail (`/uploads/**`) compare equal.
    struct Operation: Hashable, Comparable, CustomStringConvertible {
        let method: String
        let path: String
        var description: String { "\(method) \(path)" }
        static func < (a: Self, b: Self) -> Bool { a.description < b.description }

        init(method: String, path: String) {
            self.method = method.uppercased()
            self.path = "/" + path.split(separator: "/").map { part in
                part.hasPrefix("{") || part.hasPrefix(":") || part == "**" || part == "*" ? "{}" : String(part)
            }.joined(separator: "/")
        }
    }

    static func documented() throws -> (document: JSONValue, operations: Set<Operation>) {
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(OpenAPIDocument.json.utf8))
        var operations = Set<Operation>()
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            for method in (item.objectValue ?? [:]).keys where ["get", "put", "post", "delete", "patch", "head", "options"].contains(method) {
                operations.insert(Operation(method: method, path: path))
            }
        }
        return (document, operations)
    }

    static func hub() async throws -> (SingleProcessHub, String) {
        let uploads = FileManager.default.temporaryDirectory.appendingPathComponent("contract-uploads-\(UUID().uuidString)").path
        let runtime = try await InProcessHub.runtime(role: "server", environment: ["UPLOAD_DIR": uploads])
        return (try SingleProcessHub(runtime: runtime), uploads)
    }

    @Test func theDocumentIsOpenAPI31WithEveryPartAnOperationNeeds() throws {
        let (document, operations) = try Self.documented()
        #expect(document["openapi"]?.stringValue == "3.1.0")
        #expect(operations.count >= 80)
        let schemes = document["components"]?["securitySchemes"]?.objectValue ?? [:]
        #expect(schemes["bearerAuth"]?["scheme"]?.stringValue == "bearer")
        #expect(schemes["refreshCookie"]?["name"]?.stringValue == "agentim_rt")
        #expect(document["components"]?["headers"]?["Retry-After"] != nil)
        #expect(document["components"]?["headers"]?["X-RateLimit-Limit"] != nil)
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            for (method, operation) in item.objectValue ?? [:] {
                let responses = operation["responses"]?.objectValue ?? [:]
                #expect(responses.keys.contains { $0.hasPrefix("2") || $0 == "302" || $0 == "426" }, "\(method) \(path): no success status")
                if path.hasPrefix("/api/") {
                    #expect(responses["429"] != nil, "\(method) \(path): the api bucket's 429 is not documented")
                }
                #expect(operation["summary"]?.stringValue?.isEmpty == false, "\(method) \(path): no summary")
            }
        }
    }

    /// Served but undocumented, or documented but never registered: the router's own list.
    @Test func everyRouteTheHubMountsIsDocumentedAndNothingElse() async throws {
        let (hub, uploads) = try await Self.hub()
        defer { try? FileManager.default.removeItem(atPath: uploads) }
        let router = Router(context: HubRequestContext.self)
        hub.addRoutes(to: router)
        // Started and stopped like any hub, so its clients (the router service's HTTP client) shut down.
        try await InProcessHub.test(hub) { _ in }
        let served = Set(router.routes.map { Operation(method: $0.method.rawValue, path: $0.path.description) })
        let documented = try Self.documented().operations
        #expect(served.count > 50, "the router listed \(served.count) routes")
        let undocumented = served.subtracting(documented).sorted()
        let unserved = documented.subtracting(served).sorted()
        #expect(undocumented.isEmpty, "served but not in the OpenAPI document: \(undocumented)")
        #expect(unserved.isEmpty, "in the OpenAPI document but not served: \(unserved)")
    }

    /// Each documented operation asked for real through the edge's middleware: none answers the
    /// unknown-path JSON 404. No token, so most stop at 401; public ones reach their handler.
    @Test func everyDocumentedOperationIsRoutedThroughTheEdge() async throws {
        let (hub, uploads) = try await Self.hub()
        defer { try? FileManager.default.removeItem(atPath: uploads) }
        let operations = try Self.documented().operations.sorted()
        let answers = try await InProcessHub.test(hub) { client in
            var answers: [(Operation, Int, String?)] = []
            for operation in operations {
                let path = operation.path.replacingOccurrences(of: "{}", with: "contract0")
                let method = HTTPRequest.Method(operation.method)!
                let reply = try await ServiceClient(client: client, token: nil).send(method, path, method == .get || method == .delete ? nil : "{}")
                answers.append((operation, reply.status, reply.error))
            }
            return answers
        }
        #expect(answers.count == operations.count)
        for (operation, status, error) in answers {
            #expect(!(status == 404 && error == "Not found"), "\(operation) answers the unknown-route 404")
            #expect(status < 500, "\(operation) answered \(status) \(error ?? "")")
        }
    }

    @Test func docsAreServedPublicAndThePageIsSelfContained() async throws {
        let (hub, uploads) = try await Self.hub()
        defer { try? FileManager.default.removeItem(atPath: uploads) }
        try await InProcessHub.test(hub) { client in
            try await client.execute(uri: "/api/docs/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(String(buffer: response.body) == OpenAPIDocument.json)
            }
            try await client.execute(uri: "/api/docs", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: response.body)
                // Readable list of operations, nothing fetched from elsewhere, no script for the CSP to block.
                #expect(html.contains("<code>/api/auth/login</code>"))
                #expect(html.contains("<code>/api/rooms/{id}/members/{memberId}</code>"))
                #expect(html.contains("Invalid credentials"))
                #expect(!html.contains("<script"))
                #expect(!html.contains("http://") && !html.contains("https://"))
                #expect(!html.contains("src="))
            }
        }
    }
}
