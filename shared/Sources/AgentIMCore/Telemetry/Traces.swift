import Logging
import Synchronization
import Tracing

/// The process's switch for distributed tracing and the W3C trace context helpers every
/// layer uses (the bus, internal HTTP, the edge's sockets). Off until the OTLP exporter is
/// bootstrapped (`OTEL_EXPORTER_OTLP_ENDPOINT`): then every helper here returns at its first
/// check, so a message pays one relaxed atomic load and no allocation.
public enum Traces {
    private static let enabled = Atomic<Bool>(false)

    public static var isEnabled: Bool { enabled.load(ordering: .relaxed) }

    /// Set once by the tracing bootstrap, before the process serves.
    public static func enable() { enabled.store(true, ordering: .relaxed) }

    /// The `traceparent` of the current span, or nil when tracing is off or no span is active.
    public static func currentTraceparent() -> String? {
        guard isEnabled, let context = InstrumentationContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryCarrier())
        return carrier["traceparent"]
    }

    /// The propagation headers (`traceparent`, `tracestate`) of the current span, empty when off.
    public static func currentHeaders() -> [String: String] {
        guard isEnabled, let context = InstrumentationContext.current else { return [:] }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryCarrier())
        return carrier
    }

    /// Runs `body` in a span named `name`: a child of `traceparent` when one is given (a bus
    /// entry's), else of the current span, else a new trace. Without tracing: `body` alone.
    public static func span<T>(_ name: @autoclosure () -> String, kind: SpanKind = .internal, traceparent: String? = nil,
                               isolation: isolated (any Actor)? = #isolation,
                               _ body: () async throws -> T) async rethrows -> T {
        guard isEnabled else { return try await body() }
        let parent: InstrumentationContext
        if let traceparent {
            var context = InstrumentationContext.topLevel
            InstrumentationSystem.instrument.extract(["traceparent": traceparent], into: &context, using: DictionaryCarrier())
            parent = context
        } else {
            parent = InstrumentationContext.current ?? .topLevel
        }
        // The span records an error `body` throws and ends either way.
        return try await withSpan(name(), context: parent, ofKind: kind) { _ in try await body() }
    }

    /// Runs the handler of a consumed bus entry: in a consumer span under the publisher's span
    /// when the entry carries a `traceparent`, else as it is (no new trace per untraced entry).
    public static func consuming<T>(_ name: @autoclosure () -> String, traceparent: String?,
                                    isolation: isolated (any Actor)? = #isolation,
                                    _ body: () async throws -> T) async rethrows -> T {
        guard let traceparent, isEnabled else { return try await body() }
        return try await span(name(), kind: .consumer, traceparent: traceparent, body)
    }

    /// Runs the handler of several consumed entries at once (a follower's read): one consumer
    /// span per entry that carries a `traceparent`, each under its publisher's span and ending
    /// with `body`, which runs in the first one's context (its log lines carry that trace).
    public static func consuming<T>(_ name: @autoclosure () -> String, traceparents: [String?],
                                    isolation: isolated (any Actor)? = #isolation,
                                    _ body: () async throws -> T) async rethrows -> T {
        guard isEnabled else { return try await body() }
        let spanName = name()
        let spans = traceparents.compactMap { $0 }.map { traceparent -> any Span in
            var context = InstrumentationContext.topLevel
            InstrumentationSystem.instrument.extract(["traceparent": traceparent], into: &context, using: DictionaryCarrier())
            return startSpan(spanName, context: context, ofKind: .consumer)
        }
        guard let first = spans.first else { return try await body() }
        defer { for span in spans { span.end() } }
        do {
            return try await InstrumentationContext.withValue(first.context) { try await body() }
        } catch {
            for span in spans { span.recordError(error) }
            throw error
        }
    }
}

extension Traces {
    /// `trace_id` and `span_id` on every log line written inside a span while tracing is on;
    /// nothing otherwise (one atomic load per line).
    public static let loggingMetadataProvider = Logger.MetadataProvider {
        guard let traceparent = currentTraceparent() else { return [:] }
        // version-traceid-spanid-flags
        let parts = traceparent.split(separator: "-")
        guard parts.count == 4, parts[1].count == 32, parts[2].count == 16 else { return [:] }
        return ["trace_id": .string(String(parts[1])), "span_id": .string(String(parts[2]))]
    }
}

/// A `[String: String]` carrier for the instrument's inject and extract.
public struct DictionaryCarrier: Injector, Extractor {
    public init() {}
    public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
    public func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
