import Foundation
import Glibc
import Testing

extension EdgeTests {
    /// A crowd of connections larger than the edge's file limit: the edge keeps a budget of
    /// connections below the limit (`ConnectionBudget`), closes the rest at once, and stays up
    /// and answering once the crowd leaves. Before the budget the process ran out of
    /// descriptors and died (SIGILL after leaked continuations in the single-process hub).
    @Suite
    struct EdgeConnectionBudgetTests {
        @Test func aCrowdBeyondTheFileLimitIsRefusedAndTheEdgeStaysUp() async throws {
            let upstream = try TestUpstream()
            // 200 descriptors: a budget of 136 connections (64 kept for the process itself).
            let edge = try await EdgeFixture.start(upstream: upstream, environment: ["NODE_ENV": "test"], fileLimit: 200)
            defer { edge.stop(); upstream.stop() }

            for round in 0..<2 {
                let crowd = (0..<320).compactMap { _ in try? RawHTTP.openConnection(port: edge.port) }
                #expect(crowd.count == 320, "the kernel's backlog takes every connect")
                try await Task.sleep(for: .seconds(2))
                let open = crowd.filter { RawSocket.isOpen($0) }.count
                #expect(open > 100 && open <= 136, "round \(round): \(open) connections held, the rest closed at once")
                #expect(edge.process.isRunning, "the edge survives a crowd beyond its file limit: \(edge.log)")
                crowd.forEach { close($0) }
                // Once the crowd is gone, new connections are served again.
                try await edge.waitUntilHealthy(path: "/ws/client", status: 426, timeout: .seconds(10))
            }
            #expect(edge.log.contains("connection refused: 136 connections open"))
        }
    }
}

/// Plain TCP connections that send nothing.
enum RawSocket {
    /// Still open from the server's side: nothing to read yet (no EOF, no reset).
    static func isOpen(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        return count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }
}
