/// One breaker per LLM base URL (websocket §11.8): after 5 consecutive failures the URL is
/// skipped for `openFor`; then one probe goes through. With the spec's hardening, whatever
/// the probe's outcome the breaker leaves half-open: an answer closes it, a failure re-opens
/// it, so it can never stay stuck skipping. State is per process.
actor CircuitBreaker {
    enum State: Equatable { case closed, open, halfOpen }

    struct Circuit {
        var failures = 0
        var state = State.closed
        var openedAt = ContinuousClock.now
    }

    static let threshold = 5
    let openFor: Duration
    private var circuits: [String: Circuit] = [:]

    init(openFor: Duration) { self.openFor = openFor }

    /// Whether a call may go out now; an expired open breaker lets this one through as the probe.
    func allow(_ key: String) -> Bool {
        var circuit = circuits[key] ?? Circuit()
        defer { circuits[key] = circuit }
        switch circuit.state {
        case .closed:
            return true
        case .open:
            guard ContinuousClock.now - circuit.openedAt >= openFor else { return false }
            circuit.state = .halfOpen
            return true
        case .halfOpen:
            return false
        }
    }

    /// The endpoint answered (a parsed answer, or — during a probe — any 2xx answer).
    func succeeded(_ key: String) {
        circuits[key] = Circuit()
    }

    /// A 2xx answer that could not be read: no failure, but a probe still counts as answered.
    func answeredBadly(_ key: String) {
        if circuits[key]?.state == .halfOpen { circuits[key] = Circuit() }
    }

    func failed(_ key: String) {
        var circuit = circuits[key] ?? Circuit()
        circuit.failures += 1
        if circuit.failures >= Self.threshold || circuit.state == .halfOpen {
            circuit.state = .open
            circuit.openedAt = .now
        }
        circuits[key] = circuit
    }

    func state(_ key: String) -> State { circuits[key]?.state ?? .closed }
}
