import AgentIMCore
import Foundation
import Testing

extension EdgeTests {
    /// The proxy lane (HTTP/1.1 requests for the services, relayed on the event loop): pooled
    /// upstream connections, a pooled connection the service closed, answers in request order
    /// when a client pipelines lane and framework requests, and a service that is down.
    @Suite
    struct EdgeProxyLaneTests {
        static func connections(_ edge: HubProcess) async throws -> Int {
            Int(try await HTTP.get(edge.baseURL + "/api/rooms/connections").data?.numberValue ?? -1)
        }

        @Test func reusesUpstreamConnectionsAndSurvivesOnesTheServiceClosed() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }

            let before = try await Self.connections(edge)
            // One client connection, 40 requests: curl reuses it, the edge its upstream one.
            let urls = (1...40).map { edge.baseURL + "/api/rooms/r\($0)" }
            let many = try Tool.curl(["-s", "-w", "%{http_code}\n"] + urls.flatMap { ["-o", "/dev/null", $0] })
            #expect(many.stdout.split(separator: "\n") == Array(repeating: "200", count: 40))
            let after = try await Self.connections(edge)
            #expect(after - before <= 3, "40 proxied requests opened \(after - before) upstream connections")

            // The service hangs up after each answer: every next request still gets its answer,
            // whether the edge notices the closed connection first or retries on a new one.
            for round in 1...10 {
                let reply = try Tool.curl(["-s", "-w", "\n%{http_code}\n", edge.baseURL + "/api/rooms/d\(round)?drop=1",
                                           edge.baseURL + "/api/rooms/n\(round)"])
                #expect(reply.stdout.split(separator: "\n").filter { $0 == "200" }.count == 2, "round \(round): \(reply.stdout)")
            }
            let plain = try await HTTP.get(edge.baseURL + "/api/rooms/after-drops")
            #expect(plain.status == 200)
        }

        /// A service's own values for the headers the edge sets (security headers, X-Powered-By,
        /// X-Request-ID) never reach the client; the edge's are there once, over h1 and h2.
        @Test func theEdgeSetsItsOwnHeadersOnceOverAServicesValues() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let url = edge.baseURL + "/api/rooms/own?own=1"
            for http2 in [false, true] {
                let reply = try Tool.curl(["-s", "-D", "-", "-o", "/dev/null", "-H", "X-Request-ID: client-id"] + (http2 ? ["--http2-prior-knowledge"] : []) + [url])
                let lines = reply.stdout.lowercased().split(separator: "\r\n")
                func values(_ name: String) -> [String] {
                    lines.filter { $0.hasPrefix(name + ":") }.map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
                }
                #expect(lines.first?.contains("200") == true, "\(reply.stdout)")
                #expect(values("x-frame-options") == ["sameorigin"], "h2: \(http2) \(reply.stdout)")
                #expect(values("x-powered-by").isEmpty)
                #expect(values("x-request-id") == ["client-id"])
                #expect(values("x-upstream") == ["stub"], "the service's other headers pass")
                #expect(values("x-content-type-options") == ["nosniff"])
            }
        }

        @Test func pipelinedRequestsAreAnsweredInOrderAcrossLaneAndFramework() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            // Four requests in one write: lane, framework (the edge's own /api/health), lane with a
            // body, lane; the answers must come back in that order on the one connection.
            let script = """
                import socket, sys
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                body = b'{"x":1}'
                s.sendall(b"GET /api/rooms/first HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n"
                          b"GET /api/health HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n"
                          b"POST /api/rooms/third HTTP/1.1\\r\\nHost: a\\r\\nContent-Type: application/json\\r\\nContent-Length: 7\\r\\n\\r\\n" + body +
                          b"GET /api/rooms/fourth HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n")
                s.settimeout(10)
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk: break
                    data += chunk
                sys.stdout.write(data.decode())
                """
            let output = try Tool.run("python3", ["-c", script, String(edge.port)])
            let statuses = output.stdout.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["200", "200", "200", "200"], "\(output.stdout)")
            let marks = ["/api/rooms/first", #""checks""#, "/api/rooms/third", "/api/rooms/fourth"].map { output.stdout.range(of: $0)?.lowerBound }
            #expect(!marks.contains(nil), "\(output.stdout)")
            let found = marks.compactMap { $0 }
            #expect(found == found.sorted(), "answers in request order")
            #expect(output.stdout.contains(#""received": 7"#), "the pipelined body reached the service")
        }

        /// A TRACE with a body never reaches a service through the lane: NIO's encoder drops a
        /// TRACE's framing headers, so its body became the start of a "next request" on the pooled
        /// connection, and that parse error's empty 400 answered a later, valid request (Tests/fuzz).
        @Test func aTraceWithABodyLeavesNoBytesOnAPooledConnection() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let script = """
                import socket, sys
                def exchange(s, raw):
                    s.sendall(raw); data = b""
                    while b"\\r\\n\\r\\n" not in data:
                        c = s.recv(65536)
                        if not c: return data.split(b"\\r\\n")[0]
                        data += c
                    head, rest = data.split(b"\\r\\n\\r\\n", 1)
                    n = [int(l.split(b":")[1]) for l in head.split(b"\\r\\n") if l.lower().startswith(b"content-length:")]
                    while len(rest) < (n[0] if n else 0):
                        c = s.recv(65536)
                        if not c: break
                        rest += c
                    return head.split(b"\\r\\n")[0]
                body = b'{"displayName":"zz"}'
                framed = b"Host: a\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body
                for round in range(10):
                    s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.settimeout(10)
                    print(exchange(s, b"TRACE /api/rooms/t HTTP/1.1\\r\\n" + framed).decode())
                    for i in range(3):
                        print(exchange(s, b"PUT /api/rooms/p%d HTTP/1.1\\r\\n" % i + framed).decode())
                    s.close()
                """
            let output = try Tool.run("python3", ["-c", script, String(edge.port)])
            let lines = output.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 40, "\(output.stdout)")
            #expect(lines.filter { $0.hasPrefix("TRACE") || $0 == "HTTP/1.1 404 Not Found" }.count == 10, "\(output.stdout)")
            #expect(lines.filter { $0 == "HTTP/1.1 200 OK" }.count == 30, "every PUT after a TRACE is answered by the service:\n\(output.stdout)")
        }

        /// The lane keeps the HTTP/1.1 connection itself: `Expect: 100-continue` is answered at
        /// once, a HEAD answer carries no body, an HTTP/1.0 request without keep-alive gets its answer and then the connection
        /// closes, and a client that half-closes mid-request has its upstream request dropped.
        @Test func theLaneKeepsHTTP1ConnectionRules() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let script = """
                import socket, sys, time
                port = int(sys.argv[1])
                def until_eof(s):
                    s.settimeout(5)
                    data = b""
                    while True:
                        chunk = s.recv(65536)
                        if not chunk: return data
                        data += chunk
                # 100 Continue before the body is sent, then the answer; then the connection stays.
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(b"POST /api/rooms/expect HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\nExpect: 100-continue\\r\\n\\r\\n")
                s.settimeout(5)
                interim = s.recv(65536)
                s.sendall(b"hello")
                answer = s.recv(65536)
                while b'"received"' not in answer: answer += s.recv(65536)
                print("interim", interim.split(b"\\r\\n")[0].decode())
                print("answer", answer.split(b"\\r\\n")[0].decode(), b'"received": 5' in answer)
                # HEAD: the answer has no body, and the next request on the connection is answered.
                s.sendall(b"HEAD /api/rooms/head HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n")
                s.sendall(b"GET /api/rooms/again HTTP/1.1\\r\\nHost: a\\r\\nConnection: close\\r\\n\\r\\n")
                rest = until_eof(s)
                print("head", rest.split(b"\\r\\n")[0].decode(), rest.count(b"HTTP/1.1 200 OK"), rest.count(b'"path"'))
                # HTTP/1.0 without keep-alive: answered, then closed by the edge.
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(b"GET /api/rooms/old HTTP/1.0\\r\\nHost: a\\r\\n\\r\\n")
                print("http10", until_eof(s).split(b"\\r\\n")[0].decode())
                # Half-closed mid-request: the edge closes, the service sees the request go.
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(b"GET /api/rooms/slow?sleep=3 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n")
                time.sleep(0.3)
                s.shutdown(socket.SHUT_WR)
                started = time.monotonic()
                rest = until_eof(s)
                print("halfclosed", len(rest), time.monotonic() - started < 2)
                """
            let abortedBefore = try await HTTP.get(edge.baseURL + "/api/rooms/aborted").data?.numberValue ?? -1
            let output = try Tool.run("python3", ["-c", script, String(edge.port)])
            let lines = output.stdout.split(separator: "\n").map(String.init)
            #expect(lines == ["interim HTTP/1.1 100 Continue", "answer HTTP/1.1 200 OK True", "head HTTP/1.1 200 OK 2 1",
                              "http10 HTTP/1.1 200 OK", "halfclosed 0 True"], "\(output.stdout) \(output.stderr)")
            let abortedAfter = try await TestUpstream.aborted(through: edge, above: abortedBefore)
            #expect(abortedAfter == abortedBefore + 1, "the service saw the half-closed client's request go away")
        }

        @Test func http2StreamsTakeTheLaneWithTheSameRules() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let reply = try Tool.curl(["-s", "-i", "--http2-prior-knowledge", "-H", "X-Forwarded-For: 203.0.113.9", edge.baseURL + "/api/rooms/h2?x=1"])
            #expect(reply.stdout.hasPrefix("HTTP/2 200"), "\(reply.stdout)")
            #expect(reply.stdout.contains("x-content-type-options: nosniff"))
            let body = reply.stdout.components(separatedBy: "\r\n\r\n").last ?? ""
            let seen = try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))["data"]
            #expect(seen?["path"] == .string("/api/rooms/h2?x=1"))
            #expect(seen?["headers"]?["x-forwarded-for"] == .string("127.0.0.1"))
            #expect(seen?["headers"]?["x-forwarded-proto"] == .string("http"))
            #expect(seen?["headers"]?["host"] == .string("127.0.0.1:\(edge.port)"))

            // Streams reuse pooled upstream connections too (a stream's end closes the stream,
            // not the upstream connection).
            let before = try await Self.connections(edge)
            let many = try Tool.run("h2load", ["-n", "20", "-c", "1", "-m", "4", edge.baseURL + "/api/rooms/streams"])
            #expect(many.stdout.contains("status codes: 20 2xx"), "\(many.stdout)")
            let after = try await Self.connections(edge)
            #expect(after - before <= 3, "20 proxied streams opened \(after - before) upstream connections")

            // HTTP/2 bodies need not declare a length: they are counted as they stream.
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lane-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let big = directory.appendingPathComponent("big").path
            FileManager.default.createFile(atPath: big, contents: Data(repeating: 0x61, count: (1 << 20) + 10))
            let refused = try Tool.curl(["-s", "-w", "\n%{http_code}", "--http2-prior-knowledge", "-X", "POST", "-H", "Content-Length:",
                                         "--data-binary", "@" + big, edge.baseURL + "/api/rooms/h2"])
            #expect(refused.stdout.hasSuffix("\n413"), "\(refused.stdout)")
            let small = try Tool.curl(["-s", "--http2-prior-knowledge", "-X", "POST", "-H", "Content-Length:", "--data-binary", #"{"a":1}"#,
                                       edge.baseURL + "/api/rooms/h2"])
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(small.stdout.utf8))["data"]?["received"] == .number(7))
        }

        /// Streams the lane answers from their frames keep HTTP/2's rules: an answer larger than
        /// the client's windows arrives whole, a request body larger than the stream window
        /// passes (the edge opens the window as the service reads), a stream the client resets
        /// cancels its upstream request while the connection goes on, and many streams at once
        /// on one connection are all answered.
        @Test func http2LaneStreamsKeepFlowControlAndCancellation() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let url = edge.baseURL + "/api/rooms/big"

            // 3 MB back through 16 KiB stream and 64 KiB connection windows (nghttp -w 14 -W 16).
            let big = try Tool.run("nghttp", ["-w", "14", "-W", "16", url + "?size=3000000"])
            #expect(big.status == 0, "\(big.stderr)")
            let answer = try JSONDecoder().decode(JSONValue.self, from: Data(big.stdout.utf8))
            #expect(answer["data"]?["pad"] == .string(String(repeating: "x", count: 3_000_000)))

            // 900 kB up, over a 64 KiB stream window, to a service that reads slowly.
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("h2lane-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let body = directory.appendingPathComponent("body").path
            FileManager.default.createFile(atPath: body, contents: Data(repeating: 0x62, count: 900_000))
            for declared in [true, false] {
                let sent = try Tool.curl(["-s", "--http2-prior-knowledge", "-X", "POST", "--data-binary", "@" + body]
                                         + (declared ? [] : ["-H", "Content-Length:"]) + [url + "?slow=1"])
                let received = try JSONDecoder().decode(JSONValue.self, from: Data(sent.stdout.utf8))["data"]?["received"]
                #expect(received == .number(900_000), "declared length: \(declared): \(sent.stdout.prefix(300))")
            }

            // A body on a method NIO's encoder does not frame by itself: sent chunked, so the
            // service reads it as this request's body, not as a next request on its connection.
            let smuggled = "GET /api/rooms/smuggled HTTP/1.1\r\nHost: a\r\n\r\n"
            for method in ["GET", "DELETE"] {
                let sent = try Tool.curl(["-s", "--http2-prior-knowledge", "-X", method, "-H", "Content-Length:", "--data-binary", smuggled,
                                          url + "?m=\(method)"])
                let reply = try JSONDecoder().decode(JSONValue.self, from: Data(sent.stdout.utf8))["data"]
                #expect(reply?["received"] == .number(Double(smuggled.utf8.count)), "\(sent.stdout)")
                // The next request on the pooled connection gets its own answer.
                let after = try Tool.curl(["-s", "--http2-prior-knowledge", url + "?after=1"])
                #expect(try JSONDecoder().decode(JSONValue.self, from: Data(after.stdout.utf8))["data"]?["path"] == .string("/api/rooms/big?after=1"))
            }

            // A reset stream: the service sees its request go; the next stream is answered.
            let script = """
                import socket, struct, sys, time
                port = int(sys.argv[1])
                def frame(kind, flags, stream, payload=b""):
                    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload
                def get(stream, path):
                    block = b"\\x82\\x86\\x04" + bytes([len(path)]) + path + b"\\x01\\x09127.0.0.1"
                    return frame(1, 5, stream, block)
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(b"PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n" + frame(4, 0, 0) + get(1, b"/api/rooms/reset?sleep=3"))
                time.sleep(0.5)
                s.sendall(frame(3, 0, 1, struct.pack(">I", 8)) + get(3, b"/api/rooms/after-reset"))
                s.settimeout(5)
                data, seen = b"", {}
                while 3 not in seen:
                    chunk = s.recv(65536)
                    if not chunk: break
                    data += chunk
                    while len(data) >= 9:
                        length = int.from_bytes(data[:3], "big")
                        if len(data) < 9 + length: break
                        kind, flags, stream = data[3], data[4], int.from_bytes(data[5:9], "big") & 0x7fffffff
                        if kind == 4 and not flags & 1: s.sendall(frame(4, 1, 0))
                        if kind == 0 and flags & 1: seen[stream] = True
                        if kind == 3: print("reset", stream)
                        data = data[9 + length:]
                print("answered", sorted(seen))
                """
            let abortedBefore = try await HTTP.get(edge.baseURL + "/api/rooms/aborted").data?.numberValue ?? -1
            let reset = try Tool.run("python3", ["-c", script, String(edge.port)])
            #expect(reset.stdout == "answered [3]\n", "\(reset.stdout) \(reset.stderr)")
            let abortedAfter = try await TestUpstream.aborted(through: edge, above: abortedBefore)
            #expect(abortedAfter == abortedBefore + 1, "the service saw the reset stream's request go away")

            // 400 streams, 50 at a time, on one connection, with framework streams among them.
            let many = try Tool.run("h2load", ["-n", "400", "-c", "1", "-m", "50", url, edge.baseURL + "/api/health"])
            #expect(many.stdout.contains("status codes: 400 2xx"), "\(many.stdout)")
        }

        @Test func aServiceThatIsDownGets502WithTheEdgeHeaders() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: [
                "NODE_ENV": "test", "ROOMS_URL": "http://127.0.0.1:\(TestEnvironment.freePort())", "CORS_ORIGIN": "http://app.example",
            ])
            defer { edge.stop(); upstream.stop() }
            let reply = try Tool.curl(["-s", "-i", "-H", "Origin: http://app.example", edge.baseURL + "/api/rooms/x"])
            #expect(reply.stdout.hasPrefix("HTTP/1.1 502"), "\(reply.stdout)")
            let body = reply.stdout.components(separatedBy: "\r\n\r\n").last ?? ""
            #expect(try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) == .object(["ok": .bool(false), "error": .string("Bad gateway")]))
            let head = reply.stdout.lowercased()
            #expect(head.contains("access-control-allow-origin: http://app.example"))
            #expect(head.contains("x-content-type-options: nosniff"))
            #expect(head.contains("x-request-id: "))
            // The other services are still served.
            #expect(try await HTTP.get(edge.baseURL + "/api/auth/whatever").status == 200)
        }
    }
}
