import AgentIMCore
import Foundation
import Testing

/// `JSONValue.parse` (the hand-written `JSONParser`) against JSONDecoder, which it replaced on
/// the gateway's hot path: the same value for what JSONDecoder accepts, nil for what it refuses,
/// and `appendJSON` text that JSONDecoder reads back to the same value. Two differences are
/// deliberate and follow JSON.parse, which the original hub used: a trailing comma is refused,
/// and of duplicate keys the last wins (JSONDecoder accepts the comma and keeps the first).
struct JSONParserTests {
    private func decoded(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    static let accepted = [
        #"{"type":"gateway:message_chunk","roomId":"r1","chunk":{"type":"text","content":"hi"}}"#,
        #"  {"a" : [1, -2.5, 3e2, 0, -0, 1E-3, 12345678901234] , "b":{"c":null,"d":true,"e":false}}  "#,
        #"{"s":"quote \" back \\ slash \/ tab \t nl \n cr \r bs \b ff \f"}"#,
        #"{"u":"\u00e9\u4e2d\ud83d\ude00 é 中 😀","ctl":"\u0001\u001f"}"#,
        #"[]"#, #"{}"#, #"[[[[[]]]]]"#, #""just a string""#, #"42"#, #"null"#, #"true"#,
        "{\"multi\nline\":\"\"}".replacingOccurrences(of: "\n", with: "\\n"),
    ]

    static let refused = [
        #""#, #"{"#, #"{"a":}"#, #"{"a" 1}"#, #"{a:1}"#, #"[01]"#, #"[1.]"#, #"[.5]"#, #"[1e]"#,
        #"[+1]"#, #"[1e400]"#, #"["\x"]"#, #"["\ud800"]"#, #"["\udc00"]"#, #"["\ud800\u0041"]"#, #"["\u12G4"]"#,
        "[\"raw\ttab\"]", "[\"raw\nnewline\"]", #"{"a":1} x"#, #"[tru]"#, #"[nul]"#, #"NaN"#, #"[Infinity]"#, #"'a'"#,
    ]

    @Test(arguments: accepted)
    func acceptsWhatJSONDecoderAccepts(_ text: String) throws {
        let expected = try #require(decoded(text), "JSONDecoder refuses \(text)")
        #expect(JSONValue.parse(text) == expected)
    }

    @Test(arguments: refused)
    func refusesWhatJSONDecoderRefuses(_ text: String) {
        #expect(decoded(text) == nil, "JSONDecoder accepts \(text)")
        #expect(JSONValue.parse(text) == nil)
    }

    @Test func followsJSONParseWhereJSONDecoderIsLenient() {
        #expect(decoded(#"[1,]"#) != nil && decoded(#"{"a":1,}"#) != nil)
        #expect(JSONValue.parse(#"[1,]"#) == nil)
        #expect(JSONValue.parse(#"{"a":1,}"#) == nil)
        #expect(JSONValue.parse(#"{"dup":1,"dup":2}"#) == .object(["dup": .number(2)]))
    }

    @Test func nestingBeyondJSONDecodersLimitIsRefusedNotACrash() {
        #expect(JSONValue.parse(String(repeating: "[", count: 100_000)) == nil)
        #expect(JSONValue.parse(String(repeating: "[", count: 300) + String(repeating: "]", count: 300)) != nil)
    }

    @Test(arguments: accepted)
    func writtenTextReadsBackTheSame(_ text: String) throws {
        let value = try #require(JSONValue.parse(text))
        #expect(decoded(value.jsonText) == value)
        #expect(JSONValue.parse(value.jsonText) == value)
    }

    @Test func numbersAreWrittenAsTheEncoderWritesThem() {
        #expect(JSONValue.array([.number(3), .number(-0.5), .number(1e20), .number(12345678901234)]).jsonText == "[3,-0.5,1e+20,12345678901234]")
        #expect(JSONValue.object(["p": .string("a/b\"c\u{1}")]).jsonText == #"{"p":"a/b\"c\u0001"}"#)
    }
}
