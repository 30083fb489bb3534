import Foundation
import Testing
@testable import AgentIMCLI

/// Shared helpers for adapter tests: the fake agents of Fakes/ (located from this file's path),
/// put first on the child's PATH through the adapter environment, and a chunk recorder.
enum Fakes {
    static let directory: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fakes").path

    /// PATH with the fakes first (the adapters resolve their executable on the child's PATH).
    static var path: String { "\(directory):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")" }

    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        extra.merging(["PATH": path]) { own, _ in own }
    }

    static func tempDirectory(_ label: String = "cli") -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("agentim-\(label)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func options(_ env: [String: String] = [:], workDir: String? = nil, level: PermissionLevel = .bypass,
                        passEnv: [String] = [], handler: PermissionHandler? = nil, timeouts: ProcessTimeouts? = nil) -> AdapterOptions {
        AdapterOptions(agentId: "agent-1", agentName: "tester", workingDirectory: workDir ?? tempDirectory(),
                       environment: environment(env), passEnv: passEnv, permissionLevel: level, permissionHandler: handler,
                       timeouts: timeouts)
    }
}

/// Collects chunks in arrival order.
actor ChunkRecorder {
    private(set) var chunks: [AgentChunk] = []
    func add(_ chunk: AgentChunk) { chunks.append(chunk) }
    var texts: [String] { chunks.filter { $0.kind == .text }.map(\.content) }
    func count(_ kind: AgentChunk.Kind) -> Int { chunks.filter { $0.kind == kind }.count }

    nonisolated var sink: @Sendable (AgentChunk) async -> Void { { chunk in await self.add(chunk) } }

    /// Waits until more than `count` chunks arrived (a room still streaming).
    func waitForMore(than count: Int, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if chunks.count > count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Waits until a chunk satisfies `predicate` (for tests that act mid-reply).
    func waitFor(timeout: Duration = .seconds(30), _ predicate: @Sendable (AgentChunk) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if chunks.contains(where: predicate) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

/// Records permission asks and answers them with a fixed decision.
actor PermissionRecorder {
    private(set) var asks: [PermissionAsk] = []
    let decision: PermissionDecision
    let reason: String?
    let delay: Duration
    init(_ decision: PermissionDecision, reason: String? = nil, delay: Duration = .zero) {
        self.decision = decision; self.reason = reason; self.delay = delay
    }
    func record(_ ask: PermissionAsk) { asks.append(ask) }

    nonisolated var handler: PermissionHandler {
        { ask in
            await self.record(ask)
            if self.delay > .zero { try? await Task.sleep(for: self.delay) }
            return (self.decision, self.reason)
        }
    }
}

extension ReplyOutcome {
    var fullContent: String? { if case .complete(let text) = self { return text }; return nil }
    var failure: String? { if case .failed(let text) = self { return text }; return nil }
}
