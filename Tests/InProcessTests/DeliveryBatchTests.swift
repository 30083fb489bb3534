import AgentIMCore
@testable import EdgeService
import Foundation
import Testing

/// One read of the bus is handed to the edge's registry at once (`ClientRegistry.deliver`): a
/// socket gets every frame of it, in the order of the deliveries whatever their audience, with
/// one flush. The per-delivery flush had cost a writev per chunk per socket in a burst of agent
/// chunks (bench/chunk-relay.py: 15,000 chunks/s to 10 clients, single process).
struct DeliveryBatchTests {
    @Test func aReadsDeliveriesReachASocketInOrderWithOneFlush() async throws {
        let pair = try FrameSocketPair()
        let registry = try await pair.welcomedRegistry()
        #expect(await registry.join("s1", room: "r1", lastSeq: 0))
        await registry.finishFill("s1", room: "r1", messages: [])
        let before = pair.flushes.count

        // Sequenced messages, chunks, a frame for the user and one for the socket, interleaved.
        var deliveries: [Delivery] = []
        var expected: [String] = []
        for index in 1...40 {
            let frame: String
            switch index % 4 {
            case 0:
                frame = #"{"type":"server:new_message","message":{"roomId":"r1","n":\#(index)}}"#
                deliveries.append(Delivery(audience: .room("r1"), frame: frame, seq: Int64(index / 4)))
            case 1:
                frame = #"{"type":"server:message_chunk","roomId":"r1","n":\#(index)}"#
                deliveries.append(Delivery(audience: .room("r1"), frame: frame))
            case 2:
                frame = #"{"type":"server:presence","n":\#(index)}"#
                deliveries.append(Delivery(audience: .user("u1"), frame: frame))
            default:
                frame = #"{"type":"server:error","n":\#(index)}"#
                deliveries.append(Delivery(audience: .socket(SocketAddress(node: "edge-test", socket: "s1")), frame: frame))
            }
            expected.append(frame)
        }
        let gaps = await registry.deliver(deliveries)
        #expect(gaps.isEmpty)
        #expect(try pair.texts(40) == expected)
        #expect(pair.flushes.count - before == 1, "one flush for the read's 40 frames")
    }
}
