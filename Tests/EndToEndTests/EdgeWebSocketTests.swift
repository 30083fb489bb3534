import AgentIMCore
import Foundation
import Testing

extension EdgeTests {
    /// The WebSocket rules the edge enforces itself (websocket §2–§3, §6, §15.4).
    @Suite
    struct EdgeWebSocketTests {
        @Test func originIsCheckedOnTheClientEndpointOnly() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test", "CORS_ORIGIN": "https://chat.example.com"])
            defer { edge.stop(); upstream.stop() }

            let evil = try RawHTTP.upgrade(port: edge.port, path: "/ws/client", headers: ["Origin": "https://evil.example"])
            #expect(evil.status == 403)
            #expect((try? JSONDecoder().decode(JSONValue.self, from: Data(evil.body.utf8))) == .object(["ok": .bool(false), "error": .string("Origin not allowed")]))
            #expect(try RawHTTP.upgrade(port: edge.port, path: "/ws/client", headers: ["Origin": "https://chat.example.com"]).status == 101)
            #expect(try RawHTTP.upgrade(port: edge.port, path: "/ws/client").status == 101, "no Origin (not a browser)")
            #expect(try RawHTTP.upgrade(port: edge.port, path: "/ws/client", headers: ["Origin": "ws://127.0.0.1"]).status == 101,
                    "a non-browser client's Origin")
            #expect(try RawHTTP.upgrade(port: edge.port, path: "/ws/client", headers: ["Origin": "null"]).status == 403, "an opaque browser origin")
            #expect(try RawHTTP.upgrade(port: edge.port, path: "/ws/client", headers: ["Origin": "http://127.0.0.1:\(edge.port)"]).status == 101,
                    "the web UI served by this edge")
            #expect(try RawHTTP.upgrade(port: edge.port, path: "/ws/gateway", headers: ["Origin": "https://evil.example"]).status == 101,
                    "the CLI's endpoint takes any Origin")
            #expect(try RawHTTP.upgrade(port: edge.port, path: "/ws/elsewhere").status == 404)
        }

        @Test func unauthenticatedSocketsOfBothEndpointsCloseWith4001() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let client = TestSocket(url: edge.wsURL)
            let gateway = TestSocket(url: "ws://127.0.0.1:\(edge.port)/ws/gateway")
            defer { client.close(); gateway.close() }
            client.send(["type": "client:ping", "ts": 1])
            #expect(await client.next(type: "server:pong")?["ts"] == .number(1))
            gateway.send(["type": "gateway:ping", "ts": 2])
            #expect(await gateway.next(type: "server:pong")?["ts"] == .number(2), "pings are answered before auth")
            let started = ContinuousClock.now
            async let clientClose = client.closed(timeout: .seconds(9))
            async let gatewayClose = gateway.closed(timeout: .seconds(9))
            #expect(await clientClose == 4001)
            #expect(await gatewayClose == 4001)
            let waited = ContinuousClock.now - started
            #expect(waited > .milliseconds(4500) && waited < .seconds(10), "closed after \(waited)")
        }

        @Test func frameLimitsOfBothEndpoints() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }

            let client = TestSocket(url: edge.wsURL)
            defer { client.close() }
            #expect(await client.authenticate(EdgeFixture.token(userId: "frames-1"))?["ok"] == .bool(true))
            // Over the protocol's limits: `server:error`, the frame is dropped, the socket stays (§3.2).
            client.send(["type": "client:ping", "ts": 1, "pad": String(repeating: "x", count: 70_000)])
            let tooLarge = await client.next(type: "server:error")
            #expect(tooLarge?["code"] == .string("MESSAGE_TOO_LARGE"))
            #expect(tooLarge?["message"] == .string("Message exceeds maximum size"))
            let deep = String(repeating: "[", count: 16) + String(repeating: "]", count: 16)
            client.send(#"{"type":"client:ping","ts":1,"x":\#(deep)}"#)
            let tooDeep = await client.next(type: "server:error")
            #expect(tooDeep?["code"] == .string("JSON_TOO_DEEP"))
            #expect(tooDeep?["message"] == .string("JSON nesting depth exceeded"))
            let wide = "[" + Array(repeating: "0", count: 1001).joined(separator: ",") + "]"
            client.send(#"{"type":"client:ping","ts":1,"x":\#(wide)}"#)
            let tooWide = await client.next(type: "server:error")
            #expect(tooWide?["code"] == .string("JSON_TOO_DEEP"))
            #expect(tooWide?["message"] == .string("JSON collection size exceeded"))
            client.send(["type": "client:ping", "ts": 3])
            #expect(await client.next(type: "server:pong")?["ts"] == .number(3), "still open after refused frames")
            // Beyond what the transport reads at all: close 1009.
            client.send(String(repeating: "y", count: (4 << 20) + 1))
            #expect(await client.closed() == 1009)

            let gateway = TestSocket(url: "ws://127.0.0.1:\(edge.port)/ws/gateway")
            defer { gateway.close() }
            gateway.send(["type": "gateway:ping", "ts": 1, "pad": String(repeating: "x", count: 1_300_000)])
            let gatewayTooLarge = await gateway.next(type: "server:error")
            #expect(gatewayTooLarge == .object(["type": .string("server:error"), "message": .string("Message exceeds maximum size")]),
                    "no code: the CLI's validator drops it")
            gateway.send(#"{"type":"gateway:ping","ts":1,"x":\#(deep)}"#)  // too deep: dropped silently
            gateway.send("{not json")  // dropped silently
            gateway.send(["type": "gateway:ping", "ts": 5])
            #expect(await gateway.next()?["ts"] == .number(5), "nothing answered the dropped frames")
            gateway.send(["type": "gateway:agent_status", "agentId": "a1", "status": "online"])
            #expect(await gateway.closed() == 1008, "a valid frame before auth closes with 1008")
        }

        @Test func perUserCapsAndTheSocketGauges() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test", "MAX_WS_CONNECTIONS_PER_USER": "2"])
            defer { edge.stop(); upstream.stop() }
            let token = EdgeFixture.token(userId: "capped-1")
            let sockets = (0..<3).map { _ in TestSocket(url: edge.wsURL) }
            defer { sockets.forEach { $0.close() } }
            #expect(await sockets[0].authenticate(token)?["ok"] == .bool(true))
            #expect(await sockets[1].authenticate(token)?["ok"] == .bool(true))
            let third = await sockets[2].authenticate(token)
            #expect(third?["ok"] == .bool(false))
            #expect(third?["error"] == .string("Too many connections"))

            let gateway = TestSocket(url: "ws://127.0.0.1:\(edge.port)/ws/gateway")
            defer { gateway.close() }
            gateway.send(["type": "gateway:ping", "ts": 1])
            _ = await gateway.next(type: "server:pong")
            let metrics = try await HTTP.get(edge.baseURL + "/api/metrics").body.stringValue ?? ""
            #expect(metrics.contains("agentim_ws_client_connections 2"))
            #expect(metrics.contains("agentim_online_users 1"))
            #expect(metrics.contains("agentim_ws_gateway_connections 1"))
        }

        @Test func shutdownTellsClientsThenClosesWithGoingAway() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let client = TestSocket(url: edge.wsURL)
            let gateway = TestSocket(url: "ws://127.0.0.1:\(edge.port)/ws/gateway")
            defer { client.close(); gateway.close() }
            #expect(await client.authenticate(EdgeFixture.token(userId: "leaving-1"))?["ok"] == .bool(true))
            gateway.send(["type": "gateway:ping", "ts": 1])
            _ = await gateway.next(type: "server:pong")

            async let status = edge.terminate(timeout: .seconds(12))
            let notice = await client.next(type: "server:error")
            #expect(notice?["code"] == .string("SERVER_SHUTDOWN"))
            #expect(notice?["message"] == .string("Server is shutting down"))
            #expect(await client.closed() == 1001)
            #expect(await gateway.closed() == 1001)
            #expect(await status == 0, "the edge exits cleanly: \(edge.log.suffix(600))")
        }
    }
}
