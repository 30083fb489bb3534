import AgentIMCore
import AgentIMWire
import Foundation

/// The bus entry for one relayed chunk, written straight to bytes: the room's
/// `server:message_chunk` frame (websocket §10.3) inside the `Delivery` the edges follow.
/// JSONEncoder made both, one inside the other, per chunk: a sixth of the hub's time per
/// chunk. The result decodes as `Delivery(audience: .room(roomId), frame: AgentFrames.messageChunk(…))`
/// (ChunkRelayTests compare them).
enum ChunkRelay {
    static func deliveryPayload(roomId: String, agentId: String, agentName: String, messageId: String, chunk: JSONValue) -> Data {
        var frame: [UInt8] = []
        frame.reserveCapacity(160 + roomId.utf8.count + agentId.utf8.count + agentName.utf8.count + messageId.utf8.count)
        frame.append(contentsOf: #"{"type":"server:message_chunk","roomId":"#.utf8)
        JSONValue.appendQuoted(roomId, to: &frame)
        frame.append(contentsOf: #","agentId":"#.utf8)
        JSONValue.appendQuoted(agentId, to: &frame)
        frame.append(contentsOf: #","agentName":"#.utf8)
        JSONValue.appendQuoted(agentName, to: &frame)
        frame.append(contentsOf: #","messageId":"#.utf8)
        JSONValue.appendQuoted(messageId, to: &frame)
        frame.append(contentsOf: #","chunk":"#.utf8)
        chunk.appendJSON(to: &frame)
        frame.append(0x7D)

        // `Delivery`'s synthesized Codable form: {"audience":{"room":{"_0":…}},"frame":…}, `seq` absent.
        var payload: [UInt8] = []
        payload.reserveCapacity(frame.count + frame.count / 8 + 48 + roomId.utf8.count)
        payload.append(contentsOf: #"{"audience":{"room":{"_0":"#.utf8)
        JSONValue.appendQuoted(roomId, to: &payload)
        payload.append(contentsOf: #"}},"frame":"#.utf8)
        JSONValue.appendQuoted(utf8: frame, to: &payload)
        payload.append(0x7D)
        return Data(payload)
    }
}
