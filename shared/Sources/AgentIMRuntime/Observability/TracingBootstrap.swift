import AgentIMCore
import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// OpenTelemetry traces, exported over OTLP/HTTP (protobuf) when `OTEL_EXPORTER_OTLP_ENDPOINT`
/// (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, with the standard `OTEL_*` variables
/// (`OTEL_SERVICE_NAME`, default `agentim-<role>`; `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`,
/// `OTEL_BSP_*`, `OTEL_EXPORTER_OTLP_HEADERS`, …). Without an endpoint nothing is set up: the
/// tracer stays the no-op one and `Traces.isEnabled` false.
public enum TracingBootstrap {
    /// The validated tracing settings of a process.
    public struct Plan: Sendable {
        public var serviceName: String
        public var endpoint: String
    }

    /// What the environment asks for, validated: nil when tracing is off; a `ConfigError` (one
    /// line) for an endpoint that is not an http(s) URL or a protocol other than OTLP/HTTP.
    public static func plan(role: String, environment: Environment) throws -> Plan? {
        if environment.string("OTEL_SDK_DISABLED")?.lowercased() == "true" { return nil }
        if let exporter = environment.nonEmpty("OTEL_TRACES_EXPORTER") {
            guard exporter == "otlp" || exporter == "none" else {
                throw ConfigError("OTEL_TRACES_EXPORTER must be otlp or none, got \(exporter)")
            }
            if exporter == "none" { return nil }
        }
        let variable = environment.nonEmpty("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != nil
            ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" : "OTEL_EXPORTER_OTLP_ENDPOINT"
        guard let endpoint = environment.nonEmpty(variable) else { return nil }
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw ConfigError("\(variable) must be an http:// or https:// URL, got \(endpoint)")
        }
        for key in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            if let value = environment.nonEmpty(key) {
                guard value == "http/protobuf" || value == "http/json" else {
                    throw ConfigError("\(key) must be http/protobuf or http/json (this build exports OTLP over HTTP), got \(value)")
                }
                break
            }
        }
        if let sampler = environment.nonEmpty("OTEL_TRACES_SAMPLER") {
            let known = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"]
            guard known.contains(sampler) else {
                throw ConfigError("OTEL_TRACES_SAMPLER must be one of \(known.joined(separator: ", ")), got \(sampler)")
            }
        }
        return Plan(serviceName: environment.nonEmpty("OTEL_SERVICE_NAME") ?? "agentim-\(role)", endpoint: endpoint)
    }

    /// Installs the OTLP tracer for `plan` and turns `Traces` on; returns the exporter's service,
    /// to run first in the process's service group so that it stops last and flushes the
    /// spans of the shutdown. `OTEL_SERVICE_NAME`, when set, wins over the role's name.
    public static func start(_ plan: Plan) throws -> any Service {
        var configuration = OTel.Configuration.default
        configuration.serviceName = plan.serviceName
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.otlpExporter.`protocol` = .httpProtobuf
        configuration.diagnosticLogger = .custom(Logger(label: "agentim.otel"))
        // Export failures, not a line per OTEL_* variable read (OTEL_LOG_LEVEL still wins).
        configuration.diagnosticLogLevel = .warning
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracer)
        Traces.enable()
        return service
    }

    /// The exporter service of this process, once `start` ran (ServiceHost runs it).
    nonisolated(unsafe) static var exporter: (any Service)?
}
