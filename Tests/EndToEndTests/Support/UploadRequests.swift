import AgentIMCore
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOFoundationCompat

/// Multipart uploads and raw downloads for the uploads tests.
enum UploadRequests {
    static let boundary = "----agentimTestBoundary7MA4YWxk"

    /// A `multipart/form-data` body with one part per entry (`filename` nil: a plain field).
    static func body(_ parts: [(name: String, filename: String?, type: String?, bytes: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            var head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\""
            if let filename = part.filename { head += "; filename=\"\(filename)\"" }
            head += "\r\n"
            if let type = part.type { head += "Content-Type: \(type)\r\n" }
            out += Array((head + "\r\n").utf8) + part.bytes + Array("\r\n".utf8)
        }
        return out + Array("--\(boundary)--\r\n".utf8)
    }

    static func file(_ bytes: [UInt8], type: String?, filename: String = "sample.bin") -> [UInt8] {
        body([(name: "file", filename: filename, type: type, bytes: bytes)])
    }

    /// POSTs `body` to `path` (`/api/upload` or `/api/upload/avatar`).
    static func post(_ base: String, _ path: String = "/api/upload", body: [UInt8], token: String?,
                     contentType: String = "multipart/form-data; boundary=\(boundary)") async throws -> HTTP.Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        return try await reply(request)
    }

    /// POSTs a large body as a stream of 64 KiB chunks without a Content-Length (as a browser
    /// sending chunked), so nothing but the client holds it whole.
    static func postStreamed(_ base: String, body: [UInt8], token: String) async throws -> HTTP.Reply {
        var request = HTTPClientRequest(url: base + "/api/upload")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
        let chunks = stride(from: 0, to: body.count, by: 65_536).map { ByteBuffer(bytes: body[$0..<min($0 + 65_536, body.count)]) }
        request.body = .stream(Chunks(chunks: chunks), length: .known(Int64(body.count)))
        return try await reply(request)
    }

    /// Buffers handed out one at a time, as a network body arrives.
    struct Chunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let chunks: [ByteBuffer]
        struct AsyncIterator: AsyncIteratorProtocol {
            var rest: ArraySlice<ByteBuffer>
            mutating func next() async -> ByteBuffer? { rest.popFirst() }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: chunks[...]) }
    }

    static func reply(_ request: HTTPClientRequest) async throws -> HTTP.Reply {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let value = (try? JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))) ?? .string(String(buffer: bytes))
        return HTTP.Reply(status: Int(response.status.code), body: value, headers: response.headers.map { ($0.name, $0.value) })
    }

    struct Download {
        var status: Int
        var bytes: [UInt8]
        var headers: [(String, String)]
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) }
    }

    static func download(_ url: String, token: String? = nil, headers: [String: String] = [:]) async throws -> Download {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Download(status: Int(response.status.code), bytes: Array(buffer: bytes), headers: response.headers.map { ($0.name, $0.value) })
    }

    static func sha256(_ bytes: [UInt8]) -> String { Hex.encode(SHA256.hash(data: bytes)) }

    /// Bytes that look random (not text, not any signature) after `prefix`.
    static func noise(_ count: Int, prefix: [UInt8] = []) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var random = [UInt64](repeating: 0, count: (max(0, count - prefix.count) + 7) / 8)
        for index in random.indices { random[index] = generator.next() }
        return prefix + random.withUnsafeBytes { Array($0.prefix(max(0, count - prefix.count))) }
    }
}

/// Real sample files of every accepted type: small images known to decode, and a zip and a
/// gzip archive written by Python's standard library.
enum UploadSamples {
    static let png = base64("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    static let gif = base64("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
    static let jpeg = base64("/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=")
    static let webp = base64("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
    static let pdf = Array("%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n".utf8)

    static func base64(_ text: String) -> [UInt8] { Array(Data(base64Encoded: text)!) }

    /// Runs a Python snippet that writes its output to stdout.
    static func python(_ code: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", code]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }

    static func zip() throws -> [UInt8] {
        try python("import io,sys,zipfile\nb=io.BytesIO()\nz=zipfile.ZipFile(b,'w')\nz.writestr('a.txt','hello')\nz.close()\nsys.stdout.buffer.write(b.getvalue())")
    }

    static func gzip() throws -> [UInt8] {
        try python("import gzip,sys\nsys.stdout.buffer.write(gzip.compress(b'hello gzip'))")
    }

    /// Every type of http-api §11 with a sample and the extension it is stored under.
    static func all() throws -> [(type: String, bytes: [UInt8], ext: String)] {
        let zip = try zip()
        return [("image/jpeg", jpeg, ".jpg"), ("image/png", png, ".png"), ("image/gif", gif, ".gif"), ("image/webp", webp, ".webp"),
                ("application/pdf", pdf, ".pdf"), ("application/zip", zip, ".zip"), ("application/x-zip-compressed", zip, ".zip"),
                ("application/gzip", try gzip(), ".gz"), ("text/plain", Array("plain text ✓\n".utf8), ".txt"),
                ("text/markdown", Array("# Title\n\n*émphasis*\n".utf8), ".md"), ("text/csv", Array("a,b\n1,2\n".utf8), ".csv"),
                ("application/json", Array(#"{"k":[1,2,"ü"]}"#.utf8), ".json")]
    }
}

/// A body cut off half-way, which a well-behaved HTTP client never sends.
extension RawHTTP {
    /// `receiveBuffer`: a small kernel buffer (set before connecting), for a client that reads slowly.
    static func openConnection(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket() failed") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw TestSetupError("cannot connect to \(port)") }
        return fd
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }
}
