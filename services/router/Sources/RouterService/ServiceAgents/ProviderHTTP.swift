import AgentIMCore
import AgentIMDatabase
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The HTTP exchanges of service-agent providers: any method and headers, one deadline for
/// the whole exchange including the body, a cap on the body, redirects refused (the
/// router's client never follows them: a redirect could lead past the SSRF check).
struct ProviderHTTP: Sendable {
    let client: HTTPClient
    /// Names the provider in failure texts ("OpenAI API", "Runway API", …).
    let api: String

    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Data

        var ok: Bool { (200..<300).contains(status) }
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: body) }
        var contentType: String {
            (headers.first(name: "content-type") ?? "").split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            } ?? ""
        }
    }

    enum Body: Sendable {
        case none
        case json(JSONValue)
        case raw(Data, contentType: String)
    }

    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: Body = .none,
              timeout: Duration, limit: Int = 4 << 20, redirects: Bool = false) async throws(ProviderFailure) -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        switch body {
        case .none: break
        case .json(let value):
            request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            let data = (try? JSONEncoder().encode(value)) ?? Data()
            request.body = .bytes(ByteBuffer(bytes: data))
        case .raw(let data, let contentType):
            request.headers.replaceOrAdd(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        let client = self.client
        let prepared = request
        let seconds = timeout.components.seconds
        do {
            return try await withTimeout(timeout) {
                let response = try await client.execute(prepared, timeout: .seconds(seconds + 1))
                if (300..<400).contains(Int(response.status.code)) {
                    // The caller follows it itself, checking the next hop.
                    if redirects { return Answer(status: Int(response.status.code), headers: response.headers, body: Data()) }
                    throw ProviderFailure("\(api) answered with a redirect (\(response.status.code))")
                }
                if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > limit {
                    throw ProviderFailure("\(api) answer too large (over \(limit / 1_048_576)MB)")
                }
                let bytes: ByteBuffer
                do {
                    bytes = try await response.body.collect(upTo: limit)
                } catch is NIOTooManyBytesError {
                    throw ProviderFailure("\(api) answer too large (over \(limit / 1_048_576)MB)")
                }
                return Answer(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
            }
        } catch let failure as ProviderFailure {
            throw failure
        } catch is CancellationError {
            throw ProviderFailure("\(api) did not answer within \(seconds)s")
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw ProviderFailure("\(api) did not answer within \(seconds)s")
        } catch {
            throw ProviderFailure("Connection to the \(api) failed")
        }
    }

    /// A percent-encoded path segment (voice and task ids come from configs and providers).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
