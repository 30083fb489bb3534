import Logging
import Metrics
import Prometheus

/// Process-wide logging and metrics, set up once by each executable's `main`.
public enum Telemetry {
    /// The registry every service's `/metrics` (and the edge's `/api/metrics`) renders.
    public static let registry = PrometheusCollectorRegistry()

    public static func bootstrap(logLevel: String) {
        LiveLogLevel.set(LiveLogLevel.parse(logLevel) ?? .info)
        // The provider puts `trace_id`/`span_id` on lines written inside a span (tracing on only).
        LoggingSystem.bootstrap({ label, provider in LiveLevelLogHandler(label: label, metadataProvider: provider) },
                               metadataProvider: Traces.loggingMetadataProvider)
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }

    /// The Prometheus text exposition of everything recorded in this process.
    public static func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
