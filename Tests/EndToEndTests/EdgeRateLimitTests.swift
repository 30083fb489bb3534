import AgentIMCore
import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

extension EdgeTests {
    /// The rate limits of http-api §1.7 at the edge. These edges run without `NODE_ENV=test`
    /// (which turns HTTP limits off) and behind `TRUST_PROXY`, so that each test is its own
    /// client address.
    @Suite
    struct EdgeRateLimitTests {
        struct Reply {
            var status: Int
            var body: String
            var headers: [String: String]
            var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }
        }

        static let tooMany: JSONValue = .object(["ok": .bool(false), "error": .string("Too many requests")])

        static func send(_ url: String, method: String = "GET", ip: String, token: String? = nil) async throws -> Reply {
            var request = HTTPClientRequest(url: url)
            request.method = .init(rawValue: method)
            request.headers.add(name: "X-Forwarded-For", value: ip)
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            if method == "POST" { request.body = .bytes(ByteBuffer(string: "{}")) }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            return Reply(status: Int(response.status.code), body: String(buffer: body), headers: headers)
        }

        @Test func inMemoryLimitsAreHalvedAndSendNoHeaders() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["TRUST_PROXY": "true"])
            defer { edge.stop(); upstream.stop() }
            let ip = EdgeFixture.uniqueIP()

            for i in 1...60 {
                let reply = try await Self.send(edge.baseURL + "/api/rooms/abc", ip: ip)
                #expect(reply.status == 200, "request \(i)")
                if i == 1 { #expect(reply.headers["x-ratelimit-limit"] == nil, "no headers without Redis") }
            }
            let refused = try await Self.send(edge.baseURL + "/api/rooms/abc", ip: ip)
            #expect(refused.status == 429)
            #expect(refused.json == Self.tooMany)
            #expect(refused.headers["retry-after"] == nil)
            #expect(refused.headers["x-ratelimit-remaining"] == nil)
            #expect(try await Self.send(edge.baseURL + "/api/rooms/abc", ip: EdgeFixture.uniqueIP()).status == 200, "other clients are unaffected")

            // A per-user bucket: `sens` allows 5 per minute, 2 in memory.
            let token = EdgeFixture.token(userId: "sens-\(UUID().uuidString.prefix(8))")
            let searchIP = EdgeFixture.uniqueIP()
            for _ in 1...2 { #expect(try await Self.send(edge.baseURL + "/api/messages/search?q=x", ip: searchIP, token: token).status == 200) }
            #expect(try await Self.send(edge.baseURL + "/api/messages/search?q=x", ip: searchIP, token: token).status == 429)
            #expect(try await Self.send(edge.baseURL + "/api/messages/search?q=x", ip: EdgeFixture.uniqueIP(), token: token).status == 429,
                    "the bucket follows the user, not the address")

            // WebSocket upgrades: 30 per minute per address, 15 in memory.
            let socketIP = EdgeFixture.uniqueIP()
            for i in 1...15 {
                #expect(try RawHTTP.upgrade(port: edge.port, path: "/ws/gateway", headers: ["X-Forwarded-For": socketIP]).status == 101, "upgrade \(i)")
            }
            let tooMany = try RawHTTP.upgrade(port: edge.port, path: "/ws/client", headers: ["X-Forwarded-For": socketIP])
            #expect(tooMany.status == 429)
            #expect((try? JSONDecoder().decode(JSONValue.self, from: Data(tooMany.body.utf8))) == Self.tooMany)
        }

        @Test func redisLimitIsSharedByTwoEdgesWithHeaders() async throws {
            let redis = try #require(TestEnvironment.redis, "AGENTIM_TEST_REDIS is not set")
            let upstream = try TestUpstream()
            let environment = ["TRUST_PROXY": "true", "REDIS_URL": redis]
            let first = try await EdgeFixture.start(upstream: upstream, environment: environment)
            let second = try await EdgeFixture.start(upstream: upstream, environment: environment)
            defer { first.stop(); second.stop(); upstream.stop() }
            let ip = EdgeFixture.uniqueIP()

            for i in 1...120 {
                let edge = i.isMultiple(of: 2) ? second : first
                let reply = try await Self.send(edge.baseURL + "/api/rooms/abc", ip: ip)
                #expect(reply.status == 200, "request \(i)")
                #expect(reply.headers["x-ratelimit-limit"] == "120")
                #expect(reply.headers["x-ratelimit-remaining"] == String(120 - i), "request \(i) counted once, on both edges")
            }
            for edge in [first, second] {
                let refused = try await Self.send(edge.baseURL + "/api/rooms/abc", ip: ip)
                #expect(refused.status == 429)
                #expect(refused.json == Self.tooMany)
                #expect(refused.headers["x-ratelimit-limit"] == "120")
                #expect(refused.headers["x-ratelimit-remaining"] == "0")
                let retry = Int(refused.headers["retry-after"] ?? "") ?? 0
                #expect((1...60).contains(retry), "Retry-After \(retry)")
            }

            // HTTP/2 streams are counted in the same buckets (the verdict comes from Redis while the
            // stream waits): the spent address is refused, a fresh one passes with its headers.
            for (address, status, remaining) in [(ip, "429", "0"), (EdgeFixture.uniqueIP(), "200", "119")] {
                let reply = try Tool.curl(["-s", "-i", "--http2-prior-knowledge", "-H", "X-Forwarded-For: \(address)", first.baseURL + "/api/rooms/abc"])
                let head = reply.stdout.lowercased()
                #expect(head.hasPrefix("http/2 \(status)"), "\(reply.stdout)")
                #expect(head.contains("x-ratelimit-limit: 120\r\n") && head.contains("x-ratelimit-remaining: \(remaining)\r\n"), "\(reply.stdout)")
            }

            // A route's own bucket is checked too, and its headers win: 10 uploads per user per minute.
            let token = EdgeFixture.token(userId: "uploader-\(UUID().uuidString.prefix(8))")
            for i in 1...10 {
                let reply = try await Self.send((i.isMultiple(of: 2) ? second : first).baseURL + "/api/upload", method: "POST", ip: EdgeFixture.uniqueIP(), token: token)
                #expect(reply.status == 200)
                #expect(reply.headers["x-ratelimit-limit"] == "10")
                #expect(reply.headers["x-ratelimit-remaining"] == String(10 - i))
            }
            let eleventh = try await Self.send(first.baseURL + "/api/upload", method: "POST", ip: EdgeFixture.uniqueIP(), token: token)
            #expect(eleventh.status == 429)
            #expect(eleventh.headers["x-ratelimit-limit"] == "10")

            // Upgrades share the `ws_upgrade` bucket across both edges as well.
            let socketIP = EdgeFixture.uniqueIP()
            for i in 1...30 {
                let edge = i.isMultiple(of: 2) ? second : first
                #expect(try RawHTTP.upgrade(port: edge.port, path: "/ws/gateway", headers: ["X-Forwarded-For": socketIP]).status == 101)
            }
            let refusedUpgrade = try RawHTTP.upgrade(port: second.port, path: "/ws/gateway", headers: ["X-Forwarded-For": socketIP])
            #expect(refusedUpgrade.status == 429)
            #expect(refusedUpgrade.head.lowercased().contains("retry-after:"))
        }

        @Test func nodeEnvTestTurnsHTTPLimitsOff() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["TRUST_PROXY": "true", "NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let ip = EdgeFixture.uniqueIP()
            for _ in 1...70 { #expect(try await Self.send(edge.baseURL + "/api/rooms/abc", ip: ip).status == 200) }
        }
    }
}
