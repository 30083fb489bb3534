import AgentIMCore
import AgentIMHTTP
import Foundation
@testable import RoomsService
import Testing

/// The room, member and task views write what the hand-written encoders of `Room`,
/// `RoomListItem`, `RoomMember`, `RoomTask` and the room detail wrote: in REST bodies an unset
/// nullable column is `null`, in WebSocket frames it is absent (`routerId` stays `null`, the
/// list item's pin and archive dates are `null` in both). Documents are compared with sorted keys.
struct RoomViewTests {
    static let t1 = Date(timeIntervalSince1970: 1_700_000_000.5)
    static let t2 = Date(timeIntervalSince1970: 1_700_000_100.25)
    static let s1 = "2023-11-14T22:13:20.500Z"
    static let s2 = "2023-11-14T22:15:00.250Z"

    static let bareRoom = Room(id: "r1", name: "Lab", type: "group", broadcastMode: false, systemPrompt: nil, routerId: nil,
                               agentCommandRole: "member", createdById: "u1", createdAt: t1, updatedAt: t2)
    static let fullRoom = Room(id: "r1", name: "Lab", type: "group", broadcastMode: true, systemPrompt: "Be brief", routerId: "rt1",
                               agentCommandRole: "admin", createdById: "u1", createdAt: t1, updatedAt: t2)
    static let bareMember = RoomMember(roomId: "r1", memberId: "u2", memberType: "user", role: "member", roleDescription: nil,
                                       notificationPref: "all", pinnedAt: nil, archivedAt: nil, lastReadAt: nil, clearedAt: nil, joinedAt: t1)
    static let fullMember = RoomMember(roomId: "r1", memberId: "a1", memberType: "agent", role: "admin", roleDescription: "Reviewer",
                                       notificationPref: "mentions", pinnedAt: t1, archivedAt: t2, lastReadAt: t1, clearedAt: t2, joinedAt: t2,
                                       displayName: "Claude")
    static let bareTask = RoomTask(id: "t1", roomId: "r1", title: "Do", description: "", status: "pending", result: nil, dueDate: nil,
                                   assigneeId: nil, assigneeType: nil, createdById: "u1", createdAt: t1, updatedAt: t2)
    static let fullTask = RoomTask(id: "t1", roomId: "r1", title: "Do", description: "it", status: "completed", result: "done", dueDate: t2,
                                   assigneeId: "a1", assigneeType: "agent", createdById: "u1", createdAt: t1, updatedAt: t2)

    /// A REST body as `ok(_:)` sends it: the envelope, through the hub's encoder with the REST shape.
    static func rest(_ value: some Encodable & Sendable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.userInfo[MessageShape.restKey] = true
        return try sorted(encoder.encode(Envelope(value)))
    }

    /// A WebSocket frame as the rooms service renders it.
    static func frame(_ value: some Encodable) throws -> String {
        try sorted(Data(RoomEvents.frame(value).utf8))
    }

    static func sorted(_ data: Data) throws -> String {
        let object = try JSONSerialization.jsonObject(with: data)
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    static func expected(_ json: String) throws -> String { try sorted(Data(json.utf8)) }

    static let bareRoomREST = #"{"id":"r1","name":"Lab","type":"group","broadcastMode":false,"systemPrompt":null,"routerId":null,"agentCommandRole":"member","createdById":"u1","createdAt":"\#(s1)","updatedAt":"\#(s2)"}"#
    static let bareRoomFrame = #"{"id":"r1","name":"Lab","type":"group","broadcastMode":false,"routerId":null,"agentCommandRole":"member","createdById":"u1","createdAt":"\#(s1)","updatedAt":"\#(s2)"}"#
    static let fullRoomJSON = #"{"id":"r1","name":"Lab","type":"group","broadcastMode":true,"systemPrompt":"Be brief","routerId":"rt1","agentCommandRole":"admin","createdById":"u1","createdAt":"\#(s1)","updatedAt":"\#(s2)"}"#
    static let bareMemberREST = #"{"roomId":"r1","memberId":"u2","memberType":"user","role":"member","roleDescription":null,"pinnedAt":null,"archivedAt":null,"lastReadAt":null,"clearedAt":null,"notificationPref":"all","joinedAt":"\#(s1)"}"#
    static let bareMemberFrame = #"{"roomId":"r1","memberId":"u2","memberType":"user","role":"member","notificationPref":"all","joinedAt":"\#(s1)"}"#
    static let fullMemberJSON = #"{"roomId":"r1","memberId":"a1","memberType":"agent","role":"admin","roleDescription":"Reviewer","pinnedAt":"\#(s1)","archivedAt":"\#(s2)","lastReadAt":"\#(s1)","clearedAt":"\#(s2)","notificationPref":"mentions","joinedAt":"\#(s2)","displayName":"Claude"}"#
    static let bareTaskREST = #"{"id":"t1","roomId":"r1","title":"Do","description":"","status":"pending","result":null,"dueDate":null,"assigneeId":null,"assigneeType":null,"createdById":"u1","createdAt":"\#(s1)","updatedAt":"\#(s2)"}"#
    static let bareTaskFrame = #"{"id":"t1","roomId":"r1","title":"Do","description":"","status":"pending","createdById":"u1","createdAt":"\#(s1)","updatedAt":"\#(s2)"}"#
    static let fullTaskJSON = #"{"id":"t1","roomId":"r1","title":"Do","description":"it","status":"completed","result":"done","dueDate":"\#(s2)","assigneeId":"a1","assigneeType":"agent","createdById":"u1","createdAt":"\#(s1)","updatedAt":"\#(s2)"}"#

    static func ok(_ data: String) -> String { #"{"ok":true,"data":\#(data)}"# }

    @Test func roomRenderings() throws {
        #expect(try Self.rest(Self.bareRoom.view(.rest)) == Self.expected(Self.ok(Self.bareRoomREST)))
        #expect(try Self.rest(Self.fullRoom.view(.rest)) == Self.expected(Self.ok(Self.fullRoomJSON)))
        #expect(try Self.frame(Self.bareRoom.view(.socket)) == Self.expected(Self.bareRoomFrame))
        #expect(try Self.frame(Self.fullRoom.view(.socket)) == Self.expected(Self.fullRoomJSON))
    }

    /// `GET /api/rooms`: the room plus `pinnedAt` / `archivedAt`, `null` when unset.
    @Test func roomListItems() throws {
        let bare = RoomListItem(room: Self.bareRoom, pinnedAt: nil, archivedAt: nil)
        let full = RoomListItem(room: Self.fullRoom, pinnedAt: Self.t1, archivedAt: Self.t2)
        #expect(try Self.rest([bare.view(.rest), full.view(.rest)]) == Self.expected(Self.ok(
            "[" + Self.bareRoomREST.dropLast() + #","pinnedAt":null,"archivedAt":null},"#
                + Self.fullRoomJSON.dropLast() + #","pinnedAt":"\#(Self.s1)","archivedAt":"\#(Self.s2)"}]"#)))
    }

    @Test func memberRenderings() throws {
        #expect(try Self.rest([Self.bareMember.view(.rest), Self.fullMember.view(.rest)])
            == Self.expected(Self.ok("[\(Self.bareMemberREST),\(Self.fullMemberJSON)]")))
        #expect(try Self.frame([Self.bareMember.view(.socket), Self.fullMember.view(.socket)])
            == Self.expected("[\(Self.bareMemberFrame),\(Self.fullMemberJSON)]"))
    }

    /// `GET /api/rooms/:id`: the room flattened with its members and their count.
    @Test func roomDetail() throws {
        var detail = Self.bareRoom.view(.rest)
        detail.members = [Self.bareMember.view(.rest), Self.fullMember.view(.rest)]
        detail.totalMembers = 2
        #expect(try Self.rest(detail) == Self.expected(Self.ok(
            Self.bareRoomREST.dropLast() + #","members":[\#(Self.bareMemberREST),\#(Self.fullMemberJSON)],"totalMembers":2}"#)))
    }

    /// `server:room_update`: the WebSocket renderings of the room and its members.
    @Test func roomUpdateFrame() throws {
        let update = RoomEvents.RoomUpdate(room: Self.bareRoom.view(.socket), members: [Self.bareMember.view(.socket)])
        #expect(try Self.frame(update) == Self.expected(#"{"type":"server:room_update","room":\#(Self.bareRoomFrame),"members":[\#(Self.bareMemberFrame)]}"#))
    }

    @Test func taskRenderings() throws {
        #expect(try Self.rest([Self.bareTask.view(.rest), Self.fullTask.view(.rest)])
            == Self.expected(Self.ok("[\(Self.bareTaskREST),\(Self.fullTaskJSON)]")))
        #expect(try Self.frame(AgentCommandHandler.TaskUpdateFrame(task: Self.bareTask.view(.socket)))
            == Self.expected(#"{"type":"server:task_update","task":\#(Self.bareTaskFrame)}"#))
        #expect(try Self.frame(Self.fullTask.view(.socket)) == Self.expected(Self.fullTaskJSON))
    }
}
