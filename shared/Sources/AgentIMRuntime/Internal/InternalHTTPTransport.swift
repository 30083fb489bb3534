import AgentIMCore
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Between processes: one HTTP exchange per call, bounded by one timeout and one size limit,
/// with one reading of the answer (see `InternalClient` for the error mapping).
struct HTTPTransport: InternalTransport {
    let bases: [InternalService: ServiceURL]
    let client: HTTPClient
    let timeout: Duration
    let logger: Logger

    static let badGateway = APIError(502, "Bad gateway")
    static let gatewayTimeout = APIError(504, "Gateway timeout")

    func call<Input, Output>(_ route: InternalRoute<Input, Output>, _ input: Input, service: InternalService) async throws -> Output {
        // A client span whose W3C context the callee's tracing middleware continues (no-op when tracing is off).
        try await Traces.span("\(route.method.rawValue) \(service.rawValue) \(route.name)", kind: .client) {
            try await send(route, input, service: service)
        }
    }

    private func send<Input, Output>(_ route: InternalRoute<Input, Output>, _ input: Input, service: InternalService) async throws -> Output {
        guard let base = bases[service] else {
            throw APIError(500, "\(service.urlSetting) is not set: \(route.name) cannot be called")
        }
        var request = try Self.request(route, input, base: base.base)
        for (name, value) in Traces.currentHeaders() { request.headers.replaceOrAdd(name: name, value: value) }
        let (status, body) = try await exchange(request, within: min(route.timeout ?? timeout, timeout), route: route.name, service: service)
        do {
            return try Self.read(route, status: status, body: body)
        } catch let unreadable as Unreadable {
            logger.warning("internal call \(route.name) to \(service.rawValue) answered \(unreadable.status): \(unreadable.excerpt)")
            throw Self.badGateway
        }
    }

    // MARK: request

    /// One path segment or query value, percent-encoded (ids are left as they are).
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    /// The input's fields named in the path fill it; the others become the query (GET) or the JSON body.
    static func request<Input, Output>(_ route: InternalRoute<Input, Output>, _ input: Input, base: String) throws -> HTTPClientRequest {
        let encoded = try JSONEncoder().encode(input)
        let pathNames = route.pathParameters
        var fields: [String: JSONValue] = [:]
        if !pathNames.isEmpty || !route.hasBody {
            guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: encoded) else {
                throw APIError(500, "\(route.name): the input is not an object")
            }
            fields = object
        }
        var segments: [String] = []
        for segment in route.path.split(separator: "/", omittingEmptySubsequences: false) {
            guard segment.hasPrefix(":") else { segments.append(String(segment)); continue }
            let name = String(segment.dropFirst())
            guard let value = fields.removeValue(forKey: name).flatMap(parameterText) else {
                throw APIError(500, "\(route.name): the input has no \(name)")
            }
            segments.append(escape(value))
        }
        var url = base + segments.joined(separator: "/")
        if !route.hasBody {
            var query: [String] = []
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) where value != .null {
                guard let text = parameterText(value) else { throw APIError(500, "\(route.name): \(key) is not a query parameter") }
                query.append("\(escape(key))=\(escape(text))")
            }
            if !query.isEmpty { url += "?" + query.joined(separator: "&") }
        }
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: route.method.rawValue)
        if route.hasBody {
            let body = pathNames.isEmpty ? encoded : try JSONEncoder().encode(JSONValue.object(fields))
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    // MARK: exchange

    struct TimedOut: Error {}

    /// Status and whole body, or 502/504; the timeout covers the body too.
    func exchange(_ request: HTTPClientRequest, within limit: Duration, route: String, service: InternalService) async throws -> (Int, ByteBuffer) {
        let client = self.client
        do {
            return try await withThrowingTaskGroup(of: (Int, ByteBuffer)?.self) { group in
                group.addTask {
                    let response = try await client.execute(request, timeout: .nanoseconds(Int64(limit / .nanoseconds(1))))
                    let body = try await response.body.collect(upTo: InternalClient.maxBytes)
                    return (Int(response.status.code), body)
                }
                group.addTask {
                    try await LoopSleep.for(limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let answer = first else { throw TimedOut() }
                return answer
            }
        } catch {
            // The caller gave up (its socket closed, the process stops): not the callee's fault.
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            let timedOut = error is TimedOut || (error as? HTTPClientError).map { $0 == .deadlineExceeded || $0 == .readTimeout } == true
            logger.warning("internal call \(route) to \(service.rawValue) failed: \(error)")
            throw timedOut ? Self.gatewayTimeout : Self.badGateway
        }
    }

    // MARK: answer

    private struct SuccessEnvelope<Output: Decodable>: Decodable {
        var data: Output?
    }

    private struct FailureEnvelope: Decodable {
        var ok: Bool
        var error: String
        var fields: [APIError.FieldIssue]?
    }

    static func read<Input, Output>(_ route: InternalRoute<Input, Output>, status: Int, body: ByteBuffer) throws -> Output {
        let bytes = Data(buffer: body)
        switch route.answer {
        case .envelope where status == 200:
            if let envelope = try? JSONDecoder().decode(SuccessEnvelope<Output>.self, from: bytes) {
                if let data = envelope.data { return data }
                if let absent = (Output.self as? any AbsentDecodable.Type)?.absent as? Output { return absent }
            }
        case .envelope:
            break
        case .bare:
            if let value = try? JSONDecoder().decode(Output.self, from: bytes) { return value }
        }
        if (400..<500).contains(status), let failure = try? JSONDecoder().decode(FailureEnvelope.self, from: bytes), !failure.ok {
            throw APIError(status, failure.error, fields: failure.fields)
        }
        throw Unreadable(status: status, excerpt: String(decoding: bytes.prefix(200), as: UTF8.self))
    }

    /// A 5xx, or a body that is not the route's answer: 502, with the start of the body in the log.
    struct Unreadable: Error {
        var status: Int
        var excerpt: String
    }
}

/// An output that a success envelope may leave out: `{ok:true}` alone, or `data: null`.
protocol AbsentDecodable {
    static var absent: Self { get }
}

extension InternalEmpty: AbsentDecodable {
    static var absent: InternalEmpty { InternalEmpty() }
}

extension Optional: AbsentDecodable {
    static var absent: Optional { nil }
}
