import AgentIMCore
import Hummingbird
import Logging

/// Turns every error into the hub's JSON envelope: `APIError` as itself, an unknown route
/// as a JSON 404, anything else as 500 with an `errorId` (its message only outside production).
public struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    let production: Bool

    public init(production: Bool) { self.production = production }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return errorResponse(error)
        } catch let error as HTTPError where error.status == .notFound {
            return errorResponse(APIError(404, "Not found"))
        } catch let error as HTTPError where (400..<500).contains(error.status.code) {
            return errorResponse(APIError(error.status.code, error.body ?? error.status.reasonPhrase), errorId: Nanoid.make())
        } catch {
            let errorId = Nanoid.make()
            context.logger.error("unhandled error \(errorId) on \(request.method) \(request.uri.path): \(error)")
            return errorResponse(APIError(500, production ? "Internal server error" : "\(error)"), errorId: errorId)
        }
    }
}
