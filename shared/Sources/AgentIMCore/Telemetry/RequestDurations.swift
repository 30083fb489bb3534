import Prometheus
import Synchronization

/// `agentim_http_request_duration_seconds{method,path}` and `agentim_api_errors_total`
/// (data-config-security §6) of one process: the edge's public requests, or a service's own
/// (what it spent on each request the edge forwarded).
public final class RequestDurations: Sendable {
    public static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Label sets kept apart before further paths share `path="other"`: unknown URLs must not
    /// grow the registry without bound.
    static let maxPaths = 500

    private let registry: PrometheusCollectorRegistry
    private let histograms = Mutex<[String: ValueHistogram]>([:])
    private let apiErrors = Mutex<Counter?>(nil)

    public init(registry: PrometheusCollectorRegistry = Telemetry.registry) {
        self.registry = registry
    }

    public func observe(method: String, path: String, seconds: Double, status: Int) {
        let label = MetricPath.label(for: path)
        let key = method + " " + label
        let histogram = histograms.withLock { cache -> ValueHistogram in
            if let existing = cache[key] { return existing }
            let path = cache.count < Self.maxPaths ? label : "other"
            let made = registry.makeValueHistogram(
                descriptor: MetricNameDescriptor(metricName: "agentim_http_request_duration", unitName: "seconds",
                                                 helpText: "HTTP request duration in seconds"),
                labels: [("method", method), ("path", path)], buckets: Self.buckets)
            cache[key] = made
            return made
        }
        histogram.record(seconds)
        if status >= 500 {
            // Created on the first error: the counter appears only once it is non-zero.
            let counter = apiErrors.withLock { counter in
                if counter == nil { counter = registry.makeCounter(descriptor: MetricNameDescriptor(
                    metricName: "agentim_api_errors", unitName: "total", helpText: "API responses with a 5xx status")) }
                return counter!
            }
            counter.increment()
        }
    }
}

/// The `path` label: segments of 10 or more id characters (`[A-Za-z0-9_-]`) become `:id`
/// (the original's rule). One pass over the bytes; a path with no id segment is returned as it is.
public enum MetricPath {
    public static func label(for path: String) -> String {
        // Read in place (a native string's bytes are contiguous); copied only if they are not.
        let relabelled = path.utf8.withContiguousStorageIfAvailable(relabel) ?? Array(path.utf8).withUnsafeBufferPointer(relabel)
        return relabelled.map { String(decoding: $0, as: UTF8.self) } ?? path
    }

    /// The label's bytes, or nil when the path has no id segment (the label is the path).
    private static func relabel(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var result: [UInt8]?
        var start = 0
        while start < utf8.count {
            var end = start
            while end < utf8.count, utf8[end] != UInt8(ascii: "/") { end += 1 }
            let segment = utf8[start..<end]
            if segment.count >= 10, segment.allSatisfy(isIDByte) {
                if result == nil { result = Array(utf8[..<start]) }
                result!.append(contentsOf: ":id".utf8)
            } else if result != nil {
                result!.append(contentsOf: segment)
            }
            if end < utf8.count { result?.append(UInt8(ascii: "/")) }
            start = end + 1
        }
        return result
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D || byte == 0x5F
    }
}
