import AgentIMHTTP
import Foundation
import Hummingbird
import NIOCore

/// `GET /api/docs/openapi.json` (the document, as stored) and `GET /api/docs` (the same
/// document as an HTML page for a person). Both public. The page is rendered on the server
/// once, with no script and no outside asset, so it works under the production CSP
/// (`script-src 'self'`, inline styles allowed) and on machines without internet access.
enum APIDocs {
    static func addRoutes(to router: Router<HubRequestContext>) {
        let json = ByteBuffer(string: OpenAPIDocument.json)
        router.get("/api/docs/openapi.json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-cache"],
                     body: .init(byteBuffer: json))
        }
        // Rendered on the first request (a static is built once), not at start-up.
        router.get("/api/docs") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                     body: .init(byteBuffer: ByteBuffer(string: APIDocsPage.html)))
        }
    }
}
