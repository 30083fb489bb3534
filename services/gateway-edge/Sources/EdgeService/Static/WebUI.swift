import AgentIMHTTP
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The built web UI (http-api §1.8 "Static files / SPA"): a request nothing else answered is
/// tried as a file under `WEB_DIR` (default `web/dist` when it exists); any other `GET` outside
/// `/api/`, `/ws/`, `/uploads/` and `/internal/` that names no file (no `/assets/` prefix, no extension) gets
/// `index.html`, so client-side routes load the app, while a missing script stays a 404 rather
/// than HTML the browser would refuse to run. `index.html` is read per request, so a rebuilt UI
/// is served without a restart.
///
/// Caching: Vite's content-hashed files under `/assets/` never change, so they are cached for a
/// year; everything else (index.html first) is revalidated every time against its ETag.
/// A file's `.br` or `.gz` sibling is sent instead when the client accepts that encoding.
struct WebUI: Sendable {
    let root: String
    let fileIO = FileIO()

    /// Where the UI is, if anywhere: `WEB_DIR`, else `web/dist` when present.
    init?(directory: String?) {
        let candidate = directory ?? "web/dist"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        root = URL(fileURLWithPath: candidate).standardizedFileURL.path
    }

    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "mjs": "text/javascript; charset=utf-8",
        "css": "text/css; charset=utf-8", "json": "application/json; charset=utf-8", "map": "application/json; charset=utf-8",
        "webmanifest": "application/manifest+json; charset=utf-8", "txt": "text/plain; charset=utf-8", "xml": "application/xml",
        "svg": "image/svg+xml", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "webp": "image/webp", "avif": "image/avif", "ico": "image/x-icon", "woff": "font/woff", "woff2": "font/woff2",
        "ttf": "font/ttf", "otf": "font/otf", "wasm": "application/wasm", "mp3": "audio/mpeg", "mp4": "video/mp4",
        "webm": "video/webm", "pdf": "application/pdf",
    ]

    static let immutable = "public, max-age=31536000, immutable"
    static let revalidate = "no-cache"

    /// Paths the UI never answers: the API, sockets, uploads, and the services' internal routes
    /// (never on the public listener, so a 404 there, not the app page).
    static func servesPath(_ path: String) -> Bool {
        for reserved in ["/api", "/ws", "/uploads", "/internal"] where path == reserved || path.hasPrefix(reserved + "/") { return false }
        return true
    }

    /// The response for `request`, or nil when the UI has nothing for it.
    func respond(to request: Request, context: some RequestContext) async throws -> Response? {
        guard request.method == .get || request.method == .head, Self.servesPath(request.uri.path) else { return nil }
        if let relative = Self.relativePath(request.uri.path) {
            let path = root + relative
            if let info = Self.fileInfo(path), info.isRegular {
                return try await file(path, info: info, request: request, context: context)
            }
        }
        guard Self.isAppRoute(request.uri.path) else { return nil }
        let indexPath = root + "/index.html"
        guard let info = Self.fileInfo(indexPath), info.isRegular else { return nil }
        return try await file(indexPath, info: info, request: request, context: context)
    }

    /// A path the client-side router owns: not under `/assets/` and without a file extension
    /// in its last segment (`/room/V1StGXR8_Z5jdHi6B`, `/settings`, `/`).
    static func isAppRoute(_ path: String) -> Bool {
        guard !path.hasPrefix("/assets/") else { return false }
        let last = path.split(separator: "/").last ?? ""
        return !last.contains(".")
    }

    private func file(_ path: String, info: FileInfo, request: Request, context: some RequestContext) async throws -> Response {
        let name = (path as NSString).lastPathComponent
        let fileExtension = (name as NSString).pathExtension.lowercased()
        let contentType = Self.contentTypes[fileExtension] ?? "application/octet-stream"
        let cacheControl = request.uri.path.hasPrefix("/assets/") ? Self.immutable : Self.revalidate
        var served = (path: path, info: info, encoding: String?.none)
        var hasVariants = false
        let accepted = Self.acceptedEncodings(request.headers[.acceptEncoding])
        for (encoding, suffix) in [("br", ".br"), ("gzip", ".gz")] {
            guard let variant = Self.fileInfo(path + suffix), variant.isRegular else { continue }
            hasVariants = true
            if served.encoding == nil, accepted.contains(encoding) { served = (path + suffix, variant, encoding) }
        }
        var headers: HTTPFields = [.contentType: contentType, .cacheControl: cacheControl, .eTag: served.info.etag,
                                   .lastModified: served.info.lastModified, .contentLength: String(served.info.size)]
        if let encoding = served.encoding { headers[.contentEncoding] = encoding }
        if hasVariants { headers[.vary] = "Accept-Encoding" }
        if Self.notModified(request, etag: served.info.etag) {
            headers[.contentLength] = nil
            return Response(status: .notModified, headers: headers)
        }
        if request.method == .head || served.info.size == 0 { return Response(status: .ok, headers: headers) }
        let body = try await fileIO.loadFile(path: served.path, context: context)
        return Response(status: .ok, headers: headers, body: body)
    }

    static func notModified(_ request: Request, etag: String) -> Bool {
        guard let candidates = request.headers[.ifNoneMatch] else { return false }
        return candidates.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" }
    }

    static func acceptedEncodings(_ header: String?) -> Set<String> {
        guard let header else { return [] }
        var result: Set<String> = []
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let name = parts.first, !name.isEmpty else { continue }
            if parts.dropFirst().contains(where: { $0 == "q=0" || $0 == "q=0.0" || $0 == "q=0.00" || $0 == "q=0.000" }) { continue }
            result.insert(name)
        }
        return result
    }

    /// The request path as a path under the root, or nil when it could leave it.
    static func relativePath(_ raw: String) -> String? {
        guard let decoded = raw.removingPercentEncoding, !decoded.contains("\0"), !decoded.contains("\\") else { return nil }
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: true)
        guard !segments.contains(where: { $0 == ".." || $0 == "." }) else { return nil }
        var relative = "/" + segments.joined(separator: "/")
        if decoded.hasSuffix("/") { relative += relative == "/" ? "index.html" : "/index.html" }
        return relative
    }

    struct FileInfo {
        var isRegular: Bool
        var size: Int
        var etag: String
        var lastModified: String
    }

    static func fileInfo(_ path: String) -> FileInfo? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let modified = Int(status.st_mtim.tv_sec)
        return FileInfo(isRegular: (status.st_mode & S_IFMT) == S_IFREG, size: Int(status.st_size),
                        etag: "W/\"\(String(status.st_size, radix: 16))-\(String(modified, radix: 16))\"",
                        lastModified: httpDate(modified))
    }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
    static func httpDate(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [Int8](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Serves the web UI for requests the routes and the proxy did not answer (a 404 inside).
struct WebUIMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let ui: WebUI

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            if let response = try await ui.respond(to: request, context: context) { return response }
            throw error
        }
    }
}
