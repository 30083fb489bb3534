import Foundation
import Glibc
import Testing

extension EdgeTests {
    /// `/ws/client` sockets are run on the edge's event loop (`FrameSocketHandler`): the WebSocket
    /// rules the library they replaced applied, checked frame by frame on a raw connection.
    @Suite
    struct EdgeFrameSocketTests {
        @Test func fragmentsMakeOneMessageAndPingsAreAnswered() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }
            let socket = try RawWebSocket(port: edge.port)
            defer { socket.close() }
            let text = Array(#"{"type":"client:ping","ts":7}"#.utf8)
            try socket.send(opcode: 0x1, fin: false, Array(text[0..<5]))
            try socket.send(opcode: 0x0, fin: false, Array(text[5..<12]))
            try socket.send(opcode: 0x9, fin: true, Array("hi".utf8))  // a ping between fragments
            try socket.send(opcode: 0x0, fin: true, Array(text[12...]))
            let pong = try socket.read()
            #expect(pong.opcode == 0xA && pong.payload == Array("hi".utf8), "the ping's pong carries its data")
            let answer = try socket.read()
            #expect(answer.opcode == 0x1)
            let reply = try JSONSerialization.jsonObject(with: Data(answer.payload)) as? [String: Any]
            #expect(reply?["type"] as? String == "server:pong" && reply?["ts"] as? Int == 7, "the reassembled ping is answered")
            // A close with a valid code is answered with a normal close, and the connection ends.
            try socket.send(opcode: 0x8, fin: true, [0x03, 0xE8] + Array("bye".utf8))
            let close = try socket.read()
            #expect(close.opcode == 0x8 && close.code == 1000)
            #expect(socket.endOfStream())
        }

        @Test func brokenFramesCloseWithTheirCodes() async throws {
            let upstream = try TestUpstream()
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"])
            defer { edge.stop(); upstream.stop() }

            let stray = try RawWebSocket(port: edge.port)
            defer { stray.close() }
            try stray.send(opcode: 0x0, fin: true, Array("x".utf8))
            #expect(try stray.read().code == 1002, "a continuation with no message started")

            // A frame before the broken one is answered first, then the close.
            let utf8 = try RawWebSocket(port: edge.port)
            defer { utf8.close() }
            try utf8.send(opcode: 0x1, fin: true, Array(#"{"type":"client:ping","ts":1}"#.utf8))
            try utf8.send(opcode: 0x1, fin: true, [0x7B, 0xC3, 0x28, 0x7D])
            #expect(String(decoding: try utf8.read().payload, as: UTF8.self).contains("server:pong"))
            let close = try utf8.read()
            #expect(close.opcode == 0x8 && close.code == 1007, "text that is not UTF-8")
            #expect(utf8.endOfStream(), "our close ends our output")

            let reserved = try RawWebSocket(port: edge.port)
            defer { reserved.close() }
            try reserved.send(opcode: 0x3, fin: true, [])
            #expect(try reserved.read().code == 1002, "a reserved opcode")

            let badClose = try RawWebSocket(port: edge.port)
            defer { badClose.close() }
            try badClose.send(opcode: 0x8, fin: true, [0x03, 0xEC])  // 1004: reserved, never sent
            #expect(try badClose.read().code == 1002)
        }

        /// A socket that stops reading while large messages arrive is closed with 1013 once the
        /// bytes waiting for it pass `Outgoing.clientBacklogBytes`, long before 512 frames: the
        /// edge does not hold large messages by the hundred for a peer that does not read.
        @Test func aSlowReaderOfLargeMessagesIsClosedByBytes() async throws {
            let hub = try await SingleProcessHubTests.startHub(extra: ["CLIENT_RATE_LIMIT_MAX": "1000"])
            defer { hub.stop() }
            let token = try await ChatScenario.login(hub.baseURL, "admin", ChatScenario.adminPassword)
            let created = try await HTTP.post(hub.baseURL + "/api/rooms", json: #"{"name":"Large"}"#, token: token)
            let roomId = try #require(created.data?["id"]?.stringValue)

            let slow = try RawWebSocket(port: hub.port, receiveBuffer: 4096)
            defer { slow.close() }
            for frame in [#"{"type":"client:auth","token":"\#(token)"}"#, #"{"type":"client:join_room","roomId":"\#(roomId)"}"#,
                          #"{"type":"client:ping","ts":1}"#] {
                try slow.send(opcode: 0x1, fin: true, Array(frame.utf8))
            }
            while !String(decoding: try slow.read().payload, as: UTF8.self).contains("server:pong") {}

            // 300 messages of 60,000 characters (a client frame is at most 64 KiB): 18 MB, below
            // 512 frames, far above what the kernel buffers for a peer with a 4 kB window plus the
            // 4 MiB the edge may hold.
            // The sender does not join the room: it gets none of the 18 MB, so only the slow
            // socket can fall behind (a joined sender reading slowly under load was closed too).
            let sender = TestSocket(url: hub.wsURL)
            defer { sender.close() }
            #expect(await sender.authenticate(token)?["ok"] == .bool(true))
            let content = String(repeating: "y", count: 60_000)
            for n in 0..<300 {
                sender.send(["type": "client:send_message", "roomId": roomId, "content": "\(n) \(content)", "mentions": []])
            }
            // Not read until the last one is stored (the room's newest message), and a moment for its fan-out.
            let stored = await Wait.until(.seconds(30), every: .milliseconds(200)) {
                let newest = try? await HTTP.get(hub.baseURL + "/api/messages/rooms/\(roomId)?limit=1", token: token)
                return newest?.data?["items"]?.arrayValue?.first?["content"]?.stringValue?.hasPrefix("299 ") ?? false
            }
            #expect(stored, "the 300 messages were stored")
            try await Task.sleep(for: .milliseconds(500))
            var messages = 0
            var close: RawWebSocket.Frame?
            while close == nil {
                let frame = try slow.read()
                if frame.opcode == 0x8 { close = frame } else if frame.payload.count > 60_000 { messages += 1 }
            }
            #expect(close?.code == 1013, "closed as too slow")
            #expect(String(decoding: close?.payload.dropFirst(2) ?? [], as: UTF8.self) == "Client too slow")
            #expect(messages < 300, "the frames past the bound were dropped, not delivered: \(messages)")
        }
    }
}

/// A WebSocket client on a raw TCP connection, for frames a library would not send.
final class RawWebSocket {
    struct Frame {
        var opcode: UInt8
        var payload: [UInt8]
        var code: Int? { payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil }
    }

    private let fd: Int32
    private var received: [UInt8] = []

    /// `receiveBuffer`: a small kernel buffer, for a client that reads slowly.
    init(port: Int, path: String = "/ws/client", receiveBuffer: Int32? = nil) throws {
        fd = try RawHTTP.openConnection(port: port, receiveBuffer: receiveBuffer)
        var limit = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        try write(Array(("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n").utf8))
        let end: [UInt8] = [13, 10, 13, 10]
        var headLength: Int?
        while headLength == nil {
            try fill()
            headLength = received.count < 4 ? nil : (0...(received.count - 4)).first { Array(received[$0..<($0 + 4)]) == end }.map { $0 + 4 }
        }
        let head = String(decoding: received[0..<headLength!], as: UTF8.self)
        guard head.hasPrefix("HTTP/1.1 101") else { throw TestSetupError("no upgrade: \(head.prefix(80))") }
        received.removeFirst(headLength!)
    }

    func send(opcode: UInt8, fin: Bool, _ payload: [UInt8]) throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try write(frame)
    }

    func read() throws -> Frame {
        while received.count < 2 { try fill() }
        var length = Int(received[1] & 0x7F)
        var offset = 2
        if length == 126 {
            while received.count < 4 { try fill() }
            length = Int(received[2]) << 8 | Int(received[3])
            offset = 4
        } else if length == 127 {
            while received.count < 10 { try fill() }
            length = received[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        while received.count < offset + length { try fill() }
        let frame = Frame(opcode: received[0] & 0x0F, payload: Array(received[offset..<(offset + length)]))
        received.removeFirst(offset + length)
        return frame
    }

    /// True when the server ends the connection (within the 10 s receive timeout).
    func endOfStream() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 1024)
        return recv(fd, &buffer, buffer.count, 0) == 0
    }

    func close() { Glibc.close(fd) }

    private func write(_ bytes: [UInt8]) throws {
        guard Glibc.send(fd, bytes, bytes.count, 0) == bytes.count else { throw TestSetupError("send failed") }
    }

    private func fill() throws {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { throw TestSetupError("connection ended") }
        received += buffer[0..<count]
    }
}
