import AgentIMCore
import AgentIMHTTP
import Foundation
import Hummingbird

/// The internal routes a service answers, each a typed handler for a route of
/// `InternalRoutes`. Its own process mounts them on its router (`mount(on:)`); the
/// single-process hub hands them to `InternalClient.direct`, which calls them without HTTP.
public struct InternalHandlers: Sendable {
    struct Entry: Sendable {
        /// A `Handler<Input, Output>`, recovered by its route's types.
        let handler: any Sendable
        let mount: @Sendable (Router<HubRequestContext>) -> Void
    }

    struct Handler<Input: Sendable, Output: Sendable>: Sendable {
        let run: @Sendable (Input) async throws -> Output
    }

    private(set) var entries: [String: Entry] = [:]

    public init() {}

    /// Answers `route` with `handler`. One handler per route.
    public mutating func on<Input, Output>(_ route: InternalRoute<Input, Output>, _ handler: @escaping @Sendable (Input) async throws -> Output) {
        precondition(entries[route.name] == nil, "\(route.name) has two handlers")
        entries[route.name] = Entry(handler: Handler(run: handler)) { router in
            router.on(RouterPath(route.path), method: route.method) { request, context -> Response in
                let input = try await Self.input(of: route, request: request, context: context)
                return Self.response(route, try await handler(input))
            }
        }
    }

    /// Both sets of handlers; a route answered by both is a programming error.
    public static func + (lhs: InternalHandlers, rhs: InternalHandlers) -> InternalHandlers {
        var merged = lhs
        for (name, entry) in rhs.entries {
            precondition(merged.entries[name] == nil, "\(name) has two handlers")
            merged.entries[name] = entry
        }
        return merged
    }

    /// Mounts every handler at its route's method and path. Never on a public listener:
    /// internal routes answer without a user's token.
    public func mount(on router: Router<HubRequestContext>) {
        for entry in entries.values { entry.mount(router) }
    }

    func handler<Input, Output>(for route: InternalRoute<Input, Output>) -> (@Sendable (Input) async throws -> Output)? {
        (entries[route.name]?.handler as? Handler<Input, Output>)?.run
    }

    // MARK: the wire, server side

    /// Path parameters (percent-decoded) plus the query (GET) or the JSON body (POST, PUT).
    static func input<Input, Output>(of route: InternalRoute<Input, Output>, request: Request, context: HubRequestContext) async throws -> Input {
        var parameters: [String: String] = [:]
        for name in route.pathParameters {
            let raw = try context.parameters.require(name)
            parameters[name] = raw.removingPercentEncoding ?? raw
        }
        guard route.hasBody else {
            for (key, value) in request.uri.queryParameters where parameters[String(key)] == nil {
                parameters[String(key)] = String(value)
            }
            return try ParameterDecoder.decode(Input.self, from: parameters)
        }
        var body = request.body
        let bytes: ByteBuffer
        do {
            bytes = try await body.collect(upTo: InternalClient.maxBytes)
        } catch {
            throw APIError(413, "Request body too large")
        }
        do {
            guard !parameters.isEmpty else { return try JSONDecoder().decode(Input.self, from: Data(buffer: bytes)) }
            guard case .object(var fields) = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes)) else { throw APIError.invalidJSON }
            for (name, value) in parameters { fields[name] = .string(value) }
            return try JSONDecoder().decode(Input.self, from: JSONEncoder().encode(JSONValue.object(fields)))
        } catch {
            throw APIError.invalidJSON
        }
    }

    /// `{ok:true, data}` (`{ok:true}` for an empty output), or the bare output with its status.
    /// Messages keep the socket rendering (absent fields omitted), as on the bus.
    static func response<Input, Output>(_ route: InternalRoute<Input, Output>, _ output: Output) -> Response {
        switch route.answer {
        case .envelope:
            if Output.self == InternalEmpty.self { return okEmpty() }
            return jsonResponse(Envelope(output), rest: false)
        case .bare(let status):
            return jsonResponse(output, status: status(output), rest: false)
        }
    }
}
