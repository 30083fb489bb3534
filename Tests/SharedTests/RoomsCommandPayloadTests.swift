import AgentIMCore
import Foundation
import Testing

/// Chat sends travel the bus in hand-written bytes; they must stay the synthesized Codable
/// layout both ways, so processes of the previous release read them and they read its.
struct RoomsCommandPayloadTests {
    static func send(_ content: String, reply: String? = nil, client: String? = nil, attachments: [String] = []) -> RoomsCommand {
        .sendMessage(.init(commandId: "cmd-1", origin: SocketAddress(node: "edge-a", socket: "s\"1"), userId: "u1", username: "amy",
                           roomId: "r1", content: content, replyToId: reply, attachmentIds: attachments, clientMessageId: client))
    }

    static let commands: [RoomsCommand] = [
        send("hi"),
        send("quote \" backslash \\ slash / newline \n tab \t bell \u{07} é 日本 🎉", reply: "m0", client: "c-9", attachments: ["a1", "a2"]),
        send("", client: ""),
        .serviceAgentFailed(ServiceAgentFailure(requestId: "q", roomId: "r1", serviceAgentName: "helper", error: "timeout")),
    ]

    @Test func handWrittenBytesAreTheCodableLayout() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        for command in Self.commands {
            let fast = try command.busPayload()
            #expect(try JSONDecoder().decode(RoomsCommand.self, from: fast) == command, "read by the Codable path")
            #expect(RoomsCommand.fromBusPayload(fast) == command, "read back")
            #expect(RoomsCommand.fromBusPayload(try encoder.encode(command)) == command, "the Codable bytes read by the fast path")
        }
    }

    @Test func malformedSendsAreNoCommand() {
        for text in [#"{"sendMessage":{"_0":{"commandId":"c"}}}"#, #"{"sendMessage":{"_0":{"commandId":"c","origin":{"node":"n","socket":"s"},"userId":"u","username":"n","roomId":"r","content":"x","attachmentIds":[1]}}}"#,
                     #"{"sendMessage":{"_0":{"commandId":"c","origin":{"node":"n","socket":"s"},"userId":"u","username":"n","roomId":"r","content":"x","attachmentIds":[],"replyToId":5}}}"#,
                     "not json", "{}"] {
            #expect(RoomsCommand.fromBusPayload(Data(text.utf8)) == nil, "\(text)")
        }
        let nulls = #"{"sendMessage":{"_0":{"commandId":"c","origin":{"node":"n","socket":"s"},"userId":"u","username":"n","roomId":"r","content":"x","attachmentIds":[],"replyToId":null,"extra":1}}}"#
        guard case .sendMessage(let send)? = RoomsCommand.fromBusPayload(Data(nulls.utf8)) else { Issue.record("a send with nulls and an unknown key"); return }
        #expect(send.replyToId == nil && send.clientMessageId == nil)
    }
}
