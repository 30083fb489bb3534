import AgentIMCore
import Crypto
import Foundation
import Testing

/// A stand-in for the four services behind `agentim-edge`: a small threaded HTTP/1.1 server
/// (python3, present wherever the test script runs) that answers the edge's start-up calls
/// and echoes what reaches it. `?sleep=S` answers after S seconds and records a client that
/// hung up first (`…/aborted` counts them); `?slow=1` reads bodies slowly; `?own=1` adds
/// headers the edge sets itself (X-Frame-Options, X-Powered-By, X-Request-ID); `?size=N` pads
/// the answer with N bytes.
final class TestUpstream: @unchecked Sendable {
    let port: Int
    let process = Process()

    static let script = #"""
    import json, select, socket, sys, threading, time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    aborted = []
    connections = [0]
    lock = threading.Lock()
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args): pass
        def setup(self):
            with lock: connections[0] += 1
            super().setup()
        def reply(self, status, body, extra=()):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in extra: self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD": self.wfile.write(data)
        def read(self, count):
            data = self.rfile.read(count)
            if self.slow: time.sleep(0.002)
            return data
        def body_size(self):
            total = 0
            if "chunked" in self.headers.get("Transfer-Encoding", ""):
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    if size == 0:
                        self.rfile.readline()
                        return total
                    remaining = size
                    while remaining:
                        chunk = self.read(min(remaining, 65536))
                        remaining -= len(chunk)
                        total += len(chunk)
                    self.rfile.readline()
            remaining = int(self.headers.get("Content-Length", "0"))
            while remaining:
                chunk = self.read(min(remaining, 65536))
                if not chunk: break
                remaining -= len(chunk)
                total += len(chunk)
            return total
        def handle_any(self):
            path, _, query = self.path.partition("?")
            params = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
            self.slow = params.get("slow") == "1"
            if path == "/internal/revocations":
                return self.reply(200, {"ok": True, "data": []})
            if path == "/internal/health":
                return self.reply(200, {"ok": True, "timestamp": "2026-01-01T00:00:00.000Z", "checks": {"database": True, "filesystem": True}})
            if path.endswith("/aborted"):
                with lock: count = len(aborted)
                return self.reply(200, {"ok": True, "data": count})
            if path.endswith("/connections"):
                with lock: count = connections[0]
                return self.reply(200, {"ok": True, "data": count})
            if "sleep" in params:
                deadline = time.time() + float(params["sleep"])
                while time.time() < deadline:
                    readable, _, _ = select.select([self.connection], [], [], 0.05)
                    if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                        with lock: aborted.append(path)
                        return
            received = self.body_size()
            headers = {k.lower(): v for k, v in self.headers.items()}
            extra = [("Keep-Alive", "timeout=5"), ("X-Upstream", "stub"), ("Proxy-Authenticate", "Basic")]
            # own=1: headers the edge sets itself, which must not reach the client twice.
            if params.get("own") == "1":
                extra += [("X-Frame-Options", "DENY"), ("X-Powered-By", "stub"), ("X-Request-ID", "from-upstream")]
            data = {"method": self.command, "path": self.path, "received": received, "headers": headers}
            # size=N: an answer padded with N bytes, for answers larger than any flow-control window.
            if "size" in params: data["pad"] = "x" * int(params["size"])
            self.reply(200, {"ok": True, "data": data}, extra=extra)
            # drop=1: hang up after a keep-alive answer, as a service closing an idle connection does.
            if params.get("drop") == "1": self.close_connection = True
        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    print("ready", flush=True)
    server.serve_forever()
    """#

    init() throws {
        port = TestEnvironment.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, String(port)]
        let ready = Pipe()
        process.standardOutput = ready
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard ready.fileHandleForReading.availableData.starts(with: Data("ready".utf8)) else {
            throw TestSetupError("the test upstream did not start")
        }
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// How many proxied requests the upstream saw their client leave, asked through `edge`.
    static func aborted(through edge: HubProcess) async throws -> Double {
        try await HTTP.get(edge.baseURL + "/api/rooms/aborted").data?.numberValue ?? -1
    }

    /// Waits until that count is above `count` (the upstream looks for a gone client every
    /// 50 ms) or 10 s pass; returns the count then.
    static func aborted(through edge: HubProcess, above count: Double) async throws -> Double {
        var seen = try await aborted(through: edge)
        await Wait.until {
            seen = (try? await aborted(through: edge)) ?? seen
            return seen > count
        }
        return seen
    }

    func stop() {
        if process.isRunning {
            // SIGKILL: the test runner's threads block SIGTERM, and children inherit the mask.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// `agentim-edge` in front of a `TestUpstream` (or of `upstreams` given explicitly).
enum EdgeFixture {
    static let secret = "edge-test-secret-that-is-long-enough-for-production"

    static func start(upstream: TestUpstream, environment: [String: String] = [:], port: Int = TestEnvironment.freePort(),
                      fileLimit: Int? = nil) async throws -> HubProcess {
        var env = ["JWT_SECRET": secret, "REDIS_URL": ""]
        for service in ["AUTH", "ROOMS", "ROUTER", "UPLOADS"] { env["\(service)_URL"] = upstream.baseURL }
        for (key, value) in environment { env[key] = value }
        let edge = try HubProcess("agentim-edge", port: port, environment: env, fileLimit: fileLimit)
        // Waits on a path outside /api, so the wait itself spends no rate-limit budget.
        try await edge.waitUntilHealthy(path: "/ws/client", status: 426)
        return edge
    }

    /// An HS256 access token as the auth service mints them (data-config-security §3.2).
    static func token(userId: String, username: String = "tester", type: String = "access", secret: String = secret,
                      issuedAgo: Int = 0, expiresIn: Int = 900) -> String {
        func base64URL(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let now = Int(Date().timeIntervalSince1970)
        let kid = SHA256.hash(data: Data(secret.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
        let header = base64URL(Data(#"{"alg":"HS256","typ":"JWT","kid":"\#(kid)"}"#.utf8))
        let claims = #"{"sub":"\#(userId)","username":"\#(username)","type":"\#(type)","iss":"agentim","aud":"agentim","jti":"\#(UUID().uuidString)","iat":\#(now - issuedAgo),"exp":\#(now + expiresIn)}"#
        let payload = base64URL(Data(claims.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(header).\(payload)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "\(header).\(payload).\(base64URL(Data(mac)))"
    }

    /// A documentation-range address no other test uses, for rate-limit identities.
    static func uniqueIP() -> String {
        "198.51.\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
    }
}

/// Runs a command-line client (curl, nghttp, openssl) and returns what it printed.
enum Tool {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Throws when `executable` is not installed: a missing tool must fail the test, not
    /// look like a tool that answered with an error.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = try path(of: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting: a full pipe would block the tool.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func curl(_ arguments: [String]) throws -> Output {
        try run("curl", ["--silent", "--show-error", "--max-time", "20"] + arguments)
    }

    /// Where `executable` is on PATH.
    static func path(of executable: String) throws -> URL {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let directory = directories.first(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(executable)") }) else {
            throw TestSetupError("\(executable) is not installed (deploy/local/test.sh installs it)")
        }
        return URL(fileURLWithPath: "\(directory)/\(executable)")
    }
}

/// An HTTP exchange on a raw TCP connection: what a WebSocket client's upgrade request gets
/// back, read until the server closes or `timeout` passes.
enum RawHTTP {
    static func upgrade(port: Int, path: String, headers: [String: String] = [:], timeout: Double = 2) throws -> (status: Int, head: String, body: String) {
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let response = try exchange(port: port, request: request, timeout: timeout)
        let parts = response.components(separatedBy: "\r\n\r\n")
        let head = parts.first ?? ""
        let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, head, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    static func exchange(port: Int, request: String, timeout: Double) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSetupError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestSetupError("connect to \(port) failed") }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
            // A 101 keeps the connection open: its head is all there is to read.
            if let text = String(bytes: received, encoding: .utf8), text.hasPrefix("HTTP/1.1 101"), text.contains("\r\n\r\n") { break }
        }
        return String(decoding: received, as: UTF8.self)
    }
}

extension HubProcess {
    /// Peak and current resident memory of the process, in bytes (from /proc). Throws when
    /// /proc cannot be read or lacks a field: a memory bound checked against 0 would always hold.
    func memory() throws -> (peak: Int, resident: Int) {
        let path = "/proc/\(process.processIdentifier)/status"
        let status = try String(contentsOfFile: path, encoding: .utf8)
        func field(_ name: String) throws -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
                  let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }), kib > 0 else {
                throw TestSetupError("no \(name) in \(path)")
            }
            return kib * 1024
        }
        return (try field("VmHWM"), try field("VmRSS"))
    }

    /// Sends SIGTERM and waits up to `timeout` for the exit status.
    func terminate(timeout: Duration) async -> Int32? {
        process.terminate()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }
}

/// Every suite of the edge's tests, one test at a time: each starts its own processes, and
/// on a two-core machine several edges at once would make timings (the 5 s auth timer) lie.
@Suite(.serialized)
struct EdgeTests {}
