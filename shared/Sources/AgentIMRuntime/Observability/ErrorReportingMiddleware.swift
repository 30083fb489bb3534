import AgentIMCore
import AgentIMHTTP
import HTTPTypes
import Hummingbird

/// Reports to Sentry (`ErrorReporter`) what a request ended in when it is a server fault: an
/// error that is not a 4xx refusal (unhandled: the error envelope makes it a 500), or a 5xx
/// answer. Sits just inside the error envelope, so it sees the error itself; the request id is
/// the `X-Request-ID` the edge set. Health checks answering 503 while a dependency is down are
/// not faults of this process and are not reported.
public struct ErrorReportingMiddleware<Context: RequestContext>: RouterMiddleware {
    let reporter: ErrorReporter
    static var requestIDHeader: HTTPField.Name { HTTPField.Name("X-Request-ID")! }

    public init(reporter: ErrorReporter) { self.reporter = reporter }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard reporter.isEnabled else { return try await next(request, context) }
        do {
            let response = try await next(request, context)
            let status = Int(response.status.code)
            if status >= 500, !Self.isHealthCheck(request.uri.path) {
                reporter.report(ErrorReporter.Report(
                    message: "HTTP \(status) on \(request.method.rawValue) \(request.uri.path)", status: status,
                    requestId: request.headers[Self.requestIDHeader], method: request.method.rawValue, path: request.uri.path))
            }
            return response
        } catch {
            let status = Self.status(of: error)
            if status >= 500 {
                reporter.report(ErrorReporter.Report(
                    message: "\(error)", errorType: String(describing: type(of: error)), status: status,
                    requestId: request.headers[Self.requestIDHeader], method: request.method.rawValue, path: request.uri.path))
            }
            throw error
        }
    }

    /// The status the error envelope answers for `error`.
    static func status(of error: any Error) -> Int {
        if let error = error as? APIError { return error.status }
        if let error = error as? HTTPError { return Int(error.status.code) }
        return 500
    }

    static func isHealthCheck(_ path: String) -> Bool {
        path == "/api/health" || path.hasPrefix("/internal/health")
    }
}
