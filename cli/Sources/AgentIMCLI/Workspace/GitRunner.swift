import Foundation

/// Runs `git` for workspace reports (§19.1): cwd = the working directory, 10 s timeout, 2 MiB of
/// output kept. The child gets a minimal environment (no secrets can leak through it).
enum GitRunner {
    static let outputLimit = 2 << 20

    struct Failure: Error { let text: String }

    static func run(_ args: [String], in directory: String, timeoutMs: Int = 10_000) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + args
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let env = ProcessInfo.processInfo.environment
        process.environment = ["PATH": env["PATH"] ?? "/usr/bin:/bin", "HOME": env["HOME"] ?? "/", "LANG": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let (exits, exitContinuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exitContinuation.yield($0.terminationStatus); exitContinuation.finish() }
        try process.run()
        let killer = Task.detached {
            try await Task.sleep(for: .milliseconds(timeoutMs))
            if process.isRunning { process.terminate() }
        }
        // Blocking reads stay off the cooperative pool.
        let data: Data = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var data = Data()
                let handle = out.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    if data.count < outputLimit { data.append(chunk.prefix(outputLimit - data.count)) }
                }
                continuation.resume(returning: data)
            }
        }
        var status: Int32 = -1
        for await code in exits { status = code }
        killer.cancel()
        guard status == 0 else { throw Failure(text: "git \(args.first ?? "") exited with \(status)") }
        return String(decoding: data, as: UTF8.self)
    }
}
