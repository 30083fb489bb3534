import AgentIMCore
import AgentIMHTTP
import AgentIMTokens
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /uploads/<key>` (http-api §11.3): any signed-in user reads any file, with the token
/// in `Authorization: Bearer` or `?token=` (browsers cannot add headers to `<img src>`).
/// Files are streamed from storage; `Range` (one range) and `If-None-Match` are honoured.
struct DownloadController {
    let service: UploadsService

    static let sandbox = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.get("/uploads/**") { request, context in try await download(request, context) }
    }

    func download(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        try Self.requireReader(context)
        let raw = request.uri.path.dropFirst("/uploads/".count)
        guard request.uri.path.hasPrefix("/uploads/"), let key = StorageKey(raw),
              let info = try await service.storage.info(key) else {
            return notFound()
        }
        var headers = HTTPFields()
        let contentType = info.contentType ?? FileTypeRules.contentType(forStoredName: key.fileName)
        headers[.contentType] = contentType
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[.contentSecurityPolicy] = Self.sandbox
        if !FileTypeRules.inlineTypes.contains(where: { contentType.hasPrefix($0) }) {
            headers[.contentDisposition] = "attachment"
        }
        headers[.eTag] = info.etag
        headers[.acceptRanges] = "bytes"
        headers[.cacheControl] = "private"

        if let ifNoneMatch = request.headers[.ifNoneMatch], Self.matches(ifNoneMatch, etag: info.etag) {
            return Response(status: .notModified, headers: headers)
        }
        let wantsRange = request.headers[.ifRange].map { $0 == info.etag } ?? true
        switch wantsRange ? ByteRange.parse(request.headers[.range], size: info.size) : .whole {
        case .whole:
            guard info.size > 0 else { return Response(status: .ok, headers: headers, body: .init()) }
            return Response(status: .ok, headers: headers, body: service.storage.body(key, range: 0...(info.size - 1)))
        case .part(let range):
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(info.size)"
            return Response(status: .partialContent, headers: headers, body: service.storage.body(key, range: range))
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(info.size)"
            return Response(status: .rangeNotSatisfiable, headers: headers, body: .init())
        }
    }

    /// The `/uploads` guard: the token rules of every route (header or `?token=`, see
    /// `IdentityMiddleware`), with its own revocation text.
    static func requireReader(_ context: HubRequestContext) throws {
        if case .rejected(.revoked) = context.identity { throw APIError(401, "Token has been revoked") }
        _ = try context.requireUser()
    }

    /// Local storage falls through to the generic 404 as static files did; S3 answers JSON.
    func notFound() -> Response {
        if service.storageHolder.provider == "s3" { return errorResponse(APIError(404, "File not found")) }
        return Response(status: .notFound, headers: [.contentType: "text/plain; charset=UTF-8"], body: .init(byteBuffer: ByteBuffer(string: "404 Not Found")))
    }

    static func matches(_ ifNoneMatch: String, etag: String) -> Bool {
        let weakless = { (tag: Substring) -> Substring in tag.hasPrefix("W/") ? tag.dropFirst(2) : tag }
        return ifNoneMatch.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || weakless(Substring(tag)) == weakless(Substring(etag))
        }
    }
}

/// A single-range `Range: bytes=…` request against a file of `size` bytes (RFC 9110 §14).
enum ByteRange: Equatable {
    case whole
    case part(ClosedRange<Int>)
    case unsatisfiable

    /// Anything but one well-formed byte range (several ranges, another unit, garbage) is
    /// served whole, as RFC 9110 allows.
    static func parse(_ header: String?, size: Int) -> ByteRange {
        guard let header, header.hasPrefix("bytes=") else { return .whole }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = Int(last), suffix >= 0 else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .part(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(first), start >= 0 else { return .whole }
        let end: Int
        if last.isEmpty {
            end = size - 1
        } else {
            guard let value = Int(last), value >= start else { return .whole }
            end = min(value, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .part(start...end)
    }
}
