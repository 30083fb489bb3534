import AgentIMCore
import Foundation
import Testing

extension EdgeTests {
    /// The hub's HTTP rules as the edge applies them (http-api §1.8, §2): headers, CORS, JSON
    /// 404s, production CSP, metrics and its auth rule, and the web UI.
    @Suite
    struct EdgeHTTPRulesTests {
        static let securityHeaders = [
            "cross-origin-resource-policy: same-origin", "cross-origin-opener-policy: same-origin", "origin-agent-cluster: ?1",
            "referrer-policy: no-referrer", "strict-transport-security: max-age=15552000; includesubdomains",
            "x-content-type-options: nosniff", "x-dns-prefetch-control: off", "x-download-options: noopen",
            "x-frame-options: sameorigin", "x-permitted-cross-domain-policies: none", "x-xss-protection: 0",
        ]

        static func head(_ output: Tool.Output) -> String {
            (output.stdout.components(separatedBy: "\r\n\r\n").first ?? "").lowercased()
        }

        @Test func headersCORSAndJSON404InDevelopment() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: [
                "NODE_ENV": "test", "CORS_ORIGIN": "https://chat.example.com,https://admin.example.com",
            ])
            defer { edge.stop(); upstream.stop() }

            let health = Self.head(try Tool.curl(["-i", "-H", "Origin: https://admin.example.com", edge.baseURL + "/api/health"]))
            for header in Self.securityHeaders { #expect(health.contains(header), "\(header)") }
            #expect(!health.contains("content-security-policy"), "CSP is production-only")
            #expect(!health.contains("x-powered-by"))
            #expect(health.contains("access-control-allow-origin: https://admin.example.com"))
            #expect(health.contains("access-control-allow-credentials: true"))
            #expect(health.contains("vary: origin"))
            let proxied = Self.head(try Tool.curl(["-i", "-H", "Origin: https://other.example", edge.baseURL + "/api/rooms/abc"]))
            #expect(proxied.contains("access-control-allow-origin: https://chat.example.com"), "an unlisted origin gets the first one")
            for header in Self.securityHeaders { #expect(proxied.contains(header), "proxied: \(header)") }

            let preflight = Self.head(try Tool.curl(["-i", "-X", "OPTIONS", "-H", "Origin: https://chat.example.com",
                                                     "-H", "Access-Control-Request-Method: PUT", "-H", "Access-Control-Request-Headers: authorization,content-type",
                                                     edge.baseURL + "/api/rooms/abc"]))
            #expect(preflight.hasPrefix("http/1.1 204"))
            #expect(preflight.contains("access-control-allow-methods: get,head,put,post,delete,patch"))
            #expect(preflight.contains("access-control-allow-headers: authorization,content-type"))
            #expect(preflight.contains("access-control-allow-origin: https://chat.example.com"))

            let unknown = try await HTTP.get(edge.baseURL + "/api/no-such-thing")
            #expect(unknown.status == 404)
            #expect(unknown.body == .object(["ok": .bool(false), "error": .string("Not found")]))

            let health2 = try await HTTP.get(edge.baseURL + "/api/health")
            #expect(health2.status == 200)
            #expect(health2["checks"] == .object(["database": .bool(true), "filesystem": .bool(true)]))
        }

        @Test func productionAddsCSPAndGuardsMetrics() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: [
                "NODE_ENV": "production", "DATABASE_URL": "postgresql://u:p@127.0.0.1:1/unused", "CORS_ORIGIN": "https://chat.example.com",
                "ENCRYPTION_KEY": String(repeating: "k", count: 40), "TRUST_PROXY": "true",
            ])
            defer { edge.stop(); upstream.stop() }
            let head = Self.head(try Tool.curl(["-i", "-H", "X-Forwarded-For: \(EdgeFixture.uniqueIP())", edge.baseURL + "/api/health"]))
            #expect(head.contains("content-security-policy: default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; worker-src 'self'; manifest-src 'self'; upgrade-insecure-requests"))
            #expect(head.contains("permissions-policy: camera=(), microphone=(), geolocation=(), payment=()"))

            // metrics.authEnabled defaults to true in production: plain-text 401s.
            let ip = EdgeFixture.uniqueIP()
            for (authorization, text) in [(nil, "Unauthorized"), ("Bearer nonsense", "Invalid or expired token"),
                                          ("Bearer " + EdgeFixture.token(userId: "m1", type: "refresh"), "Invalid token type")] {
                var arguments = ["-w", "\n%{http_code}", "-H", "X-Forwarded-For: \(ip)"]
                if let authorization { arguments += ["-H", "Authorization: \(authorization)"] }
                let refused = try Tool.curl(arguments + [edge.baseURL + "/api/metrics"])
                #expect(refused.stdout == "\(text)\n401", "\(authorization ?? "none")")
            }
            let allowed = try Tool.curl(["-i", "-H", "X-Forwarded-For: \(ip)", "-H", "Authorization: Bearer " + EdgeFixture.token(userId: "m1"),
                                         edge.baseURL + "/api/metrics"])
            #expect(Self.head(allowed).contains("content-type: text/plain; version=0.0.4; charset=utf-8"))
            #expect(allowed.stdout.contains("agentim_ws_client_connections"))
        }

        @Test func metricsUseTheSpecsNamesAndCollapseIDs() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            _ = try await HTTP.get(edge.baseURL + "/api/rooms/V1StGXR8_Z5jdHi6B-myT")
            _ = try await HTTP.get(edge.baseURL + "/api/rooms/V1StGXR8_Z5jdHi6B-myT/members")
            let metrics = try await HTTP.get(edge.baseURL + "/api/metrics").body.stringValue ?? ""
            for name in ["agentim_ws_client_connections", "agentim_ws_gateway_connections", "agentim_online_users", "agentim_connected_agents",
                         "agentim_active_rooms", "process_heap_bytes", "process_rss_bytes", "process_uptime_seconds"] {
                #expect(metrics.contains("# TYPE \(name) "), "\(name)")
            }
            #expect(metrics.contains("# TYPE process_uptime_seconds counter"))
            #expect(metrics.contains(#"agentim_http_request_duration_seconds_bucket{method="GET",path="/api/rooms/:id",le="0.005"}"#))
            #expect(metrics.contains(#"path="/api/rooms/:id/members""#))
            #expect(metrics.contains(#"le="10.0""#))
            #expect(!metrics.contains("V1StGXR8"), "ids never become labels")
        }

        @Test func webUIFilesSPAFallbackAndPrecompressedVariants() async throws {
            let web = FileManager.default.temporaryDirectory.appendingPathComponent("edge-web-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: web.appendingPathComponent("assets"), withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: web) }
            let index = "<!doctype html><title>AgentIM</title><div id=root></div>"
            try index.write(to: web.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
            try "console.log('app')".write(to: web.appendingPathComponent("assets/index-B7x2kQ9a.js"), atomically: true, encoding: .utf8)
            try "BROTLI".write(to: web.appendingPathComponent("assets/index-B7x2kQ9a.js.br"), atomically: true, encoding: .utf8)
            try "GZIP".write(to: web.appendingPathComponent("assets/index-B7x2kQ9a.js.gz"), atomically: true, encoding: .utf8)
            try "<svg/>".write(to: web.appendingPathComponent("favicon.svg"), atomically: true, encoding: .utf8)

            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test", "WEB_DIR": web.path])
            defer { edge.stop(); upstream.stop() }

            for path in ["/", "/rooms/abc", "/login", "/auth/callback"] {
                let page = try Tool.curl(["-i", edge.baseURL + path])
                #expect(Self.head(page).contains("content-type: text/html; charset=utf-8"), "\(path)")
                #expect(Self.head(page).contains("cache-control: no-cache"), "\(path)")
                #expect(page.stdout.hasSuffix(index), "\(path)")
            }
            let asset = edge.baseURL + "/assets/index-B7x2kQ9a.js"
            let brotli = try Tool.curl(["-i", "-H", "Accept-Encoding: gzip, br", asset])
            #expect(Self.head(brotli).contains("content-encoding: br"))
            #expect(Self.head(brotli).contains("content-type: text/javascript; charset=utf-8"))
            #expect(Self.head(brotli).contains("cache-control: public, max-age=31536000, immutable"))
            #expect(Self.head(brotli).contains("vary: accept-encoding"))
            #expect(brotli.stdout.hasSuffix("BROTLI"))
            let gzip = try Tool.curl(["-i", "-H", "Accept-Encoding: gzip", asset])
            #expect(Self.head(gzip).contains("content-encoding: gzip"))
            #expect(gzip.stdout.hasSuffix("GZIP"))
            let plain = try Tool.curl(["-i", asset])
            #expect(!Self.head(plain).contains("content-encoding"))
            #expect(plain.stdout.hasSuffix("console.log('app')"))
            let etag = Self.head(plain).split(separator: "\r\n").first { $0.hasPrefix("etag:") }?.dropFirst(5).trimmingCharacters(in: .whitespaces) ?? ""
            let revalidated = try Tool.curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: \(etag.replacingOccurrences(of: "w/", with: "W/"))", asset])
            #expect(revalidated.stdout == "304")
            let icon = try Tool.curl(["-i", edge.baseURL + "/favicon.svg"])
            #expect(Self.head(icon).contains("content-type: image/svg+xml"))

            // A missing script or file is a 404, never the page (a browser would not run HTML as a script).
            for missing in ["/assets/index-OLDHASH.js", "/assets/nothing", "/missing.css"] {
                #expect(try Tool.curl(["-o", "/dev/null", "-w", "%{http_code}", edge.baseURL + missing]).stdout == "404", "\(missing)")
            }
            // A rebuilt UI is served at once: index.html is read per request, not at start.
            let rebuilt = "<!doctype html><title>AgentIM</title><script src=/assets/index-NEWHASH.js></script>"
            try rebuilt.write(to: web.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
            #expect(try Tool.curl([edge.baseURL + "/rooms/abc"]).stdout == rebuilt)

            // The API, sockets and uploads never fall back to the page.
            let api = try await HTTP.get(edge.baseURL + "/api/nothing")
            #expect(api.status == 404)
            #expect(api["ok"] == .bool(false))
            let socketPath = try Tool.curl(["-o", "/dev/null", "-w", "%{http_code}", edge.baseURL + "/ws/elsewhere"])
            #expect(socketPath.stdout == "404")
            for reserved in ["/internal/revocations", "/internal", "/ws"] {
                #expect(try Tool.curl(["-o", "/dev/null", "-w", "%{http_code}", edge.baseURL + reserved]).stdout == "404", "\(reserved)")
            }
            let escape = try Tool.curl(["--path-as-is", edge.baseURL + "/../../../../etc/passwd"])
            #expect(!escape.stdout.contains("root:"), "paths never leave WEB_DIR")
        }
    }
}
