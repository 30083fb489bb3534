import AgentIMCore
import Foundation
import Testing

extension EdgeTests {
    /// When the edge answers a bad client frame (websocket §3.2, §5, §16.2): session and chat
    /// types are refused before auth, agent and gateway types only after auth and the rate
    /// limit, some of them without an answer.
    @Suite
    struct EdgeClientFrameTests {
        /// The next frame that is not a presence announcement.
        private func answer(_ socket: TestSocket) async -> JSONValue? {
            while let frame = await socket.next() {
                if frame["type"]?.stringValue != "server:presence" { return frame }
            }
            return nil
        }

        @Test func refusalsKeepTheirOrderAndTexts() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let client = TestSocket(url: edge.wsURL)
            defer { client.close() }

            client.send(["type": "client:join_room"])
            var frame = await answer(client)
            #expect(frame?["code"] == .string("INVALID_MESSAGE"), "schema first for session and chat types")
            #expect(frame?["message"] == .string("Invalid message format"))
            client.send(["type": "client:add_gateway_credential", "gatewayId": "g"])
            frame = await answer(client)
            #expect(frame?["code"] == .string("NOT_AUTHENTICATED"), "auth first for agent and gateway types")
            #expect(frame?["message"] == .string("Please authenticate first"))

            #expect(await client.authenticate(EdgeFixture.token(userId: "frames-2"))?["ok"] == .bool(true))
            client.send(["type": "client:add_gateway_credential", "gatewayId": "g", "mode": "api"])
            frame = await answer(client)
            #expect(frame?["code"] == .string("INVALID_REQUEST"))
            #expect(frame?["message"] == .string("API key is required for api mode"))
            client.send(["type": "client:rewind_room", "roomId": "r"])
            frame = await answer(client)
            #expect(frame?["code"] == .string("INVALID_MESSAGE"))
            // An incomplete stop is dropped silently: the pong is the next answer.
            client.send(["type": "client:stop_generation", "roomId": "r"])
            client.send(["type": "client:ping", "ts": 5])
            frame = await answer(client)
            #expect(frame?["type"] == .string("server:pong"))
            #expect(frame?["ts"] == .number(5))
        }

        /// A socket hears its `server:auth_result` before anything addressed to its user: the
        /// presence of users who come online while it authenticates follows the result (§2.3
        /// step 7). Seen in bench/fanout.py at 10,000 sockets, where 6 sockets got another
        /// user's presence first.
        @Test func authResultComesFirst() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            for wave in 0..<8 {
                let sockets = (0..<30).map { _ in TestSocket(url: edge.wsURL) }
                defer { sockets.forEach { $0.close() } }
                // Connected first (a ping answered), so the authentications race each other.
                for socket in sockets {
                    socket.send(["type": "client:ping", "ts": 1])
                    #expect(await socket.next()?["type"] == .string("server:pong"))
                }
                for (n, socket) in sockets.enumerated() {
                    socket.send(["type": "client:auth", "token": EdgeFixture.token(userId: "first-\(wave)-\(n)")])
                }
                for socket in sockets {
                    let first = await socket.next()
                    #expect(first?["type"] == .string("server:auth_result"), "first frame after client:auth: \(String(describing: first))")
                    #expect(first?["ok"] == .bool(true))
                }
            }
        }
    }
}
