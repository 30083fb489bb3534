import AgentIMDatabase
import AsyncHTTPClient
import Foundation
import NIOCore
import ServiceLifecycle

/// The router's calls to LLM and provider APIs: JSON over POST, redirects refused (the
/// original's `redirect: 'error'`: a redirect could lead past the SSRF guard), one deadline
/// for the whole exchange including the body.
public final class OutboundHTTP: Sendable {
    public enum Failure: Error, Equatable {
        case timedOut
        case redirected
        case connection(String)
    }

    public struct Answer: Sendable {
        public var status: Int
        public var body: Data
    }

    let client: HTTPClient

    public init() {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10))
        // A refused connection is an answer ("Connection failed"), not something to retry
        // until the deadline turns it into a timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// POSTs `body` (JSON) with `Authorization: Bearer <bearer>`, or GETs when `body` is nil.
    public func send(_ url: String, bearer: String, body: Data?, timeout: Duration, limit: Int = 4 << 20) async throws(Failure) -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = body == nil ? .GET : .POST
        request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let client = self.client
        let prepared = request
        do {
            return try await withTimeout(timeout) {
                let response = try await client.execute(prepared, timeout: .milliseconds(Int64(timeout.components.seconds * 1000 + 1000)))
                if (300..<400).contains(Int(response.status.code)) { throw Failure.redirected }
                let bytes = try await response.body.collect(upTo: limit)
                return Answer(status: Int(response.status.code), body: Data(bytes.readableBytesView))
            }
        } catch let failure as Failure {
            throw failure
        } catch is CancellationError {
            throw .timedOut
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw .timedOut
        } catch {
            throw .connection("\(error)")
        }
    }

    /// Closes the pool when the process shuts down.
    public var shutdownService: some Service { Closer(client: client) }

    struct Closer: Service {
        let client: HTTPClient
        func run() async throws {
            try? await gracefulShutdown()
            try await client.shutdown()
        }
    }
}
