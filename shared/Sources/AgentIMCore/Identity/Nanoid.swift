/// 21-character ids from `A-Za-z0-9_-`, drawn from the system CSPRNG, like the original's nanoid.
public enum Nanoid {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-".utf8)

    public static func make(length: Int = 21) -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: length)
        // Ten 6-bit characters from each 64-bit draw: one system call per ten characters.
        var random: UInt64 = 0
        for i in 0..<length {
            if i % 10 == 0 { random = rng.next() }
            bytes[i] = alphabet[Int(random & 63)]
            random >>= 6
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The path-parameter rule of http-api §1.5: 1–30 chars of `[A-Za-z0-9_-]`.
    public static func isValidParameter(_ value: String) -> Bool {
        guard (1...30).contains(value.utf8.count) else { return false }
        return value.utf8.allSatisfy { alphabet.contains($0) }
    }
}
