import AgentIMCore
import Crypto
import Foundation

/// The claims of every hub token (data-config-security §3.2).
public struct TokenClaims: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case access, refresh, totpChallenge = "totp_challenge" }

    public var sub: String
    public var username: String
    public var type: Kind
    public var iss: String
    public var aud: String
    public var jti: String
    public var iat: Int64
    public var exp: Int64

    public static let issuer = "agentim"
}

/// HS256 JSON Web Tokens with swift-crypto's HMAC. Written here rather than taken from
/// JWTKit because the hub must accept secrets of any length (the original's development
/// default is 20 bytes, which JWTKit refuses) and must keep the exact header (`kid`) and
/// integer `iat`/`exp` that the original's clients and tokens use.
enum JWT {
    struct Header: Codable {
        var alg: String
        var typ: String?
        var kid: String?
    }

    static func sign(_ claims: TokenClaims, secret: SymmetricKey, kid: String) throws -> String {
        let header = try JSONCoding.encode(Header(alg: "HS256", typ: "JWT", kid: kid))
        let payload = try JSONCoding.encode(claims)
        let signingInput = base64URL(header) + "." + base64URL(payload)
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: secret)
        return signingInput + "." + base64URL(Data(mac))
    }

    enum Failure: Error { case malformed, badSignature, badClaims }

    /// Checks the signature against each key in turn (current secret first).
    static func verify(_ token: String, keys: [SymmetricKey], now: Date = Date()) throws(Failure) -> TokenClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = decodeBase64URL(parts[0]), let payloadData = decodeBase64URL(parts[1]),
              let signature = decodeBase64URL(parts[2]),
              let header = try? JSONDecoder().decode(Header.self, from: headerData) else { throw .malformed }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        let valid = keys.contains { key in
            switch header.alg {
            case "HS256": HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key)
            case "HS384": HMAC<SHA384>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key)
            case "HS512": HMAC<SHA512>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key)
            default: false
            }
        }
        guard valid else { throw .badSignature }
        guard let raw = try? JSONDecoder().decode(JSONValue.self, from: payloadData),
              let sub = raw["sub"]?.stringValue, !sub.isEmpty,
              let username = raw["username"]?.stringValue,
              let type = raw["type"]?.stringValue.flatMap(TokenClaims.Kind.init(rawValue:)),
              raw["iss"]?.stringValue == TokenClaims.issuer,
              audienceMatches(raw["aud"]),
              let exp = raw["exp"]?.numberValue, now.timeIntervalSince1970 < exp else { throw .badClaims }
        let iat = raw["iat"]?.numberValue ?? 0
        return TokenClaims(sub: sub, username: username, type: type, iss: TokenClaims.issuer, aud: TokenClaims.issuer,
                           jti: raw["jti"]?.stringValue ?? "", iat: Int64(iat), exp: Int64(exp))
    }

    static func audienceMatches(_ value: JSONValue?) -> Bool {
        switch value {
        case .string(let aud): aud == TokenClaims.issuer
        case .array(let items): items.contains(.string(TokenClaims.issuer))
        default: false
        }
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decodeBase64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
