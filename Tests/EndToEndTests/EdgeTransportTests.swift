import AgentIMCore
import Foundation
import Testing

extension EdgeTests {
    /// The edge's transports through real sockets and the clients the issue names: HTTP/1.1
    /// keep-alive, h2c with prior knowledge and HTTP/1.1 on one plain port, h2 and HTTP/1.1 by
    /// ALPN over TLS, WebSocket over both.
    @Suite
    struct EdgeTransportTests {
        @Test func plainPortServesHTTP1KeepAliveAndH2CByPriorKnowledge() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let health = edge.baseURL + "/api/health"

            // The listener holds a burst of connections: its accept queue is 4096 (or the kernel's
            // cap), not the framework's 256, beyond which SYNs are dropped and retried a second later.
            let listening = try Tool.run("ss", ["-Hltn", "sport = :\(edge.port)"])
            let cap = Int(try String(contentsOfFile: "/proc/sys/net/core/somaxconn", encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 4096
            #expect(listening.stdout.split(separator: " ").dropFirst(2).first == "\(min(4096, cap))", "\(listening.stdout)")

            // Two requests in one curl run: the second reuses the first connection.
            let keepAlive = try Tool.curl(["-o", "/dev/null", "-o", "/dev/null", "-w", "%{num_connects} %{http_version} %{http_code}\n", health, health])
            #expect(keepAlive.stdout == "1 1.1 200\n0 1.1 200\n", "\(keepAlive.stdout) \(keepAlive.stderr)")

            let h2c = try Tool.curl(["--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", health])
            #expect(h2c.stdout == "2 200", "\(h2c.stdout) \(h2c.stderr)")
            // Proxied over h2c too, with the body streamed back.
            let proxied = try Tool.curl(["--http2-prior-knowledge", "-w", "\n%{http_version}", edge.baseURL + "/api/rooms/abc"])
            #expect(proxied.stdout.hasSuffix("\n2"))
            #expect(proxied.stdout.contains(#""path": "/api/rooms/abc""#))

            let nghttp = try Tool.run("nghttp", ["-nv", health])
            #expect(nghttp.status == 0, "\(nghttp.stderr)")
            #expect(nghttp.stdout.contains(":status: 200"))

            // `curl --http2` on http:// asks for an h2c upgrade; the edge ignores it and answers in HTTP/1.1.
            let upgrade = try Tool.curl(["--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", health])
            #expect(upgrade.stdout == "1.1 200", "\(upgrade.stdout) \(upgrade.stderr)")

            // And a WebSocket on the same port.
            let socket = TestSocket(url: edge.wsURL)
            defer { socket.close() }
            socket.send(["type": "client:ping", "ts": 7])
            #expect(await socket.next(type: "server:pong")?["ts"] == .number(7))
        }

        /// A connection that never finishes setting up (no request, no HTTP/2 preface) is closed
        /// after 30 s, so idle half-open sockets cannot pile up; one that sent a request stays.
        @Test func connectionsThatNeverSetUpAreClosedAfter30Seconds() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let script = """
            import socket, sys, time
            silent = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            used = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            used.sendall(b"GET /api/health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
            used.recv(65536)
            start = time.monotonic()
            silent.settimeout(45)
            data = silent.recv(1)
            closed_after = time.monotonic() - start
            used.sendall(b"GET /api/health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
            reused = used.recv(65536).startswith(b"HTTP/1.1 200")
            print(f"{closed_after:.1f} {data == b''} {reused}")
            """
            let run = try Tool.run("python3", ["-c", script, String(edge.port)])
            let fields = run.stdout.split(separator: " ").map(String.init)
            #expect(fields.count == 3, "\(run.stdout) \(run.stderr)")
            let seconds = Double(fields.first ?? "") ?? 0
            #expect(seconds > 25 && seconds < 40, "closed after \(seconds) s")
            #expect(fields.dropFirst().first == "True", "the edge closed the silent connection")
            #expect(fields.last?.hasPrefix("True") == true, "a connection in use is not closed by the set-up bound")
        }

        @Test func tlsNegotiatesH2OrHTTP1AndCarriesWebSockets() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("edge-tls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let cert = directory.appendingPathComponent("cert.pem").path
            let key = directory.appendingPathComponent("key.pem").path
            let made = try Tool.run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                                "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                                                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            #expect(made.status == 0, "\(made.stderr)")

            let upstream = try TestUpstream()
            let edge = try HubProcess("agentim-edge", environment: [
                "JWT_SECRET": EdgeFixture.secret, "REDIS_URL": "", "NODE_ENV": "test", "TLS_CERT_FILE": cert, "TLS_KEY_FILE": key,
                "AUTH_URL": upstream.baseURL, "ROOMS_URL": upstream.baseURL, "ROUTER_URL": upstream.baseURL, "UPLOADS_URL": upstream.baseURL,
            ])
            defer { edge.stop(); upstream.stop() }
            let base = "https://127.0.0.1:\(edge.port)"
            try await waitForTLS(base + "/api/health", edge: edge)

            let h2 = try Tool.curl(["--insecure", "--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", base + "/api/health"])
            #expect(h2.stdout == "2 200", "\(h2.stdout) \(h2.stderr)")
            let http1 = try Tool.curl(["--insecure", "--http1.1", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", base + "/api/health"])
            #expect(http1.stdout == "1.1 200", "\(http1.stdout) \(http1.stderr)")
            let nghttp = try Tool.run("nghttp", ["-nv", base + "/api/health"])
            #expect(nghttp.stdout.contains(":status: 200"), "\(nghttp.stdout.suffix(400)) \(nghttp.stderr)")

            // The services learn the client came over TLS.
            let proxied = try Tool.curl(["--insecure", "--http2", base + "/api/rooms/abc"])
            let echoed = try JSONDecoder().decode(JSONValue.self, from: Data(proxied.stdout.utf8))
            #expect(echoed["data"]?["headers"]?["x-forwarded-proto"] == .string("https"))

            // A small answer is sealed as one TLS record, not one per piece the codec wrote (head,
            // body): TLSRecordCoalescer. Counted on a kept-alive connection's second answer (the
            // edge's own route: a proxied answer's pieces may reach the edge in two reads).
            let records = try Tool.run("python3", ["-c", Self.recordCounter, String(edge.port)])
            #expect(records.stdout == "1 HTTP/1.1 200 OK\n", "\(records.stdout) \(records.stderr)")

            // wss:// with the same certificate (ALPN falls back to HTTP/1.1 for the upgrade).
            let socket = TestSocket(url: "wss://127.0.0.1:\(edge.port)/ws/client")
            defer { socket.close() }
            let result = await socket.authenticate(EdgeFixture.token(userId: "tls-user-1"))
            #expect(result?["ok"] == .bool(true))
            #expect(result?["userId"] == .string("tls-user-1"))
        }

        /// Prints how many TLS application-data records carried the second of two answers
        /// on one HTTP/1.1 connection, and that answer's status line. Python's TLS runs on memory
        /// buffers here, so the records are counted as they come off the socket.
        static let recordCounter = """
        import socket, ssl, sys
        port = int(sys.argv[1])
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ctx.set_alpn_protocols(["http/1.1"])
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
        sock = socket.create_connection(("127.0.0.1", port))
        pending = b""
        records = 0
        def push():
            data = outgoing.read()
            if data: sock.sendall(data)
        def pull():
            # One read from the socket; whole TLS records go to the TLS object, counted when application data.
            global pending, records
            data = sock.recv(65536)
            if not data: raise SystemExit("closed")
            pending += data
            while len(pending) >= 5 and len(pending) >= 5 + int.from_bytes(pending[3:5], "big"):
                size = 5 + int.from_bytes(pending[3:5], "big")
                if pending[0] == 23: records += 1
                incoming.write(pending[:size])
                pending = pending[size:]
        while True:
            try:
                tls.do_handshake(); break
            except ssl.SSLWantReadError:
                push(); pull()
        push()
        def exchange():
            tls.write(b"GET /api/health HTTP/1.1\\r\\nHost: localhost\\r\\n\\r\\n")
            push()
            answer = b""
            while True:
                try:
                    answer += tls.read(65536)
                except ssl.SSLWantReadError:
                    pull(); continue
                head, _, body = answer.partition(b"\\r\\n\\r\\n")
                length = [int(l.split(b":")[1]) for l in head.split(b"\\r\\n") if l.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]: return head
        exchange()
        records = 0
        head = exchange()
        print(records, head.split(b"\\r\\n")[0].decode())
        """

        private func waitForTLS(_ url: String, edge: HubProcess) async throws {
            for _ in 0..<100 {
                guard edge.process.isRunning else { throw TestSetupError("edge exited: \(edge.log)") }
                if (try? Tool.curl(["--insecure", "-o", "/dev/null", "-w", "%{http_code}", url]))?.stdout == "200" { return }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw TestSetupError("TLS edge never answered: \(edge.log)")
        }
    }
}
