import Foundation

/// A JSON-RPC 2.0 connection to one `codex app-server` child (§13.1–§13.2): one JSON object per
/// line; integer request ids from 1; lines with `method` and `id` are server requests.
final class CodexAppServer: @unchecked Sendable {
    typealias ServerRequestHandler = @Sendable (_ method: String, _ params: [String: Any]) async -> [String: Any]
    typealias NotificationHandler = @Sendable (_ method: String, _ params: [String: Any]) async -> Void

    struct RPCError: Error, CustomStringConvertible { let description: String }

    let child: ChildProcess
    private struct State {
        var nextId = 0
        var pending: [Int: CheckedContinuation<[String: Any], Error>] = [:]
        var exited: ProcessExit?
    }
    private let state = Locked(State())
    private let onRequest: ServerRequestHandler
    private let onNotification: NotificationHandler
    private let onExit: @Sendable (ProcessExit) async -> Void

    init(executable: String, environment: [String: String], workingDirectory: String,
         onRequest: @escaping ServerRequestHandler, onNotification: @escaping NotificationHandler,
         onExit: @escaping @Sendable (ProcessExit) async -> Void) throws {
        child = try ChildProcess(executable: executable, arguments: ["app-server"], environment: environment,
                                 workingDirectory: workingDirectory, pipeStdin: true)
        self.onRequest = onRequest
        self.onNotification = onNotification
        self.onExit = onExit
    }

    func start() throws {
        try child.start()
        Task { await self.readLoop() }
    }

    private func readLoop() async {
        var splitter = LineSplitter()
        var stderrDecoder = UTF8ChunkDecoder()
        outer: for await event in child.output {
            switch event {
            case .stdout(let data):
                guard let lines = try? splitter.feed(data) else { child.terminate(); break outer }
                for line in lines where !line.isEmpty { await dispatch(line) }
            case .stderr(let data):
                _ = stderrDecoder.decode(data)   // logged only in the original; nothing reaches the hub
            }
        }
        let exit = await child.waitForExit()
        let waiters = state.withLock { s -> [CheckedContinuation<[String: Any], Error>] in
            s.exited = exit
            let all = Array(s.pending.values)
            s.pending = [:]
            return all
        }
        let error = RPCError(description: "Codex app-server exited (code=\(exit.signaled ? "signal \(exit.code)" : String(exit.code)))")
        for waiter in waiters { waiter.resume(throwing: error) }
        await onExit(exit)
    }

    private func dispatch(_ line: String) async {
        guard let message = AdapterText.parseObject(line) else { return }   // unparsable lines are ignored
        let method = message["method"] as? String
        let idNumber = (message["id"] as? NSNumber)?.intValue
        if method == nil, let id = idNumber {
            let waiter = state.withLock { $0.pending.removeValue(forKey: id) }
            if let error = message["error"] as? [String: Any] {
                waiter?.resume(throwing: RPCError(description: error["message"] as? String ?? "Codex request failed"))
            } else {
                waiter?.resume(returning: message["result"] as? [String: Any] ?? [:])
            }
            return
        }
        guard let method else { return }
        let params = message["params"] as? [String: Any] ?? [:]
        if let rawId = message["id"], !(rawId is NSNull) {
            // Answered off the read loop: an approval can wait minutes for a person.
            Task {
                let result = await self.onRequest(method, params)
                try? await self.child.writeLine(AdapterText.json(["jsonrpc": "2.0", "id": rawId, "result": result]))
            }
        } else {
            await onNotification(method, params)
        }
    }

    func request(_ method: String, _ params: [String: Any]) async throws -> [String: Any] {
        let id: Int = try state.withLock { s in
            if let exit = s.exited { throw RPCError(description: "Codex app-server exited (code=\(exit.code))") }
            s.nextId += 1
            return s.nextId
        }
        let frame = AdapterText.json(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        return try await withCheckedThrowingContinuation { cont in
            state.withLock { $0.pending[id] = cont }
            Task {
                do { try await child.writeLine(frame) } catch {
                    let waiter = state.withLock { $0.pending.removeValue(forKey: id) }
                    waiter?.resume(throwing: RPCError(description: "Codex app-server is not accepting input"))
                }
            }
        }
    }

    func notify(_ method: String, _ params: [String: Any]? = nil) async {
        var frame: [String: Any] = ["jsonrpc": "2.0", "method": method]
        if let params { frame["params"] = params }
        try? await child.writeLine(AdapterText.json(frame))
    }

    var hasExited: Bool { state.current.exited != nil }

    func kill() {
        child.closeStdin()
        child.terminate(graceMs: 2_000)
    }
}
