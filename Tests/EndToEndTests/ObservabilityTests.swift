import AgentIMCore
import Foundation
import Testing

/// Traces and error reports seen from outside (issue 22): the processes export to a real
/// OTLP/HTTP receiver and a Sentry envelope endpoint run by the test (`telemetry_receiver.py`).
@Suite(.serialized)
struct ObservabilityTests {
    /// In the distributed topology (two edges), one `client:send_message` is one trace: the
    /// sending edge's frame span is its only root, the rooms service handles the command under
    /// it, and both edges deliver the event under the rooms span; every parent is in the trace.
    @Test func oneMessageIsOneTraceAcrossServices() async throws {
        let receiver = try await TelemetryReceiver()
        defer { receiver.stop() }
        let hub = try DistributedHub(extra: ["OTEL_EXPORTER_OTLP_ENDPOINT": receiver.base, "OTEL_BSP_SCHEDULE_DELAY": "100",
                                             "LOG_LEVEL": "debug"])
        defer { hub.stop() }
        try await hub.startServices()
        let edge1 = try await hub.startEdge()
        let edge2 = try await hub.startEdge()
        let room = try await ChatScenario.room(senderBase: edge1.baseURL, senderWS: edge1.wsURL,
                                               receiverBase: edge2.baseURL, receiverWS: edge2.wsURL)
        defer { room.close() }

        room.alice.send(["type": "client:send_message", "roomId": room.id, "content": "traced hello", "clientMessageId": "trace-1"])
        let received = await room.bob.next(type: "server:new_message")
        #expect(received?["message"]?["content"]?.stringValue == "traced hello", "bob: \(String(describing: received))")

        // The trace whose root is the frame span, once both edges' deliveries have been exported.
        var trace: [TelemetryReceiver.Span] = []
        await Wait.until(.seconds(20)) {
            let spans = (try? await receiver.spans()) ?? []
            guard let root = spans.first(where: { $0.name == "client:send_message" }) else { return false }
            trace = spans.filter { $0.traceId == root.traceId }
            // Spans are exported as they end: the deliveries can arrive before the rooms span.
            return trace.filter { $0.name == "receive agentim:events" }.count >= 2
                && trace.contains { $0.service == "agentim-rooms" && $0.name == "process agentim:cmd:rooms" }
        }
        let summary = trace.map { "\($0.service) \($0.name) \($0.spanId)<-\($0.parentSpanId)" }.joined(separator: "\n")
        #expect(try await receiver.refused().isEmpty)

        let roots = trace.filter { $0.parentSpanId.isEmpty }
        #expect(roots.count == 1, "one root:\n\(summary)")
        #expect(roots.first?.name == "client:send_message" && roots.first?.service == "agentim-edge", "\(summary)")
        let ids = Set(trace.map(\.spanId))
        for span in trace where !span.parentSpanId.isEmpty {
            #expect(ids.contains(span.parentSpanId), "parent of \(span.name) is in the trace:\n\(summary)")
        }
        let byId = Dictionary(trace.map { ($0.spanId, $0) }, uniquingKeysWith: { first, _ in first })
        func parent(_ span: TelemetryReceiver.Span) -> TelemetryReceiver.Span? { byId[span.parentSpanId] }

        // Rooms handled the command as a child of the frame span.
        let handled = trace.filter { $0.service == "agentim-rooms" && $0.name == "process agentim:cmd:rooms" }
        #expect(handled.count == 1, "\(summary)")
        #expect(handled.first.flatMap(parent)?.name == "client:send_message", "\(summary)")
        // Both edges delivered the event as children of the rooms span.
        let deliveries = trace.filter { $0.name == "receive agentim:events" }
        #expect(deliveries.count >= 2, "\(summary)")
        for delivery in deliveries {
            #expect(delivery.service == "agentim-edge", "\(summary)")
            #expect(parent(delivery)?.service == "agentim-rooms", "delivery under rooms:\n\(summary)")
        }
        #expect(Set(trace.map(\.service)).isSuperset(of: ["agentim-edge", "agentim-rooms"]))

        // Log lines written inside the rooms span carry its trace id.
        let traceId = try #require(roots.first?.traceId)
        let rooms = try #require(hub.services["rooms"])
        await Wait.until { rooms.log.contains("trace_id=\(traceId)") }
        #expect(rooms.log.contains("trace_id=\(traceId)"), "rooms log lines carry the trace id")
    }

    /// A message in a broadcast room with a router: the same trace goes on through the router
    /// service (under the rooms span) and back to rooms with its decision (under the router span).
    @Test
    func routedMessageTraceCoversTheRouter() async throws {
        let receiver = try await TelemetryReceiver()
        defer { receiver.stop() }
        let llm = try await FakeLLM()
        defer { llm.stop() }
        let hub = try DistributedHub(extra: ["OTEL_EXPORTER_OTLP_ENDPOINT": receiver.base, "OTEL_BSP_SCHEDULE_DELAY": "100",
                                             "ROUTER_ALLOW_PRIVATE_URLS": "true", "NODE_ENV": "test"])
        defer { hub.stop() }
        try await hub.startServices()
        let edge = try await hub.startEdge()
        let fixture = try await Fixture(base: edge.baseURL, ws: edge.wsURL)
        let s = try await AgentGatewayTests.setup(fixture, agents: [("agent-a", "alpha"), ("agent-b", "beta")], broadcast: true)
        defer { s.gateway.close(); s.client.close() }
        let created = try await fixture.post("/api/routers", #"{"name":"picker","llmBaseUrl":"\#(llm.baseURL("named"))","llmApiKey":"sk-test-123456","llmModel":"fake"}"#, s.amy.token)
        let routerId = try #require(created.data?["id"]?.stringValue, "\(created.body)")
        #expect(try await fixture.put("/api/rooms/\(s.room)", #"{"routerId":"\#(routerId)"}"#, s.amy.token).status == 200)

        _ = try await fixture.send(s.client, room: s.room, "could beta look at the flaky test")
        #expect(await s.gateway.nextWork(for: "agent-b") != nil, "the router chose beta")

        var trace: [TelemetryReceiver.Span] = []
        await Wait.until(.seconds(20)) {
            let spans = (try? await receiver.spans()) ?? []
            let roots = spans.filter { $0.name == "client:send_message" }
            for root in roots {
                let candidate = spans.filter { $0.traceId == root.traceId }
                if candidate.contains(where: { $0.service == "agentim-router" }),
                   candidate.filter({ $0.service == "agentim-rooms" && $0.name == "process agentim:cmd:rooms" }).count >= 2 {
                    trace = candidate
                    return true
                }
            }
            return false
        }
        let summary = trace.map { "\($0.service) \($0.name) \($0.spanId)<-\($0.parentSpanId)" }.joined(separator: "\n")
        #expect(!trace.isEmpty, "a send_message trace that reached the router")
        let byId = Dictionary(trace.map { ($0.spanId, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(trace.filter { $0.parentSpanId.isEmpty }.count == 1, "one root:\n\(summary)")
        for span in trace where !span.parentSpanId.isEmpty {
            #expect(byId[span.parentSpanId] != nil, "parent of \(span.name) is in the trace:\n\(summary)")
        }
        let routed = trace.filter { $0.service == "agentim-router" && $0.name == "process agentim:cmd:router" }
        #expect(routed.count == 1, "\(summary)")
        #expect(routed.first.flatMap { byId[$0.parentSpanId] }?.service == "agentim-rooms", "router under rooms:\n\(summary)")
        let decided = trace.filter { $0.service == "agentim-rooms" && byId[$0.parentSpanId]?.service == "agentim-router" }
        #expect(!decided.isEmpty, "rooms applied the decision under the router span:\n\(summary)")
        #expect(Set(trace.map(\.service)).isSuperset(of: ["agentim-edge", "agentim-rooms", "agentim-router"]), "\(summary)")
    }

    /// A bad endpoint or DSN is refused at start with one line and exit 1.
    @Test func badEndpointIsRefusedAtStart() async throws {
        let process = try HubProcess("agentim-rooms", environment: [
            "DATABASE_URL": try TestEnvironment.freshDatabase(), "JWT_SECRET": DistributedHub.secret,
            "OTEL_EXPORTER_OTLP_ENDPOINT": "not a url"])
        process.process.waitUntilExit()
        #expect(process.process.terminationStatus == 1)
        #expect(process.log.contains("agentim: fatal: OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL, got not a url"), "\(process.log)")

        let sentry = try HubProcess("agentim-rooms", environment: [
            "DATABASE_URL": try TestEnvironment.freshDatabase(), "JWT_SECRET": DistributedHub.secret, "SENTRY_DSN": "ftp://nokey/1"])
        sentry.process.waitUntilExit()
        #expect(sentry.process.terminationStatus == 1)
        #expect(sentry.log.contains("agentim: fatal: SENTRY_DSN must be a Sentry DSN"), "\(sentry.log)")
    }

    /// A 5xx answer (the database lost a table under the running rooms service) is one Sentry
    /// event on the envelope endpoint, carrying the request id the edge put on the request; a
    /// 4xx is not reported. The services are asked directly, as the edge's proxy asks them.
    @Test func serverErrorsAreReportedToSentryWithTheRequestId() async throws {
        let receiver = try await TelemetryReceiver()
        defer { receiver.stop() }
        let hub = try DistributedHub(extra: ["SENTRY_DSN": receiver.sentryDSN])
        defer { hub.stop() }
        try await hub.startServices()
        let auth = try #require(hub.services["auth"])
        let rooms = try #require(hub.services["rooms"])
        let token = try await ChatScenario.login(auth.baseURL, "admin", ChatScenario.adminPassword)

        let missing = try await HTTP.send("GET", rooms.baseURL + "/api/rooms/no-such-room", body: nil, token: token,
                                          headers: ["X-Request-ID": "obs-missing-1"])
        #expect(missing.status == 404)

        _ = try TestEnvironment.psql(hub.database, "ALTER TABLE rooms RENAME TO rooms_gone")
        let failed = try await HTTP.send("GET", rooms.baseURL + "/api/rooms", body: nil, token: token, headers: ["X-Request-ID": "obs-fail-1"])
        _ = try TestEnvironment.psql(hub.database, "ALTER TABLE rooms_gone RENAME TO rooms")
        #expect(failed.status == 500, "\(failed.body)")

        var events: [JSONValue] = []
        await Wait.until(.seconds(10)) {
            events = (try? await receiver.sentryEvents()) ?? []
            return !events.isEmpty
        }
        // Give a wrongly reported 404 the time to arrive too.
        try await Task.sleep(for: .milliseconds(300))
        events = try await receiver.sentryEvents()
        #expect(try await receiver.refused().isEmpty)
        #expect(events.count == 1, "only the 500 is reported: \(events)")
        let envelope = try #require(events.first)
        #expect(envelope["project"]?.stringValue == "42")
        #expect(envelope["contentType"]?.stringValue == "application/x-sentry-envelope")
        let authHeader = try #require(envelope["auth"]?.stringValue)
        #expect(authHeader.hasPrefix("Sentry ") && authHeader.contains("sentry_key=agentimpublickey") && authHeader.contains("sentry_version=7"), "\(authHeader)")
        #expect(envelope["item"]?["type"]?.stringValue == "event")
        let event = try #require(envelope["event"])
        #expect(event["event_id"]?.stringValue == envelope["header"]?["event_id"]?.stringValue)
        #expect(event["event_id"]?.stringValue?.count == 32)
        #expect(event["level"]?.stringValue == "error")
        #expect(event["logger"]?.stringValue == "agentim-rooms")
        #expect(event["tags"]?["request_id"]?.stringValue == "obs-fail-1")
        #expect(event["tags"]?["http.status_code"]?.stringValue == "500")
        #expect(event["request"]?["method"]?.stringValue == "GET")
        #expect(event["request"]?["url"]?.stringValue == "/api/rooms")
        #expect(event["exception"]?["values"]?.arrayValue?.first?["type"]?.stringValue == "PSQLError", "the unhandled error itself: \(event)")

        let healed = try await HTTP.send("GET", rooms.baseURL + "/api/rooms", body: nil, token: token, headers: [:])
        #expect(healed.status == 200)
    }
    /// A bus command whose handler fails (auth's audit worker, its table gone) is reported to
    /// Sentry as well as logged: failures off the request path reach the operator too.
    @Test func failedBusCommandsAreReportedToSentry() async throws {
        let receiver = try await TelemetryReceiver()
        defer { receiver.stop() }
        let hub = try DistributedHub(extra: ["SENTRY_DSN": receiver.sentryDSN])
        defer { hub.stop() }
        try await hub.startServices()
        let redisURL = try #require(TestEnvironment.redis)
        let redis = try #require(URL(string: redisURL))

        _ = try TestEnvironment.psql(hub.database, "ALTER TABLE audit_logs RENAME TO audit_logs_gone")
        defer { _ = try? TestEnvironment.psql(hub.database, "ALTER TABLE audit_logs_gone RENAME TO audit_logs") }
        let entryId = "obs-audit-\(UInt32.random(in: 0...UInt32.max))"
        let payload = #"{"id":"\#(entryId)","action":"room_create","targetType":"room","createdAtMs":\#(Int64(Date().timeIntervalSince1970 * 1000))}"#
        _ = try TestEnvironment.run("/usr/bin/redis-cli", ["-h", redis.host ?? "127.0.0.1", "-p", String(redis.port ?? 6379),
                                                      "XADD", "agentim:cmd:audit", "*", "d", payload])

        var reports: [JSONValue] = []
        await Wait.until(.seconds(15)) {
            reports = ((try? await receiver.sentryEvents()) ?? []).filter {
                $0["event"]?["message"]?["formatted"]?.stringValue?.contains("on agentim:cmd:audit failed") ?? false
                    || "\($0)".contains("on agentim:cmd:audit failed")
            }
            return !reports.isEmpty
        }
        let event = try #require(reports.first?["event"], "no Sentry event for the failed audit command")
        #expect(event["logger"]?.stringValue == "agentim-auth")
        #expect(event["level"]?.stringValue == "error")
        #expect(event["message"]?["formatted"]?.stringValue?.hasPrefix("command ") ?? false, "the event names the command: \(event)")
        #expect(event["exception"]?["values"]?.arrayValue?.first?["type"]?.stringValue == "PSQLError", "\(event)")
    }
}
