import AgentIMRuntime
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import RoomsService
import Testing

/// The rooms service built by `RoomsService(runtime:)`, as `agentim-rooms` builds it, served
/// in-process: the same routes, middleware, migrations and internal routes.
@Suite struct RoomsInProcessTests {
    @Test func listingRoomsNeedsAToken() async throws {
        let runtime = try await InProcessHub.runtime(role: "rooms")
        let rooms = try RoomsService(runtime: runtime)
        try await InProcessHub.test(rooms) { client in
            try await client.execute(uri: "/api/rooms", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(Self.envelope(response)?["ok"] as? Bool == false)
            }
            try await InProcessHub.insertUser(runtime, id: "u-amy", username: "amy")
            let token = try await InProcessHub.accessToken(runtime, userId: "u-amy", username: "amy")
            try await client.execute(uri: "/api/rooms", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .ok)
                let body = Self.envelope(response)
                #expect(body?["ok"] as? Bool == true)
                #expect((body?["data"] as? [Any])?.isEmpty == true)
            }
            // The platform routes every service process exposes come with the same build.
            try await client.execute(uri: "/internal/live", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    static func envelope(_ response: TestResponse) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
    }
}
