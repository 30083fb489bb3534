import Logging
import Metrics
import Prometheus

/// Process-wide logging and metrics, set up once by each executable's `main`.
public enum Telemetry {
    /// The registry every service's `/metrics` (and the edge's `/api/metrics`) renders.
    public static let registry = PrometheusCollectorRegistry()

    public static func bootstrap(logLevel: String) {
        let level = Logger.Level(rawValue: logLevel == "warn" ? "warning" : (logLevel == "fatal" ? "critical" : logLevel)) ?? .info
        // The provider puts `trace_id`/`span_id` on lines written inside a span (tracing on only).
        LoggingSystem.bootstrap({ label, provider in
            var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
            handler.logLevel = level
            return handler
        }, metadataProvider: Traces.loggingMetadataProvider)
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// The Prometheus text exposition of everything recorded in this process.
    public static func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
