import AgentIMCore
@testable import EdgeService
import NIOCore
import NIOHTTP1
import Testing

/// The proxy lane's per-request helpers, rewritten to make no String per header or prefix:
/// they must still match header names whatever their case, and paths on whole segments.
@Suite struct ProxyHeadersTests {
    @Test func headerNamesMatchWhateverTheASCIICase() {
        let names = HeaderNames(["connection", "X-Request-ID", "te"])
        for name in ["connection", "Connection", "CONNECTION", "cOnNeCtIoN", "x-request-id", "X-REQUEST-ID", "TE", "te"] {
            #expect(names.contains(name), "\(name)")
        }
        // Same lengths, other names; a byte that folds to a letter only outside ASCII's letters.
        for name in ["connectiom", "x-request-ie", "tf", "t", "", "x_request-id", "connection ", "CONNECTİON", "\u{00C4}e"] {
            #expect(!names.contains(name), "\(name)")
        }
        #expect(names.union(["Vary"]).contains("VARY") && names.union(["Vary"]).contains("Te"))
    }

    @Test func upstreamHeadersDropHopByHopAndForgedOnesInAnyCase() {
        var inbound = HTTPHeaders()
        for (name, value) in [("HOST", "hub.example"), ("Connection", "keep-alive, X-Secret"), ("KEEP-ALIVE", "timeout=5"),
                              ("x-secret", "s"), ("X-FORWARDED-FOR", "6.6.6.6"), ("x-real-ip", "6.6.6.6"), ("Expect", "100-continue"),
                              ("X-Request-Id", "forged"), ("Transfer-Encoding", "chunked"), ("Accept", "application/json"),
                              ("Authorization", "Bearer t")] {
            inbound.add(name: name, value: value)
        }
        let peer = try! SocketAddress(ipAddress: "10.1.2.3", port: 5000)
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/api/rooms", headers: inbound)
        let headers = ProxyHeaders.upstream(head, requestId: "rid", peer: peer, trustProxy: false, scheme: "https")
        #expect(headers.map(\.name) == ["Host", "Accept", "Authorization", "X-Forwarded-For", "X-Real-IP", "X-Forwarded-Proto",
                                        "X-Forwarded-Host", "X-Request-ID"])
        #expect(headers["X-Forwarded-For"] == ["10.1.2.3"] && headers["X-Real-IP"] == ["10.1.2.3"])
        #expect(headers["X-Forwarded-Proto"] == ["https"] && headers["X-Request-ID"] == ["rid"] && headers["Host"] == ["hub.example"])

        // Behind a trusted proxy its list goes on and its client address is the real one.
        let trusted = ProxyHeaders.upstream(head, requestId: "rid", peer: peer, trustProxy: true, scheme: "http")
        #expect(trusted["X-Forwarded-For"] == ["6.6.6.6, 10.1.2.3"] && trusted["X-Real-IP"] == ["6.6.6.6"])
    }

    @Test func downstreamHeadersDropHopByHopAndTheEdgesOwn() {
        var upstream = HTTPHeaders()
        for (name, value) in [("Content-Type", "application/json"), ("CONNECTION", "close, X-Internal"), ("x-internal", "1"),
                              ("Keep-Alive", "timeout=5"), ("X-Frame-Options", "DENY"), ("x-request-id", "service"), ("Set-Cookie", "a=b")] {
            upstream.add(name: name, value: value)
        }
        let dropping = ProxyHeaders.hopByHop.union(["x-frame-options", "x-request-id"])
        #expect(ProxyHeaders.downstream(upstream, dropping: dropping).map(\.name) == ["Content-Type", "Set-Cookie"])
        #expect(ProxyHeaders.downstream(upstream).map(\.name) == ["Content-Type", "X-Frame-Options", "x-request-id", "Set-Cookie"])
    }

    @Test func servicesAreFoundOnWholeSegmentsAndQueriesCut() {
        #expect(UpstreamTable.service(for: "/api/rooms") == .rooms)
        #expect(UpstreamTable.service(for: "/api/rooms/abc/messages") == .rooms)
        #expect(UpstreamTable.service(for: "/api/upload/avatar") == .uploads)
        #expect(UpstreamTable.service(for: "/uploads/x.png") == .uploads)
        #expect(UpstreamTable.service(for: "/api/roomsx") == nil)
        #expect(UpstreamTable.service(for: "/api/uploadsx") == nil)
        #expect(UpstreamTable.service(for: "/api/room") == nil)
        #expect(UpstreamTable.service(for: "/api/rooms\u{301}") == nil)
        #expect(ProxyLaneSettings.bare("/api/rooms?x=1?y") == "/api/rooms")
        #expect(ProxyLaneSettings.bare("/api/r\u{00E9}?q") == "/api/r\u{00E9}")
        #expect(ProxyLaneSettings.bare("/api/rooms") == "/api/rooms")
    }

    @Test func metricPathsHideIdSegments() {
        #expect(MetricPath.label(for: "/api/rooms") == "/api/rooms")
        #expect(MetricPath.label(for: "/api/rooms/V1StGXR8_Z5jdHi6B-myT/messages") == "/api/rooms/:id/messages")
        #expect(MetricPath.label(for: "/api/rooms/V1StGXR8_Z5jdHi6B-myT") == "/api/rooms/:id")
        #expect(MetricPath.label(for: "/api/rooms/short") == "/api/rooms/short")
        #expect(MetricPath.label(for: "/x/0123456789/y/abcdefghij/") == "/x/:id/y/:id/")
        #expect(MetricPath.label(for: "/api/r\u{00E9}\u{00E9}\u{00E9}\u{00E9}\u{00E9}\u{00E9}") == "/api/r\u{00E9}\u{00E9}\u{00E9}\u{00E9}\u{00E9}\u{00E9}")
        #expect(MetricPath.label(for: "") == "")
    }
}
