import AgentIMCore
import Testing

/// Every `/ws/client` type of websocket.md decodes to its own case; a bad field gives the
/// refusal the hub has always answered with.
struct ClientFrameTests {
    private func parse(_ text: String) throws(ClientFrame.Rejection) -> ClientFrame {
        try ClientFrame.parse(text, maxLength: 65_536)
    }

    @Test func sessionAndChatTypes() throws {
        #expect(try parse(#"{"type":"client:auth","token":"t","protocolVersion":"1"}"#) == .auth(token: "t", protocolVersion: "1"))
        #expect(try parse(#"{"type":"client:auth","token":"t"}"#) == .auth(token: "t", protocolVersion: nil))
        #expect(try parse(#"{"type":"client:ping","ts":12.5}"#) == .ping(ts: 12.5))
        #expect(try parse(#"{"type":"client:join_room","roomId":"r","lastSeq":7}"#) == .joinRoom(roomId: "r", lastSeq: 7))
        #expect(try parse(#"{"type":"client:join_room","roomId":"r"}"#) == .joinRoom(roomId: "r", lastSeq: nil))
        #expect(try parse(#"{"type":"client:leave_room","roomId":"r"}"#) == .leaveRoom(roomId: "r"))
        #expect(try parse(#"{"type":"client:typing","roomId":"r"}"#) == .typing(roomId: "r"))
        #expect(try parse(#"{"type":"client:send_message","roomId":"r","content":"hi","replyToId":"m","attachmentIds":["a"],"clientMessageId":"c"}"#)
                == .sendMessage(.init(roomId: "r", content: "hi", replyToId: "m", attachmentIds: ["a"], clientMessageId: "c")))
    }

    /// JSON as JSON.parse reads it (the original's): a trailing comma or trailing text is not
    /// JSON, of duplicate keys the last wins.
    @Test func jsonIsReadStrictly() throws {
        for text in [#"{"type":"client:ping","ts":1,}"#, #"{"type":"client:ping","ts":1} x"#, #"{"type":"client:ping","ts":01}"#, "", "{"] {
            #expect(throws: ClientFrame.Rejection.invalidJSON, "\(text)") { try parse(text) }
        }
        #expect(try parse(#"{"type":"client:ping","ts":1,"ts":2}"#) == .ping(ts: 2))
        #expect(try parse(" {\"type\":\"client:ping\",\"ts\":1e2}\n") == .ping(ts: 100))
    }

    @Test func sessionAndChatTypesThrowBeforeAuth() {
        let bad = [
            #"{"type":"client:auth","token":""}"#,
            #"{"type":"client:auth","token":"\#(String(repeating: "t", count: 2001))"}"#,
            #"{"type":"client:auth","token":"t","protocolVersion":1}"#,
            #"{"type":"client:ping"}"#,
            #"{"type":"client:ping","ts":"1"}"#,
            #"{"type":"client:join_room","roomId":""}"#,
            #"{"type":"client:join_room","roomId":"r","lastSeq":-1}"#,
            #"{"type":"client:join_room","roomId":"r","lastSeq":1.5}"#,
            #"{"type":"client:leave_room"}"#,
            #"{"type":"client:typing","roomId":3}"#,
            #"{"type":"client:send_message","roomId":"r"}"#,
            #"{"type":"client:send_message","roomId":"r","content":"x","mentions":"a"}"#,
            #"{"type":"client:send_message","roomId":"r","content":"x","attachmentIds":[1]}"#,
            #"{"type":"client:send_message","roomId":"r","content":"x","clientMessageId":""}"#,
            #"{"type":"client:send_message","roomId":"r","content":"x","replyToId":null}"#,
            #"{"type":"client:nope"}"#,
            #"{"roomId":"r"}"#,
            #"[1]"#,
        ]
        for text in bad {
            #expect(throws: ClientFrame.Rejection.invalidMessage, "\(text)") { try parse(text) }
        }
    }

    @Test func agentTypes() throws {
        #expect(try parse(#"{"type":"client:stop_generation","roomId":"r","agentId":"a"}"#) == .stopGeneration(roomId: "r", agentId: "a"))
        #expect(try parse(#"{"type":"client:permission_response","requestId":"q","decision":"allowAlways"}"#)
                == .permissionResponse(.init(requestId: "q", decision: "allowAlways", denyReason: nil)))
        #expect(try parse(#"{"type":"client:permission_response","requestId":"q","decision":"deny","denyReason":"no"}"#)
                == .permissionResponse(.init(requestId: "q", decision: "deny", denyReason: "no")))
        #expect(try parse(#"{"type":"client:agent_command","agentId":"a","roomId":"r","command":"model","args":"x"}"#)
                == .agentCommand(.init(agentId: "a", roomId: "r", command: "model", args: "x")))
        #expect(try parse(#"{"type":"client:agent_command","agentId":"a","roomId":"r","command":"clear","args":null}"#)
                == .agentCommand(.init(agentId: "a", roomId: "r", command: "clear", args: "")))
        #expect(try parse(#"{"type":"client:query_agent_info","agentId":"a"}"#) == .queryAgentInfo(agentId: "a", roomId: nil))
        #expect(try parse(#"{"type":"client:query_agent_info","agentId":"a","roomId":"r"}"#) == .queryAgentInfo(agentId: "a", roomId: "r"))
        #expect(try parse(#"{"type":"client:request_workspace","roomId":"r","agentId":"a","request":{"kind":"file","path":"x"}}"#)
                == .requestWorkspace(roomId: "r", agentId: "a", request: .object(["kind": .string("file"), "path": .string("x")])))
        #expect(try parse(#"{"type":"client:rewind_room","roomId":"r","messageId":"m"}"#) == .rewindRoom(roomId: "r", messageId: "m"))
    }

    @Test func gatewayTypesKeepTheirFieldsForTheRelay() throws {
        #expect(try parse(#"{"type":"client:list_gateway_credentials","gatewayId":"g","agentType":"codex"}"#)
                == .listGatewayCredentials(.init(gatewayId: "g", fields: ["agentType": .string("codex")])))
        #expect(try parse(#"{"type":"client:add_gateway_credential","gatewayId":"g","apiKey":"k"}"#)
                == .addGatewayCredential(.init(gatewayId: "g", fields: ["apiKey": .string("k"), "mode": .string("api")])))
        #expect(try parse(#"{"type":"client:add_gateway_credential","gatewayId":"g","mode":"subscription"}"#)
                == .addGatewayCredential(.init(gatewayId: "g", fields: ["mode": .string("subscription")])))
        #expect(try parse(#"{"type":"client:manage_gateway_credential","gatewayId":"g","action":"delete"}"#)
                == .manageGatewayCredential(.init(gatewayId: "g", fields: ["action": .string("delete")])))
        #expect(try parse(#"{"type":"client:start_gateway_oauth","gatewayId":"g"}"#) == .startGatewayOAuth(.init(gatewayId: "g", fields: [:])))
        #expect(try parse(#"{"type":"client:complete_gateway_oauth","gatewayId":"g","requestId":"q"}"#)
                == .completeGatewayOAuth(.init(gatewayId: "g", fields: ["requestId": .string("q")])))
    }

    /// Agent and gateway types were always refused only after auth and the rate limit.
    @Test func agentAndGatewayTypesAreRefusedLater() throws {
        let invalid: [(String, String)] = [
            ("client:permission_response", #"{"type":"client:permission_response","requestId":"q","decision":"maybe"}"#),
            ("client:permission_response", #"{"type":"client:permission_response","requestId":"\#(String(repeating: "q", count: 101))","decision":"deny"}"#),
            ("client:permission_response", #"{"type":"client:permission_response","requestId":"q","decision":"deny","denyReason":"\#(String(repeating: "x", count: 501))"}"#),
            ("client:agent_command", #"{"type":"client:agent_command","agentId":"a","roomId":"r","command":""}"#),
            ("client:agent_command", #"{"type":"client:agent_command","agentId":"a","roomId":"r","command":"c","args":5}"#),
            ("client:query_agent_info", #"{"type":"client:query_agent_info","agentId":"a","roomId":5}"#),
            ("client:query_agent_info", #"{"type":"client:query_agent_info"}"#),
            ("client:request_workspace", #"{"type":"client:request_workspace","roomId":"r","agentId":"a","request":{"kind":"rm"}}"#),
            ("client:request_workspace", #"{"type":"client:request_workspace","roomId":"r","agentId":"a"}"#),
            ("client:list_gateway_credentials", #"{"type":"client:list_gateway_credentials"}"#),
            ("client:add_gateway_credential", #"{"type":"client:add_gateway_credential","gatewayId":"","apiKey":"k"}"#),
            ("client:manage_gateway_credential", #"{"type":"client:manage_gateway_credential","gatewayId":7}"#),
            ("client:start_gateway_oauth", #"{"type":"client:start_gateway_oauth"}"#),
            ("client:complete_gateway_oauth", #"{"type":"client:complete_gateway_oauth"}"#),
            ("client:rewind_room", #"{"type":"client:rewind_room","roomId":"r"}"#),
        ]
        for (type, text) in invalid {
            #expect(try parse(text) == .refused(type: type, reason: .invalidMessage), "\(text)")
        }
        let noKey = try parse(#"{"type":"client:add_gateway_credential","gatewayId":"g","mode":"api"}"#)
        #expect(noKey == .refused(type: "client:add_gateway_credential", reason: .apiKeyRequired))
        #expect(ClientFrame.Rejection.apiKeyRequired.code == "INVALID_REQUEST")
        #expect(ClientFrame.Rejection.apiKeyRequired.message == "API key is required for api mode")
        // An incomplete stop request is dropped without an answer.
        #expect(try parse(#"{"type":"client:stop_generation","roomId":"r"}"#) == .refused(type: "client:stop_generation", reason: nil))
    }

    @Test func everyCaseNamesItsType() throws {
        let frames = [
            #"{"type":"client:auth","token":"t"}"#, #"{"type":"client:ping","ts":1}"#, #"{"type":"client:join_room","roomId":"r"}"#,
            #"{"type":"client:leave_room","roomId":"r"}"#, #"{"type":"client:send_message","roomId":"r","content":"x"}"#,
            #"{"type":"client:typing","roomId":"r"}"#, #"{"type":"client:stop_generation","roomId":"r","agentId":"a"}"#,
            #"{"type":"client:permission_response","requestId":"q","decision":"allow"}"#,
            #"{"type":"client:agent_command","agentId":"a","roomId":"r","command":"c"}"#, #"{"type":"client:query_agent_info","agentId":"a"}"#,
            #"{"type":"client:request_workspace","roomId":"r","agentId":"a","request":{"kind":"tree"}}"#,
            #"{"type":"client:list_gateway_credentials","gatewayId":"g"}"#, #"{"type":"client:add_gateway_credential","gatewayId":"g","apiKey":"k"}"#,
            #"{"type":"client:manage_gateway_credential","gatewayId":"g"}"#, #"{"type":"client:start_gateway_oauth","gatewayId":"g"}"#,
            #"{"type":"client:complete_gateway_oauth","gatewayId":"g"}"#, #"{"type":"client:rewind_room","roomId":"r","messageId":"m"}"#,
        ]
        var types = Set<String>()
        for text in frames {
            let frame = try parse(text)
            if case .refused = frame { Issue.record("refused: \(text)") }
            #expect(text.contains("\"\(frame.type)\""))
            types.insert(frame.type)
        }
        #expect(types.count == 17)
    }
}
