import CArgon2
import Foundation
import NIOPosix

/// argon2id (libargon2) cost parameters; hashes carry their own, so verification always
/// uses the cost a hash was made with.
package struct Argon2Cost: Sendable, CustomStringConvertible {
    package var timeCost: UInt32
    package var memoryKiB: UInt32
    package var parallelism: UInt32

    package init(timeCost: UInt32, memoryKiB: UInt32, parallelism: UInt32) {
        self.timeCost = timeCost
        self.memoryKiB = memoryKiB
        self.parallelism = parallelism
    }

    /// The original's library defaults (data-config-security §3.1): m = 64 MiB, t = 3, p = 4.
    package static let standard = Argon2Cost(timeCost: 3, memoryKiB: 65_536, parallelism: 4)

    package var description: String { "m=\(memoryKiB),t=\(timeCost),p=\(parallelism)" }
}

/// Password (and backup-code) hashing: argon2id, 32-byte hash, 16-byte salt, PHC string.
/// Hashing is CPU-heavy, so it runs on the blocking thread pool, never on an event loop.
package enum PasswordHasher {
    static let hashLength = 32
    static let saltLength = 16

    /// Verified instead of a real hash when a login has no user to check, so that unknown
    /// users, locked accounts and password-less accounts take as long as a wrong password.
    /// It has the standard cost and decodes (a malformed one would fail fast and leak).
    static let dummyHash = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$Gm4FmQ0cVb1YLf0Gk6Rjw9Xb0m8yJ7KZm2k5o5l4Zs8"

    package static func hash(_ password: String, cost: Argon2Cost = .standard) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { try hashBlocking(password, cost: cost) }
    }

    package static func verify(_ password: String, against encoded: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { verifyBlocking(password, encoded) }) ?? false
    }

    package static func hashBlocking(_ password: String, cost: Argon2Cost = .standard) throws -> String {
        var salt = [UInt8](repeating: 0, count: saltLength)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<saltLength { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        let length = argon2_encodedlen(cost.timeCost, cost.memoryKiB, cost.parallelism, UInt32(saltLength), UInt32(hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let bytes = Array(password.utf8)
        let result = bytes.withUnsafeBytes { pwd in
            salt.withUnsafeBytes { saltBytes in
                argon2id_hash_encoded(cost.timeCost, cost.memoryKiB, cost.parallelism, pwd.baseAddress, bytes.count,
                                      saltBytes.baseAddress, saltLength, hashLength, &encoded, length)
            }
        }
        guard result == ARGON2_OK.rawValue else { throw PasswordHashError(code: result) }
        return String(decoding: encoded.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    package static func verifyBlocking(_ password: String, _ encoded: String) -> Bool {
        verifyResult(password, encoded) == ARGON2_OK.rawValue
    }

    /// libargon2's own result: `ARGON2_OK`, `ARGON2_VERIFY_MISMATCH`, or a decoding error.
    static func verifyResult(_ password: String, _ encoded: String) -> Int32 {
        let bytes = Array(password.utf8)
        return bytes.withUnsafeBytes { pwd in
            argon2id_verify(encoded, pwd.baseAddress, bytes.count)
        }
    }

    /// True when `encoded` decodes and merely does not match (what the dummy hash must do).
    package static func isWellFormedMismatch(_ password: String, _ encoded: String) -> Bool {
        verifyResult(password, encoded) == ARGON2_VERIFY_MISMATCH.rawValue
    }
}

struct PasswordHashError: Error {
    let code: Int32
}
