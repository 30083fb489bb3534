import AgentIMCore
import Crypto
import Foundation

/// AWS Signature Version 4 (header form) for S3-compatible storage. The caller passes the
/// headers it sends, including `host` and `x-amz-date`; every one of them is signed.
struct SigV4 {
    let accessKeyId: String
    let secretAccessKey: String
    let region: String
    let service: String

    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// `20150830T123600Z`, the `x-amz-date` value.
    static func amzDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    /// The `Authorization` header value. `path` is the canonical (already URI-encoded) path;
    /// `query` holds raw names and values; `headers` maps lower-case names to values.
    func authorization(method: String, path: String, query: [(String, String)], headers: [String: String],
                       payloadHash: String) -> String {
        let amzDate = headers["x-amz-date"] ?? ""
        let day = String(amzDate.prefix(8))
        let names = headers.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(Self.trimmed(headers[$0]!))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let encoded: [(String, String)] = query.map { (Self.encode($0.0, keepSlash: false), Self.encode($0.1, keepSlash: false)) }
        let sorted = encoded.sorted { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let canonicalQuery = sorted.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let canonicalRequest = [method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.sha256Hex(Data(canonicalRequest.utf8))].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Hex.encode(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        return "AWS4-HMAC-SHA256 Credential=\(accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    static func sha256Hex(_ data: Data) -> String { Hex.encode(SHA256.hash(data: data)) }

    /// URI encoding of SigV4: unreserved characters stay, everything else is `%XX` upper-case.
    static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Header values are trimmed and inner runs of spaces folded to one.
    static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
