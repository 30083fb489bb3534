import AgentIMCore
import Foundation
import Testing

/// Every gateway → hub type of websocket §8.1 decodes to its own case, the frames the CLI
/// builds (`GatewayFrame`) among them; a field that fails the schema gives `.malformed`
/// (dropped by the hub), and anything that is not a gateway type gives nil (dropped too).
struct GatewayFrameDecodingTests {
    private func parse(_ text: String) -> InboundGatewayFrame? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        return InboundGatewayFrame.parse(value)
    }

    private func value(_ text: String) -> JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
    }

    private func object(_ text: String) -> [String: JSONValue] { value(text).objectValue ?? [:] }

    private static let device = #"{"hostname":"h","platform":"linux","arch":"x64","nodeVersion":"v20","agentimVersion":"1"}"#

    @Test func authAndPing() {
        #expect(parse(#"{"type":"gateway:auth","token":"t","gatewayId":"g","protocolVersion":"1","deviceInfo":\#(Self.device),"ephemeral":true}"#)
                == .auth(.init(token: "t", gatewayId: "g", protocolVersion: "1", deviceInfo: object(Self.device), ephemeral: true)))
        #expect(parse(#"{"type":"gateway:auth","token":"t","gatewayId":"g","deviceInfo":\#(Self.device),"ephemeral":"yes"}"#)
                == .auth(.init(token: "t", gatewayId: "g", protocolVersion: nil, deviceInfo: object(Self.device), ephemeral: false)))
        // Any protocolVersion string decodes: the mismatch is answered after the token (PROTOCOL_VERSION_MISMATCH).
        #expect(parse(#"{"type":"gateway:auth","token":"t","gatewayId":"g","protocolVersion":"2","deviceInfo":\#(Self.device)}"#)
                == .auth(.init(token: "t", gatewayId: "g", protocolVersion: "2", deviceInfo: object(Self.device), ephemeral: false)))
        #expect(parse(#"{"type":"gateway:ping","ts":1.5}"#) == .ping(ts: 1.5))
        let bad = [
            #"{"type":"gateway:auth","token":"","gatewayId":"g","deviceInfo":\#(Self.device)}"#,
            #"{"type":"gateway:auth","token":"\#(String(repeating: "t", count: 2001))","gatewayId":"g","deviceInfo":\#(Self.device)}"#,
            #"{"type":"gateway:auth","token":"t","gatewayId":"","deviceInfo":\#(Self.device)}"#,
            #"{"type":"gateway:auth","token":"t","gatewayId":"g","protocolVersion":1,"deviceInfo":\#(Self.device)}"#,
            #"{"type":"gateway:auth","token":"t","gatewayId":"g","deviceInfo":{"hostname":"h","platform":"p","arch":"a"}}"#,
            #"{"type":"gateway:auth","token":"t","gatewayId":"g","deviceInfo":"x"}"#,
            #"{"type":"gateway:auth","token":"t","gatewayId":"g"}"#,
        ]
        for text in bad { #expect(parse(text) == .malformed(type: "gateway:auth"), "\(text.prefix(120))") }
        #expect(parse(#"{"type":"gateway:ping"}"#) == .malformed(type: "gateway:ping"))
        #expect(parse(#"{"type":"gateway:ping","ts":"1"}"#) == .malformed(type: "gateway:ping"))
    }

    @Test func agentFrames() {
        let agent = #"{"id":"a1","name":"coder","type":"claude-code","model":"m","slashCommands":[],"mcpServers":[]}"#
        #expect(parse(#"{"type":"gateway:register_agent","agent":\#(agent)}"#) == .registerAgent(agentId: "a1", agent: object(agent)))
        #expect(parse(#"{"type":"gateway:unregister_agent","agentId":"a1"}"#) == .unregisterAgent(agentId: "a1"))
        #expect(parse(#"{"type":"gateway:agent_status","agentId":"a1","status":"busy","queueDepth":3}"#)
                == .agentStatus(agentId: "a1", status: "busy", queueDepth: 3))
        #expect(parse(#"{"type":"gateway:agent_status","agentId":"a1","status":"online","queueDepth":null}"#)
                == .agentStatus(agentId: "a1", status: "online", queueDepth: nil))
        #expect(parse(#"{"type":"gateway:agent_command_result","agentId":"a1","roomId":"r","command":"clear","success":true}"#)
                == .agentCommandResult(agentId: "a1", roomId: "r", command: "clear", success: true, message: nil))
        let info = #"{"type":"gateway:agent_info","agentId":"a1","slashCommands":[],"mcpServers":["x"],"model":"m"}"#
        #expect(parse(info) == .agentInfo(agentId: "a1", roomId: nil, body: object(info)))
        #expect(parse(#"{"type":"gateway:terminal_data","agentId":"a1","data":""}"#) == .terminalData(agentId: "a1", data: ""))
        let bad: [(String, String)] = [
            ("gateway:register_agent", #"{"id":"","name":"coder","type":"codex"}"#),
            ("gateway:register_agent", #"{"id":"a1","name":"","type":"codex"}"#),
            ("gateway:register_agent", #"{"id":"a1","name":"coder","type":"cursor"}"#),
            ("gateway:register_agent", #"{"id":"a1","name":"coder","type":"codex","model":"\#(String(repeating: "m", count: 201))"}"#),
            ("gateway:register_agent", #"{"id":"a1","name":"coder","type":"codex","mcpServers":[\#(Array(repeating: "\"s\"", count: 101).joined(separator: ","))]}"#),
        ]
        for (type, agent) in bad {
            #expect(parse(#"{"type":"\#(type)","agent":\#(agent)}"#) == .malformed(type: type), "\(agent.prefix(80))")
        }
        let malformed = [
            #"{"type":"gateway:register_agent"}"#,
            #"{"type":"gateway:unregister_agent","agentId":""}"#,
            #"{"type":"gateway:agent_status","agentId":"a1","status":"asleep"}"#,
            #"{"type":"gateway:agent_status","agentId":"a1","status":"busy","queueDepth":1.5}"#,
            #"{"type":"gateway:agent_status","agentId":"a1","status":"busy","queueDepth":-1}"#,
            #"{"type":"gateway:agent_status","agentId":"a1","status":"busy","queueDepth":"3"}"#,
            #"{"type":"gateway:agent_command_result","agentId":"a1","roomId":"r","command":"","success":true}"#,
            #"{"type":"gateway:agent_command_result","agentId":"a1","roomId":"r","command":"c","success":"yes"}"#,
            #"{"type":"gateway:agent_command_result","agentId":"a1","roomId":"r","command":"c","success":true,"message":3}"#,
            #"{"type":"gateway:agent_info","agentId":"a1","mcpServers":[]}"#,
            #"{"type":"gateway:agent_info","agentId":"a1","slashCommands":[],"mcpServers":[],"roomId":7}"#,
            #"{"type":"gateway:terminal_data","agentId":"a1"}"#,
            #"{"type":"gateway:terminal_data","data":"x"}"#,
        ]
        for text in malformed {
            let type = value(text)["type"]?.stringValue ?? ""
            #expect(parse(text) == .malformed(type: type), "\(text)")
        }
    }

    @Test func streamingFrames() {
        let chunk = #"{"type":"text","content":"hi","metadata":{"k":1}}"#
        #expect(parse(#"{"type":"gateway:message_chunk","roomId":"r","agentId":"a","messageId":"m","chunk":\#(chunk)}"#)
                == .messageChunk(roomId: "r", agentId: "a", messageId: "m", chunk: value(chunk), content: "hi"))
        #expect(parse(#"{"type":"gateway:message_complete","roomId":"r","agentId":"a","messageId":"m","fullContent":"","chunks":[\#(chunk)],"depth":2,"conversationId":"c","targetAgentName":"t"}"#)
                == .messageComplete(.init(roomId: "r", agentId: "a", messageId: "m", fullContent: "", chunks: [value(chunk)],
                                          conversationId: "c", depth: 2, targetAgentName: "t")))
        #expect(parse(#"{"type":"gateway:message_complete","roomId":"r","agentId":"a","messageId":"m","fullContent":"x","chunks":null}"#)
                == .messageComplete(.init(roomId: "r", agentId: "a", messageId: "m", fullContent: "x", chunks: nil,
                                          conversationId: nil, depth: nil, targetAgentName: nil)))
        let wideMetadata = "{" + (0..<51).map { "\"k\($0)\":1" }.joined(separator: ",") + "}"
        let badChunks = [
            #"{"type":"video","content":"x"}"#,
            #"{"type":"text"}"#,
            #"{"type":"text","content":"x","metadata":[]}"#,
            #"{"type":"text","content":"x","metadata":\#(wideMetadata)}"#,
            #"{"type":"text","content":"x","metadata":{"k":"\#(String(repeating: "v", count: 100_000))"}}"#,
            #"{"type":"text","content":"\#(String(repeating: "c", count: 1_000_001))"}"#,
        ]
        for bad in badChunks {
            #expect(parse(#"{"type":"gateway:message_chunk","roomId":"r","agentId":"a","messageId":"m","chunk":\#(bad)}"#)
                    == .malformed(type: "gateway:message_chunk"), "\(bad.prefix(80))")
            #expect(parse(#"{"type":"gateway:message_complete","roomId":"r","agentId":"a","messageId":"m","fullContent":"","chunks":[\#(bad)]}"#)
                    == .malformed(type: "gateway:message_complete"), "\(bad.prefix(80))")
        }
        #expect(InboundGatewayFrame.isChunk(value(#"{"type":"workspace_status","content":"","metadata":null}"#)))
        let complete = #""type":"gateway:message_complete","roomId":"r","agentId":"a","messageId":"m""#
        for tail in [
            #""fullContent":"\#(String(repeating: "x", count: 200_001))""#,
            #""fullContent":"x","conversationId":"\#(String(repeating: "c", count: 101))""#,
            #""fullContent":"x","depth":-1"#,
            #""fullContent":"x","depth":2147483648"#,
            #""fullContent":"x","targetAgentName":5"#,
            #""fullContent":"x","chunks":{}"#,
            #""fullContent":"x","chunks":[\#(Array(repeating: #"{"type":"text","content":""}"#, count: 5001).joined(separator: ","))]"#,
        ] {
            #expect(parse("{\(complete),\(tail)}") == .malformed(type: "gateway:message_complete"), "\(tail.prefix(80))")
        }
    }

    @Test func requestsAndRelays() {
        #expect(parse(#"{"type":"gateway:permission_request","requestId":"q","agentId":"a","roomId":"r","toolName":"Bash","toolInput":{"c":"ls"},"timeoutMs":1000}"#)
                == .permissionRequest(.init(requestId: "q", agentId: "a", roomId: "r", toolName: "Bash", toolInput: value(#"{"c":"ls"}"#), timeoutMs: 1000)))
        for tail in [#""toolInput":[],"timeoutMs":1000"#, #""toolInput":{},"timeoutMs":999"#, #""toolInput":{},"timeoutMs":300001"#,
                     #""toolInput":{},"timeoutMs":1000.5"#, #""toolInput":{}"#] {
            #expect(parse(#"{"type":"gateway:permission_request","requestId":"q","agentId":"a","roomId":"r","toolName":"Bash",\#(tail)}"#)
                    == .malformed(type: "gateway:permission_request"), "\(tail)")
        }
        #expect(parse(#"{"type":"gateway:permission_request","requestId":"\#(String(repeating: "q", count: 101))","agentId":"a","roomId":"r","toolName":"Bash","toolInput":{},"timeoutMs":1000}"#)
                == .malformed(type: "gateway:permission_request"))
        let workspace = #"{"kind":"tree","entries":[]}"#
        #expect(parse(#"{"type":"gateway:workspace_response","agentId":"a","requestId":"q","response":\#(workspace)}"#)
                == .workspaceResponse(agentId: "a", requestId: "q", response: value(workspace)))
        #expect(parse(#"{"type":"gateway:workspace_response","agentId":"a","requestId":"q","response":{"entries":[]}}"#)
                == .malformed(type: "gateway:workspace_response"))
        #expect(parse(#"{"type":"gateway:task_update","taskId":"t","status":"done","result":"ok"}"#)
                == .taskUpdate(taskId: "t", status: "done", result: "ok"))
        #expect(parse(#"{"type":"gateway:task_update","taskId":"t","status":"done","result":"\#(String(repeating: "r", count: 100_001))"}"#)
                == .malformed(type: "gateway:task_update"))
        // Logged only: anything but `true` reads as a failure, nothing is malformed.
        #expect(parse(#"{"type":"gateway:rewind_result","success":true}"#) == .rewindResult(success: true))
        #expect(parse(#"{"type":"gateway:rewind_result","success":"true"}"#) == .rewindResult(success: false))
        for kind in InboundGatewayFrame.Relayed.allCases {
            let text = #"{"type":"\#(kind.rawValue)","requestId":"q","extra":{"kept":true}}"#
            #expect(parse(text) == .relayed(kind, frame: value(text)))
            let noRequest = #"{"type":"\#(kind.rawValue)","requestId":""}"#
            #expect(parse(noRequest) == (kind == .credentialList ? .relayed(kind, frame: value(noRequest)) : .malformed(type: kind.rawValue)))
        }
    }

    @Test func notGatewayFramesAreNil() {
        #expect(parse(#"{"type":"client:ping","ts":1}"#) == nil)
        #expect(parse(#"{"type":"gateway:unknown"}"#) == nil)
        #expect(parse(#"{"type":3}"#) == nil)
        #expect(parse(#"["gateway:ping"]"#) == nil)
        #expect(parse(#"{"ts":1}"#) == nil)
    }

    /// What the CLI sends (`GatewayFrame`) is what the hub reads.
    @Test func theCLIBuildersDecodeToTheirCases() {
        let device = DeviceInfo(hostname: "h", platform: "linux", arch: "x64", nodeVersion: "v20")
        let chunk = WireChunk(type: "text", content: "hé", metadata: ["k": .number(1)])
        let agent = RegisteredAgent(id: "a1", name: "coder", type: "codex", model: "m")
        let frames: [(OutboundFrame, (InboundGatewayFrame) -> Bool)] = [
            (GatewayFrame.auth(token: "t", gatewayId: "g", deviceInfo: device, ephemeral: true), {
                if case .auth(let auth) = $0 { auth.token == "t" && auth.protocolVersion == "1" && auth.ephemeral } else { false } }),
            (GatewayFrame.ping(ts: 42), { $0 == .ping(ts: 42) }),
            (GatewayFrame.register(agent), { if case .registerAgent("a1", _) = $0 { true } else { false } }),
            (GatewayFrame.unregister(agentId: "a1"), { $0 == .unregisterAgent(agentId: "a1") }),
            (GatewayFrame.status(agentId: "a1", status: "busy", queueDepth: 2), { $0 == .agentStatus(agentId: "a1", status: "busy", queueDepth: 2) }),
            (GatewayFrame.chunk(roomId: "r", agentId: "a1", messageId: "m", chunk: chunk), {
                if case .messageChunk("r", "a1", "m", _, "hé") = $0 { true } else { false } }),
            (GatewayFrame.complete(roomId: "r", agentId: "a1", messageId: "m", fullContent: "hé", chunks: [chunk], conversationId: "c", depth: 1), {
                if case .messageComplete(let c) = $0 { c.chunks?.count == 1 && c.depth == 1 && c.conversationId == "c" } else { false } }),
            (GatewayFrame.permissionRequest(requestId: "q", agentId: "a1", roomId: "r", toolName: "Bash", toolInput: .object([:]), timeoutMs: 60_000), {
                if case .permissionRequest(let p) = $0 { p.timeoutMs == 60_000 } else { false } }),
            (GatewayFrame.commandResult(agentId: "a1", roomId: "r", command: "clear", success: false, message: "no"), {
                $0 == .agentCommandResult(agentId: "a1", roomId: "r", command: "clear", success: false, message: "no") }),
            (GatewayFrame.agentInfo(.init(agentId: "a1", roomId: "r", slashCommands: [], mcpServers: [], model: nil, thinkingMode: nil, effortLevel: nil,
                                          sessionCostUSD: 0.5, availableModels: nil, availableModelInfo: nil, availableEffortLevels: nil,
                                          availableThinkingModes: nil, planMode: nil, permissionLevel: "default")), {
                if case .agentInfo("a1", "r", let body) = $0 { body["permissionLevel"] == .string("default") } else { false } }),
            (GatewayFrame.spawnResult(requestId: "q", success: true, agentId: "a2", error: nil), { if case .relayed(.spawnResult, _) = $0 { true } else { false } }),
            (GatewayFrame.workspaceResponse(agentId: "a1", requestId: "q", response: .object(["kind": .string("tree")])), {
                if case .workspaceResponse("a1", "q", _) = $0 { true } else { false } }),
            (GatewayFrame.credentialList(requestId: "q", agentType: "codex", credentials: []), { if case .relayed(.credentialList, _) = $0 { true } else { false } }),
            (GatewayFrame.credentialResult(requestId: "q", success: true, error: nil, credential: nil), { if case .relayed(.credentialResult, _) = $0 { true } else { false } }),
            (GatewayFrame.oauthURL(requestId: "q", authUrl: "https://x", autoCallback: true), { if case .relayed(.oauthURL, _) = $0 { true } else { false } }),
            (GatewayFrame.oauthResult(requestId: "q", success: false, error: "e", credential: nil), { if case .relayed(.oauthResult, _) = $0 { true } else { false } }),
            (GatewayFrame.rewindResult(agentId: "a1", roomId: "r", success: true, error: nil), { $0 == .rewindResult(success: true) }),
        ]
        for (frame, matches) in frames {
            let decoded = parse(frame.text)
            #expect(decoded.map(matches) == true, "\(frame.type): \(String(describing: decoded))")
            #expect(decoded?.type == frame.type)
        }
    }
}
