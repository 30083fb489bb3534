import AgentIMCore
import AgentIMHTTP
import Foundation
@testable import RoomsService
import Testing

/// `AgentStore.AgentView` writes what the agent's hand-built JSON values wrote: the REST
/// `Agent` (`workingDirectory` and `lastSeenAt` null when unset, optional lists absent,
/// `ownerName` only in the shared listing), the `server:agent_status` subset and the
/// `server:agent_info` agent (the REST one without its nulls). Compared with sorted keys.
struct AgentViewTests {
    static let t1 = Date(timeIntervalSince1970: 1_700_000_000.5)
    static let t2 = Date(timeIntervalSince1970: 1_700_000_100.25)

    static let bare = AgentStore.Agent(
        id: "a1", name: "claude", type: "claude-code", status: "online", visibility: "private", visibilityList: [], gatewayId: "g1",
        workingDirectory: nil, capabilities: nil, connectionType: "cli", slashCommands: nil, mcpServers: nil, model: nil,
        lastSeenAt: nil, createdAt: t1, updatedAt: t2, queueDepth: 0, userId: "u1", device: nil)
    static let full = AgentStore.Agent(
        id: "a1", name: "claude", type: "claude-code", status: "busy", visibility: "shared", visibilityList: ["u2", "u3"], gatewayId: "g1",
        workingDirectory: "/src/app", capabilities: ["rewind"], connectionType: "cli",
        slashCommands: .array([.object(["name": .string("/plan"), "n": .number(2)])]), mcpServers: ["fs"], model: "opus",
        lastSeenAt: t2, createdAt: t1, updatedAt: t2, queueDepth: 3, userId: "u1",
        device: (hostname: "box", platform: nil, arch: "arm64", nodeVersion: nil))

    static let bareCommon = #""id":"a1","name":"claude","type":"claude-code","status":"online","visibility":"private","visibilityList":[],"gatewayId":"g1","connectionType":"cli","createdAt":"2023-11-14T22:13:20.500Z","updatedAt":"2023-11-14T22:15:00.250Z""#
    static let fullJSON = #"{"id":"a1","name":"claude","type":"claude-code","status":"busy","slashCommands":[{"name":"/plan","n":2}],"mcpServers":["fs"],"model":"opus","visibility":"shared","visibilityList":["u2","u3"],"gatewayId":"g1","workingDirectory":"/src/app","capabilities":["rewind"],"connectionType":"cli","lastSeenAt":"2023-11-14T22:15:00.250Z","createdAt":"2023-11-14T22:13:20.500Z","updatedAt":"2023-11-14T22:15:00.250Z","deviceInfo":{"hostname":"box","platform":"","arch":"arm64","nodeVersion":""}}"#

    static func rest(_ value: some Encodable & Sendable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.userInfo[MessageShape.restKey] = true
        return try sorted(encoder.encode(Envelope(value)))
    }

    static func sorted(_ text: String) throws -> String { try sorted(Data(text.utf8)) }

    static func sorted(_ data: Data) throws -> String {
        let object = try JSONSerialization.jsonObject(with: data)
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    @Test func restAgent() throws {
        #expect(try Self.rest([Self.bare.rest(), Self.full.rest()])
            == Self.sorted(#"{"ok":true,"data":[{\#(Self.bareCommon),"workingDirectory":null,"lastSeenAt":null},\#(Self.fullJSON)]}"#))
        #expect(try Self.rest(Self.bare.rest(ownerName: "Amy"))
            == Self.sorted(#"{"ok":true,"data":{\#(Self.bareCommon),"workingDirectory":null,"lastSeenAt":null,"ownerName":"Amy"}}"#))
    }

    @Test func statusFrame() throws {
        #expect(try Self.sorted(AgentFrames.agentStatus(Self.bare.statusSubset.json))
            == Self.sorted(#"{"type":"server:agent_status","agent":{"id":"a1","name":"claude","type":"claude-code","status":"online"}}"#))
        #expect(try Self.sorted(AgentFrames.agentStatus(Self.full.statusSubset.json))
            == Self.sorted(#"{"type":"server:agent_status","agent":{"id":"a1","name":"claude","type":"claude-code","status":"busy","slashCommands":[{"name":"/plan","n":2}],"mcpServers":["fs"],"model":"opus"}}"#))
    }

    @Test func infoFrame() throws {
        #expect(try Self.sorted(AgentFrames.agentInfo(Self.bare.info)) == Self.sorted(#"{"type":"server:agent_info","agent":{\#(Self.bareCommon)}}"#))
        #expect(try Self.sorted(AgentFrames.agentInfo(Self.full.info)) == Self.sorted(#"{"type":"server:agent_info","agent":\#(Self.fullJSON)}"#))
        var nullCommands = Self.bare
        nullCommands.slashCommands = .null
        #expect(try Self.sorted(AgentFrames.agentInfo(nullCommands.info)) == Self.sorted(#"{"type":"server:agent_info","agent":{\#(Self.bareCommon)}}"#))
        #expect(try Self.rest(nullCommands.rest())
            == Self.sorted(#"{"ok":true,"data":{\#(Self.bareCommon),"slashCommands":null,"workingDirectory":null,"lastSeenAt":null}}"#))
    }
}
