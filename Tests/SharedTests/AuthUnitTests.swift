import AgentIMCore
@testable import AuthService
import Foundation
import Testing

/// Pieces of the auth service that are pure functions: TOTP against RFC 6238's vectors,
/// base32, the dummy hash, the audit metadata cap.
struct AuthUnitTests {
    @Test func totpMatchesRFC6238() {
        let secret = Array("12345678901234567890".utf8)
        // RFC 6238 appendix B (SHA-1), last six digits of the eight-digit values.
        for (time, code) in [(59.0, "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"),
                             (1_234_567_890, "005924"), (2_000_000_000, "279037"), (20_000_000_000, "353130")] {
            #expect(TOTP.code(secret: secret, at: Date(timeIntervalSince1970: time)) == code)
        }
        let base32 = Base32.encode(secret)
        #expect(base32 == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        let now = Date(timeIntervalSince1970: 1_234_567_890)
        #expect(TOTP.verify("005924", secret: base32, at: now))
        #expect(TOTP.verify("005924", secret: base32, at: now.addingTimeInterval(30)), "one step of drift")
        #expect(!TOTP.verify("005924", secret: base32, at: now.addingTimeInterval(90)))
        #expect(!TOTP.verify("5924", secret: base32, at: now))
    }

    @Test func base32AndTheOtpauthURI() {
        #expect(Base32.encode(Array("foobar".utf8)) == "MZXW6YTBOI")
        #expect(Base32.decode("mzxw6ytboi======") == Array("foobar".utf8))
        #expect(Base32.decode("not base32!") == nil)
        #expect(TOTP.makeSecret().count == 32)
        #expect(TOTP.uri(secret: "ABC", issuer: "Agent IM", label: "amy") ==
                "otpauth://totp/Agent%20IM:amy?issuer=Agent%20IM&secret=ABC&algorithm=SHA1&digits=6&period=30")
        let codes = BackupCodes.make()
        #expect(codes.count == 10 && codes.allSatisfy { $0.count == 8 && $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() })
    }

    @Test func theDummyHashCostsAsMuchAsARealOne() {
        #expect(PasswordHasher.isWellFormedMismatch("anything", PasswordHasher.dummyHash),
                "a hash that fails to decode would answer at once and give unknown users away")
    }

    @Test func auditMetadataIsCapped() {
        #expect(AuditLog.cappedMetadata(["username": .string("amy")]) == #"{"username":"amy"}"#)
        let big = AuditLog.cappedMetadata(["blob": .string(String(repeating: "x", count: 5000))])
        #expect(big == #"{"_truncated":true,"_originalSize":5011}"#)
        #expect(AuditLog.cappedMetadata(nil) == nil)
    }
}
