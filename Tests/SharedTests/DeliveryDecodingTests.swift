@testable import AgentIMCore
import Foundation
import Testing

/// `Delivery.decode` (JSONParser) reads every payload JSONEncoder writes as JSONDecoder does.
struct DeliveryDecodingTests {
    static let address = SocketAddress(node: "edge-1", socket: "s\"7")

    @Test(arguments: [
        Delivery(audience: .room("r1"), frame: #"{"type":"server:new_message","message":{"content":"é \"q\" \\ \n 😀 \u{1}"}}"#, seq: 42),
        Delivery(audience: .room("r1", except: address), frame: "{}"),
        Delivery(audience: .user("u1"), frame: "x", seq: 9_007_199_254_740_000),
        Delivery(audience: .socket(address), frame: ""),
        Delivery(audience: .all, frame: #"{"type":"server:presence"}"#),
        Delivery(audience: .agent("a1"), frame: "{}"),
        Delivery(audience: .gateway("g1"), frame: "{}", seq: 0),
        Delivery(audience: .workspaceRequest("w1"), frame: "{}"),
    ])
    func readsWhatTheEncoderWrites(_ delivery: Delivery) throws {
        let payload = try JSONEncoder().encode(delivery)
        let fast = try #require(Delivery.decode(payload))
        #expect(fast == delivery)
        #expect(fast == (try JSONDecoder().decode(Delivery.self, from: payload)))
        #expect(Delivery(encoded: try #require(JSONValue.parse(payload))) == delivery, "read by the fast path, not the fallback")
    }

    @Test func otherShapesAreJudgedByJSONDecoder() {
        // Not JSON, or not a delivery: nil as JSONDecoder says.
        for text in ["", "{", #"{"frame":"x"}"#, #"{"audience":{"room":{"_0":"r"}},"frame":1}"#, #"{"audience":{"moon":{"_0":"r"}},"frame":"x"}"#,
                     #"{"audience":{"room":{"_0":"r"}},"frame":"x","seq":1.5}"#] {
            #expect(Delivery.decode(Data(text.utf8)) == nil, "\(text)")
        }
        // Legal for JSONDecoder, outside the fast path's shape: the fallback answers.
        let spaced = Data(#"{ "seq" : 3 , "frame" : "f" , "audience" : { "user" : { "_0" : "u" } } , "extra" : [1] }"#.utf8)
        #expect(Delivery.decode(spaced) == Delivery(audience: .user("u"), frame: "f", seq: 3))
    }
}

/// A room's delivery is written to the bus by hand; it must stay the synthesized Codable layout,
/// so JSONDecoder, `Delivery.decode` and processes of the previous release all read it.
struct DeliveryPayloadTests {
    static let deliveries: [Delivery] = [
        Delivery(audience: .room("r1"), frame: #"{"type":"server:new_message","message":{"content":"hi"}}"#, seq: 7),
        Delivery(audience: .room("r \"2\""), frame: "quote \" backslash \\ slash / newline \n tab \t bell \u{07} é 日本 🎉"),
        Delivery(audience: .room("r3"), frame: "", seq: -1),
        Delivery(audience: .room("r4", except: SocketAddress(node: "n", socket: "s")), frame: "x", seq: 3),
        Delivery(audience: .user("u1"), frame: "{}"),
    ]

    @Test func handWrittenBytesAreTheCodableLayout() throws {
        for delivery in Self.deliveries {
            let bytes = try delivery.busPayload()
            #expect(try JSONDecoder().decode(Delivery.self, from: bytes) == delivery, "read by the Codable path")
            #expect(Delivery.decode(bytes) == delivery, "read by the edges' reader")
            let codable = try JSONCoding.encode(delivery)
            #expect(try JSONDecoder().decode(Delivery.self, from: codable) == (try JSONDecoder().decode(Delivery.self, from: bytes)))
        }
    }
}
