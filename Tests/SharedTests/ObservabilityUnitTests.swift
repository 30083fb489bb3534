import AgentIMBus
import AgentIMCore
import AgentIMRedis
@testable import AgentIMRuntime
import Foundation
import Logging
import Testing

/// The pieces of tracing and error reporting that need no running hub: the bus entry's
/// `traceparent` field on a real Redis, the Sentry DSN, the envelope and the bounded queue.
struct ObservabilityUnitTests {
    /// An entry written with a `traceparent` field (a tracing process) reads back with it; one
    /// written without (an older process, or tracing off) reads back without; other fields are ignored.
    @Test func busEntriesCarryAnOptionalTraceparent() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["AGENTIM_TEST_REDIS"], "AGENTIM_TEST_REDIS is not set")
        let redis = try RedisClient(url)
        let bus = RedisBus(redis: redis)
        let stream = "agentim:test:\(UUID().uuidString)"
        let traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        try await redis.send("XADD", stream, "*", "d", "traced", "traceparent", traceparent)
        try await redis.send("XADD", stream, "*", "d", "plain")
        try await redis.send("XADD", stream, "*", "future", "x", "d", "later")
        // Without tracing, appends write no trace field.
        try await bus.append(stream, Data("appended".utf8))
        let entries = try await bus.read(stream, after: "0-0", count: 10, block: .milliseconds(50))
        #expect(entries.map { String(decoding: $0.payload, as: UTF8.self) } == ["traced", "plain", "later", "appended"])
        #expect(entries.map(\.traceparent) == [traceparent, nil, nil, nil])
        try await redis.send("DEL", stream)
    }

    @Test func sentryDSNsParseToTheirEnvelopeEndpoint() throws {
        let plain = try #require(try SentryDSN("https://abc123@o1.ingest.sentry.io/4567"))
        #expect(plain.envelopeURL == "https://o1.ingest.sentry.io/api/4567/envelope/")
        #expect(plain.publicKey == "abc123")
        #expect(plain.authHeader == "Sentry sentry_version=7, sentry_client=agentim/1.0, sentry_key=abc123")
        let prefixed = try #require(try SentryDSN("http://key:secret@127.0.0.1:9000/sentry/42"))
        #expect(prefixed.envelopeURL == "http://127.0.0.1:9000/sentry/api/42/envelope/")
        #expect(try SentryDSN("") == nil)
        #expect(try SentryDSN("  ") == nil)
        for bad in ["not a dsn", "ftp://key@host/1", "https://host/1", "https://key@host/", "https://key@/1"] {
            #expect(throws: ConfigError.self, "\(bad)") { try SentryDSN(bad) }
        }
        do {
            _ = try SentryDSN("https://host/1")
        } catch let error as ConfigError {
            #expect(error.message == "SENTRY_DSN must be a Sentry DSN like https://<key>@<host>/<project>")
        }
    }

    /// Envelope header, item header with the event's byte length, the event: one line each.
    @Test func envelopeIsThreeLinesWithTheEventsLength() throws {
        let dsn = try #require(try SentryDSN("http://pub@127.0.0.1:1/7"))
        let report = ErrorReporter.Report(message: "HTTP 500 on GET /api/rooms", status: 500, requestId: "r-1", method: "GET", path: "/api/rooms",
                                          traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        let data = ErrorReporter.envelope(report, dsn: dsn, serviceName: "agentim-rooms", environment: "production", serverName: "rooms-1")
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(lines.count == 4 && lines[3].isEmpty)
        let header = try JSONDecoder().decode(JSONValue.self, from: Data(lines[0]))
        let item = try JSONDecoder().decode(JSONValue.self, from: Data(lines[1]))
        let event = try JSONDecoder().decode(JSONValue.self, from: Data(lines[2]))
        #expect(item["type"]?.stringValue == "event")
        #expect(item["length"] == .number(Double(lines[2].count)))
        #expect(header["event_id"] == event["event_id"])
        #expect(event["tags"]?["request_id"]?.stringValue == "r-1")
        #expect(event["contexts"]?["trace"]?["trace_id"]?.stringValue == "0af7651916cd43dd8448eb211c80319c")
        #expect(event["environment"]?.stringValue == "production")
        #expect(event["exception"] == nil, "a 5xx answer is a message, not an exception")
    }

    /// `report` never waits: with nothing sending, the queue fills and the rest is dropped and counted.
    @Test func fullQueueDropsInsteadOfWaiting() throws {
        let reporter = ErrorReporter(dsn: try SentryDSN("http://pub@127.0.0.1:1/7"), serviceName: "agentim-test", environment: "test",
                                     serverName: "test", logger: Logger(label: "test"))
        for index in 0..<(ErrorReporter.capacity + 25) { reporter.report(ErrorReporter.Report(message: "e\(index)")) }
        #expect(reporter.dropped == 25)
        let off = ErrorReporter(dsn: nil, serviceName: "agentim-test", environment: "test", serverName: "test", logger: Logger(label: "test"))
        for _ in 0..<10 { off.report(ErrorReporter.Report(message: "ignored")) }
        #expect(off.dropped == 0 && !off.isEnabled)
    }

    @Test func tracingPlanValidatesTheEnvironment() throws {
        #expect(try TracingBootstrap.plan(role: "rooms", environment: Environment([:])) == nil)
        let plan = try #require(try TracingBootstrap.plan(role: "rooms", environment: Environment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"])))
        #expect(plan.serviceName == "agentim-rooms")
        let named = try TracingBootstrap.plan(role: "edge", environment: Environment(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://c/v1/traces", "OTEL_SERVICE_NAME": "edge-eu"]))
        #expect(named?.serviceName == "edge-eu")
        #expect(try TracingBootstrap.plan(role: "rooms", environment: Environment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"])) == nil)
        #expect(try TracingBootstrap.plan(role: "rooms", environment: Environment(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"])) == nil)
        let refusals: [[String: String]] = [
            ["OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"],
            ["OTEL_EXPORTER_OTLP_ENDPOINT": "ftp://collector"],
            ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"],
            ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_SAMPLER": "sometimes"],
            ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "zipkin"],
        ]
        for environment in refusals {
            #expect(throws: ConfigError.self, "\(environment)") { try TracingBootstrap.plan(role: "rooms", environment: Environment(environment)) }
        }
    }

    /// Off (no bootstrap in this process): no trace context, and a span is the body alone.
    @Test func tracesAreANoOpWhenOff() async throws {
        #expect(!Traces.isEnabled)
        #expect(Traces.currentTraceparent() == nil)
        #expect(Traces.currentHeaders().isEmpty)
        let value = await Traces.span("unused") { 42 }
        #expect(value == 42)
        let consumed = await Traces.consuming("unused", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") { "ran" }
        #expect(consumed == "ran")
    }
}
