import AgentIMCore
import AgentIMHTTP
@testable import AuthService
import Foundation
import Testing

/// `UserView` writes what the hand-written encoders of each user answer wrote: the same
/// fields and values, `null` where they wrote `null`, absent where absent. (The encoder here
/// keeps no key order, so documents are compared with their keys sorted.)
struct UserViewTests {
    static let created = Date(timeIntervalSince1970: 1_700_000_000.5)
    static let updated = Date(timeIntervalSince1970: 1_700_000_100.25)

    static func user(avatarUrl: String?, maxWs: Int?, maxGateways: Int?) -> UserRecord {
        UserRecord(id: "u1", username: "amy", passwordHash: "h", displayName: "Amy", avatarUrl: avatarUrl, role: "user",
                   failedLoginAttempts: 0, lockedUntil: nil, totpSecret: nil, totpEnabled: true, totpBackupCodes: nil,
                   maxWsConnections: maxWs, maxGateways: maxGateways, createdAt: created, updatedAt: updated)
    }

    /// The body `ok(_:)` sends (its envelope through the hub's encoder settings).
    static func body(_ view: UserView) async throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return try sorted(encoder.encode(Envelope(view)))
    }

    static func sorted(_ data: Data) throws -> String {
        let object = try JSONSerialization.jsonObject(with: data)
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    @Test func everyRenderingKeepsItsFields() async throws {
        let bare = Self.user(avatarUrl: nil, maxWs: nil, maxGateways: nil)
        let full = Self.user(avatarUrl: "/uploads/a.png", maxWs: 3, maxGateways: 2)
        let times = #""createdAt":"2023-11-14T22:13:20.500Z","updatedAt":"2023-11-14T22:15:00.250Z""#
        #expect(try await Self.body(.summary(bare)) == Self.sorted(Data(#"{"ok":true,"data":{"id":"u1","username":"amy","displayName":"Amy","avatarUrl":null}}"#.utf8)))
        #expect(try await Self.body(.login(bare))
            == Self.sorted(Data(#"{"ok":true,"data":{"id":"u1","username":"amy","displayName":"Amy","avatarUrl":null,"role":"user","totpEnabled":true}}"#.utf8)))
        #expect(try await Self.body(.me(full))
            == Self.sorted(Data(#"{"ok":true,"data":{"id":"u1","username":"amy","displayName":"Amy","avatarUrl":"/uploads/a.png","role":"user",\#(times),"totpEnabled":true}}"#.utf8)))
        #expect(try await Self.body(.admin(bare))
            == Self.sorted(Data(#"{"ok":true,"data":{"id":"u1","username":"amy","displayName":"Amy","avatarUrl":null,"role":"user","maxWsConnections":null,"maxGateways":null,\#(times)}}"#.utf8)))
        #expect(try await Self.body(.admin(full, includesAvatar: false))
            == Self.sorted(Data(#"{"ok":true,"data":{"id":"u1","username":"amy","displayName":"Amy","role":"user","maxWsConnections":3,"maxGateways":2,\#(times)}}"#.utf8)))
        #expect(try await Self.body(.created(full))
            == Self.sorted(Data(#"{"ok":true,"data":{"id":"u1","username":"amy","displayName":"Amy","role":"user",\#(times)}}"#.utf8)))
    }
}
