import AgentIMCore
import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOFileSystem
import NIOHTTP1

/// An S3-compatible bucket (`STORAGE_PROVIDER=s3`) over AsyncHTTPClient with SigV4.
/// Path-style addressing (`<endpoint>/<bucket>/<key>`) when `S3_ENDPOINT` is set (MinIO,
/// R2, moto), virtual-host style on AWS otherwise. Bodies stream both ways: a PUT reads the
/// spool file in chunks under its known length and signed SHA-256; a GET is relayed as it arrives.
struct S3FileStorage: FileStorage {
    let bucket: String
    let signer: SigV4
    /// `http(s)://host[:port]`, and the path prefix of every object (`/<bucket>` in path style).
    let origin: String
    let hostHeader: String
    let pathPrefix: String
    let spoolDirectory: String
    let client: HTTPClient
    let probe = S3BucketProbe()
    static let timeout = TimeAmount.seconds(120)

    init(config: HubConfig, client: HTTPClient = .shared) throws {
        bucket = config.s3Bucket
        // `auto` is R2's region name; AWS itself wants a real one when none is given.
        let region = config.s3Region.isEmpty || (config.s3Region == "auto" && config.s3Endpoint.isEmpty) ? "us-east-1" : config.s3Region
        signer = SigV4(accessKeyId: config.s3AccessKeyId, secretAccessKey: config.s3SecretAccessKey, region: region, service: "s3")
        if config.s3Endpoint.isEmpty {
            hostHeader = "\(bucket).s3.\(region).amazonaws.com"
            origin = "https://\(hostHeader)"
            pathPrefix = ""
        } else {
            guard let url = URL(string: config.s3Endpoint), let scheme = url.scheme, scheme == "http" || scheme == "https",
                  let host = url.host else {
                throw ConfigError("S3_ENDPOINT must be an http(s):// URL, got \"\(config.s3Endpoint)\"")
            }
            let port = url.port.map { ":\($0)" } ?? ""
            hostHeader = host + port
            origin = "\(scheme)://\(host)\(port)"
            pathPrefix = "/" + SigV4.encode(bucket, keepSlash: false)
        }
        spoolDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-spool").path
        self.client = client
    }

    func prepare() async throws {
        try await FileSystem.shared.createDirectory(at: FilePath(spoolDirectory), withIntermediateDirectories: true, permissions: nil)
    }

    func objectPath(_ key: StorageKey) -> String { pathPrefix + "/" + SigV4.encode(key.value, keepSlash: true) }

    /// A signed request; `query` is sent in the order given and signed sorted.
    func request(_ method: HTTPMethod, path: String, query: [(String, String)] = [], headers extra: [String: String] = [:],
                 payloadHash: String = SigV4.emptyPayloadHash) -> HTTPClientRequest {
        let queryString = query.map { "\(SigV4.encode($0.0, keepSlash: false))=\(SigV4.encode($0.1, keepSlash: false))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: origin + path + (queryString.isEmpty ? "" : "?" + queryString))
        request.method = method
        var signed = extra
        signed["host"] = hostHeader
        signed["x-amz-date"] = SigV4.amzDate(Date())
        signed["x-amz-content-sha256"] = payloadHash
        let authorization = signer.authorization(method: method.rawValue, path: path, query: query, headers: signed, payloadHash: payloadHash)
        for (name, value) in signed { request.headers.replaceOrAdd(name: name == "host" ? "Host" : name, value: value) }
        request.headers.add(name: "Authorization", value: authorization)
        return request
    }

    func store(_ spooled: SpooledFile, at key: StorageKey, contentType: String) async throws {
        var put = request(.PUT, path: objectPath(key), headers: ["content-type": contentType], payloadHash: spooled.sha256Hex)
        let size = spooled.size
        let client = client
        try await FileSystem.shared.withFileHandle(forReadingAt: spooled.path) { handle in
            put.body = .stream(handle.readChunks(in: 0..<Int64(size), chunkLength: .kibibytes(256)), length: .known(Int64(size)))
            let response = try await client.execute(put, timeout: Self.timeout)
            let answer = try await response.body.collect(upTo: 64 * 1024)
            guard response.status == .ok else {
                if response.status == .forbidden || response.status == .unauthorized { throw StorageError.forbidden("PUT", key) }
                throw StorageError("S3 PUT \(key) answered \(response.status.code): \(String(buffer: answer).prefix(300))")
            }
        }
        await spooled.remove()
    }

    func info(_ key: StorageKey) async throws -> StoredFileInfo? {
        let response = try await client.execute(request(.HEAD, path: objectPath(key)), timeout: Self.timeout)
        _ = try await response.body.collect(upTo: 64 * 1024)
        // Only 404 means missing: a 403 (bad credentials, revoked policy) must never pass for
        // "File not found", or files seem to vanish; it surfaces as a 500 with a logged cause.
        if response.status == .notFound { return nil }
        if response.status == .forbidden || response.status == .unauthorized { throw StorageError.forbidden("HEAD", key) }
        guard response.status == .ok, let size = response.headers.first(name: "content-length").flatMap(Int.init) else {
            throw StorageError("S3 HEAD \(key) answered \(response.status.code)")
        }
        let etag = response.headers.first(name: "etag") ?? "\"\(size)\""
        return StoredFileInfo(size: size, contentType: response.headers.first(name: "content-type"), etag: etag)
    }

    func body(_ key: StorageKey, range: ClosedRange<Int>) -> ResponseBody {
        let get = request(.GET, path: objectPath(key), headers: ["range": "bytes=\(range.lowerBound)-\(range.upperBound)"])
        let client = client
        return ResponseBody(contentLength: range.count) { writer in
            let response = try await client.execute(get, timeout: Self.timeout)
            guard response.status == .ok || response.status == .partialContent else {
                if response.status == .forbidden || response.status == .unauthorized { throw StorageError.forbidden("GET", key) }
                throw StorageError("S3 GET \(key) answered \(response.status.code)")
            }
            for try await chunk in response.body { try await writer.write(chunk) }
            try await writer.finish(nil)
        }
    }

    func delete(_ key: StorageKey) async throws {
        let response = try await client.execute(request(.DELETE, path: objectPath(key)), timeout: Self.timeout)
        _ = try await response.body.collect(upTo: 64 * 1024)
        guard response.status == .noContent || response.status == .ok || response.status == .notFound else {
            throw StorageError("S3 DELETE \(key) answered \(response.status.code)")
        }
    }

    func list(prefix: String) async throws -> [StorageKey] {
        var keys: [StorageKey] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let response = try await client.execute(request(.GET, path: pathPrefix.isEmpty ? "/" : pathPrefix + "/", query: query), timeout: Self.timeout)
            let xml = String(buffer: try await response.body.collect(upTo: 8 << 20))
            guard response.status == .ok else { throw StorageError("S3 list answered \(response.status.code)") }
            keys += Self.elements("Key", in: xml).compactMap { StorageKey($0) }.filter { !$0.value.contains("/") }
            token = Self.elements("IsTruncated", in: xml).first == "true" ? Self.elements("NextContinuationToken", in: xml).first : nil
        } while token != nil
        return keys
    }

    /// Asks the bucket (cached a few seconds, see `S3BucketProbe`).
    func isWritable() async -> Bool { await probe.healthy(self) }

    /// The texts of `<name>…</name>` in a ListObjectsV2 answer (keys here never need entity decoding).
    static func elements(_ name: String, in xml: String) -> [String] {
        var result: [String] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest.range(of: "</\(name)>", range: open.upperBound..<rest.endIndex) {
            result.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return result
    }
}
