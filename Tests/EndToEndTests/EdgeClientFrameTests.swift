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
    }
}
