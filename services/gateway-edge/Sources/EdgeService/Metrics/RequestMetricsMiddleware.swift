import AgentIMHTTP
import Hummingbird

/// Times every request into `agentim_http_request_duration_seconds{method,path}` and
/// counts 5xx answers (`agentim_api_errors_total`).
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let metrics: EdgeMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.observe(method: request.method.rawValue, path: request.uri.path, seconds: seconds, status: response.status.code)
        return response
    }
}
