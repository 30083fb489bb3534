import Crypto
import _CryptoExtras
import Foundation
import Synchronization

/// Token and API-key encryption at rest (agent-cli.md §6): AES-256-GCM, key from PBKDF2-HMAC-SHA256
/// (600000 rounds) over `<hostname>:<username>:<homedir>[:<machineId>]`, stored as base64(IV ‖ tag ‖ ciphertext).
public struct SecretBox: Sendable {
    static let salt = Array("AgentIM-machine-key-v1-2024".utf8)
    static let rounds = 600_000

    /// Key material without and with the machine id.
    let baseMaterial: String
    let machineId: String?

    public init(home: String) {
        baseMaterial = "\(SecretBox.hostname()):\(SecretBox.username()):\(home)"
        machineId = (try? String(contentsOfFile: "/etc/machine-id", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
    }

    init(material: String, machineId: String?) { baseMaterial = material; self.machineId = machineId }

    private static let cache = Mutex<[String: SymmetricKey]>([:])

    static func derive(_ material: String) -> SymmetricKey {
        if let key = cache.withLock({ $0[material] }) { return key }
        let key = (try? KDF.Insecure.PBKDF2.deriveKey(from: Array(material.utf8), salt: salt, using: .sha256, outputByteCount: 32, rounds: rounds))
            ?? SymmetricKey(data: SHA256.hash(data: Array(material.utf8)))
        cache.withLock { $0[material] = key }
        return key
    }

    var currentKey: SymmetricKey { SecretBox.derive(machineId.map { "\(baseMaterial):\($0)" } ?? baseMaterial) }

    /// Keys tried in order when decrypting (§6 "Decrypt order").
    var decryptKeys: [SymmetricKey] {
        var keys = [currentKey]
        if machineId != nil { keys.append(SecretBox.derive(baseMaterial)) }
        keys.append(SymmetricKey(data: SHA256.hash(data: Array(baseMaterial.utf8))))
        return keys
    }

    public func encrypt(_ plaintext: String) -> String {
        let nonce = AES.GCM.Nonce()
        guard let sealed = try? AES.GCM.seal(Array(plaintext.utf8), using: currentKey, nonce: nonce) else { return "" }
        return Data(Array(nonce) + Array(sealed.tag) + Array(sealed.ciphertext)).base64EncodedString()
    }

    /// nil for bad base64, short input, or when no key opens it (never throws).
    public func decrypt(_ stored: String) -> String? {
        guard let raw = Data(base64Encoded: stored), raw.count >= 28 else { return nil }
        let bytes = Array(raw)
        guard let nonce = try? AES.GCM.Nonce(data: bytes[0..<12]),
              let box = try? AES.GCM.SealedBox(nonce: nonce, ciphertext: bytes[28...], tag: bytes[12..<28]) else { return nil }
        for key in decryptKeys {
            if let plain = try? AES.GCM.open(box, using: key) { return String(decoding: plain, as: UTF8.self) }
        }
        return nil
    }

    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(cString: buffer)
    }

    public static func username() -> String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? ""
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
