@testable import EdgeService
import Testing

/// `agentim_messages_total{type}` reads the sender type out of each stored message's frame.
@Suite struct MessageCounterTests {
    @Test func theFirstSenderTypeIsReadWhenItIsACountedOne() {
        let frame = #"{"type":"server:new_message","message":{"id":"m","senderType":"SENDER","content":"\"senderType\":\"agent\""}}"#
        for type in ["user", "agent", "service_agent"] {
            #expect(MessageCounter.senderType(in: frame.replacingOccurrences(of: "SENDER", with: type)) == type)
        }
        // Not counted: other types, names that only begin like a counted one, no closing quote, no field.
        for type in ["system", "agent_x", "use", "", "User"] {
            #expect(MessageCounter.senderType(in: frame.replacingOccurrences(of: "SENDER", with: type)) == nil, "\(type)")
        }
        #expect(MessageCounter.senderType(in: #"{"senderType":"agent"#) == nil)
        #expect(MessageCounter.senderType(in: #"{"type":"server:typing"}"#) == nil)
        #expect(MessageCounter.senderType(in: "") == nil)
    }
}
