import Crypto
import Foundation

/// The two halves of Web Push cryptography, both with swift-crypto: the payload encryption
/// of RFC 8291 (`aes128gcm`, RFC 8188, one record) and the VAPID JWT of RFC 8292 (ES256).
enum WebPushCrypto {
    /// The record size announced in the header; one record holds any payload we send.
    static let recordSize: UInt32 = 4096

    /// Encrypts `plaintext` for a subscription whose public key is `p256dh` (65-byte
    /// uncompressed point) and whose secret is `auth` (16 bytes). `senderKey` and `salt` are
    /// fresh per message; tests pass them to check against known vectors.
    static func encrypt(_ plaintext: [UInt8], p256dh: [UInt8], auth: [UInt8],
                        senderKey: P256.KeyAgreement.PrivateKey = .init(),
                        salt: [UInt8] = WebPushCrypto.randomBytes(16)) throws -> [UInt8] {
        let receiver = try P256.KeyAgreement.PublicKey(x963Representation: p256dh)
        let shared = try senderKey.sharedSecretFromKeyAgreement(with: receiver)
        let senderPublic = [UInt8](senderKey.publicKey.x963Representation)
        // The shared secret and the subscription's auth secret make the input keying material…
        let keyInfo = Array("WebPush: info".utf8) + [0] + p256dh + senderPublic
        let ikm = shared.withUnsafeBytes { secret in
            HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), salt: auth, info: keyInfo, outputByteCount: 32)
        }
        // …from which the salt derives the content key and the nonce (RFC 8188 §2.2, §2.3).
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: salt)
        let cek = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Array("Content-Encoding: aes128gcm".utf8) + [0], outputByteCount: 16)
        let nonce = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Array("Content-Encoding: nonce".utf8) + [0], outputByteCount: 12)
        // A single, last record: the payload then the delimiter 0x02, no padding.
        let sealed = try AES.GCM.seal(plaintext + [2], using: cek,
                                      nonce: AES.GCM.Nonce(data: nonce.withUnsafeBytes { Array($0) }))
        var header = salt
        withUnsafeBytes(of: recordSize.bigEndian) { header += $0 }
        header.append(UInt8(senderPublic.count))
        header += senderPublic
        return header + Array(sealed.ciphertext) + Array(sealed.tag)
    }

    /// The VAPID JWT for `audience` (the push service's origin), valid for `lifetime` (≤ 24 h).
    static func vapidToken(audience: String, subject: String, key: P256.Signing.PrivateKey,
                           now: Date = Date(), lifetime: TimeInterval = 12 * 3600) throws -> String {
        let header = Base64URL.encode(Array(#"{"typ":"JWT","alg":"ES256"}"#.utf8))
        let claims: [String: Any] = ["aud": audience, "exp": Int(now.timeIntervalSince1970 + lifetime), "sub": subject]
        let body = Base64URL.encode([UInt8](try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys, .withoutEscapingSlashes])))
        let signingInput = header + "." + body
        let signature = try key.signature(for: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode([UInt8](signature.rawRepresentation))
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

/// A VAPID key pair as the settings hold it: the public key base64url of the 65-byte
/// uncompressed point (what browsers take as `applicationServerKey`), the private key
/// base64url of the 32-byte scalar (the format web-push libraries use).
public struct VAPIDKeys: Sendable {
    public let publicKey: String
    public let privateKey: String
    let signingKey: P256.Signing.PrivateKey

    /// A new pair (`agentim-server vapid-keys`).
    public static func generate() -> VAPIDKeys {
        let key = P256.Signing.PrivateKey()
        return VAPIDKeys(publicKey: Base64URL.encode([UInt8](key.publicKey.x963Representation)),
                         privateKey: Base64URL.encode([UInt8](key.rawRepresentation)), signingKey: key)
    }

    /// The pair from settings, or nil when either half is missing, malformed, or they do not match.
    public init?(publicKey: String, privateKey: String) {
        guard let raw = Base64URL.decode(privateKey), raw.count == 32,
              let key = try? P256.Signing.PrivateKey(rawRepresentation: raw),
              let point = Base64URL.decode(publicKey), point == [UInt8](key.publicKey.x963Representation) else { return nil }
        self.init(publicKey: publicKey, privateKey: privateKey, signingKey: key)
    }

    private init(publicKey: String, privateKey: String, signingKey: P256.Signing.PrivateKey) {
        self.publicKey = publicKey
        self.privateKey = privateKey
        self.signingKey = signingKey
    }
}

/// base64url without padding (RFC 4648 §5); decoding also takes padding and standard base64,
/// as some clients send it.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= 4096,
              text.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_+/=".unicodeScalars.contains($0)) })
        else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 = base64.replacingOccurrences(of: "=", with: "")
        if base64.count % 4 == 1 { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map { [UInt8]($0) }
    }
}

extension WebPushCrypto {
    static func isValidPoint(_ bytes: [UInt8]) -> Bool {
        (try? P256.KeyAgreement.PublicKey(x963Representation: bytes)) != nil
    }
}
