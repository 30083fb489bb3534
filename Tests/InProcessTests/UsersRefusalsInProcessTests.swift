import AgentIMCore
import AgentIMRuntime
import AuthService
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `/api/users` refusals (http-api §5) through the auth service built in-process as
/// `agentim-auth` builds it (moved from AuthUserTests, which keeps sessions, revocation and
/// the cascade of a deletion on a hub process).
@Suite struct UsersRefusalsInProcessTests {
    @Test func ownProfileAndPasswordChangesRefuseBadInput() async throws {
        let runtime = try await InProcessHub.runtime(role: "auth")
        let auth = try AuthService(runtime: runtime)
        try await InProcessHub.test(auth) { client in
            try await ServiceClient.insertUser(runtime, id: "u-erin", username: "erin")
            let erin = ServiceClient(client: client, token: try await InProcessHub.accessToken(runtime, userId: "u-erin", username: "erin"))

            let bad = try await erin.send(.put, "/api/users/me", #"{"displayName":"   ","avatarUrl":"/uploads/../etc"}"#)
            #expect(bad.status == 400 && bad.error == "Validation failed")
            let messages = bad["fields"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            #expect(messages == ["validation.displayNameWhitespace", "validation.avatarUrlTraversal", "validation.avatarUrlInvalid"])
            let outside = try await erin.send(.put, "/api/users/me", #"{"avatarUrl":"https://evil.example/x.png"}"#)
            #expect(outside["fields"]?.arrayValue?.first?["message"]?.stringValue == #"Invalid input: must start with "/uploads/""#)
            #expect(try await erin.send(.put, "/api/users/me", "[]").status == 400)

            let weak = try await erin.send(.put, "/api/users/me/password", #"{"currentPassword":"","newPassword":"short"}"#)
            #expect(weak.status == 400)
            let reasons = weak["fields"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            #expect(reasons == ["String must contain at least 1 character(s)", "validation.passwordMinLength", "validation.passwordUppercase",
                                "validation.passwordDigit"])
        }
    }

    @Test func adminUserChangesRefuseBadInput() async throws {
        let runtime = try await InProcessHub.runtime(role: "auth")
        let auth = try AuthService(runtime: runtime)
        try await InProcessHub.test(auth) { client in
            try await ServiceClient.insertUser(runtime, id: "u-root", username: "root-admin", role: "admin")
            try await ServiceClient.insertUser(runtime, id: "u-henry", username: "henry")
            let hub = ServiceClient(client: client, token: try await InProcessHub.accessToken(runtime, userId: "u-root", username: "root-admin"))

            let invalid = try await hub.send(.post, "/api/users", #"{"username":"no spaces!","password":"weakpass","role":"root","displayName":" "}"#)
            #expect(invalid.status == 400)
            #expect(invalid["fields"] == .array([
                .object(["field": .string("username"), "message": .string("Invalid")]),
                .object(["field": .string("password"), "message": .string("validation.passwordUppercase")]),
                .object(["field": .string("password"), "message": .string("validation.passwordDigit")]),
                .object(["field": .string("displayName"), "message": .string("validation.displayNameWhitespace")]),
                .object(["field": .string("role"), "message": .string("Invalid enum value. Expected 'admin' | 'user', received 'root'")]),
            ]))

            #expect(try await hub.send(.put, "/api/users/bad.id", "{}").error == "Invalid parameter: id")
            let outOfRange = try await hub.send(.put, "/api/users/u-henry", #"{"maxWsConnections":0,"maxGateways":1.5}"#)
            #expect(outOfRange["fields"] == .array([
                .object(["field": .string("maxWsConnections"), "message": .string("Number must be greater than or equal to 1")]),
                .object(["field": .string("maxGateways"), "message": .string("Expected integer, received float")]),
            ]))
        }
    }
}
