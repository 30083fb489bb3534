import AgentIMCore
import Crypto
import Foundation

/// The secret envelope of data-config-security §3.9: AES-256-GCM with a 12-byte random IV
/// and a 16-byte tag, no AAD, written `enc:<iv hex>:<ciphertext hex>:<tag hex>`. Stored
/// API keys, OAuth tokens and sensitive settings use it, so values written by the
/// original hub under the same `ENCRYPTION_KEY` read back here and the other way round.
public struct SecretBox: Sendable {
    public static let prefix = "enc:"

    /// nil when `ENCRYPTION_KEY` is unset: then secrets are stored as plaintext (the
    /// original's development behaviour) and `enc:` values cannot be read.
    let key: SymmetricKey?

    public init(encryptionKey: String?) {
        key = encryptionKey.flatMap { $0.isEmpty ? nil : SecretBox.deriveKey($0) }
    }

    public var canEncrypt: Bool { key != nil }

    /// The AES key for `ENCRYPTION_KEY` (§2.3): the decoded bytes when the string decodes
    /// as base64 (lenient, see `lenientBase64`) to exactly 32 bytes, else SHA-256 of its UTF-8.
    public static func deriveKey(_ encryptionKey: String) -> SymmetricKey {
        let decoded = lenientBase64(encryptionKey)
        if decoded.count == 32 { return SymmetricKey(data: decoded) }
        return SymmetricKey(data: Data(SHA256.hash(data: Data(encryptionKey.utf8))))
    }

    /// Decodes base64 the way Node's `Buffer.from(s, 'base64')` does, because keys were
    /// generated for the original: both alphabets (`+/` and `-_`), characters outside them
    /// skipped, decoding stops at the first `=`, a trailing partial group is dropped.
    public static func lenientBase64(_ text: String) -> Data {
        var bytes: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for scalar in text.unicodeScalars {
            let value: UInt32
            switch scalar {
            case "A"..."Z": value = scalar.value - 65
            case "a"..."z": value = scalar.value - 97 + 26
            case "0"..."9": value = scalar.value - 48 + 52
            case "+", "-": value = 62
            case "/", "_": value = 63
            case "=": return Data(bytes)
            default: continue
            }
            buffer = (buffer << 6) | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return Data(bytes)
    }

    /// The envelope of `plaintext`; the plaintext itself when there is no key.
    public func seal(_ plaintext: String) throws -> String {
        guard let key else { return plaintext }
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key, nonce: AES.GCM.Nonce())
        return Self.prefix + [Data(box.nonce), box.ciphertext, box.tag].map { Hex.encode($0) }.joined(separator: ":")
    }

    /// The plaintext of an envelope. A value without the `enc:` prefix is returned as is
    /// (stored before a key was configured); nil for a malformed envelope, a failed
    /// authentication, or an envelope when no key is configured.
    public func open(_ stored: String) -> String? {
        guard stored.hasPrefix(Self.prefix) else { return stored }
        let parts = stored.dropFirst(Self.prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard let key, parts.count == 3,
              let iv = Hex.decode(parts[0]), let ciphertext = Hex.decode(parts[1]), let tag = Hex.decode(parts[2]),
              iv.count == 12, tag.count == 16,
              let box = try? AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: iv), ciphertext: ciphertext, tag: tag),
              let plaintext = try? AES.GCM.open(box, using: key) else { return nil }
        return String(data: plaintext, encoding: .utf8)
    }
}
