import AgentIMCore
import Foundation
import Testing

struct WireTests {
    @Test func errorEnvelopeShapes() throws {
        let plain = try JSONCoding.encodeString(ErrorEnvelope(error: "Room not found"))
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(plain.utf8)) == .object(["ok": .bool(false), "error": .string("Room not found")]))
        let validation = APIError.validation([.init(field: "name", message: "Required")])
        let body = try JSONCoding.encodeString(ErrorEnvelope(error: validation.message, fields: validation.fields))
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) == .object([
            "ok": .bool(false), "error": .string("Validation failed"),
            "fields": .array([.object(["field": .string("name"), "message": .string("Required")])]),
        ]))
        let success = try JSONCoding.encodeString(Envelope(["a": 1]))
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(success.utf8)) == .object(["ok": .bool(true), "data": .object(["a": .number(1)])]))
    }

    @Test func clientFramesAreCheckedInPipelineOrder() {
        #expect(throws: ClientFrame.Rejection.tooLarge) { try ClientFrame.parse(String(repeating: "x", count: 70_000), maxLength: 65_536) }
        #expect(throws: ClientFrame.Rejection.invalidJSON) { try ClientFrame.parse("{nope", maxLength: 65_536) }
        let deep = String(repeating: "[", count: 16) + String(repeating: "]", count: 16)
        #expect(throws: ClientFrame.Rejection.tooDeep) { try ClientFrame.parse(#"{"type":"client:ping","ts":1,"x":\#(deep)}"#, maxLength: 65_536) }
        let wide = "[" + Array(repeating: "1", count: 1001).joined(separator: ",") + "]"
        #expect(throws: ClientFrame.Rejection.tooWide) { try ClientFrame.parse(#"{"type":"client:ping","x":\#(wide)}"#, maxLength: 65_536) }
        #expect(throws: ClientFrame.Rejection.invalidMessage) { try ClientFrame.parse(#"{"type":"client:nope"}"#, maxLength: 65_536) }
        #expect(throws: ClientFrame.Rejection.invalidMessage) { try ClientFrame.parse(#"{"type":"client:send_message","roomId":"r","content":""}"#, maxLength: 65_536) }
        #expect(throws: ClientFrame.Rejection.invalidMessage) { try ClientFrame.parse(#"{"type":"client:auth"}"#, maxLength: 65_536) }
    }

    @Test func depthFifteenIsAllowed() throws {
        // The object is depth 0, "x" depth 1, then 14 more levels of arrays: the innermost scalar is depth 15.
        let nested = String(repeating: "[", count: 14) + "1" + String(repeating: "]", count: 14)
        #expect(try ClientFrame.parse(#"{"type":"client:ping","ts":1,"x":\#(nested)}"#, maxLength: 65_536) == .ping(ts: 1))
    }

    @Test func sendMessageKeepsWhatTheHubUses() throws {
        let frame = try ClientFrame.parse(#"{"type":"client:send_message","roomId":"r1","content":"hi","mentions":["x"],"extra":true}"#, maxLength: 65_536)
        #expect(frame == .sendMessage(.init(roomId: "r1", content: "hi", replyToId: nil, attachmentIds: [], clientMessageId: nil)))
    }

    @Test func serverFramesOmitAbsentFields() throws {
        let frame = ServerFrame.authResult(ok: false, error: "Invalid token")
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(frame.utf8)) == .object([
            "type": .string("server:auth_result"), "ok": .bool(false), "error": .string("Invalid token"),
        ]))
        let message = ChatMessage(id: "m", roomId: "r", senderId: "u", senderType: "user", senderName: "amy", type: "text",
                                  content: "x", createdAt: "2025-01-01T00:00:00.000Z")
        let rendered = try JSONDecoder().decode(JSONValue.self, from: Data(ServerFrame.newMessage(message).utf8))
        #expect(rendered["message"]?["replyToId"] == nil)
        #expect(rendered["message"]?["updatedAt"] == nil)
        #expect(rendered["message"]?["attachments"] == nil)
    }

    @Test func timestamps() throws {
        let date = try #require(Timestamp.parse("2025-01-15 10:30:00.123+00"))
        #expect(Timestamp.format(date) == "2025-01-15T10:30:00.123Z")
        #expect(Timestamp.parse("2025-01-15T12:30:00.123+02:00") == date)
        #expect(Timestamp.parse("2025-01-15T10:30:00.123Z") == date)
        #expect(Timestamp.parse("yesterday") == nil)
        #expect(Timestamp.format(Timestamp.parse("2025-01-15")!) == "2025-01-15T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_767_225_599.9996)) == "2026-01-01T00:00:00.000Z", "rounded to the nearest ms")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_709_210_096.007)) == "2024-02-29T12:34:56.007Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00.000Z")
    }

    @Test func sanitisation() {
        #expect(Sanitizer.text("<script>alert(1)</script>Test") == "alert(1)Test")
        #expect(Sanitizer.content("hi <script>evil()</script>there") == "hi there")
        #expect(Sanitizer.content(#"<a href="javascript:x()" onclick="y()">go</a>"#) == #"<a href="">go</a>"#)
        #expect(Sanitizer.content("a < b and **bold**") == "a < b and **bold**")
        // Text without `<` (or, for short text, `&`) comes back as it is, whatever else it holds.
        #expect(Sanitizer.content("javascript:alert(1) onclick=x &lt;script&gt;") == "javascript:alert(1) onclick=x &lt;script&gt;")
        #expect(Sanitizer.text("  plain name  ") == "plain name")
        #expect(Sanitizer.text("&lt;b&gt;bold&lt;/b&gt;") == "bold")
        #expect(Sanitizer.content("<SCRIPT>x</SCRIPT>ok<img src=x onerror=alert(1)>") == "ok<img src=x>")
    }

    @Test func mentions() {
        #expect(Mentions.parse("@amy hi @bob-2 and @amy again, mail user@example") == ["amy", "bob-2", "example"])
        #expect(Mentions.parse("@-no @_ok") == ["_ok"])
    }
}
