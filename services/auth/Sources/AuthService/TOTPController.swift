import AgentIMCore
import AgentIMHTTP
import AgentIMTokens
import Foundation
import Hummingbird

/// `/api/auth`: two-factor login with TOTP and backup codes (http-api §3.4–3.7). The
/// secret is stored through the secret envelope when `ENCRYPTION_KEY` is set (the original
/// keeps it in plaintext); a plaintext secret written by the original still reads.
struct TOTPController {
    let service: AuthService
    var users: UserStore { service.users }

    func addRoutes(to group: RouterGroup<HubRequestContext>) {
        group.post("verify-totp", use: verifyLogin)
        group.post("setup-totp", use: setup)
        group.post("verify-totp-setup", use: verifySetup)
        group.post("disable-totp", use: disable)
    }

    static let invalidCode = APIError(401, "Invalid TOTP code")

    /// Second step of a login with 2FA: the challenge token from `/login` and a code.
    func verifyLogin(_ request: Request, context: HubRequestContext) async throws -> Response {
        var reader = FieldReader(try await request.jsonBody())
        let challenge = reader.string("totpToken", min: 1, max: 2000)
        let code = reader.string("code", min: 1, max: 20)
        try reader.check()
        guard let challenge, let code else { throw APIError.invalidJSON }
        let ip = context.clientAddress
        do {
            let claims = try await service.runtime.tokens.claims(of: challenge)
            guard claims.type == .totpChallenge else { throw APIError.invalidTokenType }
            guard let user = try await users.find(id: claims.sub), user.totpEnabled,
                  let sealed = user.totpSecret, let secret = service.runtime.secrets.open(sealed) else {
                throw APIError(401, "Invalid TOTP state")
            }
            guard try await accepts(code, secret: secret, user: user) else {
                await service.audit.record(.totpVerifyFailed, userId: user.id, ip: ip)
                throw Self.invalidCode
            }
            return try await LoginController(service: service).completeLogin(user, ip: ip)
        } catch let error as APIError {
            throw error
        } catch {
            // A bad challenge token, and any internal failure, read the same (http-api §3.4).
            throw APIError(401, "Invalid or expired TOTP token")
        }
    }

    /// A current TOTP code not used before, else an unused backup code, which is then consumed.
    private func accepts(_ code: String, secret: String, user: UserRecord) async throws -> Bool {
        if let step = TOTP.matchingStep(code, secret: secret) {
            // A replayed code reads as a wrong one (http-api §3.4 has no other text).
            return try await service.totpReplay.claim(userId: user.id, step: step)
        }
        guard let stored = user.totpBackupCodes,
              let hashes = try? JSONCoding.decode([String].self, from: Data(stored.utf8)),
              let remaining = await BackupCodes.consume(code, from: hashes) else { return false }
        // Only one of two logins racing with the same code gets to remove it.
        return try await users.replaceBackupCodes(id: user.id, old: stored, new: remaining)
    }

    struct SetupResult: Encodable, Sendable {
        var secret: String
        var uri: String
    }

    func setup(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        guard let user = try await users.find(id: caller.id) else { throw APIError(404, "User not found") }
        guard !user.totpEnabled else { throw APIError(400, "2FA is already enabled") }
        let secret = TOTP.makeSecret()
        try await users.setPendingTOTPSecret(id: user.id, sealedSecret: try service.runtime.secrets.seal(secret))
        await service.audit.record(.totpSetup, userId: user.id, ip: context.clientAddress)
        let issuer = service.runtime.settings.string("totp.issuer")
        return ok(SetupResult(secret: secret, uri: TOTP.uri(secret: secret, issuer: issuer.isEmpty ? "AgentIM" : issuer, label: user.username)))
    }

    struct BackupCodesResult: Encodable, Sendable {
        var backupCodes: [String]
    }

    func verifySetup(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var reader = FieldReader(try await request.jsonBody())
        let code = reader.string("code")
        if let code, !(code.utf8.count == 6 && code.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })) {
            reader.fail("code", "Invalid")
        }
        try reader.check()
        guard let code else { throw APIError.invalidJSON }
        guard let user = try await users.find(id: caller.id) else { throw APIError(404, "User not found") }
        guard !user.totpEnabled else { throw APIError(400, "2FA is already enabled") }
        guard let sealed = user.totpSecret, let secret = service.runtime.secrets.open(sealed) else {
            throw APIError(400, "No TOTP setup in progress")
        }
        guard TOTP.verify(code, secret: secret) else { throw APIError(400, "Invalid TOTP code") }
        let codes = BackupCodes.make()
        try await users.enableTOTP(id: user.id, backupCodeHashes: try await BackupCodes.hash(codes))
        await service.audit.record(.totpEnabled, userId: user.id, ip: context.clientAddress)
        return ok(BackupCodesResult(backupCodes: codes))
    }

    func disable(_ request: Request, context: HubRequestContext) async throws -> Response {
        let caller = try context.requireUser()
        var reader = FieldReader(try await request.jsonBody())
        let password = reader.string("password", min: 1)
        try reader.check()
        guard let password else { throw APIError.invalidJSON }
        guard let user = try await users.find(id: caller.id) else { throw APIError(404, "User not found") }
        guard user.totpEnabled else { throw APIError(400, "2FA is not enabled") }
        guard let hash = user.passwordHash else { throw APIError(400, "Password not set") }
        guard await PasswordHasher.verify(password, against: hash) else { throw APIError(401, "Invalid password") }
        try await users.disableTOTP(id: user.id)
        await service.audit.record(.totpDisabled, userId: user.id, ip: context.clientAddress)
        return okEmpty()
    }
}
