import AgentIMCore
import AgentIMHTTP
import Hummingbird

/// Times every request of a service process into `RequestDurations` (outermost, so the
/// error envelope's status is the one counted).
public struct RequestDurationMiddleware: RouterMiddleware {
    public typealias Context = HubRequestContext
    let durations: RequestDurations

    public init(durations: RequestDurations) {
        self.durations = durations
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            durations.observe(method: request.method.rawValue, path: request.uri.path, seconds: Self.seconds(since: start), status: response.status.code)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            durations.observe(method: request.method.rawValue, path: request.uri.path, seconds: Self.seconds(since: start), status: status)
            throw error
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
