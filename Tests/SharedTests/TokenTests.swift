import AgentIMTokens
import Foundation
import Testing

struct TokenTests {
    @Test func signedTokensVerifyAndCarryTheSpecsClaims() async throws {
        let tokens = await TokenService(secret: "dev-secret-change-me", revocations: RevocationCache())
        let token = try await tokens.sign(userId: "u1", username: "amy", type: .access, lifetimeSeconds: 900)
        let user = try await tokens.verifyAccess(token)
        #expect(user.id == "u1")
        #expect(user.username == "amy")
        let header = String(token.split(separator: ".")[0])
        let decoded = String(decoding: Data(base64Encoded: header + String(repeating: "=", count: (4 - header.count % 4) % 4))!, as: UTF8.self)
        #expect(decoded.contains(#""kid":"\#(TokenService.kid(for: "dev-secret-change-me"))""#))
        #expect(TokenService.kid(for: "dev-secret-change-me").count == 8)
    }

    @Test func wrongTypeOtherSecretAndRevocationAreRefused() async throws {
        let revocations = RevocationCache()
        let tokens = await TokenService(secret: "secret-one-that-is-long-enough-123", revocations: revocations)
        let refresh = try await tokens.sign(userId: "u1", username: "amy", type: .refresh, lifetimeSeconds: 900)
        await #expect(throws: TokenRejection.wrongType) { try await tokens.verifyAccess(refresh) }
        let other = await TokenService(secret: "another-secret-that-is-long-enough", revocations: RevocationCache())
        let foreign = try await other.sign(userId: "u1", username: "amy", type: .access, lifetimeSeconds: 900)
        await #expect(throws: TokenRejection.invalid) { try await tokens.verifyAccess(foreign) }
        let expired = try await tokens.sign(userId: "u1", username: "amy", type: .access, lifetimeSeconds: 1, now: Date().addingTimeInterval(-60))
        await #expect(throws: TokenRejection.invalid) { try await tokens.verifyAccess(expired) }
        let access = try await tokens.sign(userId: "u1", username: "amy", type: .access, lifetimeSeconds: 900)
        await revocations.record(userId: "u1", revokedAtMs: Int64(Date().timeIntervalSince1970 * 1000) + 1000)
        await #expect(throws: TokenRejection.revoked) { try await tokens.verifyAccess(access) }
    }

    @Test func thePreviousSecretStillVerifies() async throws {
        let old = await TokenService(secret: "old-secret-old-secret-old-secret-1", revocations: RevocationCache())
        let token = try await old.sign(userId: "u1", username: "amy", type: .access, lifetimeSeconds: 900)
        let rotated = await TokenService(secret: "new-secret-new-secret-new-secret-2", previousSecret: "old-secret-old-secret-old-secret-1",
                                         revocations: RevocationCache())
        #expect(try await rotated.verifyAccess(token).id == "u1")
    }
}
