import AgentIMCore
import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238) as authenticator apps and the original use
/// them: HMAC-SHA1, 6 digits, 30-second steps, one step of drift either way.
enum TOTP {
    static let digits = 6
    static let period: TimeInterval = 30
    static let drift = 1

    /// A new secret: 20 random bytes, base32 (32 characters, no padding).
    static func makeSecret() -> String {
        var rng = SystemRandomNumberGenerator()
        return Base32.encode((0..<20).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// The code for `secret` at the step containing `time`.
    static func code(secret: [UInt8], at time: Date) -> String {
        code(secret: secret, step: UInt64(max(0, time.timeIntervalSince1970) / period))
    }

    static func code(secret: [UInt8], step: UInt64) -> String {
        var counter = step.bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        let value = binary % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// Whether `code` is valid for the base32 `secret` now, within the allowed drift.
    static func verify(_ code: String, secret: String, at time: Date = Date()) -> Bool {
        matchingStep(code, secret: secret, at: time) != nil
    }

    /// The time step whose code `code` is, among the steps accepted at `time`; nil when none.
    static func matchingStep(_ code: String, secret: String, at time: Date = Date()) -> Int64? {
        guard code.utf8.count == digits, code.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let key = Base32.decode(secret) else { return nil }
        let step = Int64(max(0, time.timeIntervalSince1970) / period)
        var matched: Int64?
        // Every step is computed and compared, so timing does not tell which one matched.
        for delta in -drift...drift where step + Int64(delta) >= 0 {
            let candidate = Self.code(secret: key, step: UInt64(step + Int64(delta)))
            if constantTimeEquals(candidate, code) { matched = step + Int64(delta) }
        }
        return matched
    }

    /// `otpauth://totp/<issuer>:<label>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`,
    /// the URI authenticator apps read from a QR code.
    static func uri(secret: String, issuer: String, label: String) -> String {
        let issuerPart = percentEncode(issuer)
        return "otpauth://totp/\(issuerPart):\(percentEncode(label))?issuer=\(issuerPart)&secret=\(secret)&algorithm=SHA1&digits=\(digits)&period=\(Int(period))"
    }

    /// JavaScript's `encodeURIComponent`.
    static func percentEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-_.!~*'()")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}

/// RFC 4648 base32 (upper-case alphabet, no padding on output; padding, spaces and
/// lower case accepted on input).
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for char in text.uppercased().utf8 where char != UInt8(ascii: "=") && char != UInt8(ascii: " ") {
            guard let value = alphabet.firstIndex(of: char) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out.isEmpty ? nil : out
    }
}

/// One-time backup codes for a lost authenticator: 10 codes of 8 lowercase hex chars
/// (4 random bytes), shown once and stored argon2id-hashed.
enum BackupCodes {
    static let count = 10

    static func make() -> [String] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in Hex.encode((0..<4).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
    }

    /// Hashes all codes at once: each is a full argon2id run, so they share the thread pool.
    static func hash(_ codes: [String]) async throws -> [String] {
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, code) in codes.enumerated() {
                group.addTask { (index, try await PasswordHasher.hash(code)) }
            }
            var hashes = [String](repeating: "", count: codes.count)
            for try await (index, hash) in group { hashes[index] = hash }
            return hashes
        }
    }

    /// The hashes left after using `code`, or nil when no stored hash matches it. The
    /// hashes are checked side by side: one after another, a wrong code would cost ten
    /// argon2 runs of waiting.
    static func consume(_ code: String, from hashes: [String]) async -> [String]? {
        let normalized = code.lowercased()
        guard normalized.utf8.count == 8, normalized.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            return nil
        }
        let match = await withTaskGroup(of: Int?.self) { group in
            for (index, hash) in hashes.enumerated() {
                group.addTask { await PasswordHasher.verify(normalized, against: hash) ? index : nil }
            }
            var found: Int?
            for await index in group where index != nil { found = index }
            return found
        }
        guard let match else { return nil }
        var remaining = hashes
        remaining.remove(at: match)
        return remaining
    }
}
