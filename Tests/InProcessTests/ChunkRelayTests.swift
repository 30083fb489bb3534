import AgentIMCore
@testable import EdgeService
import Foundation
import Testing

/// The gateway writes a relayed chunk's bus entry by hand (`ChunkRelay`): edges must read it as
/// the `Delivery` JSONEncoder made before, frame included.
struct ChunkRelayTests {
    @Test(arguments: [
        JSONValue.object(["type": .string("text"), "content": .string("hello \"world\"\n/\u{1}é😀")]),
        JSONValue.object(["type": .string("tool_use"), "content": .string("{}"), "metadata": .object(["n": .number(2.5), "list": .array([.null, .bool(true)])])]),
    ])
    func payloadDecodesAsTheEncodersDelivery(_ chunk: JSONValue) throws {
        let payload = ChunkRelay.deliveryPayload(roomId: "room\"1", agentId: "agent-1", agentName: "Bot \\ é", messageId: "m1", chunk: chunk)
        let delivery = try JSONDecoder().decode(Delivery.self, from: payload)
        let expected = AgentFrames.messageChunk(roomId: "room\"1", agentId: "agent-1", agentName: "Bot \\ é", messageId: "m1", chunk: chunk)
        #expect(delivery.audience == .room("room\"1"))
        #expect(delivery.seq == nil)
        #expect(JSONValue.parse(delivery.frame) == JSONValue.parse(expected))
        #expect(delivery.frame.hasPrefix(#"{"type":"server:message_chunk","roomId":"room\"1","agentId":"agent-1","agentName":"Bot \\ é","messageId":"m1","chunk":{"#))
    }
}
