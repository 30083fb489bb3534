import AgentIMCore
import AsyncHTTPClient
import Foundation
import NIOCore

/// Calls to another service's internal routes, which answer `{"data": …}` (200) or fail;
/// the directories that need an answer across processes share it.
struct InternalCalls: Sendable {
    let base: ServiceURL
    let client: HTTPClient

    func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T? {
        try await send(HTTPClientRequest(url: base.base + path), as: type)
    }

    func post<T: Decodable>(_ path: String, body: some Encodable, as type: T.Type) async throws -> T? {
        var request = HTTPClientRequest(url: base.base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        return try await send(request, as: type)
    }

    private func send<T: Decodable>(_ request: HTTPClientRequest, as type: T.Type) async throws -> T? {
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status == .ok else { throw APIError(502, "\(base.base) answered \(response.status.code)") }
        return try JSONDecoder().decode(Envelope<T>.self, from: Data(buffer: body)).data
    }

    private struct Envelope<T: Decodable>: Decodable { var data: T? }

    /// One path segment, percent-encoded.
    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? segment
    }
}
