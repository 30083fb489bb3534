import Testing
@testable import AgentIMCLI

@Suite struct AdapterContractTests {
    @Test func roomKeyFallsBackToGlobal() {
        #expect(MessageContext(roomId: nil, senderName: "a").roomKey == "__global__")
        #expect(MessageContext(roomId: "r1", senderName: "a").roomKey == "r1")
    }
}
