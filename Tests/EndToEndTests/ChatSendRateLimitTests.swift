import AgentIMCore
import Foundation
import Testing

/// A chat send is counted against the user's client-frame limit (`ws:rate:<userId>`, 30 per
/// 10 s) where it is appended, in one Redis script. The count is the same one every other frame
/// uses, shared by the user's sockets on every edge; a refused send is never stored.
@Suite(.serialized) struct ChatSendRateLimitTests {
    @Test func sendsAreCountedWithEveryOtherFrameAcrossEdgesAndARefusedOneIsNotStored() async throws {
        let hub = try DistributedHub()
        defer { hub.stop() }
        try await hub.startServices()
        let edgeA = try await hub.startEdge()
        let edgeB = try await hub.startEdge()
        let room = try await ChatScenario.room(senderBase: edgeA.baseURL, senderWS: edgeA.wsURL,
                                               receiverBase: edgeB.baseURL, receiverWS: edgeB.wsURL)
        defer { room.close() }
        // The same user on the other edge (authenticating is not counted; alice's join was: 1).
        let second = TestSocket(url: edgeB.wsURL)
        defer { second.close() }
        #expect(await second.authenticate(room.adminToken)?["ok"] == .bool(true))

        var accepted: [String] = []
        var refusal: JSONValue?
        for index in 0..<40 where refusal == nil {
            let socket = index.isMultiple(of: 2) ? room.alice : second
            socket.send(["type": "client:send_message", "roomId": room.id, "content": "m\(index)"])
            // A pong behind the send proves it was handled; an error before it is the refusal.
            socket.send(["type": "client:ping", "ts": index])
            #expect(await socket.next(type: "server:pong") != nil)
            refusal = await socket.next(type: "server:error", timeout: .milliseconds(1))
            if refusal == nil { accepted.append("m\(index)") }
        }
        #expect(accepted.count == 29, "30 frames a window: the join and 29 sends (\(accepted.count) taken)")
        #expect(refusal?["code"]?.stringValue == "RATE_LIMITED", "\(refusal ?? .null)")
        #expect(refusal?["message"]?.stringValue == "Too many messages, please slow down")

        // Any other frame of the user is refused too, on either edge: one count.
        room.alice.send(["type": "client:typing", "roomId": room.id])
        #expect(await room.alice.next(type: "server:error")?["code"]?.stringValue == "RATE_LIMITED")

        // Every taken send is delivered and stored; the refused one is not.
        for _ in accepted { #expect(await room.bob.next(type: "server:new_message", timeout: .seconds(10)) != nil) }
        let history = try await HTTP.get(edgeA.baseURL + "/api/messages/rooms/\(room.id)?limit=100", token: room.adminToken)
        let contents = history.data?["items"]?.arrayValue?.compactMap { $0["content"]?.stringValue } ?? []
        #expect(Set(contents) == Set(accepted), "\(history.body)")
    }
}
