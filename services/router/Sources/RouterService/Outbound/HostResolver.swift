import AgentIMDatabase
import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// `resolvesToPrivateIp` of data-config-security §3.8: the addresses a host name resolves
/// to (A and AAAA, through the system resolver so /etc/hosts counts too). getaddrinfo
/// blocks, so it runs on NIO's thread pool, never on an event loop.
public enum HostResolver {
    public enum Verdict: Equatable, Sendable {
        case publicOnly
        case privateAddress(String)
        case timedOut
    }

    /// Any private address, or no answer within `limit`, blocks; a failed lookup (NXDOMAIN)
    /// does not, as in the original (the later request will fail anyway).
    public static func check(_ host: String, limit: Duration = .seconds(5)) async -> Verdict {
        do {
            let addresses = try await withTimeout(limit) { try await resolve(host) }
            if let blocked = addresses.first(where: URLSafety.isPrivate(address:)) { return .privateAddress(blocked) }
            return .publicOnly
        } catch is CancellationError {
            return .timedOut
        } catch {
            return .publicOnly
        }
    }

    struct LookupFailed: Error {}

    static func resolve(_ host: String) async throws -> [String] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { throw LookupFailed() }
            defer { freeaddrinfo(first) }
            var addresses: [String] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                    addresses.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                }
                cursor = info.pointee.ai_next
            }
            return addresses
        }
    }
}
