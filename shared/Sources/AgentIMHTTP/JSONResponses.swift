import AgentIMCore
import Foundation
import Hummingbird

/// Builds a JSON response with the hub's encoder. `rest` selects the REST rendering of
/// nullable message fields (`null` rather than omitted).
public func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, rest: Bool = true) -> Response {
    let encoder = JSONCoding.encoder()
    if rest { encoder.userInfo[MessageShape.restKey] = true }
    let data: Data
    do {
        data = try encoder.encode(value)
    } catch {
        data = Data(#"{"ok":false,"error":"Internal server error"}"#.utf8)
        return Response(status: .internalServerError, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// `{ok:true, data}` with status 200 (or `status`).
public func ok<T: Encodable & Sendable>(_ data: T, status: HTTPResponse.Status = .ok) -> Response {
    jsonResponse(Envelope(data), status: status)
}

/// `{ok:true}`.
public func okEmpty(status: HTTPResponse.Status = .ok) -> Response {
    jsonResponse(OKEnvelope(), status: status)
}

public func errorResponse(_ error: APIError, errorId: String? = nil) -> Response {
    Response(status: HTTPResponse.Status(code: error.status), headers: [.contentType: "application/json"],
             body: .init(byteBuffer: errorBody(error, errorId: errorId)))
}

/// The JSON error envelope's bytes, for a responder that writes them itself (the edge's proxy lane).
public func errorBody(_ error: APIError, errorId: String? = nil) -> ByteBuffer {
    let data = (try? JSONCoding.encode(ErrorEnvelope(error: error.message, fields: error.fields, errorId: errorId)))
        ?? Data(#"{"ok":false,"error":"Internal server error"}"#.utf8)
    return ByteBuffer(bytes: data)
}

extension Request {
    /// Reads the body as a JSON value. Empty or malformed → 400 `Invalid JSON body`;
    /// larger than `limit` → 413.
    public func jsonBody(limit: Int = 1 << 20) async throws -> JSONValue {
        try await jsonBodyAndBytes(limit: limit).value
    }

    /// Like `jsonBody`, with the raw bytes too (for readers that need the document's key order).
    public func jsonBodyAndBytes(limit: Int = 1 << 20) async throws -> (value: JSONValue, bytes: Data) {
        var body = self.body
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch {
            throw APIError(413, "Request body too large")
        }
        guard buffer.readableBytes > 0 else { throw APIError.invalidJSON }
        let bytes = Data(buffer: buffer)
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: bytes)
        } catch {
            throw APIError.invalidJSON
        }
        if let field = value.pathOfNULCharacter() {
            throw APIError.validation([.init(field: field, message: "String must not contain NUL characters")])
        }
        return (value, bytes)
    }

    /// Like `jsonBody`, but an absent or broken body is `nil` instead of an error (for optional bodies).
    public func optionalJSONBody(limit: Int = 1 << 20) async -> JSONValue? {
        try? await jsonBody(limit: limit)
    }

    public func cookie(_ name: String) -> String? {
        guard let header = headers[.cookie] else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == name {
                return String(pair[1]).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }
}

extension Parameters {
    /// A path parameter with the id rule of http-api §1.5: else 400 `Invalid parameter: <name>`.
    public func id(_ name: String) throws -> String {
        guard let value = get(name), Nanoid.isValidParameter(value) else { throw APIError.invalidParameter(name) }
        return value
    }
}
