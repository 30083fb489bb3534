import Metrics

/// `agentim_push_total{result}`: pushes a push service accepted, found gone, or never took.
enum PushMetrics {
    static let sent = Counter(label: "agentim_push_total", dimensions: [("result", "sent")])
    static let gone = Counter(label: "agentim_push_total", dimensions: [("result", "gone")])
    static let failed = Counter(label: "agentim_push_total", dimensions: [("result", "failed")])
}
