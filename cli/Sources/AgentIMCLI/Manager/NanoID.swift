/// 21-character random ids over `A-Za-z0-9_-` (the original's nanoid).
public enum NanoID {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

    public static func make(length: Int = 21) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next() & 63)] })
    }
}
