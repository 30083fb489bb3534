import AgentIMCore
import Foundation
import Testing

/// Prometheus metrics of every process (data-config-security §6), after real traffic through
/// the distributed topology: each service's own request durations, bus backlog and pool use;
/// the edge's socket gauges follow a gateway agent connecting and going away.
@Suite(.serialized)
struct ServiceMetricsTests {
    /// `name{labels} value` lines of an exposition whose name and label text match, summed.
    static func value(_ text: String, _ name: String, _ labels: String = "") -> Double? {
        var total: Double?
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let series = line[..<space]
            let bare = series.split(separator: "{", maxSplits: 1).first.map(String.init) ?? ""
            guard bare == name, labels.isEmpty || series.contains(labels), let number = Double(line[line.index(after: space)...]) else { continue }
            total = (total ?? 0) + number
        }
        return total
    }

    @Test func everyProcessReportsWhatTrafficMoved() async throws {
        let topology = try DistributedHub()
        defer { topology.stop() }
        try await topology.startServices()
        let edge = try await topology.startEdge()
        let hub = try await Fixture(base: edge.baseURL, ws: edge.wsURL)

        // Traffic: users and a room (auth, rooms), a message over the socket (bus → rooms → events),
        // an upload (uploads), the router list (router).
        let lena = try await hub.user("lena")
        let room = try await hub.room("Metrics", members: [lena])
        let socket = try await hub.socket(lena.token, rooms: [room])
        defer { socket.close() }
        _ = try await hub.send(socket, room: room, "counted")
        let upload = try await UploadRequests.post(edge.baseURL, body: UploadRequests.file(UploadSamples.png, type: "image/png"), token: hub.adminToken)
        #expect(upload.status == 200)
        #expect(try await hub.get("/api/routers").status == 200)

        let expected: [String: (method: String, path: String)] = [
            "auth": ("POST", "/api/auth/login"), "rooms": ("POST", "/api/rooms"),
            "router": ("GET", "/api/routers"), "uploads": ("POST", "/api/upload"),
        ]
        for (name, request) in expected {
            let process = try #require(topology.services[name])
            let reply = try await HTTP.get(process.baseURL + "/metrics")
            #expect(reply.status == 200)
            let text = reply.body.stringValue ?? ""
            let count = Self.value(text, "agentim_http_request_duration_seconds_count", #"method="\#(request.method)",path="\#(request.path)""#)
            #expect((count ?? 0) >= 1, "\(name): no \(request.method) \(request.path) duration:\n\(text.prefix(3000))")
            #expect((Self.value(text, "agentim_db_pool_connections", #"state="open""#) ?? 0) >= 1, "\(name): pool never opened")
            #expect(Self.value(text, "agentim_db_pool_connections", #"state="in_use""#) != nil, "\(name)")
            #expect((Self.value(text, "agentim_db_pool_max_connections") ?? 0) >= 1, "\(name)")
            #expect((Self.value(text, "process_rss_bytes") ?? 0) > 0, "\(name)")
            #expect(Self.value(text, "process_uptime_seconds") != nil, "\(name)")
        }
        // Each consumer group's backlog, from the services that run it.
        let groups: [String: [String]] = [
            "auth": [#"stream="agentim:cmd:audit",group="auth""#],
            "rooms": [#"stream="agentim:cmd:rooms",group="rooms""#],
        ]
        for (name, labels) in groups {
            let text = try await HTTP.get(try #require(topology.services[name]).baseURL + "/metrics").body.stringValue ?? ""
            for label in labels {
                #expect(Self.value(text, "agentim_bus_pending_messages", label) != nil, "\(name): \(label)\n\(text.prefix(3000))")
                #expect(Self.value(text, "agentim_bus_lag_messages", label) != nil, "\(name): \(label)")
            }
        }

        // The edge: sockets, frames, stored messages, its own request durations.
        let edgeText = { try await HTTP.get(edge.baseURL + "/api/metrics", token: hub.adminToken).body.stringValue ?? "" }
        var text = try await edgeText()
        #expect(Self.value(text, "agentim_ws_client_connections") == 1, "\(text.prefix(3000))")
        #expect(Self.value(text, "agentim_online_users") == 1)
        #expect(Self.value(text, "agentim_active_rooms") == 1)
        #expect((Self.value(text, "agentim_ws_messages_total", #"direction="in""#) ?? 0) >= 2)
        #expect(Self.value(text, "agentim_messages_total", #"type="user""#) == 1)
        #expect((Self.value(text, "agentim_http_request_duration_seconds_count", #"method="POST",path="/api/rooms""#) ?? 0) >= 1)
        #expect((Self.value(text, "process_rss_bytes") ?? 0) > 0)
        // How far its followers (no consumer group) are behind each fan-out stream.
        for stream in ["agentim:events", "agentim:control"] {
            #expect(Self.value(text, "agentim_bus_follower_lag_messages", #"stream="\#(stream)""#) != nil, "\(stream)\n\(text.prefix(3000))")
        }
        #expect(Self.value(text, "agentim_connected_agents") == 0)
        #expect(Self.value(text, "agentim_ws_gateway_connections") == 0)

        // A gateway agent connects, then goes away.
        let gateway = try await FakeGateway.connect(ws: edge.wsURL, token: hub.adminToken)
        let agentId = Nanoid.make()
        await gateway.register(id: agentId, name: "metrics-bot")
        text = try await edgeText()
        #expect(Self.value(text, "agentim_connected_agents") == 1, "\(text.prefix(3000))")
        #expect(Self.value(text, "agentim_ws_gateway_connections") == 1)
        #expect(Self.value(text, "agentim_agent_response_duration_seconds_count") == nil, "absent before the first reply")

        // It is asked in the room and answers: one response time, from the work to the reply.
        let joined = try await hub.post("/api/rooms/\(room)/members", #"{"memberId":"\#(agentId)","memberType":"agent"}"#, hub.adminToken)
        #expect(joined.status == 201, "\(joined.body)")
        _ = await gateway.socket.next(type: "server:room_context")
        _ = try await hub.send(socket, room: room, "@metrics-bot how long do you take?")
        let work = try #require(await gateway.nextWork(for: agentId))
        try await Task.sleep(for: .milliseconds(150))
        gateway.complete(agent: agentId, room: room, text: "this long",
                         conversationId: work["conversationId"]?.stringValue ?? "", depth: 0)
        _ = await socket.next(type: "server:message_complete")
        text = try await edgeText()
        #expect(Self.value(text, "agentim_agent_response_duration_seconds_count") == 1, "\(text.prefix(4000))")
        #expect((Self.value(text, "agentim_agent_response_duration_seconds_sum") ?? 0) >= 0.15)
        #expect(Self.value(text, "agentim_agent_response_duration_seconds_bucket", #"le="0.1""#) == 0)
        #expect(Self.value(text, "agentim_agent_response_duration_seconds_bucket", #"le="+Inf""#) == 1)
        gateway.close()
        let gone = await Wait.until(.seconds(10)) {
            let now = (try? await edgeText()) ?? ""
            return Self.value(now, "agentim_connected_agents") == 0 && Self.value(now, "agentim_ws_gateway_connections") == 0
        }
        #expect(gone, "the agent is still counted after its gateway left")
    }
}
