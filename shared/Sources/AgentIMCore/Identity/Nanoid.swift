import Glibc

/// 21-character ids from `A-Za-z0-9_-`, drawn from the system CSPRNG, like the original's nanoid.
public enum Nanoid {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".utf8)

    public static func make(length: Int = 21) -> String {
        // glibc's arc4random_buf: the system CSPRNG, one call for the whole id, where
        // SystemRandomNumberGenerator makes one per 8 bytes.
        var bytes = [UInt8](repeating: 0, count: length)
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { arc4random_buf(base, raw.count) }
        }
        for i in bytes.indices { bytes[i] = alphabet[Int(bytes[i] & 63)] }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The path-parameter rule of http-api §1.5: 1–30 chars of `[A-Za-z0-9_-]`.
    public static func isValidParameter(_ value: String) -> Bool {
        guard (1...30).contains(value.utf8.count) else { return false }
        return value.utf8.allSatisfy { alphabet.contains($0) }
    }
}
