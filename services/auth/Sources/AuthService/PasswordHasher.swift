import CArgon2
import Foundation
import NIOPosix

/// argon2id (libargon2) with the original's parameters: m = 64 MiB, t = 3, p = 4, 32-byte
/// hash, 16-byte salt, PHC string. Hashing is CPU-heavy, so it runs on the blocking pool.
enum PasswordHasher {
    static let timeCost: UInt32 = 3
    static let memoryCost: UInt32 = 65_536
    static let parallelism: UInt32 = 4
    static let hashLength = 32
    static let saltLength = 16

    /// Verified instead of a real hash when a login has no user to check, so that unknown
    /// users, locked accounts and password-less accounts take as long as a wrong password.
    static let dummyHash = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$Gm4FmQ0cVb1YLf0Gk6Rjw9Xb0m8yJ7KZm2k5o5l4Zs8"

    static func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { try hashBlocking(password) }
    }

    static func verify(_ password: String, against encoded: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { verifyBlocking(password, encoded) }) ?? false
    }

    static func hashBlocking(_ password: String) throws -> String {
        var salt = [UInt8](repeating: 0, count: saltLength)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<saltLength { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        let length = argon2_encodedlen(timeCost, memoryCost, parallelism, UInt32(saltLength), UInt32(hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let bytes = Array(password.utf8)
        let result = bytes.withUnsafeBytes { pwd in
            salt.withUnsafeBytes { saltBytes in
                argon2id_hash_encoded(timeCost, memoryCost, parallelism, pwd.baseAddress, bytes.count,
                                      saltBytes.baseAddress, saltLength, hashLength, &encoded, length)
            }
        }
        guard result == ARGON2_OK.rawValue else { throw PasswordHashError(code: result) }
        return String(decoding: encoded.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func verifyBlocking(_ password: String, _ encoded: String) -> Bool {
        let bytes = Array(password.utf8)
        return bytes.withUnsafeBytes { pwd in
            argon2id_verify(encoded, pwd.baseAddress, bytes.count) == ARGON2_OK.rawValue
        }
    }
}

struct PasswordHashError: Error {
    let code: Int32
}
